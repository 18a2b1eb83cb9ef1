"""The demo loads on every day of the year (issue 6, point 1).

The demo history is planned backwards from "today", so whether it loads depends on the date:
weekends, holidays, eves, month ends and leap days move deadlines, and an event planned for
later today is not replayed. Each test generates a small demo with the clock fixed at one of
the dates below, with one of two seeds in turn (on PostgreSQL six of the days), and checks
the invariants every page relies on.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from conftest import sign_in
from rodtrad.accounts.access import CASE_ROLES, active_roles
from rodtrad.accounts.models import District, Role, User
from rodtrad.cases.models import Case, CaseStatus
from rodtrad.decisions.models import Decision, DecisionKind, Intervention
from rodtrad.demo.generator import generate
from rodtrad.demo.users import DEMO_USERS
from rodtrad.intake.models import PreAssessment, ReportChild
from rodtrad.investigation.models import Investigation, Outcome
from rodtrad.journal.verify import verify_chain
from rodtrad.people.models import Person, PersonNameWord, Relationship, RelationshipKind
from rodtrad.people.search import name_words, search_key
from rodtrad.worklists.queries import my_deadlines, open_deadlines, team_deadlines

STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Named days that move deadlines, and the two days the demo once failed on.
NAMED_DAYS = [
    date(2026, 11, 25),  # the demo failed on this day (an anonymous, protected reporter)
    date(2026, 12, 2),  # and on this one
    date(2026, 12, 24),  # julafton
    date(2026, 12, 31),  # nyårsafton
    date(2027, 1, 1),  # nyårsdagen
    date(2027, 1, 6),  # trettondedag jul
    date(2027, 1, 31),  # a month end on a Sunday
    date(2027, 2, 28),  # the last day of a short February
    date(2027, 3, 29),  # annandag påsk (the Monday after Easter)
    date(2027, 3, 31),  # a month end
    date(2027, 4, 30),  # valborgsmässoafton, month end
    date(2027, 5, 1),  # första maj
    date(2027, 5, 6),  # Kristi himmelsfärdsdag
    date(2027, 6, 6),  # nationaldagen (a Sunday)
    date(2027, 6, 25),  # midsommarafton
    date(2027, 6, 26),  # midsommardagen
    date(2027, 6, 30),  # a month end
    date(2027, 8, 31),  # a month end
    date(2027, 10, 31),  # a month end on a Sunday
    date(2027, 11, 6),  # alla helgons dag
    date(2028, 2, 29),  # a leap day
    date(2028, 3, 1),  # the day after a leap day
]
# Eight more days spread through the year, on different weekdays.
SPREAD_DAYS = [date(2027, 1, 20) + timedelta(days=45 * n) for n in range(8)]
DAYS = sorted(set(NAMED_DAYS + SPREAD_DAYS))
# The hour varies too: an event planned for later today is not replayed.
HOURS = (time(0, 5), time(7, 40), time(9, 30), time(13, 15), time(17, 55), time(23, 50))
SEEDS = (1, 2027)
FAMILIES = 14  # one family per district: every district still gets history

# Every day once on SQLite, the two seeds taking turns (each seed meets half the days, and
# the small demo is 5–10 s a day: both seeds on every day were a sixth of CI's time). What
# depends on the date is the same on both engines, and what depends on the engine does not
# depend on the date, so PostgreSQL checks six of the named days.
POSTGRES_DAYS = {
    date(2026, 11, 25),
    date(2026, 12, 2),
    date(2026, 12, 24),
    date(2027, 1, 1),
    date(2027, 6, 25),
    date(2028, 2, 29),
}
CASES = [
    pytest.param(
        day,
        HOURS[index % len(HOURS)],
        SEEDS[index % len(SEEDS)],
        id=f"{day.isoformat()}-seed{SEEDS[index % len(SEEDS)]}",
        marks=() if day in POSTGRES_DAYS else pytest.mark.sqlite,
    )
    for index, day in enumerate(DAYS)
]


def test_the_dates_cover_a_year_and_the_named_days() -> None:
    assert set(NAMED_DAYS) >= POSTGRES_DAYS
    assert len(DAYS) >= 30
    assert max(DAYS) - min(DAYS) >= timedelta(days=365)
    assert {date(2026, 12, 24), date(2026, 12, 31), date(2028, 2, 29)} <= set(DAYS)
    assert {case.values[2] for case in CASES} == set(SEEDS)


def _status_problems(case: Case) -> list[str]:
    """What the case's documents say its status must be, compared with the status."""
    report_children = list(ReportChild.objects.filter(case=case))
    unassessed = [rc for rc in report_children if not hasattr(rc, "protection_assessment")]
    pre = PreAssessment.objects.filter(case=case, corrects__isnull=True).first()
    investigation = Investigation.objects.filter(case=case).first()
    problems: list[str] = []

    def expect(condition: bool, what: str) -> None:
        if not condition:
            problems.append(f"case {case.pk} ({case.status}): {what}")

    expect(bool(report_children), "has no report")
    if case.status == CaseStatus.INTAKE:
        expect(bool(unassessed), "in intake but every report has a protection assessment")
        expect(pre is None, "in intake but has a pre-assessment")
    elif case.status == CaseStatus.PRE_ASSESSMENT:
        expect(pre is not None and not pre.is_signed, "no unsigned pre-assessment")
        expect(investigation is None, "in pre-assessment but has an investigation")
    elif case.status == CaseStatus.INVESTIGATION:
        expect(pre is not None and pre.is_signed and pre.decision == "open", "no decision to open")
        expect(investigation is not None and investigation.is_open, "no open investigation")
    elif case.status == CaseStatus.CLOSED:
        closed_at_pre = pre is not None and pre.is_signed and pre.decision != "open"
        closed_after = (
            investigation is not None
            and not investigation.is_open
            and investigation.outcome != Outcome.PROPOSAL
        )
        decided = Decision.objects.filter(
            case=case, kind__in=[DecisionKind.NO_INTERVENTION, DecisionKind.REFUSED]
        ).exists()
        followed_up = _was_followed_up(case)
        expect(
            closed_at_pre or closed_after or decided or followed_up,
            "closed without a decision that closes it",
        )
    else:  # after the investigation: a proposal, then the decisions
        expect(
            investigation is not None and not investigation.is_open,
            "past the investigation but it is open",
        )
        interventions = list(Intervention.objects.filter(case=case))
        if case.status == CaseStatus.PROPOSAL_AWAITING_DECISION:
            expect(investigation.outcome == Outcome.PROPOSAL, "waiting without a proposal")
            expect(not interventions, "waiting for a decision but has an intervention")
        elif case.status == CaseStatus.INTERVENTION:
            expect(
                any(i.ended_on is None for i in interventions), "in intervention but none is open"
            )
        elif case.status == CaseStatus.FOLLOW_UP:
            expect(
                _was_followed_up(case), "followed up without a decision or an ended intervention"
            )
    return problems


def _was_followed_up(case: Case) -> bool:
    """A follow-up decision, or interventions that have all ended."""
    if Decision.objects.filter(case=case, kind=DecisionKind.FOLLOW_UP).exists():
        return True
    interventions = list(Intervention.objects.filter(case=case))
    return bool(interventions) and all(i.ended_on is not None for i in interventions)


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "at", "seed"), CASES)
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_demo_loads_and_holds_together_on(day: date, at: time, seed: int) -> None:
    moment = datetime.combine(day, at, STOCKHOLM)
    with time_machine.travel(moment, tick=False):
        summary = generate(seed=seed, families=FAMILIES)
        today = day

        # Every district has history, and every case's status agrees with its documents.
        assert summary.cases == Case.objects.count() > 0
        with_history = set(Case.objects.values_list("district__code", flat=True))
        assert set(District.objects.values_list("code", flat=True)) == with_history
        problems = [p for case in Case.objects.all() for p in _status_problems(case)]
        assert problems == []

        # No report about a child not yet born; every guardian at least 18 years older.
        for report_child in ReportChild.objects.select_related("report", "child"):
            assert report_child.report.received_at.date() >= report_child.child.birth_date
        for link in Relationship.objects.filter(kind=RelationshipKind.GUARDIAN).select_related(
            "child", "other"
        ):
            assert link.other.birth_date <= link.child.birth_date.replace(
                year=link.child.birth_date.year - 18, day=min(link.child.birth_date.day, 28)
            )

        # Every open deadline computes (all of them at once), and the demo users' lists too.
        for item in open_deadlines(Case.objects.all(), today=today):
            assert item.due >= item.due_strict >= item.counted_from
        for user in User.objects.filter(username__in=[u.username for u in DEMO_USERS]):
            roles = active_roles(user)
            if roles & CASE_ROLES:
                my_deadlines(user, today=today)
            if Role.TEAM_MANAGER in roles:
                team_deadlines(user, today=today)
        for investigation in Investigation.objects.filter(closed_on__isnull=True):
            deadline = investigation.deadline
            assert deadline.due >= deadline.due_strict > investigation.opened_on

        # Every person can be found by name (bulk inserts skip Person.save(), which sets
        # the search key and the name's words).
        indexed: dict[int, set[tuple[int, str]]] = {}
        for person_id, district_id, word in PersonNameWord.objects.values_list(
            "person_id", "district_id", "word"
        ):
            indexed.setdefault(person_id, set()).add((district_id, word))
        stale = [
            p.pk
            for p in Person.objects.only("given_name", "family_name", "name_key", "district_id")
            if p.name_key != search_key(p.given_name, p.family_name)
            or indexed.get(p.pk)
            != {(p.district_id, word) for word in name_words(p.given_name, p.family_name)}
        ]
        assert stale == []

        # The journal the history wrote verifies.
        assert verify_chain().ok

        # The demo users' start pages and lists answer.
        for username, names in (
            ("utredare", ("home", "deadlines:mine")),
            ("mottagning", ("home", "intake:queue")),
            ("chef", ("home", "deadlines:team", "cases:case-list")),
        ):
            client = sign_in(Client(), User.objects.get(username=username))
            for name in names:
                response = client.get(reverse(name))
                assert response.status_code == 200, (username, name)


@pytest.mark.django_db
@pytest.mark.sqlite  # generation does not depend on the database; a minute less on PostgreSQL
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_a_larger_demo_registers_every_report_and_about_one_in_ten_concerns_siblings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Larger than the default (180 families): it once failed above 300 (reports planned before
    # the children were born). Only the reports are replayed, through the intake service that
    # refused them; what follows a report is the same at any size and is replayed in full by
    # the tests above and by test_demo_red_thread (the whole demo took over a minute and a half
    # of CI here).
    from django.db.models import Count

    from rodtrad.demo import history
    from rodtrad.intake.models import Report

    replay = history.Timeline.replay
    planned: list[str] = []

    def reports_only(timeline: history.Timeline, *, until: datetime) -> None:
        planned.extend(action.__qualname__ for _moment, _n, action in timeline.events)
        timeline.events = [
            event for event in timeline.events if event[2].__qualname__.endswith(".register")
        ]
        replay(timeline, until=until)

    monkeypatch.setattr(history.Timeline, "replay", reports_only)
    with time_machine.travel(datetime(2027, 3, 10, 9, 30, tzinfo=STOCKHOLM), tick=False):
        generate(seed=1, families=320)
    registers = sum(1 for name in planned if name.endswith(".register"))
    assert registers > 150 and len(planned) > 5 * registers  # the whole history was planned
    children_per_report = list(
        Report.objects.annotate(n=Count("children")).values_list("n", flat=True)
    )
    assert len(children_per_report) == registers  # every report planned was registered
    assert all(
        link.child.birth_date + timedelta(days=14) <= report.receipt_date
        for report in Report.objects.prefetch_related("children__child")
        for link in report.children.all()
    )
    siblings = sum(1 for n in children_per_report if n > 1)
    assert 0.05 <= siblings / len(children_per_report) <= 0.2
