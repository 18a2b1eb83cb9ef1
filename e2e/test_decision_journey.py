"""The red thread in Chromium (issue 8, first part): the team manager records a decision that
grants an intervention tied to the investigation's needs, the investigator starts it, and the
case page shows the thread from need to intervention. axe checks every page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.test_login import sign_in
from rodtrad.demo.users import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

# A Bromma case after its investigation's proposal: waiting for a decision, with interventions
# or followed up (the demo has several on every day; a granting decision is allowed in each).
FACTS_QUERY = """
import json
from rodtrad.cases.models import Case
order = ["proposal_awaiting_decision", "intervention", "follow_up"]
cases = list(Case.objects.filter(district__code="bromma", status__in=order,
             investigations__proposed_needs__isnull=False).distinct())
cases.sort(key=lambda c: (order.index(c.status), c.pk))
print(json.dumps({"case_id": cases[0].pk}))
"""


@pytest.fixture(scope="module")
def facts(e2e_database: Any) -> dict[str, Any]:
    output = e2e_database.manage("shell", "-c", FACTS_QUERY).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_the_manager_grants_an_intervention_for_the_needs_and_the_thread_shows_it(page, facts):
    case_url = f"/arenden/{facts['case_id']}/"
    sign_in(page, "chef", DEMO_PASSWORD)
    page.goto(case_url)
    page.get_by_role("link", name="Registrera ett beslut").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nytt beslut")
    page.get_by_role("link", name="Bifall – insats beviljas").click()
    # A refused form keeps the page and says what is wrong, in Swedish.
    page.get_by_role("button", name="Signera och spara beslutet").click()
    expect(page.get_by_text("Välj ett av alternativen.").first).to_be_visible()
    page.get_by_label("Lagrum").select_option("sol-11-1")
    page.get_by_label("Beslutsnivå").select_option("delegate")
    page.get_by_label("Skäl för beslutet").fill("Barnet och föräldrarna behöver stöd hemma.")
    needs = page.get_by_role("group", name=re.compile("Behov som insatsen ska möta"))
    for box in needs.get_by_role("checkbox").all():
        box.check()
    page.get_by_label("Insats", exact=True).select_option("kontaktperson")
    page.get_by_label("Utförare i kommunen").select_option(index=1)
    page.get_by_label("Planerad start").fill(page.evaluate("new Date().toISOString().slice(0,10)"))
    page.get_by_role("button", name="Signera och spara beslutet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bifall – insats beviljas")
    expect(page.get_by_text("Beslutet kan överklagas hos förvaltningsrätten")).to_be_visible()
    page.get_by_role("link", name="Kontaktperson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insats: Kontaktperson")
    page.get_by_role("button", name="Logga ut").click()

    sign_in(page, "utredare", DEMO_PASSWORD)
    page.goto(case_url)
    thread = page.get_by_role("table").filter(has_text="Behov")
    expect(
        page.get_by_role("heading", name="Röda tråden: från behov till mål och insats")
    ).to_be_visible()
    expect(thread.get_by_role("link", name="Kontaktperson").first).to_be_visible()
    thread.get_by_role("link", name="Kontaktperson").first.click()
    page.get_by_role("link", name="Registrera att insatsen har påbörjats").click()
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Insatsen är påbörjad.")).to_be_visible()
    expect(page.get_by_text(re.compile("Pågår sedan"))).to_be_visible()
