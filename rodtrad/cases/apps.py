from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "rodtrad.cases"
    label = "cases"
    verbose_name = "Ärenden"
