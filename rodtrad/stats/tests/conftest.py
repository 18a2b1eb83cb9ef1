"""The stats tests' world: a fixed clock, an administrator, and CSV files written as text."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from rodtrad.stats import services

NOW = datetime(2026, 6, 10, 9, 30, tzinfo=ZoneInfo("Europe/Stockholm"))

REPORT_HEADER = (
    "report_id,received_on,district,child_id,child_sex,child_birth_date,reasons,"
    "reporter_category,decision_on,investigation_opened_on,investigation_closed_on,"
    "extended_until"
)


@pytest.fixture(autouse=True)
def _now(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def districts(admin: Any) -> Any:
    return services.import_districts(
        csv_bytes("code,name", "bromma,Bromma", "farsta,Farsta", "kista,Kista"),
        file_name="districts.csv",
        by=admin,
    )


@pytest.fixture
def dashboard_world(own_district: Any, other_district: Any) -> Any:
    """The dashboard's hand-computed world in 2026 (NOW), Bromma (own) and Farsta (other).

    Reports received in 2026: Bromma 6 (5 with the violence reason J, 1 with A; 2 of the J
    ones opened an investigation), Farsta 10 (A, none opened).
    Investigations closed in 2026: Bromma 7 (4 met the child alone, 2 met but never alone,
    1 not met; 2 violence cases, both met alone, 1 of them asked about the violence),
    Farsta 6 (all met alone, no violence).
    Granted interventions decided in 2026: Bromma 6 family treatment (structured programme)
    for a health need, 2 contact persons for an education need, 1 contact person for both;
    Farsta 1 family treatment for a health need.
    """
    from rodtrad.decisions.tests.factories import InterventionFactory
    from rodtrad.intake.tests.factories import PreAssessmentFactory, ReportChildFactory
    from rodtrad.investigation.tests.factories import (
        ContactFactory,
        InvestigationFactory,
        NeedFactory,
    )

    bromma, farsta = own_district, other_district
    for n in range(6):
        child = ReportChildFactory(
            case__child__district=bromma, report__reasons=["J"] if n < 5 else ["A"]
        )
        if n < 2:
            PreAssessmentFactory(case=child.case, signed=True)
    for _n in range(10):
        ReportChildFactory(case__child__district=farsta, report__reasons=["A"])

    last_year = datetime(2025, 3, 1, 12, tzinfo=ZoneInfo("Europe/Stockholm"))

    def closed(district: Any, *, met: str, violence: bool = False, asked: bool = False) -> None:
        investigation = InvestigationFactory(
            case__child__district=district, opened_on=date(2026, 1, 5), closed_on=date(2026, 5, 4)
        )
        if violence:  # the case's report, received last year, has the violence reason J
            ReportChildFactory(
                case=investigation.case, report__reasons=["J"], report__received_at=last_year
            )
        if met != "no":
            ContactFactory(
                investigation=investigation,
                child_alone=met == "alone",
                covered_violence=asked if violence else False,
            )

    for n in range(4):
        closed(bromma, met="alone", violence=n < 2, asked=n == 0)
    for _n in range(2):
        closed(bromma, met="together")
    closed(bromma, met="no")
    for _n in range(6):
        closed(farsta, met="alone")

    def granted(district: Any, catalogue_code: str, *areas: str) -> None:
        intervention = InterventionFactory(
            decision__case__child__district=district, catalogue_code=catalogue_code
        )
        for area in areas:
            intervention.decision.needs.add(NeedFactory(area=area))

    for _n in range(6):
        granted(bromma, "familjebehandling", "halsa")
    for _n in range(2):
        granted(bromma, "kontaktperson", "utbildning")
    granted(bromma, "kontaktperson", "halsa", "utbildning")
    granted(farsta, "familjebehandling", "halsa")
    return bromma, farsta


@pytest.fixture
def otp_code(time_machine: Any) -> Any:
    """`otp_code(user)`: a code the user's app shows now (the device `signed_in` made). The
    clock is fixed and each code works once (django-otp), so each call first moves the clock
    on by one 30-second step."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rodtrad.accounts.tests.conftest import current_token

    def _code(user: Any) -> str:
        time_machine.shift(30)
        return current_token(TOTPDevice.objects.get(user=user, confirmed=True))

    return _code
