"""Placement plans and records: signing, corrections and revisions, reviews and custody-transfer
considerations, each journaled; refusals save nothing (docs/red-thread.md, "Placements")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rodtrad.cases.models import DocumentStatus
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions.models import DecisionLevel
from rodtrad.journal.models import JournalEntry
from rodtrad.placements import services
from rodtrad.placements.models import (
    CarePlan,
    CustodyOutcome,
    CustodyTransferConsideration,
    ImplementationPlan,
    PlacementReview,
    ReviewOutcome,
)
from rodtrad.placements.tests.factories import CarePlanFactory, PlacementFactory

pytestmark = pytest.mark.django_db

CARE_PLAN = {
    "event_on": TODAY,
    "interventions_needed": "Familjehem.",
    "contact_arrangements": "Umgänge varannan helg.",
    "care_goal": "Trygg vardag.",
    "child_views": "Vill bo kvar.",
    "guardian_views": "Samtycker.",
}


def last_action() -> str:
    return JournalEntry.objects.latest("seq").action


def test_a_care_plan_is_written_as_a_draft_and_signed(placement: Any, investigator: Any) -> None:
    plan = services.start_plan(
        CarePlan, placement, by=investigator, changes={"care_goal": "Trygg."}
    )
    assert last_action() == "placements.careplan_created"
    assert plan.status == DocumentStatus.DRAFT and plan.case_id == placement.case_id

    signed = services.sign_plan(
        plan, by=investigator, expected_version=plan.version, changes=CARE_PLAN
    )

    assert signed.is_signed and len(signed.content_hash) == 64
    assert last_action() == "placements.careplan_signed"


def test_signing_needs_every_required_point_and_saves_the_draft_only(
    placement: Any, investigator: Any
) -> None:
    plan = services.start_plan(CarePlan, placement, by=investigator, changes={})
    with pytest.raises(ValidationError) as refused:
        services.sign_plan(
            plan, by=investigator, expected_version=plan.version, changes={"care_goal": "Trygg."}
        )
    assert set(refused.value.message_dict) == {
        "interventions_needed",
        "contact_arrangements",
        "child_views",
        "guardian_views",
    }
    plan.refresh_from_db()
    assert plan.status == DocumentStatus.DRAFT and plan.care_goal == ""


def test_a_new_plan_refused_at_signing_is_not_created(placement: Any, investigator: Any) -> None:
    with pytest.raises(ValidationError):
        services.start_and_sign_plan(CarePlan, placement, by=investigator, changes={})
    assert not CarePlan.objects.exists()


def test_the_implementation_plan_waits_for_a_signed_care_plan(
    placement: Any, investigator: Any
) -> None:
    content = {name: "Text." for name in services.REQUIRED_TO_SIGN[ImplementationPlan]}
    with pytest.raises(ValidationError, match="Vårdplanen ska vara signerad"):
        services.start_and_sign_plan(
            ImplementationPlan, placement, by=investigator, changes=content
        )
    CarePlanFactory(intervention=placement, signed=True)

    plan = services.start_and_sign_plan(
        ImplementationPlan, placement, by=investigator, changes=content
    )

    assert plan.is_signed
    assert last_action() == "placements.implementationplan_signed"


def test_a_revision_is_a_new_draft_and_the_signed_plan_stays(
    placement: Any, investigator: Any
) -> None:
    signed = CarePlanFactory(intervention=placement, signed=True)

    revision = services.revise_plan(signed, by=investigator)

    assert revision.revises == signed and revision.status == DocumentStatus.DRAFT
    assert revision.care_goal == signed.care_goal
    assert last_action() == "placements.careplan_revision_started"
    assert services.current_plan(CarePlan, placement) == revision
    with pytest.raises(ValidationError):
        services.revise_plan(signed, by=investigator)  # one draft at a time
    with pytest.raises(ValidationError):
        services.correct_plan(signed, by=investigator, reason="Fel datum.")


def test_only_placements_get_plans(own_units: Any, investigator: Any) -> None:
    open_care = PlacementFactory(
        catalogue_code="familjebehandling",
        decision__case__child__district=own_units["investigation"].district,
        decision__case__unit=own_units["investigation"],
    )
    with pytest.raises(ValidationError, match="ingen placering"):
        services.start_plan(CarePlan, open_care, by=investigator, changes={})


def test_a_case_role_of_another_district_cannot_write_a_plan(
    placement: Any, other_district_investigator: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.start_plan(CarePlan, placement, by=other_district_investigator, changes={})
    assert not CarePlan.objects.exists()


def test_the_team_manager_records_the_subcommittees_review(placement: Any, manager: Any) -> None:
    review = services.record_review(
        placement,
        by=manager,
        held_on=TODAY,
        level=DecisionLevel.SUBCOMMITTEE,
        outcome=ReviewOutcome.CONTINUES,
        minutes_reference="IU § 7",
    )
    assert review.held_on == TODAY
    entry = JournalEntry.objects.latest("seq")
    assert entry.action == "placements.review_recorded"
    assert entry.data["outcome"] == "continues"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"level": DecisionLevel.DELEGATE}, "level"),
        ({"held_on": date(2025, 12, 31)}, "held_on"),  # before the placement started
        ({"held_on": TODAY + timedelta(days=1)}, "held_on"),
        ({"outcome": ReviewOutcome.CHANGES}, "note"),
    ],
)
def test_a_review_refused_saves_nothing(
    placement: Any, manager: Any, changes: dict[str, Any], field: str
) -> None:
    values: dict[str, Any] = {
        "held_on": TODAY,
        "level": DecisionLevel.SUBCOMMITTEE,
        "outcome": ReviewOutcome.CONTINUES,
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        services.record_review(placement, by=manager, **values)
    assert field in refused.value.message_dict
    assert not PlacementReview.objects.exists()


def test_an_investigator_does_not_record_reviews(placement: Any, investigator: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.record_review(
            placement,
            by=investigator,
            held_on=TODAY,
            level=DecisionLevel.SUBCOMMITTEE,
            outcome=ReviewOutcome.CONTINUES,
        )


def test_custody_transfer_is_considered_for_foster_homes_only(
    placement: Any, manager: Any, own_units: Any
) -> None:
    values: dict[str, Any] = {
        "considered_on": TODAY,
        "level": DecisionLevel.SUBCOMMITTEE,
        "outcome": CustodyOutcome.NO_APPLICATION,
        "note": "Stark anknytning till föräldrarna.",
    }
    services.record_custody_consideration(placement, by=manager, **values)
    assert last_action() == "placements.custody_consideration_recorded"

    hvb = PlacementFactory(
        catalogue_code="hvb",
        decision__case__child__district=own_units["investigation"].district,
        decision__case__unit=own_units["investigation"],
        planned_start=date(2026, 1, 2),
    )
    with pytest.raises(ValidationError, match="familjehem"):
        services.record_custody_consideration(hvb, by=manager, **values)
    assert CustodyTransferConsideration.objects.count() == 1
