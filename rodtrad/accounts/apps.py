from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rodtrad.accounts"
    label = "accounts"
    verbose_name = "Konton och organisation"

    def ready(self) -> None:
        from rodtrad.accounts import checks, signals  # noqa: F401
