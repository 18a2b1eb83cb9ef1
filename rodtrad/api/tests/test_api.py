"""The API answers with the same scope as the HTML pages, and masks what they mask."""

from __future__ import annotations

import pytest

from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.journal.models import AccessAction, AccessEvent
from rodtrad.people.tests.factories import PersonFactory


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
    api_ids = {row["id"] for row in client.get("/api/v1/cases").json()}
    html = client.get("/arenden/").content.decode()
    assert api_ids == {cases["own"].pk}
    assert f"/arenden/{cases['own'].pk}/" in html
    assert f"/arenden/{cases['other'].pk}/" not in html


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
    child.handlers.through.objects.create(person=child, user=investigator, appointed_by=manager)
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
