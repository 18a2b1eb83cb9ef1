"""The case list: search (POST), filters (GET), sorting by an allow-list, pages of 50."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rodtrad.cases.models import CaseStatus
from rodtrad.cases.queries import PAGE_SIZE
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.investigation.tests.factories import InvestigationFactory
from rodtrad.journal.models import AccessAction, AccessEvent
from rodtrad.people.tests.factories import PersonFactory

LIST = "/arenden/"


def make_cases(unit, count, **fields):
    return [
        CaseFactory(child=PersonFactory(district=unit.district), unit=unit, **fields)
        for _ in range(count)
    ]


def case_links(body: str) -> list[int]:
    """The case ids linked from the rows, in the order shown."""
    return [int(pk) for pk in re.findall(r'<th scope="row"><a href="/arenden/(\d+)/">', body)]


@pytest.fixture
def unit(own_units):
    return own_units["investigation"]


def test_a_page_holds_50_cases_and_one_access_event_is_written_per_case_shown(
    unit, investigator, signed_in
):
    make_cases(unit, PAGE_SIZE + 5)
    client = signed_in(investigator)
    first = client.get(LIST).content.decode()
    assert len(case_links(first)) == 50
    assert "55 ärenden som du har behörighet till, sida 1 av 2" in first
    listed = AccessEvent.objects.filter(route="cases:case-list", action=AccessAction.LISTED)
    assert listed.count() == 50
    assert set(listed.values_list("case_id", flat=True)) == set(case_links(first))
    second = client.get(LIST, {"sida": 2}).content.decode()
    assert len(case_links(second)) == 5
    assert not set(case_links(first)) & set(case_links(second))


def test_the_queries_do_not_grow_with_the_rows_shown(
    unit, investigator, signed_in, django_assert_max_num_queries
):
    client = signed_in(investigator)
    make_cases(unit, 3)
    client.get(LIST)  # warm the session and the code-list caches
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    make_cases(unit, PAGE_SIZE)
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST, {"forsenade": "1", "sortera": "child"})


def test_cases_are_newest_first_and_sort_by_an_allowed_column_both_ways(
    unit, investigator, signed_in
):
    anna = CaseFactory(child=PersonFactory(district=unit.district, family_name="Ek"), unit=unit)
    bo = CaseFactory(child=PersonFactory(district=unit.district, family_name="Lund"), unit=unit)
    cleo = CaseFactory(child=PersonFactory(district=unit.district, family_name="Berg"), unit=unit)
    client = signed_in(investigator)
    assert case_links(client.get(LIST).content.decode()) == [cleo.pk, bo.pk, anna.pk]
    body = client.get(LIST, {"sortera": "child"}).content.decode()
    assert case_links(body) == [cleo.pk, anna.pk, bo.pk]
    assert '<th scope="col" aria-sort="ascending">' in body
    assert 'href="?sortera=-child"' in body  # the header now sorts the other way
    assert case_links(client.get(LIST, {"sortera": "-child"}).content.decode()) == [
        bo.pk,
        anna.pk,
        cleo.pk,
    ]


@pytest.mark.parametrize(
    "sort", ["child__identity_number", "-password", "recorded_at; DROP TABLE x", "pk"]
)
def test_s30_sorting_by_a_column_outside_the_allow_list_is_ignored(
    unit, investigator, signed_in, sort
):
    older, newer = make_cases(unit, 2)
    response = signed_in(investigator).get(LIST, {"sortera": sort})
    body = response.content.decode()
    assert response.status_code == 200
    assert case_links(body) == [newer.pk, older.pk]  # the default order
    assert "Listan kan inte sorteras så." in body


def test_filters_by_status_unit_and_responsible(unit, own_units, investigator, manager, signed_in):
    (waiting,) = make_cases(unit, 1, status=CaseStatus.PRE_ASSESSMENT)
    (mine,) = make_cases(unit, 1, status=CaseStatus.INVESTIGATION, responsible=investigator)
    (intake,) = make_cases(own_units["intake"], 1, status=CaseStatus.INTAKE)
    client = signed_in(manager)  # district-wide: sees both units
    assert set(case_links(client.get(LIST).content.decode())) == {waiting.pk, mine.pk, intake.pk}
    by_status = client.get(LIST, {"status": "pre_assessment"}).content.decode()
    assert case_links(by_status) == [waiting.pk]
    by_unit = client.get(LIST, {"enhet": own_units["intake"].pk}).content.decode()
    assert case_links(by_unit) == [intake.pk]
    by_responsible = client.get(LIST, {"ansvarig": investigator.pk}).content.decode()
    assert case_links(by_responsible) == [mine.pk]
    nobody = client.get(LIST, {"ansvarig": "ingen"}).content.decode()
    assert set(case_links(nobody)) == {waiting.pk, intake.pk}
    # A value that is not offered is dropped, never used.
    crafted = client.get(LIST, {"status": "closed' OR 1=1", "enhet": "999999"})
    assert crafted.status_code == 200
    assert set(case_links(crafted.content.decode())) == {waiting.pk, mine.pk, intake.pk}


def test_the_overdue_filter_keeps_the_cases_with_a_passed_deadline(unit, investigator, signed_in):

    late = InvestigationFactory.opened(
        unit, investigator, timezone.localdate() - timedelta(days=200)
    )
    in_time = InvestigationFactory.opened(
        unit, investigator, timezone.localdate() - timedelta(days=10)
    )
    client = signed_in(investigator)
    body = client.get(LIST, {"forsenade": "1"}).content.decode()
    assert case_links(body) == [late.case_id]
    assert in_time.case_id not in case_links(body)
    assert "Försenad" in body


def test_search_by_name_is_a_post_and_the_name_never_reaches_the_address(
    unit, investigator, signed_in
):
    wanted = CaseFactory(
        child=PersonFactory(district=unit.district, given_name="Märta", family_name="Öhman"),
        unit=unit,
    )
    make_cases(unit, 3)
    client = signed_in(investigator)
    response = client.post(LIST, {"sok": "märta öhm"})
    body = response.content.decode()
    assert response.status_code == 200
    assert case_links(body) == [wanted.pk]
    # The search is kept in POST bodies: sorting and paging a search post it again.
    assert '<form id="list-state" method="post"' in body
    assert not re.search(r'href="[^"]*(?:M%C3%A4rta|Märta|sok=)', body)
    # A name in the query string is ignored: search is never read from an address.
    assert len(case_links(client.get(LIST, {"sok": "Märta"}).content.decode())) == 4


def test_search_by_case_number_and_identity_number(unit, investigator, signed_in):
    first, second = make_cases(unit, 2)
    client = signed_in(investigator)
    assert case_links(client.post(LIST, {"sok": str(first.pk)}).content.decode()) == [first.pk]
    assert case_links(client.post(LIST, {"sok": f"Ärende {second.pk}"}).content.decode()) == [
        second.pk
    ]
    number = second.child.identity_number
    by_number = client.post(LIST, {"sok": f"{number[:8]}-{number[8:]}"}).content.decode()
    assert case_links(by_number) == [second.pk]
    refused = client.post(LIST, {"sok": "19991399-0000"}).content.decode()
    assert "Skriv ett ärendenummer, ett helt personnummer eller ett namn." in refused


def test_s15_a_name_search_does_not_find_a_protected_child_but_the_case_number_does(
    unit, investigator, signed_in
):
    protected = CaseFactory(
        child=PersonFactory(
            district=unit.district,
            given_name="Sigrid",
            family_name="Skydd",
            protection_level="skyddad_folkbokforing",
        ),
        unit=unit,
    )
    client = signed_in(investigator)
    assert case_links(client.post(LIST, {"sok": "Sigrid"}).content.decode()) == []
    assert case_links(client.post(LIST, {"sok": str(protected.pk)}).content.decode()) == [
        protected.pk
    ]


def test_a_search_outside_the_scope_finds_nothing(unit, other_units, investigator, signed_in):
    elsewhere = CaseFactory(
        child=PersonFactory(district=other_units["investigation"].district, given_name="Farsta"),
        unit=other_units["investigation"],
    )
    client = signed_in(investigator)
    assert case_links(client.post(LIST, {"sok": str(elsewhere.pk)}).content.decode()) == []
    assert case_links(client.post(LIST, {"sok": "Farsta"}).content.decode()) == []


def test_roles_without_cases_get_403(signed_in, analyst):
    assert signed_in(analyst).get(LIST).status_code == 403
    assert signed_in(analyst).post(LIST, {"sok": "Anna"}).status_code == 403
