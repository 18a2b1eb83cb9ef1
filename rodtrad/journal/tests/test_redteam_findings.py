"""Red-team findings on the access journal (issue 6 check): each test fails on today's code.

A denied read is written with an empty route, so log review cannot tell what was tried.
"""

from __future__ import annotations

import pytest

from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.journal.models import AccessAction, AccessEvent
from rodtrad.people.tests.factories import PersonFactory


@pytest.fixture
def case(own_units):
    unit = own_units["investigation"]
    return CaseFactory(child=PersonFactory(district=unit.district), unit=unit)


def test_s19_a_denied_read_names_the_route_that_was_tried(
    signed_in, other_district_investigator, case
):
    client = signed_in(other_district_investigator)
    assert client.get(f"/arenden/{case.pk}/").status_code == 404
    assert client.get(f"/personer/{case.child.pk}/").status_code == 404
    routes = list(
        AccessEvent.objects.filter(action=AccessAction.DENIED)
        .order_by("pk")
        .values_list("route", flat=True)
    )
    assert routes == ["cases:case-detail", "people:person-detail"]
