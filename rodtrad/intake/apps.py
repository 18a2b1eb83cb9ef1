from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "rodtrad.intake"
    label = "intake"
    verbose_name = "Mottagning"

    def ready(self) -> None:
        # The intake deadline kinds join the registry here, so that `rodtrad.deadlines`
        # imports no phase app (docs/architecture.md, layers).
        from rodtrad.intake import deadlines

        deadlines.register()

        # Imported here, once the models are loaded (Django's rule for ready()). A child's
        # network and siblings take in the other children of the same report; people is below
        # intake in the layers (docs/architecture.md, "Layers").
        from rodtrad.intake.queries import same_report_children
        from rodtrad.people import links

        links.register(same_report_children)
