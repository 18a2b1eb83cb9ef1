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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import ClassVar

from django.conf import settings
from django.db.models import Exists, OuterRef, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from rodtrad.accounts.models import District
from rodtrad.cases.models import DocumentStatus
from rodtrad.decisions.models import GRANTING_KINDS
from rodtrad.decisions.models import Decision as CaseDecision
from rodtrad.frameworks.models import Code
from rodtrad.frameworks.queries import code_labels
from rodtrad.intake.models import Decision, PreAssessment, ReportChild, ReportReason
from rodtrad.investigation.models import (
    Contact,
    ContactKind,
    ExtensionDecision,
    Investigation,
    investigation_deadline,
)
from rodtrad.stats.models import Population
from rodtrad.stats.suppression import (
    DEFAULT_THRESHOLD,
    Entry,
    Reason,
    SuppressedTable,
    share,
    suppress,
    suppress_nested,
)

TOTAL = "Totalt"
ONE_DECIMAL = Decimal("0.1")
WHOLE = Decimal("1")

Value = str | int | Decimal | None
StrOrPromise = str | Promise


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


# --- Dashboard indicators: published tables, suppressed in the query layer -------------------
#
# The dashboard's indicators (docs/statistics.md, "The dashboard") count children, so every
# count table goes through `suppression.suppress` here, before it leaves this module: what a
# view, a template or a CSV export gets holds no count below the threshold, and no count from
# which one could be worked out (docs/statistics-methods.md, "Small-cell suppression").

REPORT_REASONS = "report-reasons"
INTERVENTION_CATALOGUE = "intervention-catalogue"
SUPPRESSED_CSV = ".."  # SCB's sign for a number that is not published
NO_CATEGORY = ""

NATIONAL_CATEGORY_LABELS: dict[str, StrOrPromise] = {
    "strukturerat-oppenvardsprogram": gettext_lazy("Strukturerat öppenvårdsprogram"),
    "personligt-stod": gettext_lazy("Personligt stöd"),
    "kontaktperson-kontaktfamilj": gettext_lazy("Kontaktperson eller kontaktfamilj"),
    "sarskilt-kvalificerad-kontaktperson": gettext_lazy("Särskilt kvalificerad kontaktperson"),
    "vard-utanfor-hemmet": gettext_lazy("Vård utanför hemmet"),
    NO_CATEGORY: gettext_lazy("Utan kategori"),
}


def suppression_threshold() -> int:
    """The threshold of the municipality's tables (setting RODTRAD_STATS_SUPPRESSION_THRESHOLD)."""
    return int(getattr(settings, "RODTRAD_STATS_SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD))


def violence_reason_codes() -> frozenset[str]:
    """The report reason codes marked `violence = true` in the code list, retired ones too
    (as `investigation.queries.violence_reason_codes` reads them for one case)."""
    rows = Code.objects.filter(code_list__key=REPORT_REASONS).values_list("code", "attributes")
    return frozenset(
        code for code, attributes in rows if (attributes or {}).get("violence") is True
    )


@dataclass(frozen=True)
class Cell:
    """One published number. `value` None: suppressed (`suppressed`) or nothing to compute."""

    value: int | Decimal | None
    suppressed: bool = False


@dataclass(frozen=True)
class Column:
    key: str
    label: StrOrPromise
    is_share: bool = False


@dataclass(frozen=True)
class Bar:
    label: str
    cell: Cell


@dataclass(frozen=True)
class PublishedTable:
    """A dashboard indicator's result, ready to show or export: nothing in it is below the
    threshold (suppressed cells carry no value)."""

    indicator: str
    version: int
    year: int
    title: StrOrPromise
    row_heading: StrOrPromise
    row_key: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]
    threshold: int
    chart_title: StrOrPromise
    chart_is_share: bool
    bars: tuple[Bar, ...]

    @property
    def has_suppressed(self) -> bool:
        return any(cell.suppressed for _label, cells in self.rows for cell in cells)

    def csv_lines(self) -> Iterable[list[str]]:
        yield [self.row_key, *(column.key for column in self.columns)]
        for label, cells in self.rows:
            yield [label, *(_csv_cell(cell) for cell in cells)]


def _csv_cell(cell: Cell) -> str:
    if cell.suppressed:
        return SUPPRESSED_CSV
    return "" if cell.value is None else str(cell.value)


def _count(entry: Entry) -> Cell:
    return Cell(None, suppressed=True) if entry.is_suppressed else Cell(entry.value)


def _share(part: Entry, whole: Entry) -> Cell:
    """`part` of `whole` as a whole percent, suppressed when either count is."""
    derived = share(part, whole)
    if derived.reason is not None:
        return Cell(None, suppressed=True)
    if derived.value is None or part.value is None or whole.value is None:
        return Cell(None)
    return Cell(percent(part.value, whole.value))


def _sum(*entries: Entry) -> Entry:
    """A sum of published counts; suppressed when any of them is (it could narrow them)."""
    if any(entry.is_suppressed for entry in entries):
        return Entry(None, Reason.SECONDARY)
    return Entry(sum(entry.value or 0 for entry in entries))


def _suppressed(cells: list[list[int]], threshold: int) -> SuppressedTable | None:
    return suppress(cells, threshold=threshold) if cells else None


class DashboardIndicator:
    code: ClassVar[str]
    version: ClassVar[int]
    title: ClassVar[StrOrPromise]

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        raise NotImplementedError


def _by_name(districts: Sequence[District]) -> list[District]:
    return sorted(districts, key=lambda d: (d.name, d.code))


class ViolenceShare(DashboardIndicator):
    """The share of reports, and of the investigations opened from them, coded with a
    violence reason (docs/statistics.md, "Violence reasons")."""

    code = "violence_share"
    version = 2  # 2: reports and investigations suppressed together (docs/statistics.md)
    title = gettext_lazy("Aktualiseringar och utredningar med våldsanledning")
    columns = (
        Column("reports", gettext_lazy("Aktualiseringar")),
        Column("reports_violence", gettext_lazy("med våldsanledning")),
        Column("reports_violence_pct", gettext_lazy("Andel med våld (%)"), is_share=True),
        Column("investigations", gettext_lazy("Utredningar inledda")),
        Column("investigations_violence", gettext_lazy("med våldsanledning")),
        Column("investigations_violence_pct", gettext_lazy("Andel med våld (%)"), is_share=True),
    )

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        ordered = _by_name(districts)
        start, end = year_bounds(year)
        opened = PreAssessment.objects.filter(
            case=OuterRef("case"),
            decision=Decision.OPEN,
            status=DocumentStatus.SIGNED,
            corrects__isnull=True,
        )
        violent = ReportReason.objects.filter(
            report=OuterRef("report"), code__in=violence_reason_codes()
        )
        rows = (
            ReportChild.objects.annotate(
                receipt=Coalesce("report__stated_received_at", "report__received_at"),
                opened=Exists(opened),
                violent=Exists(violent),
            )
            .filter(
                receipt__gte=start,
                receipt__lt=end,
                report__district__in=[d.pk for d in ordered],
            )
            .values_list(
                "report__district", "opened", "is_attached_to_open_investigation", "violent"
            )
        )
        # [with violence, without] for the reports and for the investigations, by district.
        reports: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        investigations: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for district_id, was_opened, attached, was_violent in rows.iterator(chunk_size=5000):
            column = 0 if was_violent else 1
            reports[district_id][column] += 1
            if was_opened and not attached:
                investigations[district_id][column] += 1
        # Suppressed together: the investigations are a part of the reports, cell by cell, and
        # the difference (reports that opened none) must not give a hidden count away.
        r, i = (
            suppress_nested(
                [reports[d.pk] for d in ordered],
                [investigations[d.pk] for d in ordered],
                threshold=threshold,
            )
            if ordered
            else (None, None)
        )
        table: list[tuple[str, tuple[Cell, ...]]] = []
        lines: list[tuple[str, Entry, Entry, Entry, Entry]] = []
        if r is not None and i is not None:
            for n, district in enumerate(ordered):
                lines.append(
                    (district.name, r.row_totals[n], r.cells[n][0], i.row_totals[n], i.cells[n][0])
                )
            lines.append(
                (TOTAL, r.grand_total, r.column_totals[0], i.grand_total, i.column_totals[0])
            )
        for name, all_reports, violent_reports, all_inv, violent_inv in lines:
            table.append(
                (
                    name,
                    (
                        _count(all_reports),
                        _count(violent_reports),
                        _share(violent_reports, all_reports),
                        _count(all_inv),
                        _count(violent_inv),
                        _share(violent_inv, all_inv),
                    ),
                )
            )
        return PublishedTable(
            indicator=self.code,
            version=self.version,
            year=year,
            title=self.title,
            row_heading=gettext_lazy("Stadsdel"),
            row_key="district",
            columns=self.columns,
            rows=tuple(table),
            threshold=threshold,
            chart_title=gettext_lazy("Andel aktualiseringar med våldsanledning (%)"),
            chart_is_share=True,
            bars=tuple(Bar(name, cells[2]) for name, cells in table),
        )


class ChildParticipationIndicator(DashboardIndicator):
    """The child's participation in the investigations closed in the year: met, met alone,
    and in violence cases asked about the violence (docs/statistics.md, "Child participation")."""

    code = "child_participation"
    version = 1
    title = gettext_lazy("Barnets delaktighet i avslutade utredningar")
    columns = (
        Column("closed", gettext_lazy("Avslutade utredningar")),
        Column("met", gettext_lazy("Samtal med barnet")),
        Column("met_pct", gettext_lazy("Andel samtal (%)"), is_share=True),
        Column("met_alone", gettext_lazy("Samtal med barnet ensamt")),
        Column("met_alone_pct", gettext_lazy("Andel ensamt (%)"), is_share=True),
        Column("violence_cases", gettext_lazy("Våldsärenden")),
        Column("asked_about_violence", gettext_lazy("Samtal om våldet")),
        Column("asked_about_violence_pct", gettext_lazy("Andel om våldet (%)"), is_share=True),
    )

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        ordered = _by_name(districts)
        conversations = Contact.objects.filter(
            investigation=OuterRef("pk"), kind=ContactKind.CHILD_CONVERSATION
        )
        violent = ReportReason.objects.filter(
            report__children__case=OuterRef("case"), code__in=violence_reason_codes()
        )
        rows = (
            Investigation.objects.filter(
                closed_on__gte=date(year, 1, 1),
                closed_on__lt=date(year + 1, 1, 1),
                case__district__in=[d.pk for d in ordered],
            )
            .annotate(
                met=Exists(conversations),
                alone=Exists(conversations.filter(child_alone=True)),
                about_violence=Exists(conversations.filter(covered_violence=True)),
                violent=Exists(violent),
            )
            .values_list("case__district", "met", "alone", "violent", "about_violence")
        )
        # [met alone, met but never alone, not met]; violence cases [asked, not asked].
        met: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        violence: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for district_id, was_met, was_alone, was_violent, asked in rows.iterator(chunk_size=5000):
            met[district_id][0 if was_alone else 1 if was_met else 2] += 1
            if was_violent:
                violence[district_id][0 if asked else 1] += 1
        m = _suppressed([met[d.pk] for d in ordered], threshold)
        v = _suppressed([violence[d.pk] for d in ordered], threshold)
        lines: list[tuple[str, tuple[Entry, ...], Entry, tuple[Entry, ...], Entry]] = []
        if m is not None and v is not None:
            for n, district in enumerate(ordered):
                lines.append(
                    (district.name, m.cells[n], m.row_totals[n], v.cells[n], v.row_totals[n])
                )
            lines.append((TOTAL, m.column_totals, m.grand_total, v.column_totals, v.grand_total))
        table: list[tuple[str, tuple[Cell, ...]]] = []
        for name, met_cells, closed, violence_cells, violence_cases in lines:
            met_any = _sum(met_cells[0], met_cells[1])
            table.append(
                (
                    name,
                    (
                        _count(closed),
                        _count(met_any),
                        _share(met_any, closed),
                        _count(met_cells[0]),
                        _share(met_cells[0], closed),
                        _count(violence_cases),
                        _count(violence_cells[0]),
                        _share(violence_cells[0], violence_cases),
                    ),
                )
            )
        return PublishedTable(
            indicator=self.code,
            version=self.version,
            year=year,
            title=self.title,
            row_heading=gettext_lazy("Stadsdel"),
            row_key="district",
            columns=self.columns,
            rows=tuple(table),
            threshold=threshold,
            chart_title=gettext_lazy("Andel utredningar med samtal med barnet ensamt (%)"),
            chart_is_share=True,
            bars=tuple(Bar(name, cells[4]) for name, cells in table),
        )


class NeedsAndInterventions(DashboardIndicator):
    """Granted interventions by the need area they answer and their national category
    (docs/statistics.md, "Needs and interventions")."""

    code = "needs_interventions"
    version = 1
    title = gettext_lazy("Behov och beviljade insatser")

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        categories = {
            code: (attributes or {}).get("national_category", NO_CATEGORY) or NO_CATEGORY
            for code, attributes in Code.objects.filter(
                code_list__key=INTERVENTION_CATALOGUE
            ).values_list("code", "attributes")
        }
        links = (
            CaseDecision.needs.through.objects.filter(
                decision__kind__in=list(GRANTING_KINDS),
                decision__decided_on__gte=date(year, 1, 1),
                decision__decided_on__lt=date(year + 1, 1, 1),
                decision__case__district__in=[d.pk for d in districts],
                decision__intervention__isnull=False,
            )
            .values_list(
                "need__framework",
                "need__area",
                "decision__intervention__catalogue_code",
                "decision_id",
            )
            .distinct()
        )
        labels: dict[str, dict[str, str]] = {}
        counted: dict[tuple[str, str], set[int]] = defaultdict(set)
        for framework, area, catalogue_code, decision_id in links.iterator(chunk_size=5000):
            if framework not in labels:
                labels[framework] = code_labels(framework)
            area_label = labels[framework].get(area, area)
            category = categories.get(catalogue_code, NO_CATEGORY)
            counted[(area_label, category)].add(decision_id)
        areas = sorted({area for area, _category in counted})
        used = {category for _area, category in counted}
        columns = [c for c in NATIONAL_CATEGORY_LABELS if c in used]
        columns += sorted(used - set(columns))
        cells = [[len(counted[(area, c)]) for c in columns] for area in areas]
        s = _suppressed(cells, threshold) if columns else None
        table: list[tuple[str, tuple[Cell, ...]]] = []
        if s is not None:
            for n, area in enumerate(areas):
                table.append((area, (*map(_count, s.cells[n]), _count(s.row_totals[n]))))
            table.append((TOTAL, (*map(_count, s.column_totals), _count(s.grand_total))))
        published_columns = tuple(
            Column(c or "no_category", NATIONAL_CATEGORY_LABELS.get(c, c)) for c in columns
        ) + (Column("total", gettext_lazy("Totalt")),)
        bars = (
            tuple(
                Bar(str(NATIONAL_CATEGORY_LABELS.get(c, c)), _count(s.column_totals[n]))
                for n, c in enumerate(columns)
            )
            if s is not None
            else ()
        )
        return PublishedTable(
            indicator=self.code,
            version=self.version,
            year=year,
            title=self.title,
            row_heading=gettext_lazy("Behovsområde"),
            row_key="need_area",
            columns=published_columns,
            rows=tuple(table),
            threshold=threshold,
            chart_title=gettext_lazy("Beviljade insatser per kategori (antal)"),
            chart_is_share=False,
            bars=bars,
        )


DASHBOARD_INDICATORS: dict[str, type[DashboardIndicator]] = {
    ViolenceShare.code: ViolenceShare,
    ChildParticipationIndicator.code: ChildParticipationIndicator,
    NeedsAndInterventions.code: NeedsAndInterventions,
}
