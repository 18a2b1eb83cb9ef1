"""One clock per deadline: every page that shows a running deadline shows the same one.

A property test over days around weekends, holidays and the eves of lag (1930:173) 2 §: for
an open investigation, a waiting pre-assessment, a protection assessment not yet made and a
placement's review, the case page (but for the placement), the phase page (the investigation
page, the pre-assessment, the protection assessment form, the intervention page), "Mina
frister" and the team view show the same last day, days left and urgency. Before issue 7 the
investigation page counted the days from `due` and the lists from `due_strict`, so when four
months ended on a day off the two disagreed.

Each page marks its clocks with the shared template (`deadlines/includes/days_left.html`):
`data-deadline="kind:row" data-due data-days-left data-urgency`; the visible text comes from
the same template, so comparing the attributes compares what the user reads.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rodtrad.cases.models import CaseStatus
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.deadlines import rules
from rodtrad.deadlines.tests.clock import STOCKHOLM
from rodtrad.intake.tests.factories import PreAssessmentFactory, ReportChildFactory
from rodtrad.investigation.tests.factories import InvestigationFactory
from rodtrad.placements.tests.factories import PlacementFactory

pytestmark = pytest.mark.django_db

# The clock in conftest.py starts at 10 June 2026, when the users' memberships begin; the
# days tried run a year from there (midsommar, alla helgons, jul, nyår, påsk, Kristi
# himmelsfärd, nationaldagen).
FIRST_DAY = date(2026, 6, 10)
LAST_DAY = date(2027, 6, 30)
DAYS_OFF = sorted(
    day
    for day in (FIRST_DAY + timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days))
    if rules.is_non_working_day(day) and day.weekday() < 5
)  # holidays and eves on weekdays; weekends come with every ±3 days around them

CLOCK = re.compile(
    r'data-deadline="(?P<key>[a-z_]+:\d+)" data-due="(?P<due>[\d-]+)" '
    r'data-days-left="(?P<left>-?\d+)" data-urgency="(?P<urgency>[a-z]+)"'
)


def clocks_on(client: Any, url: str) -> dict[str, tuple[str, str, str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    found: dict[str, set[tuple[str, str, str]]] = {}
    for m in CLOCK.finditer(response.content.decode()):
        found.setdefault(m["key"], set()).add((m["due"], m["left"], m["urgency"]))
    for key, shown in found.items():
        assert len(shown) == 1, f"{url} shows {key} in two ways: {shown}"
    return {key: next(iter(shown)) for key, shown in found.items()}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    anchor=st.sampled_from(DAYS_OFF),
    due_shift=st.integers(min_value=-2, max_value=2),
    days_before=st.integers(min_value=-5, max_value=5),
)
def test_every_page_shows_the_same_date_days_left_and_urgency(
    clock: Any,
    signed_in: Any,
    manager: Any,
    intake_worker: Any,
    own_district: Any,
    anchor: date,
    due_shift: int,
    days_before: int,
) -> None:
    target = anchor + timedelta(days=due_shift)  # the calendar last day aimed at
    today = max(FIRST_DAY, min(LAST_DAY, target - timedelta(days=days_before)))
    clock.move_to(datetime.combine(today, datetime.min.time(), STOCKHOLM) + timedelta(hours=9))
    with transaction.atomic():
        # An investigation whose four months end on (or next to) a day off.
        opened_on = rules.add_months(target, -4)
        investigating = CaseFactory(
            child__district=own_district, responsible=manager, status=CaseStatus.INVESTIGATION
        )
        investigation = InvestigationFactory(
            case=investigating, opened_by=manager, opened_on=opened_on
        )
        # A waiting pre-assessment whose 14 days end there.
        received = target - timedelta(days=14)
        waiting = CaseFactory(
            child__district=own_district, responsible=manager, status=CaseStatus.PRE_ASSESSMENT
        )
        report_child = ReportChildFactory(
            case=waiting,
            report__registered_by=intake_worker,
            report__received_at=datetime.combine(received, datetime.min.time(), STOCKHOLM)
            + timedelta(hours=10),
        )
        PreAssessmentFactory(case=waiting, author=manager, received_on=received)
        # A placement whose six months to the first review end there.
        placement = PlacementFactory(
            decision__case__child__district=own_district,
            decision__case__responsible=manager,
            decision__case__status=CaseStatus.INTERVENTION,
            decision__decided_on=rules.add_months(target, -6),
            planned_start=rules.add_months(target, -6),
        )

        client = signed_in(manager)
        mine = clocks_on(client, reverse("deadlines:mine"))
        team = clocks_on(client, reverse("deadlines:team"))
        pages = {
            f"investigation:{investigation.pk}": [
                reverse("cases:case-detail", args=[investigating.pk]),
                reverse("investigation:investigation-detail", args=[investigation.pk]),
            ],
            f"pre_assessment:{waiting.pk}": [
                reverse("cases:case-detail", args=[waiting.pk]),
                reverse("intake:pre-assessment-edit", args=[waiting.pk]),
            ],
            # The case page lists the decisions, not the placement's clocks: its detail page
            # is the intervention page.
            f"placement_review:{placement.pk}": [
                reverse("decisions:intervention-detail", args=[placement.pk]),
            ],
            f"protection_assessment:{report_child.pk}": [
                reverse("cases:case-detail", args=[waiting.pk]),
                reverse("intake:protection-assessment-create", args=[report_child.pk]),
            ],
        }
        for key, urls in pages.items():
            assert key in mine, (today, key, mine)
            assert team[key] == mine[key], (today, key)
            for url in urls:
                assert clocks_on(client, url).get(key) == mine[key], (today, key, url)
        transaction.set_rollback(True)


def test_four_months_ending_on_midsommardagen_read_the_same_on_both_pages(
    signed_in: Any, manager: Any, own_district: Any
) -> None:
    # Opened 20 February 2026: four months end on Saturday 20 June (midsommardagen); the law
    # lets the work wait until Monday 22 June. Today is 10 June (conftest.py): ten days to
    # the calendar date, which is what every page counts from. Before issue 7 the
    # investigation page said "12 dagar kvar" and "Mina frister" "10 dagar kvar".
    case = CaseFactory(
        child__district=own_district, responsible=manager, status=CaseStatus.INVESTIGATION
    )
    investigation = InvestigationFactory(case=case, opened_by=manager, opened_on=date(2026, 2, 20))
    client = signed_in(manager)

    page = client.get(reverse("investigation:investigation-detail", args=[investigation.pk]))
    mine = client.get(reverse("deadlines:mine"))

    for body in (page.content.decode(), mine.content.decode()):
        assert "10 dagar kvar" in body
        assert "12 dagar kvar" not in body
        assert "2026-06-20" in body
        assert "får göras senast 2026-06-22" in body
