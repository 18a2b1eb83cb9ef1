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
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db.models import Case as DjangoCase
from django.db.models import (
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models import Value as DjangoValue
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from rodtrad.accounts.models import District
from rodtrad.cases.models import DocumentStatus
from rodtrad.commissions.models import Commission
from rodtrad.deadlines import rules
from rodtrad.decisions.models import GRANTING_KINDS, DecisionKind, EndReason, Intervention
from rodtrad.decisions.models import Decision as CaseDecision
from rodtrad.followup import scoring
from rodtrad.followup.models import FollowUp, Instrument, InstrumentKind, Measurement
from rodtrad.frameworks.models import Code
from rodtrad.frameworks.queries import code_labels
from rodtrad.intake.models import Decision, PreAssessment, ReportChild, ReportReason
from rodtrad.investigation.models import (
    Analysis,
    AreaAssessment,
    Contact,
    ContactKind,
    ExtensionDecision,
    Investigation,
    InvestigationDocument,
    InvestigationPlan,
    RiskAssessment,
    investigation_deadline,
)
from rodtrad.people.masking import age_on
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

    def __init__(self, breakdown: str | None = None) -> None:
        """`breakdown`: the grouping of an indicator that offers several (`BREAKDOWNS`);
        the others have one and ignore it."""

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


# --- More dashboard indicators (issue 10 point 2) --------------------------------------------
#
# Each counts with grouped queries (`values(...).annotate(Count(...))`): a fixed number of
# queries whatever the size of the record, and Python only over the groups (days, codes), not
# over cases. Definitions: docs/statistics.md, one section each.

AGE_AT_YEAR_END = "age-at-year-end"
OPEN_CARE_PROBLEMS = "open-care-problems"
REPORTER_CATEGORIES = "reporter-categories"
OTHER = "__other__"
NONE_KEY = "__none__"

AGE_BANDS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "age_band": (("0–12", 0, 12), ("13–17", 13, 17), ("18–20", 18, 20)),
    "age_band_seeds": (("0–12", 0, 12), ("13–20", 13, 20)),
}

BREAKDOWNS: dict[str, StrOrPromise] = {
    "sex": gettext_lazy("Kön"),
    "age_band": gettext_lazy("Åldersgrupp (0–12, 13–17, 18–20)"),
    "age_band_seeds": gettext_lazy("Åldersgrupp (0–12, 13–20)"),
    "reason": gettext_lazy("Anledning"),
    "reporter_category": gettext_lazy("Anmälarkategori"),
}
DEFAULT_BREAKDOWN = "sex"

SEX_LABELS: dict[str, StrOrPromise] = {
    "female": gettext_lazy("Flickor"),
    "male": gettext_lazy("Pojkar"),
    "unknown": gettext_lazy("Okänt kön"),
}
OTHER_AGE = gettext_lazy("Annan ålder")
UNKNOWN_REPORTER = gettext_lazy("Okänd anmälare")
NO_REASON = gettext_lazy("Utan anledning")
NO_PROBLEM_CODE = gettext_lazy("Utan problemområde")
DISTRICT_HEADING = gettext_lazy("Stadsdel")


def _born_by(year: int, age: int) -> date:
    """The last birth date of a child who is `age` or older on 31 December of `year`."""
    return date(year - age, 12, 31)


def age_band_of(field: str, year: int, bands: Sequence[tuple[str, int, int]]) -> DjangoCase:
    """A SQL expression: the band of the child's age on 31 December of `year` (as the
    population is counted), `OTHER` outside every band."""
    whens = [
        When(
            **{f"{field}__lte": _born_by(year, low), f"{field}__gt": _born_by(year, high + 1)},
            then=DjangoValue(label),
        )
        for label, low, high in bands
    ]
    return DjangoCase(*whens, default=DjangoValue(OTHER), output_field=CharField())


def _cell(n: int, threshold: int) -> Cell:
    """A count published alone (no total beside it): hidden when 0 < n < threshold."""
    return Cell(None, suppressed=True) if 0 < n < threshold else Cell(n)


def _mean(total: Decimal | float | None, n: int, threshold: int) -> Cell:
    """A mean over `n` values, hidden when `n` is below the threshold (but not 0)."""
    if n == 0 or total is None:
        return Cell(None)
    if n < threshold:
        return Cell(None, suppressed=True)
    return Cell(half_up(Decimal(str(total))))


def _suppressed_rows(
    names: Sequence[str], cells: list[list[int]], threshold: int
) -> list[tuple[str, tuple[Entry, ...], Entry]]:
    """Each row's cells and total after suppression, then `Totalt` (empty without rows)."""
    s = _suppressed(cells, threshold)
    if s is None:
        return []
    lines = [(name, s.cells[n], s.row_totals[n]) for n, name in enumerate(names)]
    lines.append((TOTAL, s.column_totals, s.grand_total))
    return lines


def _table(
    indicator: DashboardIndicator,
    year: int,
    threshold: int,
    rows: Sequence[tuple[str, tuple[Cell, ...]]],
    *,
    columns: tuple[Column, ...],
    row_heading: StrOrPromise = DISTRICT_HEADING,
    row_key: str = "district",
    chart_title: StrOrPromise,
    chart_column: int,
    chart_rows: Sequence[tuple[str, tuple[Cell, ...]]] | None = None,
) -> PublishedTable:
    charted = rows if chart_rows is None else chart_rows
    return PublishedTable(
        indicator=indicator.code,
        version=indicator.version,
        year=year,
        title=indicator.title,
        row_heading=row_heading,
        row_key=row_key,
        columns=columns,
        rows=tuple(rows),
        threshold=threshold,
        chart_title=chart_title,
        chart_is_share=columns[chart_column].is_share,
        bars=tuple(Bar(name, cells[chart_column]) for name, cells in charted),
    )


def _opened_pre_assessment() -> QuerySet[PreAssessment]:
    return PreAssessment.objects.filter(
        case=OuterRef("case"),
        decision=Decision.OPEN,
        status=DocumentStatus.SIGNED,
        corrects__isnull=True,
    )


def _reference_day(year: int) -> date:
    """31 December of `year`, or today while the year runs."""
    return min(date(year, 12, 31), timezone.localdate())


class ReportBreakdown(DashboardIndicator):
    """Reports and the investigations opened from them by sex, age band, reason code or
    reporter category (docs/statistics.md, "Reports by group")."""

    code = "report_breakdown"
    version = 1
    title = gettext_lazy("Aktualiseringar och inledda utredningar per grupp")
    columns = (
        Column("reports", gettext_lazy("Aktualiseringar")),
        Column("investigations", gettext_lazy("Utredningar inledda")),
        Column("share_opened_pct", gettext_lazy("Andel inledda (%)"), is_share=True),
    )

    def __init__(self, breakdown: str | None = None) -> None:
        self.breakdown = breakdown if breakdown in BREAKDOWNS else DEFAULT_BREAKDOWN

    def _groups(self, year: int) -> tuple[str, Any, dict[str, StrOrPromise]]:
        """The field or expression to group on, and the labels of its values in order."""
        if self.breakdown == "sex":
            return "child__legal_sex", None, dict(SEX_LABELS)
        if self.breakdown in AGE_BANDS:
            bands = AGE_BANDS[self.breakdown]
            labels: dict[str, StrOrPromise] = {label: label for label, _lo, _hi in bands}
            labels[OTHER] = OTHER_AGE
            return "group", age_band_of("child__birth_date", year, bands), labels
        if self.breakdown == "reason":
            reasons = code_labels(REPORT_REASONS)
            with_codes: dict[str, StrOrPromise] = {c: f"{c} {reasons[c]}" for c in reasons}
            with_codes[NO_CATEGORY] = NO_REASON
            return "report__reasons__code", None, with_codes
        categories: dict[str, StrOrPromise] = dict(code_labels(REPORTER_CATEGORIES))
        categories[NO_CATEGORY] = UNKNOWN_REPORTER
        return "report__reporter_category", None, categories

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        start, end = year_bounds(year)
        field, expression, labels = self._groups(year)
        query = ReportChild.objects.annotate(
            receipt=Coalesce("report__stated_received_at", "report__received_at"),
            opened=Exists(_opened_pre_assessment()),
        ).filter(
            receipt__gte=start, receipt__lt=end, report__district__in=[d.pk for d in districts]
        )
        if expression is not None:
            query = query.annotate(group=expression)
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # [opened, not opened]
        for group, was_opened, attached, n in (
            query.order_by()
            .values(field, "opened", "is_attached_to_open_investigation")
            .annotate(n=Count("pk"))
            .values_list(field, "opened", "is_attached_to_open_investigation", "n")
        ):
            counts[group or NO_CATEGORY][0 if was_opened and not attached else 1] += n
        keys = [k for k in labels if k in counts] + sorted(set(counts) - set(labels))
        names = [str(labels.get(k, k)) for k in keys]
        rows = [
            (name, (_count(total), _count(cells[0]), _share(cells[0], total)))
            for name, cells, total in _suppressed_rows(names, [counts[k] for k in keys], threshold)
        ]
        return _table(
            self,
            year,
            threshold,
            rows,
            columns=self.columns,
            row_heading=BREAKDOWNS[self.breakdown],
            row_key=self.breakdown,
            chart_title=gettext_lazy("Aktualiseringar (antal)"),
            chart_column=0,
            chart_rows=rows[:-1],
        )


def _median(days: dict[int, int]) -> Decimal:
    """The median of a distribution given as value → how many."""
    n = sum(days.values())
    middle = [(n - 1) // 2, n // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(days):
        count = days[value]
        for position in middle:
            if seen <= position < seen + count:
                found.append(value)
        seen += count
    return half_up(Decimal(sum(found)) / Decimal(len(found)))


class InvestigationDurationsDashboard(DashboardIndicator):
    """The durations of the investigations closed in the year on the dashboard
    (docs/statistics.md, "Investigation durations on the dashboard")."""

    code = "durations"
    version = 1
    title = gettext_lazy("Utredningstider")
    columns = (
        Column("closed", gettext_lazy("Avslutade utredningar")),
        Column("mean_days", gettext_lazy("Medel (dagar)")),
        Column("median_days", gettext_lazy("Median (dagar)")),
        Column("over_deadline", gettext_lazy("Efter fyra månader")),
        Column("over_deadline_pct", gettext_lazy("Andel efter fyra månader (%)"), is_share=True),
        Column("over_without_extension", gettext_lazy("därav utan förlängningsbeslut")),
        Column(
            "over_without_extension_pct",
            gettext_lazy("Andel utan förlängningsbeslut (%)"),
            is_share=True,
        ),
    )

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        ordered = _by_name(districts)
        extended = ExtensionDecision.objects.filter(investigation=OuterRef("pk"))
        groups = (
            Investigation.objects.filter(
                closed_on__gte=date(year, 1, 1),
                closed_on__lt=date(year + 1, 1, 1),
                case__district__in=[d.pk for d in ordered],
            )
            .annotate(extended=Exists(extended))
            .order_by()
            .values("case__district", "opened_on", "closed_on", "extended")
            .annotate(n=Count("pk"))
            .values_list("case__district", "opened_on", "closed_on", "extended", "n")
        )
        days: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        # [over without extension, over with extension, within the deadline]
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        dues: dict[date, date] = {}
        for district_id, opened_on, closed_on, was_extended, n in groups:
            assert closed_on is not None  # filtered on closed_on above
            days[district_id][(closed_on - opened_on).days] += n
            if opened_on not in dues:
                dues[opened_on] = investigation_deadline(opened_on, []).due
            column = 2 if closed_on <= dues[opened_on] else 1 if was_extended else 0
            counts[district_id][column] += n
        all_days: dict[int, int] = defaultdict(int)
        for district_days in days.values():
            for value, n in district_days.items():
                all_days[value] += n
        spans = [days[d.pk] for d in ordered] + [all_days]
        rows = []
        for (name, cells, closed), span in zip(
            _suppressed_rows([d.name for d in ordered], [counts[d.pk] for d in ordered], threshold),
            spans,
            strict=True,
        ):
            over = _sum(cells[0], cells[1])
            n = sum(span.values())
            hidden = closed.is_suppressed or not n
            mean = Decimal(sum(v * k for v, k in span.items())) / n if n else None
            rows.append(
                (
                    name,
                    (
                        _count(closed),
                        Cell(None, suppressed=closed.is_suppressed)
                        if hidden
                        else Cell(half_up(Decimal(mean or 0))),
                        Cell(None, suppressed=closed.is_suppressed)
                        if hidden
                        else Cell(_median(span)),
                        _count(over),
                        _share(over, closed),
                        _count(cells[0]),
                        _share(cells[0], closed),
                    ),
                )
            )
        return _table(
            self,
            year,
            threshold,
            rows,
            columns=self.columns,
            chart_title=gettext_lazy("Andel utredningar avslutade efter fyra månader (%)"),
            chart_column=4,
        )


class Placements(DashboardIndicator):
    """Placements going on at the end of the year and new placement decisions in it
    (docs/statistics.md, "Placements")."""

    code = "placements"
    version = 1
    title = gettext_lazy("Placeringar")
    columns = (
        Column("ongoing", gettext_lazy("Pågående placeringar vid årets slut")),
        Column("new_decisions", gettext_lazy("Nya placeringsbeslut under året")),
    )

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        ordered = _by_name(districts)
        pks = [d.pk for d in ordered]
        day = _reference_day(year)
        ongoing = dict(
            Intervention.objects.filter(
                Q(ended_on__isnull=True) | Q(ended_on__gt=day),
                decision__kind=DecisionKind.PLACEMENT,
                started_on__lte=day,
                case__district__in=pks,
            )
            .order_by()
            .values("case__district")
            .annotate(n=Count("pk"))
            .values_list("case__district", "n")
        )
        new = dict(
            CaseDecision.objects.filter(
                kind=DecisionKind.PLACEMENT,
                decided_on__gte=date(year, 1, 1),
                decided_on__lt=date(year + 1, 1, 1),
                replaces__isnull=True,
                case__district__in=pks,
            )
            .order_by()
            .values("case__district")
            .annotate(n=Count("pk"))
            .values_list("case__district", "n")
        )
        names = [d.name for d in ordered]
        o = _suppressed_rows(names, [[ongoing.get(pk, 0)] for pk in pks], threshold)
        n = _suppressed_rows(names, [[new.get(pk, 0)] for pk in pks], threshold)
        rows = [
            (name, (_count(o_total), _count(n_total)))
            for (name, _o, o_total), (_name, _n, n_total) in zip(o, n, strict=True)
        ]
        return _table(
            self,
            year,
            threshold,
            rows,
            columns=self.columns,
            chart_title=gettext_lazy("Pågående placeringar vid årets slut (antal)"),
            chart_column=0,
        )


class Caseload(DashboardIndicator):
    """Open investigations per investigator at the end of each month (docs/statistics.md,
    "Caseload")."""

    code = "caseload"
    version = 1
    title = gettext_lazy("Utredningar per utredare")
    columns = (
        Column("open_with_investigator", gettext_lazy("Pågående utredningar med utredare")),
        Column("open_without_investigator", gettext_lazy("utan ansvarig utredare")),
        Column("investigators", gettext_lazy("Utredare")),
        Column("mean_per_investigator", gettext_lazy("Utredningar per utredare (medel)")),
    )

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        today = timezone.localdate()
        days = [
            min(date(year, m + 1, 1) - timedelta(days=1) if m < 12 else date(year, 12, 31), today)
            for m in range(1, 13)
            if date(year, m, 1) <= today
        ]
        rows: list[tuple[str, tuple[Cell, ...]]] = []
        if days:
            aggregates: dict[str, Any] = {}
            for n, day in enumerate(days):
                open_on = Q(opened_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))
                handled = Q(case__responsible__isnull=False)
                aggregates[f"with_{n}"] = Count("pk", filter=open_on & handled)
                aggregates[f"without_{n}"] = Count("pk", filter=open_on & ~handled)
                aggregates[f"investigators_{n}"] = Count(
                    "case__responsible", filter=open_on & handled, distinct=True
                )
            result = Investigation.objects.filter(
                Q(closed_on__isnull=True) | Q(closed_on__gt=days[0]),
                opened_on__lte=days[-1],
                case__district__in=[d.pk for d in districts],
            ).aggregate(**aggregates)
            for n, day in enumerate(days):
                handled_open = result[f"with_{n}"]
                investigators = result[f"investigators_{n}"]
                count = _cell(handled_open, threshold)
                mean = (
                    Cell(None, suppressed=True)
                    if count.suppressed
                    else Cell(half_up(Decimal(handled_open) / Decimal(investigators)))
                    if investigators
                    else Cell(None)
                )
                rows.append(
                    (
                        f"{day.year}-{day.month:02d}",
                        (
                            count,
                            _cell(result[f"without_{n}"], threshold),
                            Cell(investigators),
                            mean,
                        ),
                    )
                )
        return _table(
            self,
            year,
            threshold,
            rows,
            columns=self.columns,
            row_heading=gettext_lazy("Månad"),
            row_key="month",
            chart_title=gettext_lazy("Pågående utredningar per utredare, månadens slut (medel)"),
            chart_column=3,
        )


class RiskAssessmentsInViolenceCases(DashboardIndicator):
    """Signed risk assessments in the violence cases among the investigations closed in the
    year (docs/statistics.md, "Risk assessments in violence cases")."""

    code = "risk_assessments"
    version = 1
    title = gettext_lazy("Riskbedömningar i våldsärenden")
    columns = (
        Column("violence_cases", gettext_lazy("Våldsärenden")),
        Column("assessed", gettext_lazy("Med signerad riskbedömning")),
        Column("assessed_pct", gettext_lazy("Andel med riskbedömning (%)"), is_share=True),
        Column("with_instrument", gettext_lazy("därav med strukturerat instrument")),
        Column("with_instrument_pct", gettext_lazy("Andel med instrument (%)"), is_share=True),
    )

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        ordered = _by_name(districts)
        signed = RiskAssessment.objects.filter(
            investigation=OuterRef("pk"), status=DocumentStatus.SIGNED
        )
        violent = ReportReason.objects.filter(
            report__children__case=OuterRef("case"), code__in=violence_reason_codes()
        )
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        for district_id, assessed, instrumented, n in (
            Investigation.objects.filter(
                closed_on__gte=date(year, 1, 1),
                closed_on__lt=date(year + 1, 1, 1),
                case__district__in=[d.pk for d in ordered],
            )
            .annotate(
                violent=Exists(violent),
                assessed=Exists(signed),
                instrumented=Exists(signed.exclude(instrument_code="")),
            )
            .filter(violent=True)
            .order_by()
            .values("case__district", "assessed", "instrumented")
            .annotate(n=Count("pk"))
            .values_list("case__district", "assessed", "instrumented", "n")
        ):
            counts[district_id][0 if instrumented else 1 if assessed else 2] += n
        rows = []
        for name, cells, cases in _suppressed_rows(
            [d.name for d in ordered], [counts[d.pk] for d in ordered], threshold
        ):
            assessed_any = _sum(cells[0], cells[1])
            rows.append(
                (
                    name,
                    (
                        _count(cases),
                        _count(assessed_any),
                        _share(assessed_any, cases),
                        _count(cells[0]),
                        _share(cells[0], cases),
                    ),
                )
            )
        return _table(
            self,
            year,
            threshold,
            rows,
            columns=self.columns,
            chart_title=gettext_lazy("Andel våldsärenden med signerad riskbedömning (%)"),
            chart_column=2,
        )


class FollowUpCoverage(DashboardIndicator):
    """How many of the interventions ended in the year were followed up (docs/statistics.md,
    "Follow-up coverage")."""

    code = "follow_up_coverage"
    version = 1
    title = gettext_lazy("Uppföljning av avslutade insatser")
    columns = (
        Column("ended", gettext_lazy("Avslutade insatser")),
        Column("followed_up", gettext_lazy("Med uppföljningsmöte")),
        Column("followed_up_pct", gettext_lazy("Andel med uppföljningsmöte (%)"), is_share=True),
        Column("measured", gettext_lazy("Med skattning")),
        Column("measured_pct", gettext_lazy("Andel med skattning (%)"), is_share=True),
    )

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        ordered = _by_name(districts)
        followed: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        measured: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for district_id, was_followed, was_measured, n in (
            _ended_interventions(year, ordered)
            .annotate(
                followed=Exists(FollowUp.objects.filter(commission__intervention=OuterRef("pk"))),
                measured=Exists(Measurement.objects.filter(intervention=OuterRef("pk"))),
            )
            .order_by()
            .values("case__district", "followed", "measured")
            .annotate(n=Count("pk"))
            .values_list("case__district", "followed", "measured", "n")
        ):
            followed[district_id][0 if was_followed else 1] += n
            measured[district_id][0 if was_measured else 1] += n
        names = [d.name for d in ordered]
        f = _suppressed_rows(names, [followed[d.pk] for d in ordered], threshold)
        m = _suppressed_rows(names, [measured[d.pk] for d in ordered], threshold)
        rows = [
            (
                name,
                (
                    _count(ended),
                    _count(f_cells[0]),
                    _share(f_cells[0], ended),
                    _count(m_cells[0]),
                    _share(m_cells[0], m_ended),
                ),
            )
            for (name, f_cells, ended), (_name, m_cells, m_ended) in zip(f, m, strict=True)
        ]
        return _table(
            self,
            year,
            threshold,
            rows,
            columns=self.columns,
            chart_title=gettext_lazy("Andel avslutade insatser med uppföljningsmöte (%)"),
            chart_column=2,
        )


def _ended_interventions(year: int, districts: Sequence[District]) -> QuerySet[Intervention]:
    """Interventions ended in the year in the districts, those never started left out."""
    return Intervention.objects.filter(
        ended_on__gte=date(year, 1, 1),
        ended_on__lt=date(year + 1, 1, 1),
        case__district__in=[d.pk for d in districts],
    ).exclude(end_reason=EndReason.NEVER_STARTED)


class CommissionsByProblem(DashboardIndicator):
    """New commissions sent in the year by the problem codes of their intervention and the
    child's age band (docs/statistics.md, "Commissions by problem and age")."""

    code = "commissions_by_problem"
    version = 1
    title = gettext_lazy("Uppdrag till utförare per problemområde och ålder")

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        start, end = year_bounds(year)
        bands = AGE_BANDS["age_band"]
        band_keys = [label for label, _lo, _hi in bands]
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for problems, band, n in (
            Commission.objects.filter(
                sent_at__gte=start,
                sent_at__lt=end,
                replaces__isnull=True,
                case__district__in=[d.pk for d in districts],
            )
            .annotate(band=age_band_of("case__child__birth_date", year, bands))
            .order_by()
            .values("intervention__problem_codes", "band")
            .annotate(n=Count("pk"))
            .values_list("intervention__problem_codes", "band", "n")
        ):
            for code in problems or [NONE_KEY]:
                counts[code][band] += n
        labels = code_labels(OPEN_CARE_PROBLEMS)
        codes = [c for c in labels if c in counts] + sorted(set(counts) - set(labels) - {NONE_KEY})
        if NONE_KEY in counts:
            codes.append(NONE_KEY)
        used_bands = band_keys + (
            [OTHER] if any(OTHER in by_band for by_band in counts.values()) else []
        )
        names = [str(NO_PROBLEM_CODE) if c == NONE_KEY else str(labels.get(c, c)) for c in codes]
        lines = _suppressed_rows(
            names, [[counts[c][b] for b in used_bands] for c in codes], threshold
        )
        rows = [(name, (*map(_count, cells), _count(total))) for name, cells, total in lines]
        columns = tuple(
            Column(b if b != OTHER else "other_age", b if b != OTHER else OTHER_AGE)
            for b in used_bands
        ) + (Column("total", gettext_lazy("Totalt")),)
        return _table(
            self,
            year,
            threshold,
            rows,
            columns=columns,
            row_heading=gettext_lazy("Problemområde"),
            row_key="problem",
            chart_title=gettext_lazy("Uppdrag per problemområde (antal)"),
            chart_column=len(columns) - 1,
            chart_rows=rows[:-1],
        )


class OutcomesByIntervention(DashboardIndicator):
    """Outcomes of the interventions ended in the year by intervention: reliable
    improvement, GAS T-score and satisfaction (docs/statistics.md, "Outcomes by
    intervention")."""

    code = "outcomes"
    version = 1
    title = gettext_lazy("Resultat per insats")
    columns = (
        Column("ended", gettext_lazy("Avslutade insatser")),
        Column("series", gettext_lazy("Bedömda skattningsserier")),
        Column("improved", gettext_lazy("Tydligt förbättrade")),
        Column("improved_pct", gettext_lazy("Andel tydligt förbättrade (%)"), is_share=True),
        Column("gas_t_score_mean", gettext_lazy("GAS T-poäng (medel)")),
        Column("satisfaction_mean", gettext_lazy("Nöjdhet (medel)")),
    )

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        ended = _ended_interventions(year, districts)
        ended_counts = dict(
            ended.order_by()
            .values("catalogue_code")
            .annotate(n=Count("pk"))
            .values_list("catalogue_code", "n")
        )
        changes = self._changes(ended)
        gas = self._gas(ended)
        # (sum, ratings, interventions) of the satisfaction ratings' item means, by code.
        satisfaction: dict[str, tuple[float, int, int]] = {
            code: (float(total or 0), ratings, interventions)
            for code, total, ratings, interventions in Measurement.objects.filter(
                intervention__in=ended,
                instrument__kind=InstrumentKind.SATISFACTION,
                satisfaction_mean__isnull=False,
            )
            .order_by()
            .values("intervention__catalogue_code")
            .annotate(
                total=Sum("satisfaction_mean"),
                ratings=Count("pk"),
                interventions=Count("intervention", distinct=True),
            )
            .values_list("intervention__catalogue_code", "total", "ratings", "interventions")
        }
        labels = code_labels(INTERVENTION_CATALOGUE)
        codes = [c for c in labels if c in ended_counts] + sorted(set(ended_counts) - set(labels))
        names = [labels.get(c, c) for c in codes]
        e = _suppressed_rows(names, [[ended_counts[c]] for c in codes], threshold)
        s = _suppressed_rows(names, [changes.get(c, [0, 0]) for c in codes], threshold)
        # Each row's codes: its own, then all of them for `Totalt`.
        row_codes = [[c] for c in codes] + [codes] if codes else []
        rows = []
        for (name, _e, ended_n), (_name, cells, series), these in zip(e, s, row_codes, strict=True):
            gas_sum = sum(gas.get(c, (0.0, 0))[0] for c in these)
            gas_n = sum(gas.get(c, (0.0, 0))[1] for c in these)
            sat_sum = sum(satisfaction.get(c, (0.0, 0, 0))[0] for c in these)
            sat_ratings = sum(satisfaction.get(c, (0.0, 0, 0))[1] for c in these)
            sat_n = sum(satisfaction.get(c, (0.0, 0, 0))[2] for c in these)
            rows.append(
                (
                    name,
                    (
                        _count(ended_n),
                        _count(series),
                        _count(cells[0]),
                        _share(cells[0], series),
                        _mean(gas_sum / gas_n if gas_n else None, gas_n, threshold),
                        _mean(sat_sum / sat_ratings if sat_ratings else None, sat_n, threshold),
                    ),
                )
            )
        return _table(
            self,
            year,
            threshold,
            rows,
            columns=self.columns,
            row_heading=gettext_lazy("Insats"),
            row_key="intervention",
            chart_title=gettext_lazy("Andel tydligt förbättrade skattningsserier (%)"),
            chart_column=3,
        )

    @staticmethod
    def _changes(ended: QuerySet[Intervention]) -> dict[str, list[int]]:
        """[improved, not improved] rating-scale series of the ended interventions by
        catalogue code: one group per first measurement (with a total) of a series with a
        later one, and Python once per group to classify it with the band for the age."""
        # A series: one intervention, instrument, rater role and rater (none: the provider).
        same_series = Measurement.objects.annotate(rater_key=Coalesce("rater", 0)).filter(
            intervention=OuterRef("intervention"),
            instrument=OuterRef("instrument"),
            rater_role=OuterRef("rater_role"),
            rater_key=Coalesce(OuterRef("rater"), 0),
            total__isnull=False,
        )
        last = same_series.order_by("-session_number").values("total")[:1]
        series = (
            Measurement.objects.filter(
                intervention__in=ended,
                instrument__kind=InstrumentKind.RATING_SCALE,
                total__isnull=False,
            )
            .annotate(
                earlier=Exists(same_series.filter(session_number__lt=OuterRef("session_number"))),
                later=Exists(same_series.filter(session_number__gt=OuterRef("session_number"))),
                last_total=Subquery(last),
            )
            .filter(earlier=False, later=True)
            .order_by()
            .values(
                "intervention__catalogue_code",
                "instrument",
                "intervention__case__child__birth_date",
                "administered_on",
                "total",
                "last_total",
            )
            .annotate(n=Count("pk"))
            .values_list(
                "intervention__catalogue_code",
                "instrument",
                "intervention__case__child__birth_date",
                "administered_on",
                "total",
                "last_total",
                "n",
            )
        )
        specs = {
            instrument.pk: instrument.spec()
            for instrument in Instrument.objects.filter(kind=InstrumentKind.RATING_SCALE)
        }
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for code, instrument_id, born, first_on, first, last_total, n in series:
            band = scoring.band_for_age(specs[instrument_id], age_on(born, first_on))
            if band is None or first is None or last_total is None:
                continue  # no cut-off for the child's age (as on the follow-up page)
            change = scoring.classify_change(
                Decimal(first),
                Decimal(last_total),
                reliable_change=band.reliable_change,
                clinical_cutoff=band.clinical_cutoff,
            )
            improved = change.classification in {
                scoring.Classification.RELIABLY_IMPROVED,
                scoring.Classification.RECOVERED,
            }
            counts[code][0 if improved else 1] += n
        return counts

    @staticmethod
    def _gas(ended: QuerySet[Intervention]) -> dict[str, tuple[float, int]]:
        """(sum, count) of each ended intervention's last GAS T-score, by catalogue code."""
        with_score = FollowUp.objects.filter(gas_t_score__isnull=False)
        later = with_score.filter(
            commission__intervention=OuterRef("commission__intervention")
        ).filter(
            Q(held_on__gt=OuterRef("held_on"))
            | Q(held_on=OuterRef("held_on"), pk__gt=OuterRef("pk"))
        )
        return {
            code: (float(total), n)
            for code, total, n in with_score.filter(commission__intervention__in=ended)
            .annotate(superseded=Exists(later))
            .filter(superseded=False)
            .order_by()
            .values("commission__intervention__catalogue_code")
            .annotate(total=Sum("gas_t_score"), n=Count("pk"))
            .values_list("commission__intervention__catalogue_code", "total", "n")
        }


class DecisionsNotCarriedOut(DashboardIndicator):
    """Granted interventions decided in the year and not started within three months
    (docs/statistics.md, "Decisions not carried out")."""

    code = "not_carried_out"
    version = 1
    title = gettext_lazy("Beslut som inte verkställts inom tre månader")
    columns = (
        Column("granted", gettext_lazy("Beviljade insatser")),
        Column("not_carried_out", gettext_lazy("Inte verkställda inom tre månader")),
        Column("not_carried_out_pct", gettext_lazy("Andel inte verkställda (%)"), is_share=True),
        Column("still_not_started", gettext_lazy("därav ännu inte påbörjade")),
        Column("within_time", gettext_lazy("Inte påbörjade, tid kvar")),
    )

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        ordered = _by_name(districts)
        today = timezone.localdate()
        # [not started, started late, started in time, not started with time left]
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        dues: dict[date, date] = {}
        for district_id, decided_on, started_on, n in (
            CaseDecision.objects.filter(
                kind__in=list(GRANTING_KINDS),
                decided_on__gte=date(year, 1, 1),
                decided_on__lt=date(year + 1, 1, 1),
                intervention__isnull=False,
                case__district__in=[d.pk for d in ordered],
            )
            .order_by()
            .values("case__district", "decided_on", "intervention__started_on")
            .annotate(n=Count("pk"))
            .values_list("case__district", "decided_on", "intervention__started_on", "n")
        ):
            if decided_on not in dues:
                dues[decided_on] = rules.deadline_for(rules.NOT_CARRIED_OUT, decided_on).due
            due = dues[decided_on]
            if started_on is None:
                column = 0 if today > due else 3
            else:
                column = 1 if started_on > due else 2
            counts[district_id][column] += n
        rows = []
        for name, cells, granted in _suppressed_rows(
            [d.name for d in ordered], [counts[d.pk] for d in ordered], threshold
        ):
            late = _sum(cells[0], cells[1])
            rows.append(
                (
                    name,
                    (
                        _count(granted),
                        _count(late),
                        _share(late, granted),
                        _count(cells[0]),
                        _count(cells[3]),
                    ),
                )
            )
        return _table(
            self,
            year,
            threshold,
            rows,
            columns=self.columns,
            chart_title=gettext_lazy("Andel beviljade insatser inte verkställda i tid (%)"),
            chart_column=2,
        )


DOCUMENT_TYPES: tuple[tuple[str, StrOrPromise, type[InvestigationDocument]], ...] = (
    ("plan", gettext_lazy("Utredningsplan"), InvestigationPlan),
    ("area_assessment", gettext_lazy("Bedömning av område"), AreaAssessment),
    ("risk_assessment", gettext_lazy("Riskbedömning"), RiskAssessment),
    ("analysis", gettext_lazy("Analys och bedömning"), Analysis),
)


class DocumentUse(DashboardIndicator):
    """How many of the investigations closed in the year have each kind of signed document
    (docs/statistics.md, "Document use")."""

    code = "document_use"
    version = 1
    title = gettext_lazy("Dokument i avslutade utredningar")
    columns = (
        Column("with_document", gettext_lazy("Utredningar med dokumentet")),
        Column("with_document_pct", gettext_lazy("Andel av avslutade (%)"), is_share=True),
    )

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        closed = Investigation.objects.filter(
            closed_on__gte=date(year, 1, 1),
            closed_on__lt=date(year + 1, 1, 1),
            case__district__in=[d.pk for d in districts],
        )
        annotations: dict[str, Any] = {
            key: Exists(
                model._default_manager.filter(
                    investigation=OuterRef("pk"), status=DocumentStatus.SIGNED
                )
            )
            for key, _label, model in DOCUMENT_TYPES
        }
        annotations["conversation"] = Exists(
            Contact.objects.filter(
                investigation=OuterRef("pk"), kind=ContactKind.CHILD_CONVERSATION
            )
        )
        result = closed.annotate(**annotations).aggregate(
            closed=Count("pk"),
            **{f"n_{key}": Count("pk", filter=Q(**{key: True})) for key in annotations},
        )
        kinds = [(key, label) for key, label, _model in DOCUMENT_TYPES]
        kinds.append(("conversation", gettext_lazy("Samtal med barnet")))
        return _coverage_table(
            self,
            year,
            threshold,
            [(str(label), result[f"n_{key}"]) for key, label in kinds],
            result["closed"],
            row_heading=gettext_lazy("Dokument"),
            row_key="document",
            chart_title=gettext_lazy("Andel avslutade utredningar med dokumentet (%)"),
        )


def _coverage_table(
    indicator: DashboardIndicator,
    year: int,
    threshold: int,
    found: list[tuple[str, int]],
    base: int,
    *,
    row_heading: StrOrPromise,
    row_key: str,
    chart_title: StrOrPromise,
) -> PublishedTable:
    """Rows of "how many of `base` have it": suppressed as rows × (with, without), the base
    published as the row `Totalt`'s count of investigations."""
    rows: list[tuple[str, tuple[Cell, ...]]] = []
    if base:
        s = _suppressed([[n, base - n] for _name, n in found], threshold)
        for n, (name, _n) in enumerate(found if s is not None else ()):
            assert s is not None
            rows.append((name, (_count(s.cells[n][0]), _share(s.cells[n][0], s.row_totals[n]))))
        closed = _cell(base, threshold)
        rows.append(
            (
                str(gettext_lazy("Avslutade utredningar")),
                (closed, Cell(Decimal(100)) if not closed.suppressed else Cell(None, True)),
            )
        )
    return _table(
        indicator,
        year,
        threshold,
        rows,
        columns=DocumentUse.columns,
        row_heading=row_heading,
        row_key=row_key,
        chart_title=chart_title,
        chart_column=1,
        chart_rows=rows[:-1],
    )


class AreaCoverage(DashboardIndicator):
    """How many of the investigations closed in the year have a signed assessment of each
    BBIC area (docs/statistics.md, "BBIC area coverage")."""

    code = "area_coverage"
    version = 1
    title = gettext_lazy("BBIC-områden i avslutade utredningar")

    def publish(
        self, year: int, districts: Sequence[District], *, threshold: int | None = None
    ) -> PublishedTable:
        threshold = threshold or suppression_threshold()
        closed = Investigation.objects.filter(
            closed_on__gte=date(year, 1, 1),
            closed_on__lt=date(year + 1, 1, 1),
            case__district__in=[d.pk for d in districts],
        )
        base = closed.count()
        covered = (
            AreaAssessment.objects.filter(investigation__in=closed, status=DocumentStatus.SIGNED)
            .order_by()
            .values("framework", "area")
            .annotate(n=Count("investigation", distinct=True))
            .values_list("framework", "area", "n")
        )
        by_area = {(framework, area): n for framework, area, n in covered}
        found: list[tuple[str, int]] = []
        for framework in sorted({framework for framework, _area in by_area}, reverse=True):
            labels = code_labels(framework)
            areas = [a for a in labels if (framework, a) in by_area]
            areas += sorted({a for f, a in by_area if f == framework} - set(areas))
            found += [(str(labels.get(a, a)), by_area[(framework, a)]) for a in areas]
        return _coverage_table(
            self,
            year,
            threshold,
            found,
            base,
            row_heading=gettext_lazy("Område"),
            row_key="area",
            chart_title=gettext_lazy("Andel avslutade utredningar med området bedömt (%)"),
        )


DASHBOARD_INDICATORS.update(
    {
        indicator.code: indicator
        for indicator in (
            ReportBreakdown,
            InvestigationDurationsDashboard,
            Placements,
            Caseload,
            RiskAssessmentsInViolenceCases,
            FollowUpCoverage,
            CommissionsByProblem,
            OutcomesByIntervention,
            DecisionsNotCarriedOut,
            DocumentUse,
            AreaCoverage,
        )
    }
)
DEFAULT_DASHBOARD = (
    ViolenceShare.code,
    ChildParticipationIndicator.code,
    NeedsAndInterventions.code,
)
"""The indicators shown when the dashboard's form chooses none."""
