from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "rodtrad.journal"
    label = "journal"
    verbose_name = "Journal (loggar)"

    def ready(self) -> None:
        from rodtrad.journal import checks  # noqa: F401
