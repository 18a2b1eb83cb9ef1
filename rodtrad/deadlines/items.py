"""Running deadlines as the lists show them (`DeadlineItem`), found through the registry.

Below the phases in the layers (docs/architecture.md, "Layers"): it reads only the registry,
which the phase apps fill with their finders, so `cases` (the case list) and the worklists
in `worklists/queries.py` share it without `deadlines` importing any phase.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from rodtrad.deadlines import registry, rules
from rodtrad.deadlines.registry import Clock

if TYPE_CHECKING:
    from rodtrad.cases.models import Case

INVESTIGATION = rules.INVESTIGATION
FALLBACK_ROUTE = "cases:case-detail"


@dataclass(frozen=True)
class DeadlineItem:
    """One running deadline on one case, as lists and the start page show it.

    The date, days left and urgency are its `clock`'s, the same object the detail pages show.
    """

    kind: str  # a key of the registry
    label: str  # Swedish, e.g. "Förhandsbedömning"
    case_id: int
    child_name: str  # names are not protected data; contact data is, and is never read here
    child_is_protected: bool
    responsible: Any  # the case's responsible User, or None
    counted_from: date  # the day the clock started (day 0)
    clock: Clock
    citation: str  # e.g. "SoL 20 kap. 2 §"
    url: str  # the page where the user acts
    object_id: int  # the row the clock belongs to (report-child, case, request, investigation)
    has_extension: bool = False  # investigations: at least one extension decision
    case: Case | None = field(default=None, repr=False, compare=False)

    @property
    def due_strict(self) -> date:
        return self.clock.due_strict

    @property
    def due(self) -> date:
        return self.clock.due

    @property
    def days_left(self) -> int:
        return self.clock.days_left

    @property
    def urgency(self) -> rules.Urgency:
        return self.clock.urgency

    @property
    def is_reminder(self) -> bool:
        """A date the staff set (not the law): never "late", only passed."""
        return self.clock.is_reminder

    @property
    def is_overdue(self) -> bool:
        return self.clock.is_overdue

    @property
    def is_passed_reminder(self) -> bool:
        return self.clock.is_passed_reminder

    @property
    def needs_attention_today(self) -> bool:
        return self.clock.needs_attention_today

    @property
    def is_due_today(self) -> bool:
        return self.clock.is_due_today

    @property
    def is_rolled(self) -> bool:
        return self.clock.is_rolled

    @property
    def days_overdue(self) -> int:
        return self.clock.days_overdue

    @property
    def is_due_within_soon(self) -> bool:
        return self.clock.is_due_within_soon

    @property
    def is_overdue_without_extension(self) -> bool:
        """Investigations: open, and today is after the last day (`due`) with no extension
        decision that covers today (the finding in the Stockholm documents, docs/domain.md
        §2.4)."""
        return self.kind == INVESTIGATION and self.clock.is_past_due

    @property
    def responsible_id(self) -> int | None:
        return getattr(self.responsible, "pk", None)

    @property
    def sort_key(self) -> tuple[bool, date, int, int, int]:
        return (
            not (self.is_overdue or self.is_passed_reminder),
            self.due_strict,
            registry.order(self.kind),
            self.case_id,
            self.object_id,
        )


def sort_items(items: Iterable[DeadlineItem]) -> list[DeadlineItem]:
    """Most urgent first: overdue first, then by the calendar last day."""
    return sorted(items, key=lambda item: item.sort_key)


def _action_url(kind: registry.DeadlineKind, ids: dict[str, int]) -> str:
    try:
        return reverse(kind.action_route, args=[ids[kind.action_id]])
    except NoReverseMatch:
        return reverse(FALLBACK_ROUTE, args=[ids["case"]])


def open_deadlines(
    cases_queryset: QuerySet[Any], *, today: date, open_cases: QuerySet[Any] | None = None
) -> list[DeadlineItem]:
    """Every running deadline on the cases of `cases_queryset`, most urgent first.

    `cases_queryset` must come from `access.visible_cases` (narrowed as the caller likes).
    A fixed number of queries whatever the number of cases.
    """
    found = registry.find(registry.Scope(cases=cases_queryset, open_cases=open_cases))
    if not found:
        return []
    cases = {
        case.pk: case
        for case in cases_queryset.filter(pk__in={f.case_id for f in found}).select_related(
            "child", "responsible"
        )
    }
    items = []
    for f in found:
        case = cases.get(f.case_id)
        if case is None:  # pragma: no cover - the rows were found through the same cases
            continue
        kind = registry.get(f.kind)
        items.append(
            DeadlineItem(
                kind=f.kind,
                label=str(kind.label),
                case_id=case.pk,
                child_name=f"{case.child.given_name} {case.child.family_name}",
                child_is_protected=bool(case.child.is_protected),
                responsible=case.responsible,
                counted_from=f.counted_from,
                clock=kind.clock(f, today),
                citation=kind.citation,
                url=_action_url(kind, f.ids),
                object_id=f.object_id,
                has_extension=f.has_extension,
                case=case,
            )
        )
    return sort_items(items)
