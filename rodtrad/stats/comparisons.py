"""Comparisons on the dashboard: two years, or two districts (docs/statistics.md,
"Comparisons"; the tests and their choice in docs/statistics-methods.md).

Shares are compared from the *published* tables only (chi-square or Fisher's exact test,
`significance.compare_shares`): a comparison that needs a suppressed number is not made, so a
p-value can never give back a number the table hides. Durations (days from opening to closing
an investigation) are compared with Mann–Whitney (`significance.compare_durations`) on the
days of the investigations closed in the year, and only when each group has at least as many
investigations as the suppression threshold.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rodtrad.accounts.models import District
from rodtrad.investigation.models import Investigation
from rodtrad.stats.indicators import (
    TOTAL,
    Cell,
    ChildParticipationIndicator,
    PublishedTable,
    StrOrPromise,
    ViolenceShare,
    half_up,
    suppression_threshold,
)
from rodtrad.stats.significance import (
    Comparison,
    UndefinedComparison,
    compare_durations,
    compare_shares,
)

# (indicator, part column, whole column, label): the shares compared, by column key.
SHARES: tuple[tuple[str, str, str, StrOrPromise], ...] = (
    (
        ViolenceShare.code,
        "reports_violence",
        "reports",
        gettext_lazy("Aktualiseringar med våldsanledning"),
    ),
    (
        ViolenceShare.code,
        "investigations_violence",
        "investigations",
        gettext_lazy("Utredningar med våldsanledning"),
    ),
    (
        ChildParticipationIndicator.code,
        "met_alone",
        "closed",
        gettext_lazy("Utredningar med samtal med barnet ensamt"),
    ),
    (
        ChildParticipationIndicator.code,
        "asked_about_violence",
        "violence_cases",
        gettext_lazy("Våldsärenden där barnet fick frågor om våldet"),
    ),
)

COMPARED = tuple(dict.fromkeys(code for code, _part, _whole, _label in SHARES))
"""The indicators the comparisons read."""


@dataclass(frozen=True)
class Measure:
    """One compared measure: what each group shows, and the test (or why there is none)."""

    label: StrOrPromise
    first: str
    second: str
    comparison: Comparison | None
    message: str
    marked: bool

    @property
    def p_text(self) -> str:
        return p_text(self.comparison.p_value) if self.comparison is not None else ""


@dataclass(frozen=True)
class ComparisonTable:
    first_label: str
    second_label: str
    level: float
    measures: tuple[Measure, ...]

    @property
    def level_text(self) -> str:
        return str(self.level).replace(".", ",")


def p_text(p: float) -> str:
    """p with a decimal comma: three significant decimals, "< 0,001" below that."""
    if p < 0.001:
        return "< 0,001"
    return f"{p:.3f}".replace(".", ",")


def _row(table: PublishedTable, label: str) -> tuple[Cell, ...] | None:
    for name, cells in table.rows:
        if name == label:
            return cells
    return None


def _column(table: PublishedTable, key: str) -> int:
    return next(n for n, column in enumerate(table.columns) if column.key == key)


def _share_text(part: int, whole: int) -> str:
    share = half_up(Decimal(part * 100) / Decimal(whole), Decimal("1")) if whole else None
    shown = "–" if share is None else f"{share} %"
    return _("%(share)s (%(part)s av %(whole)s)") % {"share": shown, "part": part, "whole": whole}


def _share_measure(
    label: StrOrPromise,
    first: tuple[Cell, ...] | None,
    second: tuple[Cell, ...] | None,
    part: int,
    whole: int,
    level: float,
) -> Measure:
    counts: list[tuple[int, int]] = []
    for cells in (first, second):
        if cells is None:
            return Measure(label, "–", "–", None, _("Uppgifter saknas."), False)
        p, w = cells[part], cells[whole]
        if p.suppressed or w.suppressed or not isinstance(p.value, int):
            return Measure(
                label,
                "–",
                "–",
                None,
                _("Jämförelsen görs inte eftersom små tal är dolda i tabellen."),
                False,
            )
        assert isinstance(w.value, int)
        counts.append((p.value, w.value))
    shown = [_share_text(p, w) for p, w in counts]
    try:
        result = compare_shares([(p, w - p) for p, w in counts])
    except UndefinedComparison as undefined:
        return Measure(label, shown[0], shown[1], None, _(undefined.message), False)
    return Measure(label, shown[0], shown[1], result, "", result.is_significant(level))


def closed_days(year: int, districts: Sequence[District]) -> dict[int, list[int]]:
    """Days from opening to closing of the investigations closed in the year, by district."""
    rows = Investigation.objects.filter(
        closed_on__gte=date(year, 1, 1),
        closed_on__lt=date(year + 1, 1, 1),
        case__district__in=[d.pk for d in districts],
    ).values_list("case__district", "opened_on", "closed_on")
    days: dict[int, list[int]] = defaultdict(list)
    for district_id, opened_on, closed_on in rows.iterator(chunk_size=5000):
        assert closed_on is not None
        days[district_id].append((closed_on - opened_on).days)
    return days


def _duration_measure(first: list[int], second: list[int], threshold: int, level: float) -> Measure:
    label = gettext_lazy("Utredningstid i dagar (median)")

    def shown(days: list[int]) -> str:
        if len(days) < threshold:
            return "–"
        median = half_up(Decimal(str(statistics.median(days))))
        return _("%(median)s (%(n)s utredningar)") % {
            "median": str(median).replace(".", ","),
            "n": len(days),
        }

    if (first and len(first) < threshold) or (second and len(second) < threshold):
        return Measure(
            label,
            shown(first),
            shown(second),
            None,
            _("Jämförelsen görs inte eftersom en grupp har färre än %(n)s utredningar.")
            % {"n": threshold},
            False,
        )
    try:
        result = compare_durations(first, second)
    except UndefinedComparison as undefined:
        return Measure(label, shown(first), shown(second), None, _(undefined.message), False)
    return Measure(label, shown(first), shown(second), result, "", result.is_significant(level))


def compare(
    first: dict[str, PublishedTable],
    second: dict[str, PublishedTable],
    *,
    rows: tuple[str, str],
    labels: tuple[str, str],
    days: tuple[list[int], list[int]],
    level: float,
) -> ComparisonTable:
    """The measures of two groups: `first[code]` row `rows[0]` against `second[code]` row
    `rows[1]` (two years: the same row of two years' tables; two districts: two rows of one)."""
    measures: list[Measure] = []
    for code, part, whole, label in SHARES:
        a, b = first.get(code), second.get(code)
        if a is None or b is None:
            continue
        measures.append(
            _share_measure(
                label,
                _row(a, rows[0]),
                _row(b, rows[1]),
                _column(a, part),
                _column(a, whole),
                level,
            )
        )
    threshold = next(iter(first.values())).threshold if first else suppression_threshold()
    measures.append(_duration_measure(days[0], days[1], threshold, level))
    return ComparisonTable(labels[0], labels[1], level, tuple(measures))


def total_row(districts: Sequence[District]) -> str:
    """The row a group of districts is in: the district's own, or Totalt for several."""
    return districts[0].name if len(districts) == 1 else TOTAL
