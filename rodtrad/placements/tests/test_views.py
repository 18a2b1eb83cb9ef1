"""The placement pages: write and sign a plan, record a review, each with its access event."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.journal.models import AccessEvent, JournalEntry
from rodtrad.placements.models import CarePlan, PlacementReview
from rodtrad.placements.tests.factories import CarePlanFactory

pytestmark = pytest.mark.django_db

CONTENT = {
    "event_on": TODAY.isoformat(),
    "interventions_needed": "Familjehem.",
    "contact_arrangements": "Umgänge varannan helg.",
    "care_goal": "Trygg vardag.",
    "child_views": "Vill bo kvar.",
    "guardian_views": "Samtycker.",
}


def test_the_investigator_saves_and_signs_the_care_plan(
    placement: Any, investigator: Any, signed_in: Any
) -> None:
    client = signed_in(investigator)
    url = reverse("placements:care-plan-edit", args=[placement.pk])
    assert client.get(url).status_code == 200
    reads = AccessEvent.objects.filter(case_id=placement.case_id).count()
    assert reads >= 1

    response = client.post(url, {"version": 1, "care_goal": "Trygg.", "event_on": TODAY})
    assert response.status_code == 302
    plan = CarePlan.objects.get()
    assert plan.care_goal == "Trygg." and not plan.is_signed

    response = client.post(
        reverse("placements:care-plan-sign", args=[placement.pk]),
        {"version": plan.version, **CONTENT},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.is_signed
    assert JournalEntry.objects.latest("seq").action == "placements.careplan_signed"
    page = client.get(url).content.decode()
    assert "Revidera planen" in page and "Trygg vardag." in page


def test_signing_an_incomplete_plan_shows_the_errors_and_saves_nothing(
    placement: Any, investigator: Any, signed_in: Any
) -> None:
    response = signed_in(investigator).post(
        reverse("placements:care-plan-sign", args=[placement.pk]),
        {"version": 1, "event_on": TODAY, "care_goal": "Trygg."},
    )
    assert response.status_code == 200
    assert "Skriv det här innan planen signeras." in response.content.decode()
    assert not CarePlan.objects.exists()


def test_revising_a_signed_plan_opens_a_draft(
    placement: Any, investigator: Any, signed_in: Any
) -> None:
    signed = CarePlanFactory(intervention=placement, signed=True)
    response = signed_in(investigator).post(
        reverse("placements:care-plan-revise", args=[placement.pk])
    )
    assert response.status_code == 302
    assert CarePlan.objects.get(revises=signed).status == "draft"


def test_the_team_manager_records_a_review(placement: Any, manager: Any, signed_in: Any) -> None:
    response = signed_in(manager).post(
        reverse("placements:review-create", args=[placement.pk]),
        {"held_on": TODAY, "level": "subcommittee", "outcome": "continues", "note": ""},
    )
    assert response.status_code == 302
    assert PlacementReview.objects.get().held_on == TODAY


def test_a_review_on_delegation_is_refused_on_the_form(
    placement: Any, manager: Any, signed_in: Any
) -> None:
    response = signed_in(manager).post(
        reverse("placements:review-create", args=[placement.pk]),
        {"held_on": TODAY, "level": "delegate", "outcome": "continues"},
    )
    assert response.status_code == 200
    assert not PlacementReview.objects.exists()


def test_the_plan_autosaves_while_the_investigator_writes(
    placement: Any, investigator: Any, signed_in: Any
) -> None:
    client = signed_in(investigator)
    page = client.get(reverse("placements:care-plan-edit", args=[placement.pk])).content.decode()
    url = reverse("placements:care-plan-autosave", args=[placement.pk])
    assert f'hx-post="{url}"' in page and 'id="autosave-status"' in page

    # The first autosave starts the draft, the next one saves it with the version it was given.
    first = client.post(url, {"version": 1, "event_on": TODAY, "care_goal": "Trygg"})
    assert first.status_code == 200 and "Utkast sparat" in first.content.decode()
    plan = CarePlan.objects.get()
    assert plan.care_goal == "Trygg" and not plan.is_signed
    assert f'value="{plan.version}" id="id_version"' in first.content.decode()

    second = client.post(url, {"version": plan.version, "event_on": TODAY, "care_goal": "Trygg."})
    assert second.status_code == 200
    plan.refresh_from_db()
    assert plan.care_goal == "Trygg." and CarePlan.objects.count() == 1
    assert JournalEntry.objects.latest("seq").action == "placements.careplan_draft_saved"


def test_a_stale_or_signed_plan_is_not_autosaved(
    placement: Any, investigator: Any, signed_in: Any
) -> None:
    client = signed_in(investigator)
    url = reverse("placements:care-plan-autosave", args=[placement.pk])
    client.post(url, {"version": 1, "event_on": TODAY, "care_goal": "Första"})
    plan = CarePlan.objects.get()
    client.post(url, {"version": plan.version, "event_on": TODAY, "care_goal": "Andra"})

    stale = client.post(url, {"version": plan.version, "event_on": TODAY, "care_goal": "Gammal"})
    assert stale.status_code == 409
    assert "Dina senaste ändringar har inte sparats." in stale.content.decode()
    plan.refresh_from_db()
    assert plan.care_goal == "Andra"

    bad = client.post(url, {"version": plan.version, "event_on": "igår"})
    assert bad.status_code == 400 and "Utkastet kunde inte sparas" in bad.content.decode()

    CarePlan.objects.filter(pk=plan.pk).update(status="signed")
    locked = client.post(url, {"version": plan.version, "event_on": TODAY, "care_goal": "Ny"})
    assert locked.status_code == 409
    assert "Dokumentet är signerat" in locked.content.decode()
    plan.refresh_from_db()
    assert plan.care_goal == "Andra"
