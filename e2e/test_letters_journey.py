"""Letters in Chromium (issue 9, point 8): the investigator produces the kommunicering letter
for both guardians, one of whom has skyddad folkbokföring; the secrecy step stops her on the
first, she decides, and the PDFs are read with pdftotext: no address for the protected
guardian, the Tax Agency's forwarding instead, and the appeal text in the decision letter.
axe checks every page, the letter's own HTML view too."""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.test_login import sign_in
from rodtrad.demo.users import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

# A decided Bromma case (appealable decision, investigation) of a child with two guardians,
# not the one the decision journey takes; one guardian is given skyddad folkbokföring here
# (the address cleared, as people.services does when the level is raised).
FACTS_QUERY = """
import json
from datetime import date
from rodtrad.decisions.models import Decision
from rodtrad.people.models import Person
from rodtrad.people.queries import parties_of_child
found = None
for decision in Decision.objects.filter(
    case__district__code="bromma", appealable=True, investigation__isnull=False,
    replaced_by__isnull=True, case__status__in=["intervention", "follow_up", "closed"],
).select_related("case__child").order_by("-pk"):
    parties = [p.person for p in parties_of_child(decision.case.child, on=date.today())
               if p.relationship is not None]
    if len(parties) == 2 and all(p.protection_level == "none" for p in parties):
        found = decision, parties
        break
decision, (open_parent, protected_parent) = found
old_street = protected_parent.street_address
Person.objects.filter(pk=protected_parent.pk).update(
    protection_level="skyddad_folkbokforing", street_address="", postal_code="", city="")
print(json.dumps({
    "case_id": decision.case_id,
    "decision_id": decision.pk,
    "open_parent": str(open_parent), "open_street": open_parent.street_address,
    "protected_parent": str(protected_parent), "protected_old_street": old_street,
}))
"""


@pytest.fixture(scope="module")
def facts(e2e_database: Any) -> dict[str, Any]:
    output = e2e_database.manage("shell", "-c", FACTS_QUERY).stdout
    return json.loads(output.strip().splitlines()[-1])


def pdf_text(page: Any, tmp_path: Any) -> str:
    """The document's PDF, downloaded in the signed-in session, as pdftotext reads it."""
    page.get_by_role("link", name="Ladda ner som PDF").wait_for()
    href = page.get_by_role("link", name="Ladda ner som PDF").get_attribute("href")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="dokument-\d+\.pdf"', response.headers["content-disposition"]
    )
    path = tmp_path / "document.pdf"
    path.write_bytes(response.body())
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def produce(page: Any, facts: dict[str, Any], kind: str, recipient: str) -> None:
    page.goto(f"/dokument/arende/{facts['case_id']}/")
    page.get_by_role("link", name="Skapa ett dokument").click()
    page.get_by_role("link", name=kind).click()
    page.get_by_label("Vad gäller dokumentet?").select_option(index=1)
    page.get_by_label("Mottagare").select_option(label=f"{recipient} – Vårdnadshavare")
    answer_by = page.get_by_label("Sista dag att lämna synpunkter")
    if answer_by.count():
        answer_by.fill(page.evaluate("new Date(Date.now() + 14*864e5).toISOString().slice(0,10)"))
    page.get_by_role("button", name="Fortsätt").click()


def test_kommunicering_to_both_guardians_one_protected_and_the_decision_letter(
    page, facts, tmp_path
):
    sign_in(page, "utredare", DEMO_PASSWORD)
    page.goto(f"/arenden/{facts['case_id']}/")
    page.get_by_role("link", name="Brev och utskrifter som har skapats i ärendet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dokument")

    # To the guardian without protection: the letter names the other guardian's whereabouts,
    # so the secrecy step stops the handler; she takes it out.
    produce(page, facts, "Kommuniceringsbrev", facts["open_parent"])
    expect(page.get_by_role("heading", name="Sekretessprövning")).to_be_visible()
    expect(page.get_by_text("Pröva varje uppgift nedan")).to_be_visible()
    review = page.get_by_role("group", name=re.compile("Adressuppgifter för"))
    review.get_by_label("Ta bort uppgiften ur dokumentet").check()
    refused_styles: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused_styles.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", name="Förhandsgranskning")).to_be_visible()
    # The preview has the letter's own stylesheet (allowed by its hash): its heading is the
    # PDF's 16 pt, not the browser's default 2em.
    letter = page.frame_locator("iframe.letter-preview")
    expect(letter.get_by_role("heading", level=1)).to_have_css("font-size", re.compile(r"21\.3"))
    expect(letter.locator(".screen-header")).to_have_css("border-bottom-style", "solid")
    assert not refused_styles, refused_styles
    page.get_by_role("button", name="Skapa dokumentet").click()
    expect(page.get_by_text("Dokumentet är skapat.")).to_be_visible()
    text = pdf_text(page, tmp_path)
    assert facts["open_street"] in text
    assert "Skatteverkets särskilda postförmedling" not in text
    assert "[Borttaget – sekretess]" in text
    assert "Sekretess enligt OSL 26 kap." in text and "Sida 1 av" in text
    page.get_by_role("link", name="Visa dokumentet").click()  # the HTML view, checked by axe
    expect(page.get_by_role("heading", level=1)).to_contain_text("lämna synpunkter")
    page.go_back()

    # To the protected guardian: never an address, the Tax Agency forwards it.
    produce(page, facts, "Kommuniceringsbrev", facts["protected_parent"])
    expect(page.get_by_text("Dokumentet är skapat.")).to_be_visible()
    text = pdf_text(page, tmp_path)
    assert "Skatteverkets särskilda postförmedling" in text
    address_field = text.split("Datum", 1)[0]  # sender and address, before the dates
    assert facts["protected_parent"] in address_field
    if facts["protected_old_street"]:
        assert facts["protected_old_street"] not in address_field

    # The decision letter to the guardian without protection, with the appeal instructions.
    produce(page, facts, "Beslutsbrev", facts["open_parent"])
    review = page.get_by_role("group", name=re.compile("Adressuppgifter för"))
    review.get_by_label("Ta bort uppgiften ur dokumentet").check()
    page.get_by_role("button", name="Skapa dokumentet").click()
    expect(page.get_by_text("Dokumentet är skapat.")).to_be_visible()
    text = pdf_text(page, tmp_path)
    assert "förvaltningsrätten" in text and "inom tre veckor" in text
    page.get_by_role("link", name="Registrera att dokumentet skickas").click()
    page.get_by_label("Digital brevlåda").check()
    page.get_by_role("button", name="Registrera").click()
    expect(page.get_by_text("Det är registrerat att dokumentet har skickats.")).to_be_visible()
    expect(page.get_by_text(re.compile("digital brevlåda"))).to_be_visible()
