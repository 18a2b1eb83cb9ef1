from django.apps import AppConfig


class CommissionsConfig(AppConfig):
    name = "rodtrad.commissions"
    label = "commissions"
    verbose_name = "Uppdrag till utförare"
