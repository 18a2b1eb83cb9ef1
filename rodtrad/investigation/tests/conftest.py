"""Fixtures for the investigation tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rodtrad.investigation.tests.factories import InvestigationFactory


@pytest.fixture
def today() -> Any:
    return timezone.localdate()


@pytest.fixture
def investigation(own_units: dict[str, Any], investigator: Any) -> Any:
    """An investigation opened 30 days ago, in the investigator's unit in Bromma."""
    return InvestigationFactory.opened(
        own_units["investigation"], investigator, timezone.localdate() - timedelta(days=30)
    )


@pytest.fixture
def other_investigation(other_units: dict[str, Any], other_district_investigator: Any) -> Any:
    return InvestigationFactory.opened(
        other_units["investigation"],
        other_district_investigator,
        timezone.localdate() - timedelta(days=30),
    )
