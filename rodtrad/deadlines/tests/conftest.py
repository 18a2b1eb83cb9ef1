"""Fixtures for the deadline tests: a fixed clock, started before any user or membership."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from rodtrad.deadlines.tests.clock import NOW


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    """Wednesday 10 June 2026, 09:30 in Stockholm, standing still.

    Autouse, so it starts before the user fixtures: memberships are valid from "today".
    """
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
