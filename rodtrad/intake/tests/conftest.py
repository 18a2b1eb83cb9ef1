"""Fixtures for the intake tests."""

from __future__ import annotations

from typing import Any

import pytest

from rodtrad.intake.tests.factories import ReportFactory


@pytest.fixture
def child(own_district: Any) -> Any:
    from rodtrad.people.tests.factories import PersonFactory

    return PersonFactory(district=own_district)


@pytest.fixture
def sibling(own_district: Any) -> Any:
    from rodtrad.people.tests.factories import PersonFactory

    return PersonFactory(district=own_district)


@pytest.fixture
def report_child(intake_worker: Any, own_district: Any, child: Any) -> Any:
    """A registered report about one child (case in intake, no protection assessment yet)."""
    report = ReportFactory.registered(intake_worker, own_district, [child])
    return report.children.get()


@pytest.fixture
def pre_assessment(report_child: Any, intake_worker: Any) -> Any:
    """The case's pre-assessment draft, started by the protection assessment."""
    from rodtrad.intake.models import PreAssessment
    from rodtrad.intake.services import assess_protection

    assess_protection(
        report_child,
        by=intake_worker,
        is_immediate_protection_needed=False,
        actions_taken="",
        rationale="Barnet är i skolan och har en trygg vuxen i dag.",
    )
    return PreAssessment.objects.get(case=report_child.case)
