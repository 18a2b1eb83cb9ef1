from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "rodtrad.decisions"
    label = "decisions"
    verbose_name = "Beslut och insatser"
