"""`rodtrad stats reports|durations --year YEAR [--format csv|table]` (docs/statistics.md).

Aggregates only, by district: no name or identity number is ever printed. `csv` is the
seeds' table as data (header row, comma, one decimal with a point); `table` is the same
numbers for a person to read (Swedish headings, decimal comma, aligned columns).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from rodtrad.stats.indicators import INDICATORS, Table, Value, csv_lines


def _headings() -> dict[str, str]:
    return {
        "district": _("Stadsdel"),
        "reports": _("Aktualiseringar"),
        "reports_per_100": _("Per 100 barn"),
        "investigations": _("Utredningar"),
        "investigations_per_100": _("Utredningar per 100 barn"),
        "share_opened_pct": _("Andel inledda (%)"),
        "closed": _("Avslutade"),
        "mean_days": _("Medel (dagar)"),
        "median_days": _("Median (dagar)"),
        "over_deadline": _("Efter fyra månader"),
        "over_deadline_without_extension": _("Därav utan förlängning"),
    }


def _readable(value: Value) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if value == "Totalt":
        return _("Totalt")
    return str(value)


class Command(BaseCommand):
    help = "Skriver ut statistik per stadsdel för ett år (aktualiseringar eller utredningstider)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("indicator", choices=sorted(INDICATORS))
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=("csv", "table"), default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        table = INDICATORS[options["indicator"]]().compute(options["year"])
        if options["format"] == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            for line in csv_lines(table):
                writer.writerow(line)
        else:
            self.stdout.write(self._table(table), ending="")

    @staticmethod
    def _table(table: Table) -> str:
        headings = _headings()
        cells = [[headings.get(column, column) for column in table.columns]]
        cells += [[_readable(value) for value in row] for row in table.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]
        lines = []
        for number, row in enumerate(cells):
            first = row[0].ljust(widths[0])
            rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
            lines.append("  ".join([first, *rest]).rstrip())
            if number == 0:
                lines.append("  ".join("-" * width for width in widths))
        title = _("%(year)s (indikator %(code)s, version %(version)s)") % {
            "year": table.year,
            "code": table.indicator,
            "version": table.version,
        }
        return title + "\n\n" + "\n".join(lines) + "\n"
