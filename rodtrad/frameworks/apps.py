from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "rodtrad.frameworks"
    label = "frameworks"
    verbose_name = "Kodlistor och ramverk"
