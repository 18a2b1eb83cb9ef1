"""The API answers with the same scope as the HTML pages, and masks what they mask."""

from __future__ import annotations

import pytest

from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.journal.models import AccessAction, AccessEvent
from rodtrad.people.tests.factories import PersonFactory, ProtectedPersonHandlerFactory


@pytest.fixture
def cases(own_units, other_units):
    own = own_units["investigation"]
    other = other_units["investigation"]
    return {
        "own": CaseFactory(child=PersonFactory(district=own.district), unit=own),
        "other": CaseFactory(child=PersonFactory(district=other.district), unit=other),
    }


def test_api_case_list_holds_exactly_the_cases_of_the_html_case_list(
    signed_in, investigator, cases
):
    client = signed_in(investigator)
    api_ids = {row["id"] for row in client.get("/api/v1/cases").json()["items"]}
    html = client.get("/arenden/").content.decode()
    assert api_ids == {cases["own"].pk}
    assert f"/arenden/{cases['own'].pk}/" in html
    assert f"/arenden/{cases['other'].pk}/" not in html


@pytest.mark.parametrize("role", ["provider", "analyst", "reviewer", "admin"])
def test_s12_roles_without_case_access_get_403_from_the_case_api_as_from_the_case_list(
    request, signed_in, cases, role
):
    client = signed_in(request.getfixturevalue(role))
    assert client.get("/arenden/").status_code == 403
    own = cases["own"].pk
    answers = [
        client.get("/api/v1/cases"),
        client.post("/api/v1/cases/search", {"query": "a"}, content_type="application/json"),
        client.get(f"/api/v1/cases/{own}"),
        client.get("/api/v1/cases/987654"),  # the same answer for an id that does not exist
    ]
    assert [answer.status_code for answer in answers] == [403, 403, 403, 403]
    assert {answer.json()["error"] for answer in answers} == {"forbidden"}
    assert not AccessEvent.objects.exclude(action=AccessAction.DENIED).exists()
    denied = AccessEvent.objects.filter(action=AccessAction.DENIED).order_by("pk")
    assert [(e.route, e.case_id) for e in denied] == [
        ("api:case-detail", own),
        ("api:case-detail", 987654),
    ]


def test_s11_api_case_in_other_district_is_404_json_and_journaled_as_denied(
    signed_in, investigator, cases
):
    response = signed_in(investigator).get(f"/api/v1/cases/{cases['other'].pk}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    denied = AccessEvent.objects.get(action=AccessAction.DENIED)
    assert denied.case_id == cases["other"].pk
    assert denied.user == investigator


def test_s11_html_case_in_other_district_is_404_and_journaled_as_denied(
    signed_in, investigator, cases
):
    response = signed_in(investigator).get(f"/arenden/{cases['other'].pk}/")
    assert response.status_code == 404
    assert AccessEvent.objects.filter(
        action=AccessAction.DENIED, case_id=cases["other"].pk
    ).exists()


def test_api_anonymous_gets_401_json(client, cases):
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_s15_api_hides_protected_contact_data_from_all_but_named_handlers(
    signed_in, investigator, manager, own_district
):
    child = PersonFactory(
        district=own_district,
        protection_level="skyddad_folkbokforing",
        street_address="Kanariegatan 7",
        phone="070-111 22 33",
    )
    ProtectedPersonHandlerFactory(person=child, user=investigator, appointed_by=manager)
    seen_by_manager = signed_in(manager).get(f"/api/v1/persons/{child.pk}").json()
    assert seen_by_manager["contact_hidden"] is True
    assert seen_by_manager["street_address"] is None
    assert "Kanariegatan" not in str(seen_by_manager)
    seen_by_handler = signed_in(investigator).get(f"/api/v1/persons/{child.pk}").json()
    assert seen_by_handler["street_address"] == "Kanariegatan 7"
    events = AccessEvent.objects.filter(person_id=child.pk, route="api:person-detail")
    assert events.count() == 2
    assert all(event.is_protected for event in events)


def test_api_response_carries_only_allow_listed_fields(signed_in, investigator, cases):
    row = signed_in(investigator).get(f"/api/v1/cases/{cases['own'].pk}").json()
    assert set(row) == {
        "id",
        "status",
        "district",
        "unit",
        "child",
        "recorded_at",
        "is_emergency_access",
    }
    assert set(row["child"]) == {"id", "given_name", "family_name", "is_protected"}


# --- The case list: pages with a documented limit, filters, sorting and search --------------


def test_api_case_list_pages_hold_at_most_50_and_count_them_all(signed_in, investigator, own_units):
    unit = own_units["investigation"]
    made = [CaseFactory(child=PersonFactory(district=unit.district), unit=unit) for _ in range(53)]
    client = signed_in(investigator)
    first = client.get("/api/v1/cases").json()
    assert (first["count"], first["limit"], first["offset"], len(first["items"])) == (53, 50, 0, 50)
    rest = client.get("/api/v1/cases", {"offset": 50}).json()
    assert len(rest["items"]) == 3
    assert {row["id"] for row in first["items"] + rest["items"]} == {c.pk for c in made}
    # One access event per case shown, written for the page only.
    assert AccessEvent.objects.filter(route="api:case-list").count() == 53
    too_many = client.get("/api/v1/cases", {"limit": 51})
    assert too_many.status_code == 400
    assert too_many.json()["error"] == "invalid_limit"


@pytest.mark.parametrize("sort", ["child__identity_number", "password", "-pk", "id"])
def test_s30_api_refuses_a_sort_outside_the_allow_list(signed_in, investigator, cases, sort):
    response = signed_in(investigator).get("/api/v1/cases", {"sort": sort})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_sort"
    assert not AccessEvent.objects.filter(route="api:case-list").exists()


def test_api_case_list_sorts_and_filters_like_the_page(signed_in, investigator, own_units):
    unit = own_units["investigation"]
    ek = CaseFactory(child=PersonFactory(district=unit.district, family_name="Ek"), unit=unit)
    berg = CaseFactory(
        child=PersonFactory(district=unit.district, family_name="Berg"),
        unit=unit,
        status="pre_assessment",
    )
    client = signed_in(investigator)
    by_child = client.get("/api/v1/cases", {"sort": "child"}).json()["items"]
    assert [row["id"] for row in by_child] == [berg.pk, ek.pk]
    waiting = client.get("/api/v1/cases", {"status": "pre_assessment"}).json()["items"]
    assert [row["id"] for row in waiting] == [berg.pk]
    assert client.get("/api/v1/cases", {"status": "nonsense"}).status_code == 400


def test_api_search_takes_the_name_in_the_body_only(signed_in, investigator, own_units):
    unit = own_units["investigation"]
    wanted = CaseFactory(
        child=PersonFactory(district=unit.district, given_name="Märta", family_name="Öhman"),
        unit=unit,
    )
    CaseFactory(child=PersonFactory(district=unit.district), unit=unit)
    client = signed_in(investigator)
    found = client.post(
        "/api/v1/cases/search", {"query": "märta"}, content_type="application/json"
    ).json()
    assert [row["id"] for row in found["items"]] == [wanted.pk]
    by_number = client.post(
        "/api/v1/cases/search", {"query": str(wanted.pk)}, content_type="application/json"
    ).json()
    assert by_number["count"] == 1
    assert AccessEvent.objects.filter(route="api:case-search", case_id=wanted.pk).count() == 2
    # The list in the address takes no search at all.
    assert client.get("/api/v1/cases", {"query": "Märta"}).json()["count"] == 2
