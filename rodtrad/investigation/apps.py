from django.apps import AppConfig


class InvestigationConfig(AppConfig):
    name = "rodtrad.investigation"
    label = "investigation"
    verbose_name = "Utredning"

    def ready(self) -> None:
        # The investigation deadline kinds join the registry here (after intake's: the
        # order of registration is the order of kinds due the same day).
        from rodtrad.investigation import deadlines

        deadlines.register()
