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
