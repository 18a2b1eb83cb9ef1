from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "rodtrad.intake"
    label = "intake"
    verbose_name = "Mottagning"
