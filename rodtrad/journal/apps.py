from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "rodtrad.journal"
    label = "journal"
    verbose_name = "Journal (loggar)"

    def ready(self) -> None:
        # Imported here, once the models are loaded (Django's rule for ready()). The conflict
        # page (lib) writes its access events through the journal; lib is below the journal
        # in the layers (docs/architecture.md, "Layers").
        from rodtrad.journal import checks  # noqa: F401
        from rodtrad.journal.page_reads import record_page_read
        from rodtrad.lib import versioning

        versioning.register_read_recorder(record_page_read)
