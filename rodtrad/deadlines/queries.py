"""Open deadlines across cases: what is due, what is overdue, and for whom.

The legal arithmetic lives in `rules.py`; this module finds the events that start each
clock (a report came in, a pre-assessment decision, a reporter's request, an investigation
opened) and turns them into `DeadlineItem`s for lists, the start page and team overviews.

Every entry point takes its cases from `rodtrad.accounts.access.visible_cases`; nothing here
reads a case, report or investigation outside a queryset the caller may see.

Which date drives what (docs/deadlines.md, "Two dates on every deadline"):

* `due_strict`, the calendar date, drives `days_left`, `urgency` and the order: staff are
  warned in time whatever the calendar does.
* `due`, moved to the next weekday per lag (1930:173) 2 §, is the compliance date: an
  investigation is "past its deadline" when today is after `due`.

`open_deadlines` runs a fixed number of queries whatever the number of cases (one per kind of
row, plus one for the cases that have items).

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
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from rodtrad.accounts import access
from rodtrad.accounts.models import EmergencyAccess, EmergencyAccessStatus, Role, UnitKind
from rodtrad.cases.models import Case, CaseStatus, DocumentStatus
from rodtrad.deadlines import rules
from rodtrad.intake.models import (
    Decision,
    PreAssessment,
    ProtectionAssessment,
    Report,
    ReportChild,
    ReporterInformationRequest,
)
from rodtrad.investigation.models import (
    ExtensionDecision,
    ExtensionRequest,
    ExtensionRequestStatus,
    Investigation,
    RiskAssessment,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Cases waiting for the pre-assessment decision (SoL 20:2).
WAITING_STATUSES = (CaseStatus.INTAKE, CaseStatus.PRE_ASSESSMENT)

# The four statutory kinds listed here; each is also the key of its rule in rules.RULES.
PROTECTION_ASSESSMENT = rules.PROTECTION_ASSESSMENT
PRE_ASSESSMENT = rules.PRE_ASSESSMENT
REPORTER_INFORMATION = rules.REPORTER_INFORMATION
INVESTIGATION = rules.INVESTIGATION
# Reminders: dates set by the staff, not by the law (no rule in rules.RULES).
RISK_REASSESSMENT = "risk_reassessment"
REMINDER_KINDS = frozenset({RISK_REASSESSMENT})
KINDS: tuple[str, ...] = (
    PROTECTION_ASSESSMENT,
    PRE_ASSESSMENT,
    REPORTER_INFORMATION,
    INVESTIGATION,
    RISK_REASSESSMENT,
)

LABELS = {
    PROTECTION_ASSESSMENT: _("Skyddsbedömning"),
    PRE_ASSESSMENT: _("Förhandsbedömning"),
    REPORTER_INFORMATION: _("Information till anmälaren"),
    INVESTIGATION: _("Utredning"),
    RISK_REASSESSMENT: _("Ny riskbedömning"),
}

# Where the user acts on each kind: (URL name, which id it takes). Until the intake and
# investigation routes are mounted in config/urls.py the links fall back to the case page.
ACTION_ROUTES = {
    PROTECTION_ASSESSMENT: ("intake:protection-assessment-create", "report_child"),
    PRE_ASSESSMENT: ("intake:pre-assessment-edit", "case"),
    REPORTER_INFORMATION: ("intake:report-detail", "report"),
    INVESTIGATION: ("investigation:investigation-detail", "investigation"),
    RISK_REASSESSMENT: ("investigation:risk-edit", "risk_assessment"),
}
FALLBACK_ROUTE = "cases:case-detail"

SOON_WITHIN_DAYS = rules.SOON_WITHIN_DAYS


def citation(rule_key: str) -> str:
    """The rule's paragraph written out: "SoL 20:2" becomes "SoL 20 kap. 2 §"; empty for a
    reminder, which no paragraph sets."""
    if rule_key not in rules.RULES:
        return ""
    short = rules.RULES[rule_key].citation
    law, _sep, place = short.partition(" ")
    chapter, _sep, section = place.partition(":")
    if not chapter or not section:
        return short
    return f"{law} {chapter} kap. {section} §"


def stockholm_date(moment: datetime) -> date:
    """The Europe/Stockholm calendar date of an aware datetime (legal dates are local)."""
    return moment.astimezone(STOCKHOLM).date()


@dataclass(frozen=True)
class DeadlineItem:
    """One running deadline on one case, as lists and the start page show it."""

    kind: str  # one of KINDS (= a key of rules.RULES)
    label: str  # Swedish, e.g. "Förhandsbedömning"
    case_id: int
    child_name: str  # names are not protected data; contact data is, and is never read here
    child_is_protected: bool
    responsible: Any  # the case's responsible User, or None
    counted_from: date  # the day the clock started (day 0)
    due_strict: date  # calendar date: days_left, urgency and order come from it
    due: date  # moved to the next weekday where the rule allows (lag 1930:173 2 §)
    days_left: int  # from due_strict; negative when overdue
    urgency: rules.Urgency
    citation: str  # e.g. "SoL 20 kap. 2 §"
    url: str  # the page where the user acts
    object_id: int  # the row the clock belongs to (report-child, case, request, investigation)
    has_extension: bool = False  # investigations: at least one extension decision
    # Investigations: open, and today is after the last day (`due`) with no extension
    # decision that covers today (the finding in the Stockholm documents, docs/domain.md §2.4).
    is_overdue_without_extension: bool = False
    case: Case | None = field(default=None, repr=False, compare=False)

    @property
    def is_reminder(self) -> bool:
        """A date the staff set (not the law): never "late", only passed."""
        return self.kind in REMINDER_KINDS

    @property
    def is_overdue(self) -> bool:
        """A statutory deadline whose last day has passed (never a reminder)."""
        return self.urgency == rules.Urgency.OVERDUE and not self.is_reminder

    @property
    def is_passed_reminder(self) -> bool:
        return self.urgency == rules.Urgency.OVERDUE and self.is_reminder

    @property
    def needs_attention_today(self) -> bool:
        """For the start page: overdue, due today, or a reminder whose day has come."""
        return self.is_overdue or self.is_due_today or self.is_passed_reminder

    @property
    def is_due_today(self) -> bool:
        return self.urgency == rules.Urgency.TODAY

    @property
    def is_rolled(self) -> bool:
        """Whether the last day falls on a non-working day and the action may wait."""
        return self.due != self.due_strict

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def is_due_within_soon(self) -> bool:
        """A statutory deadline due today or within SOON_WITHIN_DAYS days (not overdue)."""
        return 0 <= self.days_left <= SOON_WITHIN_DAYS and not self.is_reminder

    @property
    def responsible_id(self) -> int | None:
        return getattr(self.responsible, "pk", None)

    @property
    def sort_key(self) -> tuple[bool, date, int, int, int]:
        return (
            not (self.is_overdue or self.is_passed_reminder),
            self.due_strict,
            KINDS.index(self.kind),
            self.case_id,
            self.object_id,
        )


def sort_items(items: Iterable[DeadlineItem]) -> list[DeadlineItem]:
    """Most urgent first: overdue first, then by the calendar last day."""
    return sorted(items, key=lambda item: item.sort_key)


def _action_url(kind: str, ids: dict[str, int]) -> str:
    name, id_kind = ACTION_ROUTES[kind]
    try:
        return reverse(name, args=[ids[id_kind]])
    except NoReverseMatch:
        return reverse(FALLBACK_ROUTE, args=[ids["case"]])


def _genast(day: date) -> rules.Deadline:
    """A duty "genast" (at once): due the day it arises, not moved to a weekday."""
    return rules.Deadline(rule=REPORTER_INFORMATION, due_strict=day, due=day)


def _investigation_deadline(opened_on: date, extensions: list[date]) -> rules.Deadline:
    """SoL 20:3 with the extensions in decision order.

    The investigation services refuse an extension that does not move the last day later;
    should such a row exist anyway, it is skipped here rather than breaking every list.
    """
    try:
        return rules.investigation_deadline(opened_on, extensions)
    except rules.InvalidExtension:
        valid: list[date] = []
        for extended_to in extensions:
            if extended_to > rules.investigation_deadline(opened_on, valid).due:
                valid.append(extended_to)
        return rules.investigation_deadline(opened_on, valid)


@dataclass
class _Pending:
    """A deadline found before the case rows are loaded."""

    kind: str
    case_id: int
    object_id: int
    counted_from: date
    deadline: rules.Deadline
    ids: dict[str, int]
    has_extension: bool = False


def _protection_and_pre_assessment(case_ids: QuerySet[Any]) -> list[_Pending]:
    """Report-children without a protection assessment, and waiting pre-assessments.

    Protection assessment (SoL 20:1): "genast", the day the report came in (the stated receipt
    when given), for every report about a child, weekends included.

    Pre-assessment (SoL 20:2): cases in intake or pre-assessment without a signed decision;
    14 days from the started pre-assessment's `received_on` (intake sets it to the receipt
    that started the clock), or, before one is started, the earliest receipt among the case's
    report-children that are not attached to an open investigation.
    """
    rows = (
        ReportChild.objects.filter(case_id__in=case_ids)
        .filter(
            Q(protection_assessment__isnull=True)
            | Q(case__status__in=WAITING_STATUSES, is_attached_to_open_investigation=False)
        )
        .annotate(
            is_assessed=Exists(ProtectionAssessment.objects.filter(report_child=OuterRef("pk")))
        )
        .values(
            "pk",
            "case_id",
            "report_id",
            "is_assessed",
            "is_attached_to_open_investigation",
            "case__status",
            "report__received_at",
            "report__stated_received_at",
        )
    )
    pending: list[_Pending] = []
    earliest: dict[int, date] = {}
    for row in rows:
        receipt = stockholm_date(row["report__stated_received_at"] or row["report__received_at"])
        if not row["is_assessed"]:
            pending.append(
                _Pending(
                    kind=PROTECTION_ASSESSMENT,
                    case_id=row["case_id"],
                    object_id=row["pk"],
                    counted_from=receipt,
                    deadline=rules.deadline_for(PROTECTION_ASSESSMENT, receipt),
                    ids={"report_child": row["pk"], "case": row["case_id"]},
                )
            )
        if row["case__status"] in WAITING_STATUSES and not row["is_attached_to_open_investigation"]:
            case_id = row["case_id"]
            earliest[case_id] = min(receipt, earliest.get(case_id, receipt))
    if not earliest:
        return pending
    started = {
        row["case_id"]: row
        for row in PreAssessment.objects.filter(
            case_id__in=list(earliest), corrects__isnull=True
        ).values("case_id", "status", "received_on")
    }
    for case_id, first_receipt in earliest.items():
        document = started.get(case_id)
        if document is not None and document["status"] == DocumentStatus.SIGNED:
            continue
        received_on = document["received_on"] if document is not None else first_receipt
        pending.append(
            _Pending(
                kind=PRE_ASSESSMENT,
                case_id=case_id,
                object_id=case_id,
                counted_from=received_on,
                deadline=rules.deadline_for(PRE_ASSESSMENT, received_on),
                ids={"case": case_id},
            )
        )
    return pending


def _reporter_information(case_ids: QuerySet[Any]) -> list[_Pending]:
    """Unanswered requests from reporters (SoL 19:6), one item per request and case.

    One week after the case's pre-assessment decision; "genast" (the day of the request) when
    the request came after the decision, when the decision was that an investigation was
    already ongoing, or when the report was added to an open investigation. No item while
    the case has no decision yet: the clock has not started.
    """
    unanswered = ReporterInformationRequest.objects.filter(answered_on__isnull=True)
    links = list(
        ReportChild.objects.filter(
            case_id__in=case_ids, report_id__in=unanswered.values("report_id")
        ).values("case_id", "report_id", "is_attached_to_open_investigation")
    )
    if not links:
        return []
    report_ids = {link["report_id"] for link in links}
    requests: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for row in unanswered.filter(report_id__in=report_ids).values(
        "pk", "report_id", "requested_on"
    ):
        requests[row["report_id"]].append((row["pk"], row["requested_on"]))
    decisions = {
        row["case_id"]: (row["event_on"], row["decision"])
        for row in PreAssessment.objects.filter(
            case_id__in={link["case_id"] for link in links},
            corrects__isnull=True,
            status=DocumentStatus.SIGNED,
        ).values("case_id", "event_on", "decision")
    }
    found: dict[tuple[int, int], _Pending] = {}
    for link in links:
        case_id = link["case_id"]
        for request_id, requested_on in requests[link["report_id"]]:
            if link["is_attached_to_open_investigation"]:
                deadline, counted_from = _genast(requested_on), requested_on
            elif case_id not in decisions:
                continue
            else:
                decided_on, decision = decisions[case_id]
                if decision == Decision.ALREADY_OPEN or requested_on > decided_on:
                    deadline, counted_from = _genast(requested_on), requested_on
                else:
                    deadline = rules.deadline_for(REPORTER_INFORMATION, decided_on)
                    counted_from = decided_on
            key = (request_id, case_id)
            if key in found and found[key].deadline.due_strict <= deadline.due_strict:
                continue
            found[key] = _Pending(
                kind=REPORTER_INFORMATION,
                case_id=case_id,
                object_id=request_id,
                counted_from=counted_from,
                deadline=deadline,
                ids={"report": link["report_id"], "case": case_id},
            )
    return list(found.values())


def _investigations(case_ids: QuerySet[Any]) -> list[_Pending]:
    """Open investigations (SoL 20:3): four months from opening, moved by extensions."""
    investigations = (
        Investigation.objects.filter(case_id__in=case_ids, closed_on__isnull=True)
        .order_by()
        .only("pk", "case_id", "opened_on", "closed_on")
        .prefetch_related(
            Prefetch(
                "extensions",
                queryset=ExtensionDecision.objects.order_by("decided_on", "pk").only(
                    "pk", "investigation_id", "decided_on", "extended_to"
                ),
            )
        )
    )
    pending = []
    for investigation in investigations:
        extensions = [e.extended_to for e in investigation.extensions.all()]
        pending.append(
            _Pending(
                kind=INVESTIGATION,
                case_id=investigation.case_id,
                object_id=investigation.pk,
                counted_from=investigation.opened_on,
                deadline=_investigation_deadline(investigation.opened_on, extensions),
                ids={"investigation": investigation.pk, "case": investigation.case_id},
                has_extension=bool(extensions),
            )
        )
    return pending


def _risk_reassessments(case_ids: QuerySet[Any]) -> list[_Pending]:
    """Reminders: the date for a new risk assessment, set in the newest signed risk assessment
    of each open investigation (a newer signed assessment replaces the older one's date)."""
    newest: dict[int, Any] = {}
    rows = (
        RiskAssessment.objects.filter(
            investigation__case_id__in=case_ids,
            investigation__closed_on__isnull=True,
            status=DocumentStatus.SIGNED,
        )
        .order_by("investigation_id", "-event_on", "-pk")
        .values("pk", "investigation_id", "case_id", "event_on", "reassessment_on")
    )
    for row in rows:
        newest.setdefault(row["investigation_id"], row)
    pending = []
    for row in newest.values():
        day = row["reassessment_on"]
        if day is None:
            continue
        pending.append(
            _Pending(
                kind=RISK_REASSESSMENT,
                case_id=row["case_id"],
                object_id=row["pk"],
                counted_from=row["event_on"],
                deadline=rules.Deadline(rule=RISK_REASSESSMENT, due_strict=day, due=day),
                ids={"risk_assessment": row["pk"], "case": row["case_id"]},
            )
        )
    return pending


def open_deadlines(cases_queryset: QuerySet[Any], *, today: date) -> list[DeadlineItem]:
    """Every running deadline on the cases of `cases_queryset`, most urgent first.

    `cases_queryset` must come from `access.visible_cases` (narrowed as the caller likes).
    A fixed number of queries whatever the number of cases.
    """
    case_ids = cases_queryset.values("pk")
    pending = [
        *_protection_and_pre_assessment(case_ids),
        *_reporter_information(case_ids),
        *_investigations(case_ids),
        *_risk_reassessments(case_ids),
    ]
    if not pending:
        return []
    cases = {
        case.pk: case
        for case in cases_queryset.filter(pk__in={p.case_id for p in pending}).select_related(
            "child", "responsible"
        )
    }
    items = []
    for p in pending:
        case = cases.get(p.case_id)
        if case is None:  # pragma: no cover - the rows were found through the same cases
            continue
        strict = p.deadline.due_strict
        items.append(
            DeadlineItem(
                kind=p.kind,
                label=str(LABELS[p.kind]),
                case_id=case.pk,
                child_name=f"{case.child.given_name} {case.child.family_name}",
                child_is_protected=bool(case.child.is_protected),
                responsible=case.responsible,
                counted_from=p.counted_from,
                due_strict=strict,
                due=p.deadline.due,
                days_left=rules.days_left(strict, today),
                urgency=rules.urgency(strict, today),
                citation=citation(p.kind),
                url=_action_url(p.kind, p.ids),
                object_id=p.object_id,
                has_extension=p.has_extension,
                is_overdue_without_extension=(p.kind == INVESTIGATION and today > p.deadline.due),
                case=case,
            )
        )
    return sort_items(items)


# --- Whose deadlines ------------------------------------------------------------------------


def my_cases(user: Any) -> QuerySet[Any]:
    """Visible cases where the user is responsible, plus, for intake workers, the cases of
    their intake unit that nobody is responsible for yet (the intake unit's common queue)."""
    scope = Q(responsible=user)
    for membership in access.active_memberships(user):
        if membership.role != Role.INTAKE_WORKER or membership.district_id is None:
            continue
        if membership.unit_id is not None:
            scope |= Q(unit_id=membership.unit_id, responsible__isnull=True)
        else:
            scope |= Q(
                district_id=membership.district_id,
                unit__kind=UnitKind.INTAKE,
                responsible__isnull=True,
            )
    return access.visible_cases(user).filter(scope)


def my_deadlines(user: Any, *, today: date) -> list[DeadlineItem]:
    """The user's own deadlines (see `my_cases`), most urgent first."""
    return open_deadlines(my_cases(user), today=today)


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
    cases = access.visible_cases(user).filter(district_id__in=districts)
    alerts = list(
        ProtectionAssessment.objects.filter(
            report_child__case__in=cases,
            is_immediate_protection_needed=True,
            protective_action_recorded_at__isnull=True,
        )
        .select_related("report_child__case__child", "report_child__report", "performed_by")
        .order_by("performed_at", "pk")
    )
    requests = list(
        ExtensionRequest.objects.filter(
            investigation__case__in=cases,
            investigation__closed_on__isnull=True,
            status=ExtensionRequestStatus.PENDING,
        )
        .select_related("investigation__case__child", "requested_by")
        .prefetch_related("investigation__extensions")
        .order_by("requested_at", "pk")
    )
    from rodtrad.intake.queries import visible_reports

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
        Investigation.objects.filter(
            case__in=cases, closed_on__isnull=True, case__responsible__isnull=True
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
    )
