"""Red-team findings on intake (issue 6 check): each test fails on today's code.

A child taken into care at once under LVU 6 § must not have the case closed by a
pre-assessment that opens no investigation, and the report page, which shows every child of
the report, carries the protected-network warning like every other page of the case.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from rodtrad.cases.models import CaseStatus
from rodtrad.intake import services
from rodtrad.intake.models import PreAssessment
from rodtrad.intake.tests.helpers import register

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MONDAY = datetime(2027, 3, 1, 9, 30, tzinfo=STOCKHOLM)
WARNING = (
    "Det finns personer med skyddade personuppgifter i barnets nätverk – kontrollera innan "
    "något skickas ut"
)


@time_machine.travel(MONDAY, tick=False)
def test_a_pre_assessment_cannot_close_the_case_of_a_child_taken_into_care_under_lvu_6(
    intake_worker, own_district, child
):
    report_child = register(intake_worker, own_district, [child]).children.get()
    services.assess_protection(
        report_child,
        by=intake_worker,
        is_immediate_protection_needed=True,
        actions_taken="Ordföranden beslutade om omedelbart omhändertagande.",
        rationale="Barnet kan inte gå hem i kväll.",
        protective_action="lvu_6",
        protective_action_taken_at=MONDAY,
        protective_action_note="Beslut enligt 6 § LVU; barnet är i jourhem.",
    )
    pre_assessment = PreAssessment.objects.get(case=report_child.case)
    # An omedelbart omhändertagande must be followed by an investigation and an application
    # for care within four weeks (LVU 8 §); closing the case leaves the child with nobody.
    with pytest.raises(ValidationError):
        services.sign_pre_assessment(
            pre_assessment,
            by=intake_worker,
            expected_version=pre_assessment.version,
            changes={
                "decision": "not_open",
                "reasons": "Ingen oro kvarstår.",
                "event_on": (MONDAY + timedelta(hours=1)).date(),
            },
        )
    report_child.case.refresh_from_db()
    assert report_child.case.status != CaseStatus.CLOSED


def test_s15_the_report_page_warns_when_a_child_of_the_report_is_protected(
    signed_in, intake_worker, own_district, child, sibling
):
    sibling.protection_level = "skyddad_folkbokforing"
    sibling.save()
    report = register(intake_worker, own_district, [child, sibling])
    html = (
        signed_in(intake_worker)
        .get(reverse("intake:report-detail", args=[report.pk]))
        .content.decode()
    )
    assert WARNING in html
