"""The quarterly report of decisions not carried out (SoL 34 kap. 1 §): which decisions are
reported in which quarter, on any dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from rodtrad.accounts.models import Role
from rodtrad.accounts.tests.factories import DistrictFactory, UserFactory
from rodtrad.cases.models import CaseStatus
from rodtrad.deadlines.rules import add_months
from rodtrad.decisions.queries import Quarter, not_carried_out_report
from rodtrad.decisions.tests.factories import InterventionFactory

pytestmark = pytest.mark.django_db

FAR = date(2030, 1, 1)


def _report(manager, quarter, today=FAR):
    return [row.intervention.pk for row in not_carried_out_report(manager, quarter, today=today)]


@pytest.fixture
def manager(own_district):
    return UserFactory(role=Role.TEAM_MANAGER, role__district=own_district)


def _granted(district, decided_on, started_on=None, ended_on=None):
    return InterventionFactory(
        decision__case__child__district=district,
        decision__case__status=CaseStatus.INTERVENTION,
        decision__decided_on=decided_on,
        started_on=started_on,
        ended_on=ended_on,
        end_reason="never_started" if ended_on and not started_on else "",
    )


def test_a_decision_is_reported_from_the_quarter_its_three_months_run_out(own_district, manager):
    waiting = _granted(own_district, date(2026, 1, 10))
    late = _granted(own_district, date(2026, 1, 10), started_on=date(2026, 5, 4))
    in_time = _granted(own_district, date(2026, 1, 10), started_on=date(2026, 3, 2))
    recent = _granted(own_district, date(2026, 5, 1))
    assert _report(manager, Quarter(2026, 1)) == []
    assert set(_report(manager, Quarter(2026, 2))) == {waiting.pk, late.pk}
    # Started in Q2: not reported again; the one still waiting, and the May decision now due.
    assert set(_report(manager, Quarter(2026, 3))) == {waiting.pk, recent.pk}
    assert in_time.pk not in _report(manager, Quarter(2026, 2))


def test_the_running_quarter_counts_to_today_and_rows_show_no_identity(own_district, manager):
    row = _granted(own_district, date(2026, 3, 20))
    assert _report(manager, Quarter(2026, 2), today=date(2026, 6, 19)) == []
    [reported] = not_carried_out_report(manager, Quarter(2026, 2), today=date(2026, 6, 20))
    assert reported.intervention.pk == row.pk and reported.state == "waiting"
    assert reported.days_waited == (date(2026, 6, 20) - date(2026, 3, 20)).days


def test_another_districts_decisions_are_not_in_the_managers_report(other_district, manager):
    _granted(other_district, date(2026, 1, 10))
    assert _report(manager, Quarter(2026, 2)) == []


def test_quarters_parse_and_step_back():
    assert Quarter.parse("2026-4", default=FAR) == Quarter(2026, 4)
    assert Quarter.parse("2026-5", default=date(2026, 2, 1)) == Quarter(2026, 1)
    assert Quarter.parse("x", default=date(2026, 12, 31)) == Quarter(2026, 4)
    assert Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert Quarter(2024, 1).last_day == date(2024, 3, 31)


class NotCarriedOutAcrossDates(HypothesisTestCase):
    @settings(max_examples=40, deadline=None)
    @example(decided=date(2025, 11, 30), start_after=None)  # due 28 February
    @example(decided=date(2026, 3, 31), start_after=None)  # due 30 June, the quarter's last day
    @example(decided=date(2027, 11, 29), start_after=91)  # due 29 February 2028, started 1 March
    @given(
        decided=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
        start_after=st.one_of(st.none(), st.integers(0, 400)),
    )
    def test_reported_exactly_in_the_quarters_it_waited_past_three_months(
        self, decided, start_after
    ):
        district = DistrictFactory()
        manager = UserFactory(role=Role.TEAM_MANAGER, role__district=district)
        started = decided + timedelta(days=start_after) if start_after is not None else None
        row = _granted(district, decided, started_on=started)
        due = add_months(decided, 3)
        quarter = Quarter.of(decided)
        for _ in range(12):
            reported = row.pk in _report(manager, quarter)
            in_time = started is not None and started <= due
            expected = (
                not in_time
                and due <= quarter.last_day
                and (started is None or started >= quarter.first_day)
            )
            assert reported == expected, (quarter, decided, started)
            quarter = Quarter.of(quarter.last_day + timedelta(days=1))
