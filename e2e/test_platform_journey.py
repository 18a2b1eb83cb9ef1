"""The platform in Chromium: finding a person, protected identity, district scope and
emergency access ("break the glass") with the manager's review. axe checks every page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.test_login import sign_in
from rodtrad.demo.users import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

FACTS_QUERY = """
import json
from rodtrad.cases.models import Case
from rodtrad.people.models import Person, ProtectedPersonHandler
case = (Case.objects.filter(district__code="bromma", child__protection_level="none")
        .exclude(status="closed").order_by("pk").first())
protected = (ProtectedPersonHandler.objects.filter(user__username="utredare")
             .exclude(person__street_address="")
             .select_related("person").order_by("pk").first().person)
print(json.dumps({
    "case_id": case.pk,
    "child_number": case.child.identity_number,
    "child_name": f"{case.child.given_name} {case.child.family_name}",
    "protected_id": protected.pk,
    "protected_street": protected.street_address,
}))
"""


@pytest.fixture(scope="module")
def facts(e2e_database: Any) -> dict[str, Any]:
    """Ids from the demo database, read through manage.py (this process has no ORM access)."""
    output = e2e_database.manage("shell", "-c", FACTS_QUERY).stdout
    return json.loads(output.strip().splitlines()[-1])


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))


def test_investigator_finds_a_child_by_identity_number_without_it_reaching_a_url(page, facts):
    sign_in(page, "utredare", DEMO_PASSWORD)
    page.get_by_role("link", name="Personer").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sök person")
    number = facts["child_number"]
    page.get_by_label("Personnummer eller namn").fill(f"{number[:8]}-{number[8:]}")
    page.get_by_role("button", name="Sök", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("1 person hittades")
    assert number not in page.url and number[2:8] not in page.url
    page.get_by_role("link", name=facts["child_name"]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(facts["child_name"])
    assert not re.search(r"\d{6,8}[-+]?\d{4}", page.url)

    # Bad input: a number with a wrong check digit gets a Swedish message, nothing is saved.
    page.goto("/personer/ny/")
    page.get_by_label("Personnummer, samordningsnummer eller reservnummer").fill("20150301-1234")
    page.get_by_label("Förnamn").fill("Test")
    page.get_by_label("Efternamn").fill("Testsson")
    page.get_by_role("button", name=re.compile("Spara|Registrera")).click()
    identity = page.get_by_role("group", name="Identitet")
    expect(identity.get_by_role("listitem").filter(has_text="inte ett giltigt")).to_be_visible()


def test_protected_address_is_shown_to_the_named_handler_and_hidden_from_colleagues(page, facts):
    sign_in(page, "utredare", DEMO_PASSWORD)
    page.goto(f"/personer/{facts['protected_id']}/")
    expect(page.locator(".protection-banner")).to_be_visible()
    expect(page.get_by_text(facts["protected_street"])).to_be_visible()
    sign_out(page)

    sign_in(page, "mottagning", DEMO_PASSWORD)
    page.goto(f"/personer/{facts['protected_id']}/")
    expect(page.locator(".protection-banner")).to_be_visible()
    expect(page.get_by_text("Skyddad uppgift").first).to_be_visible()
    assert facts["protected_street"] not in page.content()


def test_other_district_gets_404_then_breaks_the_glass_and_the_manager_reviews_it(page, facts):
    sign_in(page, "utredare.farsta", DEMO_PASSWORD)
    response = page.goto(f"/arenden/{facts['case_id']}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")

    page.goto("/arenden/nodatkomst/")
    number = facts["child_number"]
    page.get_by_label("Barnets personnummer eller samordningsnummer").fill(number)
    page.get_by_label("Varför behöver du se ärendet nu?").fill("kort")
    page.get_by_role("button", name="Begär nödåtkomst").click()
    expect(page.get_by_text(re.compile("minst 20 tecken"))).to_be_visible()
    page.get_by_label("Varför behöver du se ärendet nu?").fill(
        "Socialjouren: polisen har hittat barnet ensamt i natt och behöver veta om det finns "
        "ett pågående ärende."
    )
    page.get_by_role("button", name="Begär nödåtkomst").click()
    # The same answer for every number (S16); the grant is listed on the request page.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Din begäran om nödåtkomst är registrerad"
    )
    page.get_by_role("link", name="Visa nödåtkomst som gäller nu").click()
    page.locator(f"a[href='/arenden/{facts['case_id']}/']").click()
    expect(page).to_have_url(re.compile(rf"/arenden/{facts['case_id']}/$"))
    expect(page.get_by_text("Nödåtkomst.")).to_be_visible()
    # Read-only: no way to change the case from here.
    expect(page.get_by_role("button", name="Spara")).to_have_count(0)
    sign_out(page)

    sign_in(page, "chef", DEMO_PASSWORD)
    page.get_by_role("link", name="Granska nödåtkomster").click()
    row = page.get_by_role("row").filter(has_text="Frej Farstasson").first
    expect(row).to_be_visible()
    row.get_by_label("Kommentar").fill("Befogat: socialjouren, polisen på plats.")
    row.get_by_role("button", name="Markera som granskad").click()
    expect(page.get_by_text("Befogat: socialjouren, polisen på plats.")).to_be_visible()
