"""The red thread to its end: the follow-up's broken links on the case page and the manager's
list (a goal never followed up, a follow-up overdue, a series ended without classification)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from conftest import sign_in
from rodtrad.commissions.tests.factories import CommissionFactory, GoalFactory
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions.services import case_needs
from rodtrad.followup import thread
from rodtrad.followup.services import record_follow_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def commission(ongoing):
    sent = CommissionFactory(
        intervention=ongoing,
        sent=True,
        first_follow_up_on=TODAY - timedelta(days=1),
        follow_up_every_weeks=6,
    )
    for need in case_needs(ongoing.case):
        GoalFactory(commission=sent, needs=[need])
    return sent


def test_goals_never_followed_up_and_an_overdue_follow_up_are_named(commission, investigator):
    full = thread.thread_of(commission.case_id, today=TODAY)
    assert full.count(thread.GOAL_NOT_FOLLOWED_UP) == 2
    assert full.count(thread.FOLLOW_UP_OVERDUE) == 1
    record_follow_up(
        commission,
        by=investigator,
        held_on=TODAY,
        levels={goal.pk: 1 for goal in commission.goals.all()},
        outcome="continue",
        child_view="Bättre.",
        violence_followed_up=True,
    )
    full = thread.thread_of(commission.case_id, today=TODAY)
    assert full.count(thread.GOAL_NOT_FOLLOWED_UP) == 0
    assert full.count(thread.FOLLOW_UP_OVERDUE) == 0
    assert full.broken == 0
    assert {level for level, _day in full.latest_level.values()} == {1}
    later = thread.thread_of(commission.case_id, today=TODAY + timedelta(weeks=6, days=1))
    assert later.count(thread.FOLLOW_UP_OVERDUE) == 1


def test_the_case_page_and_the_team_list_show_them(client, commission, manager):
    sign_in(client, manager)
    page = client.get(reverse("cases:case-detail", args=[commission.case_id])).content.decode()
    assert "2 mål har aldrig följts upp." in page
    assert "1 uppföljning av ett uppdrag är försenad." in page
    listed = client.get(reverse("followup:thread-breaks")).content.decode()
    assert reverse("cases:case-detail", args=[commission.case_id]) in listed
