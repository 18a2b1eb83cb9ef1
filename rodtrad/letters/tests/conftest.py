"""The letters tests' world: a child of 10 in investigation with two guardians, a signed plan
and area assessment, a decision, and a report from a school whose reporter is protected."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from rodtrad.cases.models import CaseStatus
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions.tests.factories import DecisionFactory, InterventionFactory
from rodtrad.intake.tests.factories import ReportChildFactory
from rodtrad.investigation.tests.factories import (
    AreaAssessmentFactory,
    InvestigationFactory,
    InvestigationPlanFactory,
)
from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory

SECRET_STREET = "Hemliga gatan 7"


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture(autouse=True)
def _mailbox(settings: Any, tmp_path: Any) -> None:
    settings.RODTRAD_MAILBOX_DIR = tmp_path / "mailbox"


@pytest.fixture
def family(own_units: dict[str, Any], investigator: Any) -> SimpleNamespace:
    district = own_units["investigation"].district
    child = PersonFactory(
        district=district, birth_date=date(2016, 4, 2), given_name="Ella", family_name="Ek"
    )
    father = PersonFactory(
        district=district,
        given_name="Per",
        family_name="Ek",
        birth_date=date(1984, 1, 1),
        street_address="Öppna vägen 3",
        postal_code="12345",
        city="Exempelby",
    )
    mother = PersonFactory(
        district=district,
        given_name="Maria",
        family_name="Ek",
        birth_date=date(1986, 1, 1),
        street_address=SECRET_STREET,
        postal_code="54321",
        city="Gömby",
        protection_level="sekretessmarkering",
    )
    for parent in (father, mother):
        RelationshipFactory(child=child, other=parent, kind="guardian", valid_from=date(2016, 4, 2))
    report_child = ReportChildFactory(
        child=child,
        case__child=child,
        case__unit=own_units["investigation"],
        case__status=CaseStatus.INVESTIGATION,
        case__responsible=investigator,
        report__district=district,
        report__protected_reporter=True,
        report__reporter_name="Lärare Lena Lind",
        report__reporter_contact="Skolan, Skolvägen 1, 11111 Exempelby",
    )
    case = report_child.case
    investigation = InvestigationFactory(case=case, opened_on=TODAY - timedelta(days=60))
    InvestigationPlanFactory(
        investigation=investigation,
        case=case,
        author=investigator,
        signed=True,
        questions="Hur har Ella det hemma och i skolan?",
    )
    AreaAssessmentFactory(
        investigation=investigation,
        case=case,
        author=investigator,
        signed=True,
        area="halsa",
        facts=f"Mamman bor nu på {SECRET_STREET} med Ella varannan vecka.",
        child_view="Ella säger att hon trivs i skolan.",
    )
    decision = DecisionFactory(
        case=case,
        investigation=investigation,
        decided_on=TODAY,
        reasons="Ella behöver stöd i vardagen.",
        appealable=True,
    )
    InterventionFactory(decision=decision)
    return SimpleNamespace(
        case=case,
        child=child,
        father=father,
        mother=mother,
        report=report_child.report,
        investigation=investigation,
        decision=decision,
    )


def pdf_text(pdf: bytes, tmp_path: Any) -> str:
    """The PDF's text as pdftotext (poppler-utils) reads it."""
    path = tmp_path / "document.pdf"
    path.write_bytes(bytes(pdf))
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode()


def flat(text: str) -> str:
    """Whitespace collapsed: pdftotext breaks lines where the PDF does."""
    return " ".join(text.split())
