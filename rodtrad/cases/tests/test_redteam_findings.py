"""Red-team findings on emergency access (issue 6 check): each test fails on today's code.

A request to read a protected child's case waits for a team manager of the child's district,
and by definition it is urgent ("barnet behöver skydd nu"). The manager's start page, under
"Att göra som enhetschef", lists extension requests and far-back receipts, but not the
emergency request that waits for them: only the plain link "Granska nödåtkomster".
"""

from __future__ import annotations

from rodtrad.cases.services import request_emergency_access
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.people.tests.factories import PersonFactory


def test_a_pending_emergency_request_for_a_protected_child_is_on_the_managers_start_page(
    signed_in, manager, other_district_investigator, own_units
):
    unit = own_units["investigation"]
    child = PersonFactory(district=unit.district, protection_level="skyddad_folkbokforing")
    CaseFactory(child=child, unit=unit)
    request_emergency_access(
        by=other_district_investigator,
        identity_number=child.identity_number,
        reason="Polisen ringer: barnet är hos dem nu och vi behöver se tidigare oro.",
    )
    html = signed_in(manager).get("/").content.decode()
    todo = html.split("Att göra som enhetschef", 1)[-1].split("Teamet", 1)[0]
    assert "nödåtkomst" in todo.lower(), todo
