"""Open deadlines across cases: what is due, what is overdue, and for whom.

The legal arithmetic lives in `rules.py`; the kinds of deadline, each with its finder, are in
the registry (`registry.py`, filled by the phase apps). This module is the worklist layer on
top: it asks the registry for the running deadlines of a set of cases and turns them into
`DeadlineItem`s for lists, the start page and team overviews. Detail pages ask the same
registry entries (`registry.case_clocks`), so every page shows the same clock.

Every entry point takes its cases from `rodtrad.accounts.access.visible_cases`; nothing here
reads a case, report or investigation outside a queryset the caller may see.

Which date drives what (docs/deadlines.md, "Two dates on every deadline"):

* `due_strict`, the calendar date, drives `days_left`, `urgency` and the order: staff are
  warned in time whatever the calendar does.
* `due`, moved to the next weekday per lag (1930:173) 2 §, is the compliance date: an
  investigation is "past its deadline" when today is after `due`.

`open_deadlines` runs a fixed number of queries whatever the number of cases (a few per kind,
plus one for the cases that have items), and the finders start from open work, never from
every case the user may see.

Besides the statutory deadlines the lists carry **reminders**: dates the staff set themselves,
such as a risk assessment's date for a new assessment. A reminder is not a time limit of the
law: it has no paragraph, is tagged "påminnelse", is never counted as late ("försenad") and
is left out of the team's counts of deadlines (`DeadlineItem.is_reminder`).

`manager_tasks` lists what waits for a team manager of the district: children who need
immediate protection with no protective action recorded, requests for more time in an
investigation, stated receipts far back that need a note, requests for emergency access to a
protected child's case that wait for approval, and open investigations nobody is responsible
for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse

from rodtrad.accounts import access
from rodtrad.accounts.models import EmergencyAccess, EmergencyAccessStatus, Role, UnitKind
from rodtrad.cases.models import Case, CaseStatus
from rodtrad.deadlines import registry, rules
from rodtrad.deadlines.registry import Clock
from rodtrad.intake.models import ProtectionAssessment, Report
from rodtrad.intake.queries import visible_reports
from rodtrad.investigation.models import ExtensionRequest, ExtensionRequestStatus, Investigation

# The kinds' keys (each statutory one is also the key of its rule in rules.RULES).
PROTECTION_ASSESSMENT = rules.PROTECTION_ASSESSMENT
PRE_ASSESSMENT = rules.PRE_ASSESSMENT
REPORTER_INFORMATION = rules.REPORTER_INFORMATION
INVESTIGATION = rules.INVESTIGATION
RISK_REASSESSMENT = "risk_reassessment"  # a reminder (investigation/deadlines.py)
FALLBACK_ROUTE = "cases:case-detail"
OPEN_CASE_STATUSES = tuple(s for s in CaseStatus.values if s != CaseStatus.CLOSED)
SOON_WITHIN_DAYS = rules.SOON_WITHIN_DAYS


def __getattr__(name: str) -> Any:
    """KINDS and ACTION_ROUTES, read from the registry (filled when the apps are ready)."""
    if name == "KINDS":
        return tuple(kind.key for kind in registry.kinds())
    if name == "ACTION_ROUTES":
        return {kind.key: (kind.action_route, kind.action_id) for kind in registry.kinds()}
    raise AttributeError(name)


def citation(rule_key: str) -> str:
    """The rule's paragraph written out ("SoL 20 kap. 2 §"); empty for a reminder."""
    return registry.get(rule_key).citation


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


# --- Whose deadlines ------------------------------------------------------------------------


def my_cases(user: Any, *, open_only: bool = False) -> QuerySet[Any]:
    """Visible cases where the user is responsible, plus, for intake workers, the cases of
    their intake unit that nobody is responsible for yet (the intake unit's common queue).

    `open_only`: only the open ones, with the status inside each alternative, so that the
    database reads them through the (responsible, status) and (unit, status) indexes instead
    of the user's closed history.
    """
    only_open = Q(status__in=OPEN_CASE_STATUSES) if open_only else Q()
    scope = Q(responsible=user) & only_open
    for membership in access.active_memberships(user):
        if membership.role != Role.INTAKE_WORKER or membership.district_id is None:
            continue
        if membership.unit_id is not None:
            scope |= Q(unit_id=membership.unit_id, responsible__isnull=True) & only_open
        else:
            scope |= (
                Q(
                    district_id=membership.district_id,
                    unit__kind=UnitKind.INTAKE,
                    responsible__isnull=True,
                )
                & only_open
            )
    return access.visible_cases(user).filter(scope)


def my_deadlines(user: Any, *, today: date) -> list[DeadlineItem]:
    """The user's own deadlines (see `my_cases`), most urgent first."""
    return open_deadlines(my_cases(user), today=today, open_cases=my_cases(user, open_only=True))


def managed_districts(user: Any) -> set[int]:
    """Districts where the user is team manager today."""
    return {
        m.district_id
        for m in access.active_memberships(user)
        if m.role == Role.TEAM_MANAGER and m.district_id is not None
    }


@dataclass(frozen=True)
class ResponsibleSummary:
    """One responsible person's (or "nobody's") deadlines, counted."""

    responsible: Any  # a User, or None for cases without a responsible
    open: int
    due_soon: int  # due today or within SOON_WITHIN_DAYS days
    overdue: int

    @property
    def name(self) -> str:
        return str(self.responsible) if self.responsible is not None else ""


@dataclass(frozen=True)
class TeamDeadlines:
    """A team manager's view: every item, counted per responsible, and the late investigations."""

    items: list[DeadlineItem]
    summary: list[ResponsibleSummary]
    overdue_investigations: list[DeadlineItem]
    tasks: ManagerTasks = field(default_factory=lambda: ManagerTasks())

    @property
    def open(self) -> int:
        """Running statutory deadlines (reminders are not counted)."""
        return sum(1 for item in self.items if not item.is_reminder)

    @property
    def due_soon(self) -> int:
        return sum(1 for item in self.items if item.is_due_within_soon)

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.is_overdue)


def summarise(items: Iterable[DeadlineItem]) -> list[ResponsibleSummary]:
    """Counts per responsible: named people by name, cases without a responsible last."""
    groups: dict[int | None, list[DeadlineItem]] = defaultdict(list)
    people: dict[int | None, Any] = {None: None}
    for item in items:
        if item.is_reminder:
            continue  # the team's counts are of statutory deadlines
        groups[item.responsible_id].append(item)
        people[item.responsible_id] = item.responsible
    rows = [
        ResponsibleSummary(
            responsible=people[key],
            open=len(group),
            due_soon=sum(1 for item in group if item.is_due_within_soon),
            overdue=sum(1 for item in group if item.is_overdue),
        )
        for key, group in groups.items()
    ]
    return sorted(rows, key=lambda row: (row.responsible is None, row.name.casefold()))


def team_deadlines(user: Any, *, today: date) -> TeamDeadlines:
    """All deadlines of the visible cases in the districts where the user is team manager.

    Empty for anyone who is not a team manager (the view answers 403 before asking).
    """
    cases = access.visible_cases(user).filter(district_id__in=managed_districts(user))
    items = open_deadlines(cases, today=today)
    return TeamDeadlines(
        items=items,
        summary=summarise(items),
        overdue_investigations=[i for i in items if i.is_overdue_without_extension],
        tasks=manager_tasks(user),
    )


# --- What waits for a team manager ------------------------------------------------------------


@dataclass(frozen=True)
class ManagerTasks:
    """What waits for a team manager of the district, oldest first in each list.

    * `protection_alerts`: protection assessments that found a need for immediate protection
      (SoL 20:1) with no protective action recorded yet; the case is urgent meanwhile.
    * `extension_requests`: requests for more time in an investigation (SoL 20:3), decided
      on the investigation's extension page.
    * `receipt_confirmations`: reports whose stated receipt lies far before the registration
      and needs a team manager's note.
    * `emergency_requests`: requests for emergency access to a case of the district whose
      child has protected personal data; they wait for a second person's approval
      (cases/services.py, `approve_emergency_access`) and are by definition urgent. The
      manager's own requests are listed too, marked: another manager decides them.
    * `unassigned_investigations`: open investigations whose case has no responsible
      handler; until one is appointed their deadlines are in nobody's "Mina frister".
    """

    protection_alerts: list[ProtectionAssessment] = field(default_factory=list)
    extension_requests: list[ExtensionRequest] = field(default_factory=list)
    receipt_confirmations: list[Report] = field(default_factory=list)
    emergency_requests: list[EmergencyAccess] = field(default_factory=list)
    unassigned_investigations: list[Investigation] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            len(self.protection_alerts)
            + len(self.extension_requests)
            + len(self.receipt_confirmations)
            + len(self.emergency_requests)
            + len(self.unassigned_investigations)
        )

    @property
    def cases(self) -> list[Case]:
        """The cases these lists show a child of (for the `listed` access events).

        The emergency requests show only the case number, never the child: the child has
        protected personal data and the request is not yet approved.
        """
        found = {a.report_child.case_id: a.report_child.case for a in self.protection_alerts}
        found |= {r.investigation.case_id: r.investigation.case for r in self.extension_requests}
        found |= {i.case_id: i.case for i in self.unassigned_investigations}
        return list(found.values())


def manager_tasks(user: Any) -> ManagerTasks:
    """What waits for `user` as team manager, in the districts where they are one; empty for
    everyone else. Rows come only from cases and reports the user may see."""
    districts = managed_districts(user)
    if not districts:
        return ManagerTasks()
    # Each list starts from its own open rows (partial indexes in intake and investigation)
    # and checks the reader's scope per row by the case's key, never reading closed history.
    scope = registry.Scope(cases=access.visible_cases(user).filter(district_id__in=districts))
    alerts = list(
        ProtectionAssessment.objects.filter(
            is_immediate_protection_needed=True,
            protective_action_recorded_at__isnull=True,
        )
        .filter(scope.has_case("report_child__case_id"))
        .select_related("report_child__case__child", "report_child__report", "performed_by")
        .order_by("performed_at", "pk")
    )
    requests = list(
        ExtensionRequest.objects.filter(
            status=ExtensionRequestStatus.PENDING,
            investigation__closed_on__isnull=True,
        )
        .filter(scope.has_case("investigation__case_id"))
        .select_related("investigation__case__child", "requested_by")
        .prefetch_related("investigation__extensions")
        .order_by("requested_at", "pk")
    )
    receipts = list(
        visible_reports(user)
        .filter(
            district_id__in=districts,
            is_receipt_confirmation_needed=True,
            receipt_confirmed_at__isnull=True,
        )
        .select_related("registered_by")
        .order_by("received_at", "pk")
    )
    # The same rows as the review list (cases.services.reviewable_emergency_accesses): the
    # district's grants. Only the case number is shown, never the child.
    emergency = list(
        EmergencyAccess.objects.filter(
            case__district_id__in=districts, status=EmergencyAccessStatus.PENDING
        )
        .select_related("user")
        .order_by("requested_at", "pk")
    )
    unassigned = list(
        Investigation.objects.filter(closed_on__isnull=True, case__responsible__isnull=True)
        .filter(scope.has_case())
        .select_related("case__child", "case__unit")
        .order_by("opened_on", "pk")
    )
    return ManagerTasks(
        protection_alerts=alerts,
        extension_requests=requests,
        receipt_confirmations=receipts,
        emergency_requests=emergency,
        unassigned_investigations=unassigned,
    )
