"""Rows for the deadline tests, made with the models directly (no services, no clocks moved).

Times are Europe/Stockholm; `at(2026, 6, 5, 14)` is 14:00 in Stockholm.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.utils import timezone

from rodtrad.cases.models import Case, CaseStatus
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.intake.models import (
    Decision,
    PreAssessment,
    ProtectionAssessment,
    Report,
    ReportChild,
    ReporterInformationRequest,
)
from rodtrad.investigation.models import ExtensionDecision, Investigation
from rodtrad.people.tests.factories import PersonFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# "Today" in every deadline test: Wednesday 10 June 2026, mid-morning in Stockholm.
TODAY = date(2026, 6, 10)
NOW = datetime(2026, 6, 10, 9, 30, tzinfo=STOCKHOLM)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def case_in(
    district: Any,
    *,
    unit: Any = None,
    responsible: Any = None,
    status: str = CaseStatus.INTAKE,
    **child: Any,
) -> Case:
    case = CaseFactory(
        child=PersonFactory(district=district, **child),
        district=district,
        unit=unit,
        responsible=responsible,
        status=status,
    )
    return cast(Case, case)


def report_about(
    case: Case,
    *,
    by: Any,
    received_at: datetime,
    stated_received_at: datetime | None = None,
    attached: bool = False,
    mandatory: bool = True,
) -> ReportChild:
    """A report about the case's child, registered at `received_at` (set after the insert,
    because `received_at` is the server's time and auto_now_add would overwrite it)."""
    report = Report.objects.create(
        district=case.district,
        kind="anmalan",
        channel="telefon",
        reporter_category="skola",
        is_mandatory_reporter=mandatory,
        text="Barnet har berättat om oro hemma.",
        stated_received_at=stated_received_at,
        stated_received_reason="Kom in via socialjouren." if stated_received_at else "",
        registered_by=by,
    )
    Report.objects.filter(pk=report.pk).update(received_at=received_at)
    return ReportChild.objects.create(
        report=report, child=case.child, case=case, is_attached_to_open_investigation=attached
    )


def assess_protection(report_child: ReportChild, *, by: Any) -> ProtectionAssessment:
    return ProtectionAssessment.objects.create(
        report_child=report_child,
        performed_by=by,
        is_immediate_protection_needed=False,
        rationale="Barnet är tryggt i skolan i dag.",
    )


def pre_assessment(
    case: Case,
    *,
    by: Any,
    received_on: date,
    decided_on: date | None = None,
    decision: str = Decision.OPEN,
) -> PreAssessment:
    """A started pre-assessment; signed (the decision) when `decided_on` is given."""
    signed = decided_on is not None
    document: PreAssessment = PreAssessment.objects.create(
        case=case,
        event_on=decided_on or received_on,
        author=by,
        received_on=received_on,
        decision=decision if signed else "",
        status="signed" if signed else "draft",
        signed_at=timezone.now() if signed else None,
        signed_by=by if signed else None,
    )
    return document


def information_request(
    report_child: ReportChild, *, by: Any, requested_on: date, answered_on: date | None = None
) -> ReporterInformationRequest:
    return ReporterInformationRequest.objects.create(
        report=report_child.report,
        requested_on=requested_on,
        recorded_by=by,
        answered_on=answered_on,
        answer_text="Utredning inleds." if answered_on else "",
    )


def investigation_of(
    case: Case, *, by: Any, opened_on: date, closed_on: date | None = None
) -> Investigation:
    investigation: Investigation = Investigation.objects.create(
        case=case, opened_on=opened_on, opened_by=by, closed_on=closed_on
    )
    return investigation


def extend(
    investigation: Investigation,
    *,
    by: Any,
    decided_on: date,
    extended_to: date,
    previous_due: date,
) -> ExtensionDecision:
    extension: ExtensionDecision = ExtensionDecision.objects.create(
        investigation=investigation,
        decided_on=decided_on,
        extended_to=extended_to,
        previous_due=previous_due,
        reasons="Väntar på utlåtande från BUP.",
        decided_by=by,
    )
    return extension


def risk_assessment_of(
    investigation: Investigation,
    *,
    by: Any,
    event_on: date,
    reassessment_on: date | None,
    signed: bool = True,
) -> Any:
    """A risk assessment with its date for a new assessment; signed unless told otherwise."""
    from rodtrad.investigation.models import RiskAssessment

    return RiskAssessment.objects.create(
        case=investigation.case,
        investigation=investigation,
        event_on=event_on,
        author=by,
        instrument="FREDA-farlighetsbedömning",
        judgement="moderate",
        time_horizon="short",
        reassessment_on=reassessment_on,
        status="signed" if signed else "draft",
        signed_at=timezone.now() if signed else None,
        signed_by=by if signed else None,
    )
