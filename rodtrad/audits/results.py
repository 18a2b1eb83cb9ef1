"""A programme's results and the comparison of two (docs/internal-control.md, "Results").

Per item, one answer per sampled case counts towards the shares: the submitted review of the
case's first reviewer (the lowest assignment position with a submitted review), so a case
reviewed twice is not counted twice. "Ej aktuellt" is left out of the shares. The counts pass
through the statistics' small-cell suppression (stats.suppression) before any share or
interval is computed from them; shares carry Wilson's 95 % interval (stats.significance).
Agreement uses every submitted review (agreement.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from rodtrad.audits import agreement, record_rules
from rodtrad.audits.models import (
    NOT_APPLICABLE,
    YES,
    CaseReview,
    ChecklistItem,
    ItemKind,
    ReviewerAssignment,
    ReviewProgramme,
    ReviewStatus,
)
from rodtrad.stats import significance, suppression


@dataclass(frozen=True)
class Share:
    label: str
    count: int | None  # None: suppressed
    total: int | None
    share: float | None
    low: float | None = None
    high: float | None = None

    @property
    def percent(self) -> Decimal | None:
        if self.share is None:
            return None
        return (Decimal(self.share) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    # The interval in percent with one decimal, on the page as in the exported files (so the
    # page does not show a share in percent beside its interval as a proportion).
    @property
    def low_percent(self) -> Decimal | None:
        return _one_decimal_percent(self.low)

    @property
    def high_percent(self) -> Decimal | None:
        return _one_decimal_percent(self.high)


def _one_decimal_percent(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ItemResult:
    item: ChecklistItem
    categories: list[tuple[str, str]]  # (value, label), "na" left out
    rows: list[tuple[str, list[Share]]] = field(default_factory=list)  # per district, then total
    has_suppressed: bool = False
    kappa: agreement.Kappa | None = None
    record_rule_label: str = ""
    record_compared: int = 0
    record_disagreements: int = 0
    # The two counts as published: None where the small-cell suppression hides them (as the
    # shares; `_record_counts`).
    record_compared_shown: int | None = None
    record_disagreements_shown: int | None = None

    @property
    def headline(self) -> Share | None:
        """The total's first category ("Ja", or the scale's best level)."""
        return self.rows[-1][1][0] if self.rows else None


def _submitted(programme: ReviewProgramme) -> dict[int, list[CaseReview]]:
    """{sampled case id: submitted reviews in assignment order}."""
    reviews = CaseReview.objects.filter(
        sampled_case__programme=programme, status=ReviewStatus.SUBMITTED
    ).select_related("sampled_case__stratum")
    positions = {
        (a.sampled_case_id, a.reviewer_id): a.position
        for a in ReviewerAssignment.objects.filter(sampled_case__programme=programme)
    }
    by_case: dict[int, list[CaseReview]] = defaultdict(list)
    for review in reviews:
        by_case[review.sampled_case_id].append(review)
    for found in by_case.values():
        found.sort(key=lambda r: (positions.get((r.sampled_case_id, r.reviewer_id), 999), r.pk))
    return by_case


def _kappa(item: ChecklistItem, reviews: dict[int, list[CaseReview]]) -> agreement.Kappa:
    values = item.answer_values
    rated = [
        [r.answers[item.key] for r in found if item.key in r.answers] for found in reviews.values()
    ]
    rated = [r for r in rated if len(r) >= 2]
    if not rated:
        return agreement.Kappa(agreement.COHEN, 0, 0, None, undefined=agreement.NO_PAIRS)
    # The number of reviewers that most cases have (ties: more reviewers); those cases count.
    sizes: dict[int, int] = defaultdict(int)
    for r in rated:
        sizes[len(r)] += 1
    raters = max(sizes, key=lambda size: (sizes[size], size))
    chosen = [r for r in rated if len(r) == raters]
    if raters == 2:
        return agreement.cohen(
            [(r[0], r[1]) for r in chosen], values, weighted=item.kind == ItemKind.ORDINAL
        )
    return agreement.fleiss(chosen, values)


def programme_results(programme: ReviewProgramme) -> list[ItemResult]:
    items = [i for i in programme.checklist.items.all() if i.kind != ItemKind.TEXT]
    reviews = _submitted(programme)
    first = {pk: found[0] for pk, found in reviews.items()}
    districts = sorted(
        {r.sampled_case.stratum for r in first.values()} | set(programme.districts.all()),
        key=lambda d: d.name,
    )
    rules = {i.record_rule for i in items if i.record_rule}
    record = record_rules.answers_for((r.sampled_case.case_id for r in first.values()), rules)
    results = []
    for item in items:
        categories = [
            (value, label) for value, label in item.answer_labels.items() if value != NOT_APPLICABLE
        ]
        index = {value: n for n, (value, _label) in enumerate(categories)}
        cells = [[0] * len(categories) for _ in districts]
        row_of = {d.pk: n for n, d in enumerate(districts)}
        result = ItemResult(item=item, categories=categories)
        for review in first.values():
            answer = review.answers.get(item.key)
            if answer in index:
                cells[row_of[review.sampled_case.stratum_id]][index[answer]] += 1
            if item.record_rule and answer in (YES, "no"):
                said = record.get(review.sampled_case.case_id, {}).get(item.record_rule)
                result.record_compared += 1
                result.record_disagreements += int(said is not None and said != answer)
        table = suppression.suppress(cells)
        result.has_suppressed = any(e.is_suppressed for _pos, e in table.entries())
        for n, district in enumerate(districts):
            result.rows.append(
                (district.name, _shares(categories, table.cells[n], table.row_totals[n]))
            )
        result.rows.append(("Totalt", _shares(categories, table.column_totals, table.grand_total)))
        result.kappa = _kappa(item, reviews)
        result.record_rule_label = record_rules.rule_label(item.record_rule)
        if item.record_rule:
            _record_counts(result)
        results.append(result)
    return results


def _record_counts(result: ItemResult) -> None:
    """The comparison with the record, suppressed as the shares: the table (differ, agree) of
    one row through `stats.suppression.suppress`, so that a count from 1 to 4, or one that
    would reveal it, is not shown (the number compared then still is, when it is 5 or more)."""
    differ = result.record_disagreements
    table = suppression.suppress([[differ, result.record_compared - differ]])
    result.record_disagreements_shown = table.cells[0][0].value
    result.record_compared_shown = table.grand_total.value


def _shares(
    categories: list[tuple[str, str]],
    entries: tuple[suppression.Entry, ...],
    total: suppression.Entry,
) -> list[Share]:
    shares = []
    for (_value, label), entry in zip(categories, entries, strict=True):
        derived = suppression.share(entry, total)
        low = high = None
        if derived.value is not None and entry.value is not None and total.value:
            interval = significance.wilson_interval(entry.value, total.value)
            low, high = interval.low, interval.high
        shares.append(Share(label, entry.value, total.value, derived.value, low, high))
    return shares


@dataclass(frozen=True)
class ItemComparison:
    item_text: str
    first: Share | None
    second: Share | None
    comparison: significance.Comparison | None
    undefined: str = ""
    item_key: str = ""  # the item's key, the same in both checklists (an export's join key)
    # The question's wording in the second programme's edition when it differs: a reworded
    # question keeps its key, and the reader must see that the two may not ask the same.
    second_text: str = ""

    def shown_text(self) -> str:
        """The question as a file shows it: with the second wording when it was reworded."""
        if not self.second_text:
            return self.item_text
        return _("%(first)s (i den andra granskningen: ”%(second)s”)") % {
            "first": self.item_text,
            "second": self.second_text,
        }


def compare(first: ReviewProgramme, second: ReviewProgramme) -> list[ItemComparison]:
    """Yes/no items of the two programmes matched by item key (the same checklist, possibly
    different editions), the share of "Ja" in total and the test of the difference
    (stats.significance.compare_shares: chi-square, or Fisher's exact test for small counts).
    A total that suppression hides is not tested."""
    a = {r.item.key: r for r in programme_results(first) if r.item.kind == ItemKind.YES_NO}
    b = {r.item.key: r for r in programme_results(second) if r.item.kind == ItemKind.YES_NO}
    rows = []
    for key, left in a.items():
        right = b.get(key)
        if right is None:
            continue
        one, two = left.rows[-1][1][0], right.rows[-1][1][0]
        comparison = None
        undefined = ""
        counts = [(one.count, one.total), (two.count, two.total)]
        if all(c is not None and t is not None for c, t in counts):
            table = [[int(c), int(t) - int(c)] for c, t in counts]  # type: ignore[arg-type]
            try:
                comparison = significance.compare_shares(table)
            except significance.UndefinedComparison as exc:
                undefined = exc.message
        reworded = right.item.text if right.item.text != left.item.text else ""
        rows.append(ItemComparison(left.item.text, one, two, comparison, undefined, key, reworded))
    return rows
