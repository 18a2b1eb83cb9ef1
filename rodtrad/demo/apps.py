from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "rodtrad.demo"
    label = "demo"
    verbose_name = "Demodata"
