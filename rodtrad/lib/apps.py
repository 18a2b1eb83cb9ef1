from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "rodtrad.lib"
    label = "lib"
