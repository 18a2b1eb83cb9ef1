"""Indicators: one class each, with a code, a version and a definition in docs/statistics.md.

An indicator computes a table of aggregates (numbers only, never a name or an identity
number) by district for a year. The numbers are `Decimal`s rounded half up
(`ROUND_HALF_UP`: 2.25 → 2.3, 12.5 % → 13 %), as the seeds' tables round; `None` where a
share or a mean has nothing to be computed from. Change what an indicator counts and its
`version` goes up, with the change written in docs/statistics.md.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.db.models import Exists, OuterRef, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from rodtrad.accounts.models import District
from rodtrad.cases.models import DocumentStatus
from rodtrad.intake.models import Decision, PreAssessment, ReportChild
from rodtrad.investigation.models import ExtensionDecision, Investigation, investigation_deadline
from rodtrad.stats.models import Population

TOTAL = "Totalt"
ONE_DECIMAL = Decimal("0.1")
WHOLE = Decimal("1")

Value = str | int | Decimal | None


def half_up(value: Decimal, places: Decimal = ONE_DECIMAL) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def per_100(count: int, population: int) -> Decimal | None:
    """`count` per 100 of `population`, one decimal, half up (None without a population)."""
    if population <= 0:
        return None
    return half_up(Decimal(count * 100) / Decimal(population))


def percent(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` as a whole percent, half up (None when `whole` is 0)."""
    if whole <= 0:
        return None
    return half_up(Decimal(part * 100) / Decimal(whole), WHOLE)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year as aware moments in the local time zone: [1 January, next 1 January)."""
    return (
        timezone.make_aware(datetime.combine(date(year, 1, 1), time.min)),
        timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min)),
    )


def population_by_district(year: int) -> dict[int, int]:
    """The 0–20 population of each district with population data for the year."""
    rows = (
        Population.objects.filter(year=year)
        .values("district")
        .annotate(total=Sum("count"))
        .values_list("district", "total")
    )
    return {district: total or 0 for district, total in rows}


def districts_with_population(year: int) -> list[tuple[District, int]]:
    """The districts with population data for the year, by name, with their population."""
    population = population_by_district(year)
    districts = District.objects.filter(pk__in=population).order_by("name", "code")
    return [(district, population[district.pk]) for district in districts]


@dataclass(frozen=True)
class Table:
    """An indicator's result: the CSV header and one row per district, `Totalt` last."""

    indicator: str
    version: int
    year: int
    columns: tuple[str, ...]
    rows: list[tuple[Value, ...]]


class Indicator:
    code: ClassVar[str]
    version: ClassVar[int]
    columns: ClassVar[tuple[str, ...]]

    def compute(self, year: int) -> Table:
        raise NotImplementedError


class ReportsAndInvestigations(Indicator):
    """Reports and investigations opened from them per 100 of the 0–20 population
    (docs/statistics.md, "Reports and investigations")."""

    code = "reports_per_100"
    version = 1
    columns = (
        "district",
        "reports",
        "reports_per_100",
        "investigations",
        "investigations_per_100",
        "share_opened_pct",
    )

    def compute(self, year: int) -> Table:
        start, end = year_bounds(year)
        opened = PreAssessment.objects.filter(
            case=OuterRef("case"),
            decision=Decision.OPEN,
            status=DocumentStatus.SIGNED,
            corrects__isnull=True,
        )
        rows = (
            ReportChild.objects.annotate(
                receipt=Coalesce("report__stated_received_at", "report__received_at"),
                opened=Exists(opened),
            )
            .filter(receipt__gte=start, receipt__lt=end)
            .values_list("report__district", "opened", "is_attached_to_open_investigation")
        )
        reports: dict[int, int] = defaultdict(int)
        investigations: dict[int, int] = defaultdict(int)
        for district_id, was_opened, attached in rows.iterator(chunk_size=5000):
            reports[district_id] += 1
            if was_opened and not attached:
                investigations[district_id] += 1
        table: list[tuple[Value, ...]] = []
        totals = [0, 0, 0]
        for district, population in districts_with_population(year):
            r, i = reports[district.pk], investigations[district.pk]
            table.append(self._row(district.name, r, i, population))
            totals = [totals[0] + r, totals[1] + i, totals[2] + population]
        table.append(self._row(TOTAL, *totals))
        return Table(self.code, self.version, year, self.columns, table)

    @staticmethod
    def _row(name: str, reports: int, investigations: int, population: int) -> tuple[Value, ...]:
        return (
            name,
            reports,
            per_100(reports, population),
            investigations,
            per_100(investigations, population),
            percent(investigations, reports),
        )


class InvestigationDurations(Indicator):
    """How long the investigations closed in the year took, and how many went past the
    four-month deadline (docs/statistics.md, "Investigation durations")."""

    code = "investigation_durations"
    version = 1
    columns = (
        "district",
        "closed",
        "mean_days",
        "median_days",
        "over_deadline",
        "over_deadline_without_extension",
    )

    def compute(self, year: int) -> Table:
        extended = ExtensionDecision.objects.filter(investigation=OuterRef("pk"))
        rows = (
            Investigation.objects.filter(
                closed_on__gte=date(year, 1, 1), closed_on__lt=date(year + 1, 1, 1)
            )
            .annotate(extended=Exists(extended))
            .values_list("case__district", "opened_on", "closed_on", "extended")
        )
        days: dict[int, list[int]] = defaultdict(list)
        over: dict[int, int] = defaultdict(int)
        over_unextended: dict[int, int] = defaultdict(int)
        dues: dict[date, date] = {}
        for district_id, opened_on, closed_on, was_extended in rows.iterator(chunk_size=5000):
            assert closed_on is not None  # filtered on closed_on above
            days[district_id].append((closed_on - opened_on).days)
            due = dues.get(opened_on)
            if due is None:
                # The four months of SoL 20:3 rolled per lag 1930:173, as the case pages
                # compute them (extensions are counted separately below).
                due = dues[opened_on] = investigation_deadline(opened_on, []).due
            if closed_on > due:
                over[district_id] += 1
                if not was_extended:
                    over_unextended[district_id] += 1
        table: list[tuple[Value, ...]] = []
        all_days: list[int] = []
        total_over = total_unextended = 0
        for district, _population in districts_with_population(year):
            table.append(
                self._row(
                    district.name,
                    days[district.pk],
                    over[district.pk],
                    over_unextended[district.pk],
                )
            )
            all_days += days[district.pk]
            total_over += over[district.pk]
            total_unextended += over_unextended[district.pk]
        table.append(self._row(TOTAL, all_days, total_over, total_unextended))
        return Table(self.code, self.version, year, self.columns, table)

    @staticmethod
    def _row(name: str, days: list[int], over: int, unextended: int) -> tuple[Value, ...]:
        if not days:
            return (name, 0, None, None, over, unextended)
        mean = half_up(Decimal(sum(days)) / Decimal(len(days)))
        median = half_up(Decimal(str(statistics.median(days))))
        return (name, len(days), mean, median, over, unextended)


INDICATORS: dict[str, type[Indicator]] = {
    "reports": ReportsAndInvestigations,
    "durations": InvestigationDurations,
}


def csv_value(value: Value) -> str:
    return "" if value is None else str(value)


def csv_lines(table: Table) -> Iterable[list[str]]:
    yield list(table.columns)
    for row in table.rows:
        yield [csv_value(value) for value in row]
