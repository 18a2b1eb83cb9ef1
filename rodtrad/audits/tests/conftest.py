"""The audits tests' world: violence cases in two districts, recorded in spring 2026."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import _user_with
from rodtrad.accounts.models import Role
from rodtrad.intake.tests.factories import ReportChildFactory
from rodtrad.stats.tests.conftest import otp_code  # noqa: F401  (the exports' step-up code)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = date(2026, 6, 10)


@pytest.fixture(autouse=True)
def _today(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 6, 10, 9, 30, tzinfo=STOCKHOLM), tick=False)


def violence_case(district: Any, *, on: date = date(2026, 3, 2), reason: str = "I") -> Any:
    """A case of the district recorded on `on`, reported for `reason` (I: a violence code)."""
    import time_machine

    with time_machine.travel(datetime(on.year, on.month, on.day, 10, tzinfo=STOCKHOLM), tick=False):
        return ReportChildFactory(case__child__district=district, report__reasons=[reason]).case


@pytest.fixture
def cases(own_district: Any, other_district: Any) -> dict[str, list[Any]]:
    return {
        "own": [violence_case(own_district) for _ in range(8)],
        "other": [violence_case(other_district) for _ in range(3)],
    }


@pytest.fixture
def second_reviewer(own_district: Any) -> Any:
    return _user_with(Role.REVIEWER, own_district, None, "reviewer2")
