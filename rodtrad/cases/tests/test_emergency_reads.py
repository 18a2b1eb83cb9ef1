"""S16/S19: the team manager's review shows every read made through each emergency grant."""

from __future__ import annotations

from typing import Any

import pytest

from rodtrad.cases import services
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.journal.models import AccessEvent
from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory

REASON = "Socialjouren: akut placering i natt, behöver se pågående ärende."


@pytest.fixture
def other_case(other_units: dict[str, Any]) -> Any:
    unit = other_units["investigation"]
    child = PersonFactory(district=unit.district)
    RelationshipFactory(child=child, other=PersonFactory(district=unit.district))
    return CaseFactory(child=child, unit=unit)


def test_s16_the_managers_review_lists_every_read_made_through_each_grant(
    signed_in: Any, investigator: Any, other_case: Any, other_district_manager: Any
) -> None:
    grant = services.request_emergency_access(
        by=investigator, identity_number=other_case.child.identity_number, reason=REASON
    )
    reader = signed_in(investigator)
    for url in (
        "/arenden/",
        f"/arenden/{other_case.pk}/",
        f"/personer/{other_case.child.pk}/",
        f"/api/v1/persons/{other_case.child.pk}",
    ):
        assert reader.get(url).status_code == 200
    reads = AccessEvent.objects.filter(emergency_access_id=grant.pk)
    # The list, the case page, the person page (the child, the related person and the child's
    # case listed on it) and the API.
    assert {(e.route, e.case_id is not None) for e in reads} == {
        ("cases:case-list", True),
        ("cases:case-detail", True),
        ("people:person-detail", False),
        ("people:person-detail", True),
        ("api:person-detail", False),
    }
    assert reads.count() == 6
    assert all(e.is_emergency and e.reason == REASON for e in reads)

    page = signed_in(other_district_manager).get("/arenden/nodatkomst/granska/")
    body = page.content.decode()
    assert page.status_code == 200
    assert f'href="#reads-{grant.pk}">6 läsningar</a>' in body
    assert f'id="reads-{grant.pk}"' in body
    # The pages by their Swedish names, never raw route names (U-10).
    for name in ("<td>Ärendelistan</td>", "<td>Ärendet</td>", "<td>Personsidan</td>"):
        assert name in body
    assert "<td>Personen i API:t</td>" in body
    assert "cases:case-detail" not in body and "people:person-detail" not in body
    assert f"Barnet (person {other_case.child.pk})" in body
    assert f"Ärende {other_case.pk}" in body
    assert "Närstående (person " in body


def test_a_route_without_a_page_name_is_shown_as_it_is() -> None:
    from rodtrad.cases.queries import page_name

    assert page_name("cases:case-detail") == "Ärendet"
    assert page_name("something:new") == "something:new"
