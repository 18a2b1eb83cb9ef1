"""The intake deadlines, registered in `rodtrad.deadlines.registry` (from `IntakeConfig.ready`).

* Protection assessment (SoL 20:1): "genast", the day the report came in (the stated receipt
  when given), for every report-child of an open case without one, weekends included.
* Pre-assessment (SoL 20:2): cases in intake or pre-assessment without a signed decision; 14
  days from the started pre-assessment's `received_on` (intake sets it to the receipt that
  started the clock), or, before one is started, the earliest receipt among the case's
  report-children that are not attached to an open investigation.
* Information to the reporter (SoL 19:6): unanswered requests, one per request and case.

Every finder starts from open work (open cases through the (status, district) index of cases;
unanswered requests through their partial index) and runs a fixed number of queries. A
protection assessment never made stays listed, however overdue, until it is made or the case
is closed (closing needs a reason, cases/workflow.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.models import CaseStatus, DocumentStatus
from rodtrad.deadlines import registry, rules
from rodtrad.intake.models import (
    Decision,
    PreAssessment,
    ProtectionAssessment,
    ReportChild,
    ReporterInformationRequest,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OPEN_CASE_STATUSES = tuple(s for s in CaseStatus.values if s != CaseStatus.CLOSED)
# Cases waiting for the pre-assessment decision (SoL 20:2).
WAITING_STATUSES = (CaseStatus.INTAKE, CaseStatus.PRE_ASSESSMENT)


def stockholm_date(moment: datetime) -> date:
    """The Europe/Stockholm calendar date of an aware datetime (legal dates are local)."""
    return moment.astimezone(STOCKHOLM).date()


def protection_deadline(receipt: date) -> rules.Deadline:
    """ "Genast" (SoL 20:1): the day the report came in, weekends included."""
    return rules.deadline_for(rules.PROTECTION_ASSESSMENT, receipt)


def pre_assessment_deadline(received_on: date) -> rules.Deadline:
    return rules.deadline_for(rules.PRE_ASSESSMENT, received_on)


def genast(day: date) -> rules.Deadline:
    """A duty "genast" (at once): due the day it arises, not moved to a weekday."""
    return rules.Deadline(rule=rules.REPORTER_INFORMATION, due_strict=day, due=day)


def _receipt(row: Mapping[str, Any]) -> date:
    moment = row["report__stated_received_at"] or row["report__received_at"]
    assert moment is not None
    return stockholm_date(moment)


def find_protection_assessments(scope: registry.Scope) -> list[registry.Found]:
    rows = (
        ReportChild.objects.filter(case_id__in=scope.open_case_ids(OPEN_CASE_STATUSES))
        .filter(~Exists(ProtectionAssessment.objects.filter(report_child=OuterRef("pk"))))
        .values("pk", "case_id", "report__received_at", "report__stated_received_at")
    )
    found = []
    for row in rows:
        receipt = _receipt(row)
        found.append(
            registry.Found(
                kind=rules.PROTECTION_ASSESSMENT,
                case_id=row["case_id"],
                object_id=row["pk"],
                counted_from=receipt,
                deadline=protection_deadline(receipt),
                ids={"report_child": row["pk"], "case": row["case_id"]},
            )
        )
    return found


def find_pre_assessments(scope: registry.Scope) -> list[registry.Found]:
    # The case's pre-assessment (not a correction): the partial unique index on
    # (case) WHERE corrects IS NULL serves these look-ups.
    original = PreAssessment.objects.filter(case_id=OuterRef("case_id"), corrects__isnull=True)
    rows = (
        ReportChild.objects.filter(
            case_id__in=scope.open_case_ids(WAITING_STATUSES),
            is_attached_to_open_investigation=False,
        )
        .annotate(
            document_status=Subquery(original.values("status")[:1]),
            document_received_on=Subquery(original.values("received_on")[:1]),
        )
        .values(
            "case_id",
            "report__received_at",
            "report__stated_received_at",
            "document_status",
            "document_received_on",
        )
    )
    earliest: dict[int, date] = {}
    started: dict[int, date] = {}
    for row in rows:
        if row["document_status"] == DocumentStatus.SIGNED:
            continue
        case_id = row["case_id"]
        receipt = _receipt(row)
        earliest[case_id] = min(receipt, earliest.get(case_id, receipt))
        if row["document_received_on"] is not None:
            started[case_id] = row["document_received_on"]
    found = []
    for case_id, first_receipt in earliest.items():
        received_on = started.get(case_id, first_receipt)
        found.append(
            registry.Found(
                kind=rules.PRE_ASSESSMENT,
                case_id=case_id,
                object_id=case_id,
                counted_from=received_on,
                deadline=pre_assessment_deadline(received_on),
                ids={"case": case_id},
            )
        )
    return found


def find_reporter_information(scope: registry.Scope) -> list[registry.Found]:
    """One item per unanswered request and case of the report.

    Open work here is the unanswered request, not the open case: a decision not to open an
    investigation closes the case, and the reporter must still be told within the week. No
    item while the case has no decision yet: the clock has not started.
    """
    unanswered = ReporterInformationRequest.objects.filter(answered_on__isnull=True)
    links = list(
        ReportChild.objects.filter(report_id__in=unanswered.values("report_id"))
        .filter(scope.has_case())
        .values("case_id", "report_id", "is_attached_to_open_investigation")
    )
    if not links:
        return []
    requests: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for row in unanswered.filter(report_id__in={link["report_id"] for link in links}).values(
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
    found: dict[tuple[int, int], registry.Found] = {}
    for link in links:
        case_id = link["case_id"]
        for request_id, requested_on in requests[link["report_id"]]:
            if link["is_attached_to_open_investigation"]:
                deadline, counted_from = genast(requested_on), requested_on
            elif case_id not in decisions:
                continue
            else:
                decided_on, decision = decisions[case_id]
                if decision == Decision.ALREADY_OPEN or requested_on > decided_on:
                    deadline, counted_from = genast(requested_on), requested_on
                else:
                    deadline = rules.deadline_for(rules.REPORTER_INFORMATION, decided_on)
                    counted_from = decided_on
            key = (request_id, case_id)
            if key in found and found[key].deadline.due_strict <= deadline.due_strict:
                continue
            found[key] = registry.Found(
                kind=rules.REPORTER_INFORMATION,
                case_id=case_id,
                object_id=request_id,
                counted_from=counted_from,
                deadline=deadline,
                ids={"report": link["report_id"], "case": case_id},
            )
    return list(found.values())


PROTECTION_ASSESSMENT = registry.DeadlineKind(
    key=rules.PROTECTION_ASSESSMENT,
    label=_("Skyddsbedömning"),
    rule=rules.RULES[rules.PROTECTION_ASSESSMENT],
    action_route="intake:protection-assessment-create",
    action_id="report_child",
    find=find_protection_assessments,
)
PRE_ASSESSMENT = registry.DeadlineKind(
    key=rules.PRE_ASSESSMENT,
    label=_("Förhandsbedömning"),
    rule=rules.RULES[rules.PRE_ASSESSMENT],
    action_route="intake:pre-assessment-edit",
    action_id="case",
    find=find_pre_assessments,
)
REPORTER_INFORMATION = registry.DeadlineKind(
    key=rules.REPORTER_INFORMATION,
    label=_("Information till anmälaren"),
    rule=rules.RULES[rules.REPORTER_INFORMATION],
    action_route="intake:report-detail",
    action_id="report",
    find=find_reporter_information,
)


def register() -> None:
    for kind in (PROTECTION_ASSESSMENT, PRE_ASSESSMENT, REPORTER_INFORMATION):
        registry.register(kind)
