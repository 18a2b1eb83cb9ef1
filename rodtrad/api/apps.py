from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "rodtrad.api"
    label = "api"
