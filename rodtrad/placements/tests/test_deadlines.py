"""The placement deadlines through the registry: the dates, the scope, what ends them, the
same clock in "Mina frister" and on the intervention page, and a fixed query count."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rodtrad.cases.models import CaseStatus
from rodtrad.deadlines import registry, rules
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions.models import Intervention
from rodtrad.placements import deadlines
from rodtrad.placements.tests.factories import (
    CarePlanFactory,
    CustodyTransferConsiderationFactory,
    ImplementationPlanFactory,
    PlacementFactory,
    PlacementReviewFactory,
)
from rodtrad.worklists.queries import my_deadlines

pytestmark = pytest.mark.django_db


def kinds_of(user: Any) -> dict[str, Any]:
    return {item.kind: item for item in my_deadlines(user, today=TODAY)}


def test_a_new_placement_lists_its_review_revision_and_plans(
    placement: Any, investigator: Any
) -> None:
    items = kinds_of(investigator)
    assert set(items) == {
        rules.PLACEMENT_REVIEW,
        rules.CUSTODY_TRANSFER,
        rules.CARE_PLAN_REVISION,
        deadlines.PLACEMENT_PLANS,
    }
    # Started 2 January 2026: review by 2 July, custody and revision by 2 January 2028.
    assert items[rules.PLACEMENT_REVIEW].due_strict == date(2026, 7, 2)
    assert items[rules.CUSTODY_TRANSFER].due_strict == date(2028, 1, 2)
    assert items[rules.CUSTODY_TRANSFER].citation == "SoL 22 kap. 14 §"
    assert items[rules.CARE_PLAN_REVISION].due_strict == date(2028, 1, 2)
    plans = items[deadlines.PLACEMENT_PLANS]
    assert plans.is_reminder and plans.due_strict == date(2026, 2, 1)
    assert plans.is_passed_reminder and not plans.is_overdue
    assert plans.url == reverse("decisions:intervention-detail", args=[placement.pk])


def test_the_next_review_counts_from_the_last_one(placement: Any, investigator: Any) -> None:
    PlacementReviewFactory(intervention=placement, held_on=date(2026, 3, 31))
    PlacementReviewFactory(intervention=placement, held_on=date(2026, 2, 1))
    item = kinds_of(investigator)[rules.PLACEMENT_REVIEW]
    assert (item.counted_from, item.due_strict) == (date(2026, 3, 31), date(2026, 9, 30))


def test_custody_transfer_is_yearly_after_a_consideration_and_only_for_foster_homes(
    placement: Any, investigator: Any, own_units: Any
) -> None:
    CustodyTransferConsiderationFactory(intervention=placement, considered_on=date(2026, 5, 4))
    assert kinds_of(investigator)[rules.CUSTODY_TRANSFER].due_strict == date(2027, 5, 4)

    Intervention.objects.filter(pk=placement.pk).update(catalogue_code="hvb")
    assert rules.CUSTODY_TRANSFER not in kinds_of(investigator)


def test_signed_plans_end_the_reminder_and_a_signed_revision_ends_the_revision_clock(
    placement: Any, investigator: Any
) -> None:
    first = CarePlanFactory(intervention=placement, signed=True)
    assert deadlines.PLACEMENT_PLANS in kinds_of(investigator)  # the implementation plan
    ImplementationPlanFactory(intervention=placement, signed=True)
    assert deadlines.PLACEMENT_PLANS not in kinds_of(investigator)

    CarePlanFactory(intervention=placement, revises=first)  # a draft does not count
    assert rules.CARE_PLAN_REVISION in kinds_of(investigator)
    CarePlanFactory(intervention=placement, revises=first, signed=True)
    assert rules.CARE_PLAN_REVISION not in kinds_of(investigator)


def test_an_ended_placement_or_a_closed_case_runs_no_clock(
    placement: Any, investigator: Any
) -> None:
    Intervention.objects.filter(pk=placement.pk).update(ended_on=TODAY)
    assert kinds_of(investigator) == {}
    Intervention.objects.filter(pk=placement.pk).update(ended_on=None)
    placement.case.__class__.objects.filter(pk=placement.case_id).update(status=CaseStatus.CLOSED)
    assert kinds_of(investigator) == {}


def test_a_placement_not_yet_started_and_open_care_run_no_clock(
    own_units: Any, investigator: Any
) -> None:
    case_of = {
        "decision__case__child__district": own_units["investigation"].district,
        "decision__case__unit": own_units["investigation"],
        "decision__case__responsible": investigator,
        "decision__case__status": CaseStatus.INTERVENTION,
    }
    PlacementFactory(started_on=None, **case_of)
    PlacementFactory(catalogue_code="familjebehandling", **case_of)
    # (The placement not started has the decisions' clock "Insatsen ska påbörjas".)
    assert not set(kinds_of(investigator)) & {kind.key for kind in deadlines.KINDS}


def test_another_districts_handler_does_not_see_the_placement(
    placement: Any, other_district_investigator: Any
) -> None:
    assert kinds_of(other_district_investigator) == {}


def test_the_intervention_page_shows_the_same_clocks(
    placement: Any, investigator: Any, signed_in: Any
) -> None:
    clocks = registry.case_clocks(placement.case, today=TODAY)
    assert clocks[(rules.PLACEMENT_REVIEW, placement.pk)].days_left == 22
    response = signed_in(investigator).get(
        reverse("decisions:intervention-detail", args=[placement.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Placering: planer och överväganden" in page
    assert "22 dagar kvar" in page
    assert "Vårdnadsöverflyttning" in page


def test_the_query_count_does_not_grow_with_the_placements(
    own_units: Any, investigator: Any
) -> None:
    def make() -> None:
        placement = PlacementFactory(
            decision__case__child__district=own_units["investigation"].district,
            decision__case__unit=own_units["investigation"],
            decision__case__responsible=investigator,
            decision__case__status=CaseStatus.INTERVENTION,
            planned_start=date(2026, 1, 2),
        )
        PlacementReviewFactory(intervention=placement, held_on=date(2026, 3, 1))
        CarePlanFactory(intervention=placement, signed=True)

    make()
    my_deadlines(investigator, today=TODAY)  # the reader's memberships are read once
    with CaptureQueriesContext(connection) as one:
        my_deadlines(investigator, today=TODAY)
    for _ in range(4):
        make()
    with CaptureQueriesContext(connection) as five:
        items = my_deadlines(investigator, today=TODAY)
    assert len([i for i in items if i.kind == rules.PLACEMENT_REVIEW]) == 5
    assert len(five.captured_queries) == len(one.captured_queries)
