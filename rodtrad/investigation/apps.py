from django.apps import AppConfig


class InvestigationConfig(AppConfig):
    name = "rodtrad.investigation"
    label = "investigation"
    verbose_name = "Utredning"
