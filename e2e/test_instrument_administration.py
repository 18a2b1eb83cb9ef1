"""Two of issue 8's last steps in Chromium. The administrator adds a rating instrument of the
municipality's and then a new edition of it (docs/followup-instruments.md, "New instruments and
editions"): a refused form names the wrong fields in Swedish; the list shows the old edition as
replaced. The provider marks an intervention started from its commission page
(docs/red-thread.md, "What the provider sees"). axe checks every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.test_login import sign_in
from rodtrad.demo.users import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def test_the_administrator_adds_an_instrument_and_a_new_edition(page, e2e_database):
    sign_in(page, "admin", DEMO_PASSWORD)
    page.goto("/uppfoljning/formular/")
    page.get_by_role("link", name="Nytt formulär").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nytt formulär")
    page.get_by_label("Kod", exact=True).first.fill("kommunens-e2e-skala")
    page.get_by_label("Namn").fill("Kommunens skala (e2e)")
    page.get_by_label("Slag").select_option("rating_scale")
    first_item = page.get_by_role("group", name="Fråga 1", exact=True)
    first_item.get_by_label("Kod").fill("mood")
    first_item.get_by_label("Text").fill("Hur mår du?")
    second_item = page.get_by_role("group", name="Fråga 2", exact=True)
    second_item.get_by_label("Kod").fill("home")
    second_item.get_by_label("Text").fill("Hur är det hemma?")
    band = page.get_by_role("group", name="Åldersband 1", exact=True)
    band.get_by_label("Från ålder").fill("6")
    band.get_by_label("Gränsvärde").fill("25")  # the total is 0–20
    band.get_by_label("Tydlig förändring").fill("3")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Gränsvärdet måste ligga inom summans skala, 0–20.")).to_be_visible()
    page.get_by_role("group", name="Åldersband 1", exact=True).get_by_label("Gränsvärde").fill(
        "12,5"
    )
    page.get_by_role("button", name="Spara").click()
    expect(
        page.get_by_text("Formuläret är sparat och kan användas för skattningar.")
    ).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Kommunens skala \\(e2e\\)"))
    row.get_by_role("link", name=re.compile("Ny utgåva")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ny utgåva")
    third = page.get_by_role("group", name="Fråga 3", exact=True)
    third.get_by_label("Kod").fill("school")
    third.get_by_label("Text").fill("Hur går det i skolan?")
    page.get_by_role("button", name="Spara").click()
    expect(
        page.get_by_text("Den nya utgåvan är sparad. Den gamla används inte längre.")
    ).to_be_visible()
    expect(page.get_by_text("Ersatt av en nyare utgåva")).to_be_visible()


# A commission sent to the demo provider's unit whose intervention has not started (the demo
# has some; if not, one of the provider's commissions is made so for the test).
NOT_STARTED_QUERY = """
import json
from rodtrad.accounts.models import Membership
from rodtrad.commissions.models import Commission
from rodtrad.decisions.models import Intervention
unit = Membership.objects.filter(user__username="utforare").values("unit_id")
rows = Commission.objects.filter(provider_unit__in=unit, status__in=["sent", "accepted"],
                                 intervention__ended_on__isnull=True).order_by("pk")
commission = rows.filter(intervention__started_on__isnull=True).first()
found = commission is not None
if commission is None:
    commission = rows.filter(intervention__measurements__isnull=True).first()
    Intervention.objects.filter(pk=commission.intervention_id).update(started_on=None)
print(json.dumps({"commission_id": commission.pk, "found": found}))
"""


def test_the_provider_marks_the_intervention_started(page, e2e_database):
    import json

    output = e2e_database.manage("shell", "-c", NOT_STARTED_QUERY).stdout
    commission_id = json.loads(output.strip().splitlines()[-1])["commission_id"]
    sign_in(page, "utforare", DEMO_PASSWORD)
    page.goto(f"/uppdrag/{commission_id}/")
    page.get_by_role("link", name="Insatsen har börjat").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Insatsen har börjat")
    page.get_by_label("Påbörjad").fill(
        page.evaluate("new Date(Date.now() + 2*864e5).toISOString().slice(0,10)")
    )
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Datumet kan inte vara senare än i dag.")).to_be_visible()
    page.get_by_label("Påbörjad").fill(page.evaluate("new Date().toISOString().slice(0,10)"))
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Insatsen är registrerad som påbörjad.")).to_be_visible()
    expect(page.get_by_role("link", name="Insatsen har börjat")).to_have_count(0)
