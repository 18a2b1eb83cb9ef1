"""The log review (issue 11, point 6; docs/internal-control.md, "The log review"; S23, S26).

Each rule has its own seeded scenario beside an ordinary read (a Bromma investigator reading a
Bromma case on a Tuesday morning) that no rule flags."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import sign_in
from rodtrad.accounts.models import Role
from rodtrad.accounts.tests.factories import UserFactory
from rodtrad.audits import queries, sampling, services
from rodtrad.audits.models import LogAnswer, LogReview, LogReviewItem, LogRule
from rodtrad.audits.tests import factories
from rodtrad.audits.tests.conftest import STOCKHOLM
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.journal.models import AccessEvent, JournalEntry
from rodtrad.lib.versioning import StaleVersion
from rodtrad.people.models import ProtectedPersonHandler
from rodtrad.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 6, 9)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=STOCKHOLM)


def read(user: Any, case: Any, when: datetime | None = None, **fields: Any) -> AccessEvent:
    """`user` read `case` (their districts as the journal writes them: Bromma)."""
    fields.setdefault("districts", "bromma")
    return factories.access_event(user, case=case, occurred_at=when or at(TUESDAY, 10), **fields)


def bromma_case(district: Any, **child: Any) -> Any:
    return CaseFactory(child=PersonFactory(district=district, **child))


def review_of(by: Any, *, sample_size: int = 0, seed: int | None = None) -> LogReview:
    return services.create_log_review(
        by=by,
        period_start=date(2026, 6, 1),
        period_end=date(2026, 6, 10),
        sample_size=sample_size,
        seed=seed,
    )


def kinds(review: LogReview, event: AccessEvent) -> set[str]:
    return set(review.items.filter(event=event).values_list("kind", flat=True))


@pytest.fixture
def ordinary(investigator: Any, own_district: Any) -> AccessEvent:
    return read(investigator, bromma_case(own_district))


def test_s23_an_ordinary_read_is_not_flagged(admin: Any, ordinary: AccessEvent) -> None:
    review = review_of(admin)
    assert review.population_count == 1
    assert kinds(review, ordinary) == set()


def test_s23_a_protected_person_read_by_a_non_handler_is_flagged_but_not_by_a_handler(
    admin: Any, investigator: Any, manager: Any, own_district: Any, ordinary: AccessEvent
) -> None:
    case = bromma_case(own_district, protected=True)
    by_stranger = read(investigator, case)
    handler = factories.access_event(manager, case=case, occurred_at=at(TUESDAY, 11))
    ProtectedPersonHandler.objects.create(person=case.child, user=manager, appointed_by=admin)
    review = review_of(admin)
    assert kinds(review, by_stranger) == {LogRule.PROTECTED}
    assert LogRule.PROTECTED not in kinds(review, handler)
    assert kinds(review, ordinary) == set()


def test_s23_an_emergency_read_is_flagged(
    admin: Any, investigator: Any, own_district: Any, ordinary: AccessEvent
) -> None:
    grant_read = read(
        investigator, bromma_case(own_district), is_emergency=True, reason="Socialjouren i natt."
    )
    review = review_of(admin)
    assert kinds(review, grant_read) == {LogRule.EMERGENCY}
    assert kinds(review, ordinary) == set()


def test_s23_a_case_outside_the_readers_districts_is_flagged(
    admin: Any, investigator: Any, other_district: Any, ordinary: AccessEvent
) -> None:
    farsta = read(investigator, bromma_case(other_district))
    review = review_of(admin)
    assert kinds(review, farsta) == {LogRule.OUTSIDE_DISTRICT}
    assert kinds(review, ordinary) == set()


def test_s23_a_person_with_the_readers_family_name_is_flagged(
    admin: Any, investigator: Any, own_district: Any, ordinary: AccessEvent
) -> None:
    investigator.last_name = "Lindqvist"
    investigator.save()
    relative = read(investigator, bromma_case(own_district, family_name=" LINDQVIST"))
    review = review_of(admin)
    assert kinds(review, relative) == {LogRule.NAMESAKE}
    assert kinds(review, ordinary) == set()


@pytest.mark.parametrize(
    ("when", "flagged"),
    [
        (at(TUESDAY, 6, 59), True),
        (at(TUESDAY, 7, 0), False),
        (at(TUESDAY, 18, 59), False),
        (at(TUESDAY, 19, 0), True),
        (at(date(2026, 6, 6), 10), True),  # a Saturday
        (at(date(2026, 6, 7), 12), True),  # a Sunday
    ],
)
def test_s23_reads_outside_working_hours_are_flagged(
    admin: Any, investigator: Any, own_district: Any, when: datetime, flagged: bool
) -> None:
    event = read(investigator, bromma_case(own_district), when)
    review = review_of(admin)
    assert (LogRule.AFTER_HOURS in kinds(review, event)) is flagged


def test_s23_a_day_with_many_more_persons_than_the_readers_median_is_flagged_once(
    admin: Any, investigator: Any, reviewer: Any, own_district: Any
) -> None:
    cases = [bromma_case(own_district) for _ in range(25)]
    for day in (date(2026, 6, 2), date(2026, 6, 3), date(2026, 6, 4)):
        for case in cases[:2]:
            read(investigator, case, at(day, 10))
    first = read(investigator, cases[0], at(TUESDAY, 8))
    for minute, case in enumerate(cases[1:], start=1):
        read(investigator, case, at(TUESDAY, 9, minute))
    # Another reader's 20 a day against a median of 10: not more than three times.
    for day in (date(2026, 6, 2), date(2026, 6, 3)):
        for case in cases[:10]:
            read(reviewer, case, at(day, 10))
    for case in cases[:20]:
        read(reviewer, case, at(TUESDAY, 10))
    review = review_of(admin)
    many = list(review.items.filter(kind=LogRule.MANY_PERSONS))
    assert [item.event_id for item in many] == [first.pk]
    assert many[0].detail == {"day": "2026-06-09", "persons": 25, "median": 2.0}


def test_s23_the_sample_is_reproducible_from_the_seed(
    admin: Any, reviewer: Any, investigator: Any, own_district: Any
) -> None:
    events = [read(investigator, bromma_case(own_district)) for _ in range(30)]
    first = review_of(admin, sample_size=5, seed=99)
    again = review_of(reviewer, sample_size=5, seed=99)

    def drawn(review: LogReview) -> list[int]:
        items = sorted(review.items.filter(kind=LogRule.SAMPLE), key=lambda i: i.detail["order"])
        return [item.event_id for item in items]

    ids = sorted(e.pk for e in events)
    # One stratum here (Bromma readers, June): the draw is random.Random(seed).sample.
    assert first.population_counts == {"bromma 2026-06": 30}
    assert drawn(first) == drawn(again) == random.Random(99).sample(ids, 5)
    assert drawn(first) == sampling.draw({"bromma 2026-06": ids}, 5, 99)["bromma 2026-06"]
    assert first.population_hash == again.population_hash
    # Another seed, another sample; the sample is never larger than the population.
    assert drawn(review_of(admin, sample_size=5, seed=100)) != drawn(first)
    assert len(drawn(review_of(admin, sample_size=500))) == 30


def test_s23_the_sample_is_drawn_per_district_and_month(
    admin: Any, investigator: Any, own_district: Any, other_district: Any
) -> None:
    # S23: "N per unit per month". Bromma reads in May and June, a Farsta reader's in June and
    # an administrator's (no district): four strata, each drawn on its own.
    may, june = date(2026, 5, 26), TUESDAY
    case = bromma_case(own_district)
    for _ in range(4):
        read(investigator, case, at(may, 10))
        read(investigator, case, at(june, 10))
        read(investigator, case, at(june, 11), districts=other_district.code)
    read(admin, case, at(june, 12), districts="")
    review = services.create_log_review(
        by=admin, period_start=may, period_end=june, sample_size=2, seed=5
    )
    assert review.population_counts == {
        "- 2026-06": 1,
        f"{other_district.code} 2026-06": 4,
        "bromma 2026-05": 4,
        "bromma 2026-06": 4,
    }
    drawn = review.items.filter(kind=LogRule.SAMPLE)
    per_stratum: dict[str, int] = {}
    for item in drawn:
        per_stratum[item.detail["stratum"]] = per_stratum.get(item.detail["stratum"], 0) + 1
    assert per_stratum == {
        "- 2026-06": 1,
        f"{other_district.code} 2026-06": 2,
        "bromma 2026-05": 2,
        "bromma 2026-06": 2,
    }
    entry = JournalEntry.objects.get(action="audits.log_review_created")
    assert entry.data["population"] == review.population_counts


def test_s23_creating_is_journaled_and_refused_to_other_roles(
    admin: Any, investigator: Any, manager: Any, ordinary: AccessEvent
) -> None:
    review = review_of(admin, sample_size=1, seed=7)
    entry = JournalEntry.objects.get(action="audits.log_review_created")
    assert entry.object_id == str(review.pk)
    assert entry.data["seed"] == 7
    assert entry.data["items"] == {"sample": 1}
    for user in (investigator, manager):
        with pytest.raises(PermissionDenied):
            review_of(user)
    with pytest.raises(ValidationError):
        services.create_log_review(
            by=admin, period_start=TUESDAY, period_end=TUESDAY - timedelta(days=1), sample_size=1
        )


def test_s23_answering_an_item_is_journaled_locked_and_counted(
    admin: Any, reviewer: Any, investigator: Any, own_district: Any
) -> None:
    flagged = read(investigator, bromma_case(own_district), at(TUESDAY, 22))
    review = review_of(admin)
    item = review.items.get(event=flagged)
    with pytest.raises(ValidationError):  # not justified needs a note
        services.answer_log_item(
            by=reviewer, item=item, answer=LogAnswer.NOT_JUSTIFIED, note="", expected_version=1
        )
    answered = services.answer_log_item(
        by=reviewer,
        item=item,
        answer=LogAnswer.REFERRED,
        note="Frågat enhetschefen.",
        expected_version=1,
    )
    assert (answered.answer, answered.answered_by, answered.version) == (
        LogAnswer.REFERRED,
        reviewer,
        2,
    )
    entry = JournalEntry.objects.get(action="audits.log_item_answered")
    assert entry.data["answer"] == LogAnswer.REFERRED
    with pytest.raises(StaleVersion):
        services.answer_log_item(
            by=admin, item=item, answer=LogAnswer.JUSTIFIED, note="", expected_version=1
        )
    rows = {row["kind"]: row for row in queries.log_results(review)}
    assert rows[LogRule.AFTER_HOURS]["total"] == 1
    assert rows[LogRule.AFTER_HOURS]["answers"] == [0, 0, 1]  # justified, not, referred
    assert rows[LogRule.AFTER_HOURS]["unanswered"] == 0
    assert rows[LogRule.EMERGENCY]["total"] == 0


def test_s23_nobody_answers_an_item_about_their_own_read(
    admin: Any, reviewer: Any, own_district: Any
) -> None:
    own = read(reviewer, bromma_case(own_district), at(TUESDAY, 23))
    item = review_of(admin).items.get(event=own)
    with pytest.raises(ValidationError):
        services.answer_log_item(
            by=reviewer, item=item, answer=LogAnswer.JUSTIFIED, note="", expected_version=1
        )
    # An investigator may not answer at all.
    investigator = UserFactory(role=Role.INVESTIGATOR, role__district=own_district)
    with pytest.raises(PermissionDenied):
        services.answer_log_item(
            by=investigator, item=item, answer=LogAnswer.JUSTIFIED, note="", expected_version=1
        )


def test_s26_the_pages_show_no_names_are_access_logged_and_404_for_other_roles(
    client: Any, admin: Any, reviewer: Any, investigator: Any, manager: Any, own_district: Any
) -> None:
    case = bromma_case(own_district, given_name="Hemliga", family_name="Namnsson", protected=True)
    event = read(investigator, case)
    sign_in(client, reviewer)
    created = client.post(
        reverse("audits:log-review-create"),
        {"period_start": "2026-06-01", "period_end": "2026-06-10", "sample_size": "3"},
    )
    assert created.status_code == 302
    review = LogReview.objects.get()
    page = client.get(reverse("audits:log-review-detail", args=[review.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert str(event.case_id) in body and investigator.username in body
    # The sample's strata by district name and month, not by code.
    assert f"{own_district.name}, juni 2026: 1" in body
    assert "Namnsson" not in body and "Hemliga" not in body
    assert case.child.identity_number not in body
    seen = AccessEvent.objects.filter(user=reviewer, route="audits:log-review-detail").get()
    assert seen.reason == f"Loggranskning {review.pk}"
    assert seen.person_id is None and seen.case_id is None  # not itself in the next review

    item = review.items.get(event=event, kind=LogRule.PROTECTED)
    url = reverse("audits:log-item", args=[item.pk])
    assert "Namnsson" not in client.get(url).content.decode()
    answered = client.post(
        url, {"answer": LogAnswer.NOT_JUSTIFIED, "note": "Ingen uppgift i ärendet.", "version": 1}
    )
    assert answered.status_code == 302
    assert LogReviewItem.objects.get(pk=item.pk).answer == LogAnswer.NOT_JUSTIFIED

    for other in (investigator, manager):
        sign_in(client, other)
        for name, args in (
            ("audits:log-review-list", []),
            ("audits:log-review-create", []),
            ("audits:log-review-detail", [review.pk]),
            ("audits:log-item", [item.pk]),
        ):
            assert client.get(reverse(name, args=args)).status_code == 404


def test_s23_a_period_that_ends_before_it_starts_is_the_form_again_and_nothing_is_saved(
    client: Any, admin: Any
) -> None:
    sign_in(client, admin)
    page = client.post(
        reverse("audits:log-review-create"),
        {"period_start": "2026-06-10", "period_end": "2026-06-01", "sample_size": "3"},
    )
    assert page.status_code == 200
    assert "Perioden kan inte sluta innan den börjar." in page.content.decode()
    assert not LogReview.objects.exists()
    assert not JournalEntry.objects.filter(action="audits.log_review_created").exists()
