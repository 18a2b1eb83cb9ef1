from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "rodtrad.deadlines"
    label = "deadlines"
    verbose_name = "Tidsfrister"
