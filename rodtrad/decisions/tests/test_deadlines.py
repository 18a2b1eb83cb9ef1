"""The decisions' deadlines in the lists: carrying out a decision (SoL 34:1), the end of a
follow-up (SoL 23:5) and a time-limited decision's review (a reminder)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from conftest import sign_in
from rodtrad.deadlines import rules
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions import services
from rodtrad.decisions.models import DecisionKind, DecisionLevel
from rodtrad.decisions.tests.conftest import grant
from rodtrad.worklists.queries import my_deadlines

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY, tick=False)


def _kinds(user):
    return {item.kind: item for item in my_deadlines(user, today=TODAY)}


def test_a_granted_intervention_must_start_within_three_months(
    client, proposal, manager, investigator
):
    proposal.responsible = investigator
    proposal.save()
    decision = grant(
        proposal,
        manager,
        effective_to=TODAY + timedelta(days=365),
        review_on=TODAY + timedelta(days=180),
    )
    items = _kinds(investigator)
    start = items[rules.NOT_CARRIED_OUT]
    assert start.due == rules.add_months(TODAY, 3)
    assert items["decision_review"].due == TODAY + timedelta(days=180)
    assert items["decision_review"].is_reminder
    sign_in(client, investigator)
    page = client.get(reverse("deadlines:mine")).content.decode()
    assert "Insatsen ska påbörjas" in page and "Beslutet omprövas" in page
    assert reverse("decisions:intervention-detail", args=[decision.intervention.pk]) in page
    services.start_intervention(
        decision.intervention,
        by=investigator,
        expected_version=decision.intervention.version,
        started_on=TODAY,
    )
    assert rules.NOT_CARRIED_OUT not in _kinds(investigator)


def test_a_follow_up_after_an_investigation_ends_six_months_after_it_closed(
    proposal, manager, investigator
):
    proposal.responsible = investigator
    proposal.save()
    services.record_decision(
        proposal,
        by=manager,
        kind=DecisionKind.FOLLOW_UP,
        legal_ground="sol-23-1",
        level=DecisionLevel.DELEGATE,
        decided_on=TODAY,
        effective_to=TODAY + timedelta(days=60),
        reasons="Uppföljning efter utredningen.",
    )
    closed_on = proposal.investigations.get().closed_on
    item = _kinds(investigator)[rules.FOLLOW_UP]
    assert item.due == rules.add_months(closed_on, 6)
