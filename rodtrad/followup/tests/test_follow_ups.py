"""A commission's follow-up: every goal's level, the T-score, the child's view, violence
followed up in a violence case; recorded by the handler or the provider, nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import sign_in
from rodtrad.commissions.tests.factories import CommissionFactory, GoalFactory
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions.services import GrantedIntervention, case_needs
from rodtrad.decisions.tests.conftest import grant
from rodtrad.followup import scoring
from rodtrad.followup import services as follow_ups
from rodtrad.followup.models import FollowUp
from rodtrad.journal.models import JournalEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def commission(proposal, manager, own_units):
    intervention = grant(
        proposal,
        manager,
        granted=GrantedIntervention(
            catalogue_code="fft", provider_unit_id=own_units["provider"].pk, planned_start=TODAY
        ),
    ).intervention
    school, safety = case_needs(proposal)
    sent = CommissionFactory(intervention=intervention, sent=True)
    GoalFactory(commission=sent, needs=[school])
    GoalFactory(commission=sent, needs=[safety], text="Tryggt hemma.", weight=2)
    return sent


def _levels(commission, *values):
    return {goal.pk: value for goal, value in zip(commission.goals.all(), values, strict=True)}


def test_the_provider_records_where_each_goal_stands_and_the_t_score(commission, provider):
    follow_up = follow_ups.record_follow_up(
        commission,
        by=provider,
        held_on=TODAY,
        levels=_levels(commission, 1, 0),
        outcome="continue",
        child_view="Det är bättre i skolan.",
        violence_followed_up=True,  # the case has a violence reason (J)
    )
    # Hand-worked: T = 50 + 10·(1·1 + 2·0)/sqrt(0.7·(1² + 2²) + 0.3·(1 + 2)²)
    #             = 50 + 10/sqrt(3.5 + 2.7) = 50 + 10/2.48998 = 54.016…
    assert follow_up.gas_t_score == pytest.approx(54.016, abs=0.001)
    assert follow_up.gas_t_score == pytest.approx(scoring.gas_t_score([(1, 1.0), (0, 2.0)]))
    assert sorted(r.level for r in follow_up.ratings.all()) == [0, 1]
    entry = JournalEntry.objects.get(action="followup.follow_up_recorded")
    assert entry.data["gas_t_score"] == 54.0 and "Det är bättre" not in str(entry.data)
    nxt = follow_ups.next_follow_up_on(commission, TODAY)
    assert nxt is None or nxt > TODAY


def test_every_goal_the_childs_view_and_violence_are_required(commission, investigator):
    with pytest.raises(ValidationError) as refused:
        follow_ups.record_follow_up(
            commission,
            by=investigator,
            held_on=TODAY + timedelta(days=1),
            levels={},
            outcome="",
        )
    fields = set(refused.value.message_dict)
    goal_fields = {follow_ups.goal_field(goal.pk) for goal in commission.goals.all()}
    assert goal_fields | {"held_on", "child_view", "violence_followed_up", "outcome"} <= fields
    assert not FollowUp.objects.exists()


def test_nobody_else_records_and_a_draft_is_not_followed_up(
    commission, other_district_investigator, analyst, investigator
):
    for outsider in (other_district_investigator, analyst):
        with pytest.raises(PermissionDenied):
            follow_ups.record_follow_up(
                commission, by=outsider, held_on=TODAY, levels={}, outcome="continue"
            )
    draft = CommissionFactory(intervention=commission.intervention)
    with pytest.raises(ValidationError) as refused:
        follow_ups.record_follow_up(
            draft,
            by=investigator,
            held_on=TODAY,
            levels={},
            outcome="continue",
            child_view="Bra.",
            violence_followed_up=True,
        )
    assert "held_on" in refused.value.message_dict


def test_the_provider_records_it_on_a_page_and_the_commission_shows_the_levels(
    client, commission, provider
):
    sign_in(client, provider)
    url = reverse("followup:follow-up-create", args=[commission.pk])
    goals = list(commission.goals.all())
    form = client.get(url).content.decode()
    assert goals[0].level_plus_2 in form and "Följdes våldet upp" in form
    response = client.post(
        url,
        {
            "held_on": TODAY.isoformat(),
            follow_ups.goal_field(goals[0].pk): "2",
            follow_ups.goal_field(goals[1].pk): "-1",
            "child_view": "Jag trivs bättre.",
            "violence_followed_up": "yes",
            "outcome": "continue",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("commissions:commission-detail", args=[commission.pk]))
    body = page.content.decode()
    assert "+2" in body and "-1" in body and "Fortsätt som planerat" in body


def test_the_next_follow_up_is_in_mina_frister_until_it_is_held(commission, investigator, provider):
    from rodtrad.worklists.queries import my_deadlines

    commission.case.responsible = investigator
    commission.case.save()
    commission.first_follow_up_on = TODAY + timedelta(days=14)
    commission.follow_up_every_weeks = 6
    commission.save()
    [item] = [
        i for i in my_deadlines(investigator, today=TODAY) if i.kind == "commission_follow_up"
    ]
    assert item.due == TODAY + timedelta(days=14) and item.is_reminder
    follow_ups.record_follow_up(
        commission,
        by=provider,
        held_on=TODAY,
        levels=_levels(commission, 0, 0),
        outcome="continue",
        child_view="Bra.",
        violence_followed_up=True,
    )
    [item] = [
        i for i in my_deadlines(investigator, today=TODAY) if i.kind == "commission_follow_up"
    ]
    assert item.due == TODAY + timedelta(weeks=6)
