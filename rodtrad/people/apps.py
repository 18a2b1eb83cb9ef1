from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "rodtrad.people"
    label = "people"
    verbose_name = "Personer"
