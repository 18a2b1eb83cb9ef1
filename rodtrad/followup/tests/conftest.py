"""The follow-up tests' world: an intervention of a 15-year-old (born 2011-03-01) that started
on TODAY, from the decisions tests' `proposal` and `grant`."""

from __future__ import annotations

from typing import Any

import pytest

from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions import services as decision_services
from rodtrad.decisions.tests.conftest import grant, proposal  # noqa: F401 (the fixture)


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    """Users and memberships are made on TODAY (before the other fixtures), as in decisions."""
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture
def ongoing(proposal: Any, manager: Any, investigator: Any) -> Any:  # noqa: F811
    """An intervention granted and started on TODAY."""
    intervention = grant(proposal, manager, granted=_granted_from_today()).intervention
    return decision_services.start_intervention(
        intervention, by=investigator, expected_version=intervention.version, started_on=TODAY
    )


def _granted_from_today() -> Any:
    return decision_services.GrantedIntervention(
        catalogue_code="fft",
        external_provider="Familjeterapi AB",
        planned_start=TODAY,
        planned_dose=12,
    )
