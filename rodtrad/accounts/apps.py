from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rodtrad.accounts"
    label = "accounts"
    verbose_name = "Konton och organisation"

    def ready(self) -> None:
        # Imported here, once the models are loaded (Django's rule for ready()). The journal
        # asks access.py about readers (roles, grants, scope) without importing it: the
        # journal is below accounts in the layers (docs/architecture.md, "Layers").
        from rodtrad.accounts import access, checks, signals  # noqa: F401
        from rodtrad.journal import readers

        readers.register(access)
