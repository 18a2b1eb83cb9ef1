from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "rodtrad.letters"
    label = "letters"
    verbose_name = "Dokument som skickas ut"
