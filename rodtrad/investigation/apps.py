from django.apps import AppConfig


class InvestigationConfig(AppConfig):
    name = "rodtrad.investigation"
    label = "investigation"
    verbose_name = "Utredning"

    def ready(self) -> None:
        # Imported here, once the models are loaded (Django's rule for ready()). A
        # pre-assessment's decision to investigate opens the investigation; intake is below
        # investigation in the layers (docs/architecture.md, "Layers").
        from rodtrad.intake import handover
        from rodtrad.investigation.services import open_investigation

        handover.register_investigation_opener(open_investigation)
