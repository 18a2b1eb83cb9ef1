from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "rodtrad.audits"
    label = "audits"
    verbose_name = "Egenkontroll"
