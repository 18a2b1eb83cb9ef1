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

        # Imported here, once the models are loaded (Django's rule for ready()). A
        # pre-assessment's decision to investigate opens the investigation; intake is below
        # investigation in the layers (docs/architecture.md, "Layers").
        from rodtrad.intake import handover
        from rodtrad.investigation.services import open_investigation

        handover.register_investigation_opener(open_investigation)
