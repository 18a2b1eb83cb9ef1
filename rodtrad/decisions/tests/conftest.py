"""The decisions tests' shared world: a case whose investigation closed with a proposal."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from rodtrad.cases.models import CaseStatus
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions import services
from rodtrad.decisions.models import DecisionKind, DecisionLevel
from rodtrad.decisions.services import GrantedIntervention
from rodtrad.intake.tests.factories import ReportChildFactory
from rodtrad.investigation.tests.factories import InvestigationFactory, NeedFactory
from rodtrad.people.tests.factories import PersonFactory

S = CaseStatus


@pytest.fixture
def proposal(own_units: Any, investigator: Any) -> Any:
    """A case whose investigation closed with a proposal naming two needs."""
    child = PersonFactory(district=own_units["investigation"].district, birth_date=date(2011, 3, 1))
    report_child = ReportChildFactory(
        case__child=child,
        case__unit=own_units["investigation"],
        case__status=S.PROPOSAL_AWAITING_DECISION,
        report__reasons=["A", "J"],
    )
    case = report_child.case
    investigation = InvestigationFactory(
        case=case, opened_on=TODAY - timedelta(days=120), closed_on=TODAY - timedelta(days=2)
    )
    school = NeedFactory(investigation=investigation, area="utbildning", description="Skolan.")
    safety = NeedFactory(investigation=investigation, area="halsa", description="Trygghet.")
    investigation.proposed_needs.set([school, safety])
    return case


def grant(case: Any, by: Any, **overrides: Any) -> Any:
    values = {
        "kind": DecisionKind.GRANTED,
        "legal_ground": "sol-11-1",
        "level": DecisionLevel.DELEGATE,
        "decided_on": TODAY,
        "reasons": "Barnet behöver stöd i skolan och trygghet hemma.",
        "need_ids": [n.pk for n in services.case_needs(case)],
        "granted": GrantedIntervention(
            catalogue_code="fft",
            external_provider="Familjeterapi AB",
            planned_start=TODAY + timedelta(days=7),
            planned_dose=12,
            problem_codes=["skola"],
        ),
    }
    values.update(overrides)
    return services.record_decision(case, by=by, **values)
