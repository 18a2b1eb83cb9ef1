from django.apps import AppConfig


class StatsConfig(AppConfig):
    """Statistics from the record: indicators, queries, historical import (docs/statistics.md,
    docs/import-format.md)."""

    name = "rodtrad.stats"
    label = "stats"
    verbose_name = "Statistik"
