"""Helpers for the investigation tests: investigations, report reasons and signed documents."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from rodtrad.accounts.tests.factories import UserFactory
from rodtrad.cases.models import CaseStatus
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.investigation import services
from rodtrad.investigation.models import ContactKind
from rodtrad.journal.models import JournalEntry
from rodtrad.people.tests.factories import PersonFactory


def make_investigation(unit: Any, by: Any, opened_on: date) -> Any:
    """A case in investigation in `unit`, with its investigation opened on `opened_on`."""
    child = PersonFactory(district=unit.district)
    case = CaseFactory(child=child, unit=unit, status=CaseStatus.INVESTIGATION)
    return services.open_investigation(case, by=by, opened_on=opened_on)


def add_report_reasons(case: Any, codes: list[str]) -> Any:
    """A report about the case's child with these reason codes (intake's tables)."""
    from rodtrad.intake.models import Report, ReportChild, ReportReason

    report = Report.objects.create(
        district=case.district,
        kind="anmalan",
        channel="telefon",
        reporter_category="skola",
        is_mandatory_reporter=True,
        text="Testanmälan: oro för barnet.",
        registered_by=UserFactory(),
    )
    ReportChild.objects.create(report=report, child=case.child, case=case)
    for code in codes:
        ReportReason.objects.create(report=report, code=code)
    return report


def child_conversation(
    investigation: Any, by: Any, *, alone: bool = True, days_ago: int = 1
) -> Any:
    return services.log_contact(
        investigation,
        by=by,
        kind=ContactKind.CHILD_CONVERSATION,
        event_on=timezone.localdate() - timedelta(days=days_ago),
        summary="Samtal med barnet i skolan om hur det är hemma.",
        child_alone=alone,
        covered_violence=False,
    )


def signed_risk_assessment(investigation: Any, by: Any) -> Any:
    risk = services.create_risk_assessment(
        investigation, by=by, event_on=timezone.localdate(), instrument="FREDA-farlighetsbedömning"
    )
    return services.sign_risk_assessment(
        risk,
        by=by,
        expected_version=risk.version,
        changes={
            "judgement": "moderate",
            "time_horizon": "short",
            "reassessment_on": timezone.localdate() + timedelta(days=30),
            "safety_plan": "Mamma och barnen bor hos mormor tills vidare.",
        },
    )


def analysis_draft(investigation: Any, by: Any, text: str = "Barnet behöver stöd i skolan.") -> Any:
    analysis = services.create_analysis(investigation, by=by, event_on=timezone.localdate())
    return services.save_document_draft(
        analysis, by=by, expected_version=analysis.version, changes={"text": text}
    )


def journal(action: str) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(action=action).order_by("seq"))
