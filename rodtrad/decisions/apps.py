from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "rodtrad.decisions"
    label = "decisions"
    verbose_name = "Beslut och insatser"

    def ready(self) -> None:
        # The decisions' deadline kinds join the registry (after the investigation's).
        from rodtrad.decisions import deadlines

        deadlines.register()
