"""The red thread's checks: every broken link named, the same for the case page and the team
list, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rodtrad.commissions import thread
from rodtrad.commissions.tests.factories import CommissionFactory, GoalFactory
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions.services import case_needs
from rodtrad.decisions.tests.conftest import grant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY, tick=False)


def test_nothing_is_broken_before_a_decision(proposal):
    assert thread.thread_of(proposal).broken == 0


def test_each_kind_of_broken_link_is_named(proposal, manager):
    school, safety = case_needs(proposal)
    intervention = grant(proposal, manager, need_ids=[school.pk]).intervention
    found = thread.thread_of(proposal)
    assert found.count(thread.NO_INTERVENTION) == 1  # safety: no intervention
    assert found.count(thread.NO_GOAL) == 1  # school: intervention, no goal
    GoalFactory(commission=CommissionFactory(intervention=intervention), needs=[school])
    grant(proposal, manager, need_ids=[], no_needs_reason="Akut.")
    found = thread.thread_of(proposal)
    assert found.count(thread.NO_GOAL) == 0
    assert found.count(thread.NO_NEED) == 1
    assert found.broken == 2


def test_the_thread_of_many_cases_takes_the_same_queries_as_of_one(proposal, manager):
    grant(proposal, manager)
    with CaptureQueriesContext(connection) as one:
        thread.threads([proposal.pk])
    with CaptureQueriesContext(connection) as many:
        thread.threads([proposal.pk, proposal.pk + 1, proposal.pk + 2])
    assert len(one) == len(many)
