"""The placements tests' world: a started familjehem placement in the own district, the
investigator responsible for the case. The clock stands at 10 June 2026."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from rodtrad.cases.models import CaseStatus
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.placements.tests.factories import PlacementFactory


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture
def placement(own_units: Any, investigator: Any) -> Any:
    """A familjehem placement that started on 2 January 2026."""
    return PlacementFactory(
        decision__case__child__district=own_units["investigation"].district,
        decision__case__unit=own_units["investigation"],
        decision__case__responsible=investigator,
        decision__case__status=CaseStatus.INTERVENTION,
        decision__decided_on=date(2025, 12, 20),
        planned_start=date(2026, 1, 2),
    )
