"""The case lists and the emergency review list at city scale (issue 7, point 7).

Their cost must not grow with the rows shown, and the queries must be ones an index answers:
no emergency-grant OR for a user without a grant (with it SQLite sorted the whole district
before the first page), and the review list's reads found by index, not by scanning every
access event.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rodtrad.accounts.models import EmergencyAccess
from rodtrad.cases import queries
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.journal.models import AccessEvent
from rodtrad.people.tests.factories import PersonFactory

API = "/api/v1/cases"
REVIEW = "/arenden/nodatkomst/granska/"


def _cases(unit: Any, count: int) -> list[Any]:
    return [
        CaseFactory(child=PersonFactory(district=unit.district), unit=unit) for _ in range(count)
    ]


def _query_count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_api_list_costs_the_same_queries_for_2_and_for_10_cases(
    own_units, investigator, signed_in
) -> None:
    client = signed_in(investigator)
    _cases(own_units["investigation"], 2)
    client.get(API)
    few = _query_count(client, API)
    _cases(own_units["investigation"], 8)
    assert _query_count(client, API) == few
    assert client.get(API).json()["count"] == 10


def _grants(case_unit: Any, reader: Any, count: int) -> None:
    """`count` past grants to cases of `case_unit`, each with two reads through it."""
    start = timezone.now() - timedelta(days=3)
    for case in _cases(case_unit, count):
        grant = EmergencyAccess.objects.create(
            user=reader,
            case=case,
            reason="Socialjouren behövde se ärendet.",
            starts_at=start,
            expires_at=start + timedelta(hours=8),
        )
        AccessEvent.objects.bulk_create(
            AccessEvent(
                occurred_at=start + timedelta(minutes=minute),
                user=reader,
                action="viewed",
                case_id=case.pk,
                person_id=case.child_id,
                is_emergency=True,
                emergency_access_id=grant.pk,
                route="cases:case-detail",
            )
            for minute in (5, 10)
        )


def test_the_emergency_review_list_costs_the_same_queries_for_2_and_for_10_grants(
    own_units, other_district_investigator, manager, signed_in
) -> None:
    client = signed_in(manager)
    _grants(own_units["investigation"], other_district_investigator, 2)
    client.get(REVIEW)
    few = _query_count(client, REVIEW)
    _grants(own_units["investigation"], other_district_investigator, 8)
    assert _query_count(client, REVIEW) == few
    assert client.get(REVIEW).content.decode().count("2 läsningar</a>") == 10


def test_the_emergency_review_list_shows_25_grants_a_page_what_waits_first(
    own_units, other_district_investigator, manager, signed_in
) -> None:
    """26 grants make two pages; the ones waiting for the manager come first whatever their
    age (a request to approve, then used grants not yet reviewed), then the reviewed ones,
    newest first. Paging costs the same queries on either page."""
    client = signed_in(manager)
    _grants(own_units["investigation"], other_district_investigator, 26)
    grants = list(EmergencyAccess.objects.order_by("pk"))
    now = timezone.now()
    for age, grant in enumerate(grants):  # the first grant is the newest
        grant.requested_at = now - timedelta(days=3, minutes=age)
    for grant in grants[:23]:  # reviewed: the 23 newest
        grant.reviewed_at, grant.reviewed_by, grant.review_note = now, manager, "Skälet höll."
    oldest_pending = grants[-1]  # the oldest of all; grants[-3] and [-2] are not reviewed
    oldest_pending.status = "pending"
    EmergencyAccess.objects.bulk_update(
        grants, ["requested_at", "reviewed_at", "reviewed_by", "review_note", "status"]
    )

    def shown(body: str) -> list[int]:
        return [g.pk for g in grants if f'id="grant-{g.pk}"' in body]

    first = client.get(REVIEW).content.decode()
    order = [int(part.split('"')[0]) for part in first.split('<tr id="grant-')[1:]]
    assert order[:3] == [oldest_pending.pk, grants[-3].pk, grants[-2].pk]
    assert order[3:] == [g.pk for g in grants[:22]]  # reviewed, newest first
    assert len(order) == 25
    assert "Sida 1 av 2" in first
    assert 'href="?sida=2" rel="next">Nästa sida</a>' in first
    assert "Föregående sida" not in first

    second = client.get(REVIEW + "?sida=2").content.decode()
    assert shown(second) == [grants[22].pk]
    assert "Sida 2 av 2" in second
    assert 'href="?sida=1" rel="prev">Föregående sida</a>' in second
    assert "Nästa sida" not in second
    assert f'href="#reads-{grants[22].pk}">2 läsningar</a>' in second
    # A page beyond the last, or not a number, shows the last or the first page.
    assert shown(client.get(REVIEW + "?sida=9").content.decode()) == [grants[22].pk]
    assert len(shown(client.get(REVIEW + "?sida=x").content.decode())) == 25
    assert _query_count(client, REVIEW) == _query_count(client, REVIEW + "?sida=2")


@pytest.mark.sqlite  # EXPLAIN QUERY PLAN is SQLite's; CI runs it in its SQLite pass
def test_the_reads_of_the_reviewed_grants_are_found_through_an_index(db) -> None:
    events = AccessEvent.objects.filter(emergency_access_id__in=[1, 2, 3]).order_by(
        "occurred_at", "id"
    )
    sql, params = events.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "access_event_grant" in plan
    assert "SCAN journal_accessevent" not in plan


def test_the_case_list_asks_for_grant_cases_only_of_a_user_who_holds_a_grant(
    own_units, other_units, investigator, other_district_investigator
) -> None:
    mine = _cases(own_units["investigation"], 1)[0]
    granted = _cases(other_units["investigation"], 1)[0]
    plain = str(queries.listed_cases(investigator).query)
    assert "emergencyaccess" not in plain
    assert list(queries.listed_cases(investigator)) == [mine]
    now = timezone.now()
    EmergencyAccess.objects.create(
        user=investigator,
        case=granted,
        reason="Socialjouren behövde se ärendet.",
        starts_at=now - timedelta(minutes=5),
        expires_at=now + timedelta(hours=8),
    )
    assert set(queries.listed_cases(investigator)) == {mine, granted}
    assert list(queries.listed_cases(other_district_investigator)) == [granted]


def test_the_responsible_filter_offers_whoever_is_responsible_for_a_visible_case(
    own_units, other_units, investigator, intake_worker, other_district_investigator, manager
) -> None:
    """The choices are asked per part of the scope (the unit's cases, the user's own cases,
    the grants' cases): the same people as the distinct responsibles of the visible cases."""
    intake, investigation = own_units["intake"], own_units["investigation"]

    def case(unit: Any, responsible: Any) -> Any:
        child = PersonFactory(district=unit.district)
        return CaseFactory(child=child, unit=unit, responsible=responsible)

    case(investigation, intake_worker)  # in the investigator's unit
    case(intake, investigator)  # the investigator's own case in another unit
    case(intake, manager)  # not visible to the investigator
    far = case(other_units["investigation"], other_district_investigator)

    def offered(user: Any) -> set[str]:
        return {pk for pk, _label in queries.responsible_choices(user)} - {queries.NOBODY}

    assert offered(investigator) == {str(intake_worker.pk), str(investigator.pk)}
    assert offered(manager) == {str(intake_worker.pk), str(investigator.pk), str(manager.pk)}
    now = timezone.now()
    EmergencyAccess.objects.create(
        user=investigator,
        case=far,
        reason="Socialjouren behövde se ärendet.",
        starts_at=now - timedelta(minutes=5),
        expires_at=now + timedelta(hours=8),
    )
    assert str(other_district_investigator.pk) in offered(investigator)


@pytest.mark.sqlite  # EXPLAIN QUERY PLAN is SQLite's; CI runs it in its SQLite pass
def test_the_responsible_filter_seeks_each_part_of_the_scope_in_an_index(
    investigator,
) -> None:
    queries.responsible_choices(investigator)  # the memberships are read once
    with CaptureQueriesContext(connection) as captured:
        queries.responsible_choices(investigator)
    (sql,) = [q["sql"] for q in captured.captured_queries if "accounts_user" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert (
        "case_responsible_unit_district (responsible_id=? AND unit_id=? AND district_id=?)" in plan
    )
    assert "case_responsible_district (responsible_id=? AND district_id=?)" in plan
