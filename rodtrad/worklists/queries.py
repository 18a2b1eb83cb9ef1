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

from django.db.models import Exists, OuterRef, Q, QuerySet

from rodtrad.accounts import access
from rodtrad.accounts.models import EmergencyAccess, EmergencyAccessStatus, Role, UnitKind
from rodtrad.audits import queries as audit_queries
from rodtrad.audits.models import Finding
from rodtrad.cases.models import Case, CaseStatus
from rodtrad.deadlines import registry, rules
from rodtrad.deadlines.items import DeadlineItem, open_deadlines
from rodtrad.intake.models import ProtectionAssessment, Report
from rodtrad.intake.queries import visible_reports
from rodtrad.investigation.models import ExtensionRequest, ExtensionRequestStatus, Investigation

# The kinds' keys (each statutory one is also the key of its rule in rules.RULES).
PROTECTION_ASSESSMENT = rules.PROTECTION_ASSESSMENT
PRE_ASSESSMENT = rules.PRE_ASSESSMENT
REPORTER_INFORMATION = rules.REPORTER_INFORMATION
INVESTIGATION = rules.INVESTIGATION
RISK_REASSESSMENT = "risk_reassessment"  # a reminder (investigation/deadlines.py)
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
    * `audit_findings`: findings of the internal control on the district's cases that wait
      for the manager to record what was done (docs/internal-control.md, "Findings"). Only
      the case number is shown, never the child.
    """

    protection_alerts: list[ProtectionAssessment] = field(default_factory=list)
    extension_requests: list[ExtensionRequest] = field(default_factory=list)
    receipt_confirmations: list[Report] = field(default_factory=list)
    emergency_requests: list[EmergencyAccess] = field(default_factory=list)
    unassigned_investigations: list[Investigation] = field(default_factory=list)
    audit_findings: list[Finding] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            len(self.audit_findings)
            + len(self.protection_alerts)
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
    # The district's unconfirmed receipts first (a partial index), then the scope: starting
    # from the scope would read the district's whole history (docs/performance.md).
    unconfirmed = list(
        Report.objects.filter(
            district_id__in=districts,
            is_receipt_confirmation_needed=True,
            receipt_confirmed_at__isnull=True,
        )
        .order_by()  # no ordering: the model's would make SQLite walk (district, received_at)
        .values_list("pk", flat=True)
    )
    receipts = list(
        visible_reports(user)
        .filter(pk__in=unconfirmed)
        .select_related("registered_by")
        .order_by("received_at", "pk")
    )
    # The same rows as the review list (cases.services.reviewable_emergency_accesses): the
    # district's grants. Only the case number is shown, never the child.
    # The grants are few next to the district's cases: each pending one is checked by its
    # case's key (a join made SQLite read every case of the district first).
    of_districts = Case.objects.filter(pk=OuterRef("case_id"), district_id__in=districts)
    emergency = list(
        EmergencyAccess.objects.filter(status=EmergencyAccessStatus.PENDING)
        .filter(Exists(of_districts))
        .select_related("user")
        .order_by("requested_at", "pk")
    )
    # The scope's open cases without a responsible first: with the condition on the joined
    # case, SQLite started from every case without a responsible, in all districts.
    unassigned_cases = scope.cases.filter(
        status__in=OPEN_CASE_STATUSES, responsible__isnull=True
    ).order_by()
    unassigned = list(
        Investigation.objects.filter(
            closed_on__isnull=True, case_id__in=unassigned_cases.values("pk")
        )
        .select_related("case__child", "case__unit")
        .order_by("opened_on", "pk")
    )
    return ManagerTasks(
        protection_alerts=alerts,
        extension_requests=requests,
        receipt_confirmations=receipts,
        emergency_requests=emergency,
        unassigned_investigations=unassigned,
        audit_findings=audit_queries.open_findings_for_manager(user),
    )
