"""The deadline registry: one entry per kind of deadline, read by lists and detail pages alike.

Each phase app registers the kinds it owns from its `AppConfig.ready()`
(`rodtrad/intake/deadlines.py`, `rodtrad/investigation/deadlines.py`), so this module, like
`rules.py`, imports no phase: the layering is `deadlines.rules`/`deadlines.registry` low, the
phases above, the worklist views (`worklists.queries`, `worklists.views`) on top
(docs/architecture.md).

An entry (`DeadlineKind`) holds:

* `rule`, the statutory rule in `rules.RULES` (None for a reminder, a date the staff set);
* `label`, the Swedish name the pages show;
* `action_route`/`action_id`, the page where the user acts on it;
* `find`, the **finder**: the running deadlines of this kind among the cases of a `Scope`,
  starting from open work (open cases, unanswered requests, open investigations), in a fixed
  number of queries;
* `clocks_for_case`, the **clock for detail pages**: the same finder run on one case.

Because a detail page asks the same finder as "Mina frister" and the team view, and every page
turns the result into the same `Clock`, the date, the days left and the urgency cannot differ
between pages (docs/deadlines.md, "Which date the pages show"). Adding a kind:
docs/howto/add-a-deadline.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from rodtrad.deadlines import rules

# --- The clock: how every page shows a running deadline ------------------------------------


@dataclass(frozen=True)
class Clock:
    """A running deadline as every page shows it.

    The date shown as "Sista dag", the days left and the urgency all come from `due_strict`,
    the calendar date (alerts: staff are warned in time whatever the calendar does); `due`,
    moved to the next weekday per lag (1930:173) 2 §, is shown beside it when it differs
    ("får göras senast …") and is the compliance date (`is_past_due`).
    """

    kind: str
    deadline: rules.Deadline
    today: date
    is_reminder: bool = False
    object_id: int = 0  # the row the clock belongs to (report-child, case, request, …)

    @property
    def due_strict(self) -> date:
        return self.deadline.due_strict

    @property
    def due(self) -> date:
        return self.deadline.due

    @property
    def is_rolled(self) -> bool:
        """Whether the last day falls on a non-working day and the action may wait."""
        return self.deadline.due != self.deadline.due_strict

    @property
    def days_left(self) -> int:
        """From the calendar date: 0 on the day itself, negative when it has passed."""
        return rules.days_left(self.deadline.due_strict, self.today)

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def urgency(self) -> rules.Urgency:
        return rules.urgency(self.deadline.due_strict, self.today)

    @property
    def is_overdue(self) -> bool:
        """A statutory deadline whose last day has passed (never a reminder)."""
        return self.urgency == rules.Urgency.OVERDUE and not self.is_reminder

    @property
    def is_passed_reminder(self) -> bool:
        return self.urgency == rules.Urgency.OVERDUE and self.is_reminder

    @property
    def is_due_today(self) -> bool:
        return self.urgency == rules.Urgency.TODAY

    @property
    def is_due_within_soon(self) -> bool:
        """A statutory deadline due today or within SOON_WITHIN_DAYS days (not overdue)."""
        return 0 <= self.days_left <= rules.SOON_WITHIN_DAYS and not self.is_reminder

    @property
    def needs_attention_today(self) -> bool:
        """For the start page: overdue, due today, or a reminder whose day has come."""
        return self.is_overdue or self.is_due_today or self.is_passed_reminder

    @property
    def is_past_due(self) -> bool:
        """Compliance: today is after the last day the law allows (`due`)."""
        return self.today > self.deadline.due


# --- What a finder returns ------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A running deadline found by a finder, before the case rows are loaded."""

    kind: str
    case_id: int
    object_id: int  # the row the clock belongs to (report-child, case, request, investigation)
    counted_from: date  # the day the clock started (day 0)
    deadline: rules.Deadline
    ids: dict[str, int]  # the ids the action route may take, by name; always "case"
    has_extension: bool = False


@dataclass(frozen=True)
class Scope:
    """The cases a finder may report on: a queryset from `accounts.access.visible_cases`.

    Finders start from open work and use the scope only to narrow it: `open_case_ids` (a
    subquery over the open cases of the scope, which the (district, status) index of cases
    serves) or `has_case` (a correlated check by primary key, for open work on cases that may
    be closed, such as a reporter's unanswered request). Neither reads the closed history.
    """

    cases: QuerySet[Any]
    # The same cases' open part written so that the status sits inside each alternative of
    # the scope (`worklists.queries.my_cases`), for SQLite's OR plan to use (status) indexes.
    open_cases: QuerySet[Any] | None = None

    def open_case_ids(self, open_statuses: Iterable[str]) -> QuerySet[Any]:
        """The scope's open cases (the phase apps pass the statuses, `cases.models`)."""
        cases = self.cases if self.open_cases is None else self.open_cases
        return cases.filter(status__in=list(open_statuses)).order_by().values("pk")

    def has_case(self, case_field: str = "case_id") -> Exists:
        return Exists(self.cases.order_by().filter(pk=OuterRef(case_field)))


Finder = Callable[[Scope], list[Found]]


# --- The registry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineKind:
    """One kind of deadline: its rule, its name, where it is acted on, how it is found."""

    key: str
    label: Any  # a lazy Swedish string, e.g. _("Förhandsbedömning")
    rule: rules.DeadlineRule | None  # None: a reminder, a date the staff set themselves
    action_route: str  # URL name of the page where the user acts
    action_id: str  # which of `Found.ids` the route takes
    find: Finder = field(repr=False, compare=False)

    @property
    def is_reminder(self) -> bool:
        return self.rule is None

    @property
    def citation(self) -> str:
        """The rule's paragraph written out: "SoL 20:2" becomes "SoL 20 kap. 2 §"; empty for a
        reminder, which no paragraph sets."""
        if self.rule is None:
            return ""
        short = self.rule.citation
        law, _sep, place = short.partition(" ")
        chapter, _sep, section = place.partition(":")
        if not chapter or not section:
            return short
        return f"{law} {chapter} kap. {section} §"

    def clock(self, found: Found, today: date) -> Clock:
        return Clock(
            kind=self.key,
            deadline=found.deadline,
            today=today,
            is_reminder=self.is_reminder,
            object_id=found.object_id,
        )

    def clocks_for_case(self, case: Any, *, today: date) -> dict[int, Clock]:
        """The clock for detail pages: this kind's running deadlines on one case, by the id
        of the row they belong to. The same finder as the lists, so the same answer."""
        return {f.object_id: self.clock(f, today) for f in self.find(_one_case(case))}


_KINDS: dict[str, DeadlineKind] = {}


def register(kind: DeadlineKind) -> DeadlineKind:
    """Add a kind (from the owning app's `AppConfig.ready()`); the order of registration is
    the order of kinds due the same day in lists."""
    existing = _KINDS.get(kind.key)
    if existing is not None and existing is not kind:
        raise ValueError(f"deadline kind {kind.key!r} is registered twice")
    _KINDS[kind.key] = kind
    return kind


def kinds() -> tuple[DeadlineKind, ...]:
    return tuple(_KINDS.values())


def get(key: str) -> DeadlineKind:
    return _KINDS[key]


def order(key: str) -> int:
    return list(_KINDS).index(key)


def find(scope: Scope, keys: Iterable[str] | None = None) -> list[Found]:
    """Every running deadline of the given kinds (default: all) among the scope's cases."""
    wanted = kinds() if keys is None else tuple(_KINDS[k] for k in keys)
    return [found for kind in wanted for found in kind.find(scope)]


def case_clocks(case: Any, *, today: date) -> dict[tuple[str, int], Clock]:
    """Every running deadline of one case as (kind, row id) → Clock, for the case page and
    the phase pages. `case` has been read through `accounts.access` by the caller."""
    scope = _one_case(case)
    return {(f.kind, f.object_id): _KINDS[f.kind].clock(f, today) for f in find(scope)}


def _one_case(case: Any) -> Scope:
    # The case's own model, so that this module imports no domain app (docs/architecture.md).
    return Scope(cases=type(case)._default_manager.filter(pk=case.pk))
