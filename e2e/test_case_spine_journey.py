"""The case spine in Chromium: one report about two siblings, from intake to a signed analysis.

The intake worker registers the report (one case and one clock per child), makes both
protection assessments (the second copied from the first with one action, its decision answered
for that child) and decides one child's pre-assessment (autosaved while typing) to open an
investigation; the sibling's pre-assessment gets the same facts with one action and stays a
draft. The investigator finds the case by searching the case list, then writes and signs the
plan, an area assessment, a risk assessment and the analysis, each in an editor that opens at
once (the draft is created by the first save), logs a conversation with the child alone and adds
two needs. An investigator of another district gets 404. axe checks every page.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.test_login import sign_in
from rodtrad.demo.users import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

# Two Bromma siblings (under 18, no protected identity) that have no case yet, and the server's
# date (the app's time zone, not this process's).
FACTS_QUERY = """
import json
from datetime import timedelta
from django.db.models import F
from django.utils import timezone
from rodtrad.people.models import Person, Relationship
today = timezone.localdate()
eighteen_years_ago = today - timedelta(days=18 * 365 + 5)
children = Person.objects.filter(
    district__code="bromma",
    protection_level="none",
    birth_date__gt=eighteen_years_ago,
    cases__isnull=True,
)
pair = (
    Relationship.objects.filter(
        kind="sibling",
        valid_to__isnull=True,
        child__in=children,
        other__in=children,
        child__pk__lt=F("other__pk"),
    )
    .select_related("child", "other")
    .order_by("child__pk", "other__pk")
    .first()
)
print(json.dumps({
    "today": today.isoformat(),
    "reassess_on": (today + timedelta(days=28)).isoformat(),
    "children": [
        {
            "number": child.identity_number,
            "name": f"{child.given_name} {child.family_name}",
        }
        for child in (pair.child, pair.other)
    ],
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


def heading(page: Any) -> Any:
    return page.get_by_role("heading", level=1)


def display_number(number: str) -> str:
    return f"{number[:8]}-{number[8:]}"


def fact(scope: Any, term: str) -> Any:
    """The <dd> after the <dt> that reads `term`, in a description list of `scope`."""
    return scope.locator("dt", has_text=re.compile(rf"^{re.escape(term)}$")).locator(
        "xpath=following-sibling::dd[1]"
    )


def field(page: Any, label: str) -> Any:
    """A field by its label; a note in brackets may follow, such as "(frivilligt)"."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(.*\))?$"))


def register_report(page: Any, facts: dict[str, Any]) -> str:
    """Step 1: the intake worker registers one report about both children; returns its URL."""
    first, second = facts["children"]
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Mottagning").click()
    expect(heading(page)).to_have_text("Mottagningens kö")
    page.get_by_role("link", name="Registrera ny anmälan").click()
    expect(heading(page)).to_have_text("Registrera anmälan")

    field(page, "Barnens personnummer").fill(
        f"{display_number(first['number'])}\n{display_number(second['number'])}"
    )
    page.get_by_role("button", name="Hämta barnen").click()
    found = page.get_by_role("table", name="Barn som hittades")
    expect(found.get_by_role("row")).to_have_count(3)  # the header and one row per child
    for child in facts["children"]:
        expect(found.get_by_role("rowheader", name=child["name"])).to_be_visible()

    expect(field(page, "Stadsdel som tar emot anmälan")).to_have_value(re.compile(r"\d+"))
    field(page, "Typ av aktualisering").select_option(label="Anmälan")
    field(page, "Hur kom uppgifterna in?").select_option(label="Telefon")
    field(page, "Vad gäller anmälan?").fill(
        "Skolkuratorn ringer: det äldre syskonet berättar att pappa slår båda barnen när han "
        "blir arg, senast i helgen. Det yngre syskonet har blåmärken på armen."
    )
    reasons = page.get_by_role("group", name="Orsaker till anmälan")
    reasons.get_by_role("checkbox", name="Fysisk misshandel", exact=True).check()
    reasons.get_by_role("checkbox", name="Våld i familjen (barnet bevittnar)").check()
    # A school is a mandatory reporter: the category says so, no box to tick.
    field(page, "Vem kommer anmälan från?").select_option(label="Skola")
    field(page, "Anmälarens namn").fill("Kim Kurator")
    field(page, "Anmälarens kontaktuppgifter").fill("Brommaskolan, 08-123 45 67")
    page.get_by_role("button", name="Registrera anmälan").click()

    expect(page.get_by_role("status")).to_contain_text("Anmälan är registrerad.")
    expect(heading(page)).to_contain_text("Anmälan")
    report_url = page.url
    assert re.search(r"/mottagning/anmalningar/\d+/$", report_url)
    # Nothing identifying in the URL: the numbers travelled in the POST body only.
    assert all(child["number"][:8] not in report_url for child in facts["children"])
    return report_url


def case_rows(page: Any, facts: dict[str, Any]) -> dict[str, str]:
    """The report page: one row per child, each with its own case and its own clock."""
    table = page.get_by_role("table", name="Barn som anmälan gäller")
    expect(table.get_by_role("row")).to_have_count(3)
    case_urls: dict[str, str] = {}
    for child in facts["children"]:
        row = table.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=re.compile(re.escape(child["name"])))
        )
        case_link = row.get_by_role("link", name=re.compile(r"^Ärende \d+$"))
        href = case_link.get_attribute("href")
        assert href is not None
        case_urls[child["name"]] = href
    assert len(set(case_urls.values())) == 2, "each child has a case of its own"
    return case_urls


def test_one_report_about_two_siblings_goes_from_intake_to_a_signed_analysis(page, facts):
    first, second = facts["children"]

    # 1. The intake worker registers one report about both siblings.
    sign_in(page, "mottagning", DEMO_PASSWORD)
    expect(heading(page)).to_have_text("Översikt")
    report_url = register_report(page, facts)
    case_urls = case_rows(page, facts)
    table = page.get_by_role("table", name="Barn som anmälan gäller")
    for child in facts["children"]:
        row = table.get_by_role("row").filter(has_text=child["name"])
        # The protection assessment is due the same day: a clock per child.
        expect(row.get_by_text("Sista dag i dag")).to_be_visible()
        expect(row.get_by_text(f"sista dag {facts['today']}")).to_be_visible()
        expect(row.get_by_role("link", name="Gör skyddsbedömning")).to_be_visible()

    # 2. The protection assessment, the same day, for each child: the second is copied from
    # the first with one action, and its decision is answered and confirmed for that child.
    rationale = "Barnet är i säkerhet under dagen. Behovet av skydd bedöms i förhandsbedömningen."
    for child in facts["children"]:
        page.goto(report_url)
        row = page.get_by_role("table", name="Barn som anmälan gäller").get_by_role("row")
        row.filter(has_text=child["name"]).get_by_role("link", name="Gör skyddsbedömning").click()
        expect(heading(page)).to_have_text(f"Skyddsbedömning för {child['name']}")
        if child is first:
            field(page, "Underlag").fill("Anmälan och telefonsamtal med skolkuratorn.")
            field(page, "Åtgärder").fill("Barnet är i skolan i dag; kuratorn finns på plats.")
            field(page, "Bedömning och skäl").fill(rationale)
        else:
            page.get_by_role(
                "button",
                name="Kopiera underlag, åtgärder och bedömning från syskonets skyddsbedömning "
                f"({first['name']})",
            ).click()
            expect(page.get_by_text("Kopierat från ett syskon.")).to_be_visible()
            expect(field(page, "Bedömning och skäl")).to_have_value(rationale)
            expect(field(page, "Åtgärder")).to_have_value(
                "Barnet är i skolan i dag; kuratorn finns på plats."
            )
            # The decision is never copied: nothing is chosen until the handler answers.
            protection = page.get_by_role("group", name="Behöver barnet skydd omedelbart?")
            expect(protection.get_by_label("Nej")).not_to_be_checked()
            expect(protection.get_by_label("Ja")).not_to_be_checked()
            field(page, "Bedömning och skäl").fill(f"{rationale} Det yngre barnet går på fritids.")
            field(
                page, "Jag har läst den kopierade texten och den stämmer för det här barnet"
            ).check()
        page.get_by_role("group", name="Behöver barnet skydd omedelbart?").get_by_label(
            "Nej"
        ).check()
        page.get_by_role("button", name="Spara skyddsbedömningen").click()
        expect(page.get_by_role("status")).to_contain_text("Skyddsbedömningen är sparad.")
        expect(heading(page)).to_have_text(f"Ärende för {child['name']}")
        assert page.url.endswith(case_urls[child["name"]])
        expect(page.get_by_text("Inget behov av omedelbart skydd")).to_be_visible()
        expect(page.get_by_text("Anmälan gäller också 1 syskon")).to_be_visible()

    page.goto(report_url)
    table = page.get_by_role("table", name="Barn som anmälan gäller")
    expect(table.get_by_text(re.compile(r"^Gjord \d{4}-\d\d-\d\d"))).to_have_count(2)

    # 3. The pre-assessment for the first child: autosaved while typing.
    information = "Samtal med barnen i skolan och med mamma per telefon. Barnen berättar om slag."
    page.goto(case_urls[first["name"]])
    page.get_by_role("link", name="Öppna förhandsbedömningen").click()
    expect(heading(page)).to_have_text(f"Förhandsbedömning för {first['name']}")
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Utkastet sparas automatiskt")
    field(page, "Inhämtad information").fill(information)
    expect(status).to_contain_text(re.compile(r"Utkast sparat \d\d:\d\d"))

    # The sibling's pre-assessment gets the same facts with one action; its assessment and
    # decision are never copied.
    page.goto(case_urls[second["name"]])
    page.get_by_role("link", name="Öppna förhandsbedömningen").click()
    expect(heading(page)).to_have_text(f"Förhandsbedömning för {second['name']}")
    page.get_by_role(
        "button",
        name=f"Kopiera inhämtad information från syskonets förhandsbedömning ({first['name']})",
    ).click()
    expect(page.get_by_role("status")).to_contain_text(
        "Inhämtad information är kopierad från syskonets förhandsbedömning."
    )
    expect(field(page, "Inhämtad information")).to_have_value(information)
    expect(field(page, "Bedömning")).to_have_value("")
    expect(page.get_by_text("Kopierat från ett syskon.")).to_be_visible()

    # Back to the first child: the decision, signed.
    page.goto(case_urls[first["name"]])
    page.get_by_role("link", name="Öppna förhandsbedömningen").click()
    expect(field(page, "Inhämtad information")).to_have_value(information)
    field(page, "Bedömning").fill("Uppgifterna om våld behöver utredas.")
    field(page, "Beslut").select_option(label="Utredning inleds")
    field(page, "Skäl för beslutet").fill("Barnet kan vara utsatt för våld i hemmet.")
    expect(field(page, "Beslutsdatum")).to_have_value(facts["today"])
    page.get_by_role("button", name="Signera och fatta beslutet").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Förhandsbedömningen är signerad och beslutet fattat."
    )
    # The case has passed to the investigation unit, out of intake's sight: back to the queue.
    expect(heading(page)).to_have_text("Mottagningens kö")
    page.goto(report_url)
    table = page.get_by_role("table", name="Barn som anmälan gäller")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).not_to_contain_text(first["name"])
    expect(page.get_by_text("Anmälan gäller också 1 barn vars ärende")).to_be_visible()

    # The sibling's pre-assessment stays a draft, still on its clock.
    page.goto(case_urls[second["name"]])
    intake = page.get_by_role("region", name="Aktualisering")
    expect(fact(page.locator("dl.facts").first, "Status")).to_have_text("Förhandsbedömning")
    expect(fact(intake, "Status")).to_contain_text("Utkast")
    expect(fact(intake, "Tid kvar")).to_contain_text("dagar kvar")
    expect(page.get_by_role("region", name="Utredning")).to_have_count(0)
    sign_out(page)

    # 4. The investigator searches the case list by name (a POST: the name never reaches the
    # address) and works on the investigation.
    sign_in(page, "utredare", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Ärenden").click()
    expect(heading(page)).to_have_text("Ärenden")
    listed = page.get_by_role("table", name=re.compile(r"som du har behörighet till, sida 1 av"))
    assert listed.get_by_role("row").count() <= 51  # the header and at most 50 cases a page
    field(page, "Sök på namn eller ärendenummer").fill(first["name"])
    page.get_by_role("button", name="Sök", exact=True).click()
    results = page.get_by_role("table", name=re.compile(r"sökresultat"))
    expect(results.get_by_role("row")).to_have_count(2)  # the header and the child's case
    assert first["name"].split()[0] not in page.url and "sok" not in page.url
    results.get_by_role("link", name=first["name"], exact=True).click()
    expect(heading(page)).to_have_text(f"Ärende för {first['name']}")
    case_url = page.url
    assert case_url.endswith(case_urls[first["name"]])
    case_facts = page.locator("dl.facts").first
    expect(fact(case_facts, "Status")).to_have_text("Utredning")
    expect(fact(case_facts, "Enhet")).to_have_text("Utredningsenheten Bromma")
    intake = page.get_by_role("region", name="Aktualisering")
    expect(fact(intake, "Beslut")).to_have_text("Utredning inleds")
    expect(page.get_by_role("heading", name=f"Utredning inledd {facts['today']}")).to_be_visible()
    page.get_by_role("link", name="Öppna utredningen").click()
    expect(heading(page)).to_have_text(f"Utredning för {first['name']}")
    investigation_url = page.url
    expect(page.get_by_text(re.compile(r"Anmälan gäller våld \(orsak I, M\)"))).to_be_visible()

    # The investigation plan: the editor opens at once, with today's date and the framework in
    # use; the first autosave creates the draft and the address becomes the draft's (ids only).
    page.get_by_role("link", name="Skriv utredningsplan").click()
    expect(heading(page)).to_have_text("Utredningsplan")
    expect(page.get_by_role("button", name="Skapa utkast")).to_have_count(0)
    expect(field(page, "Datum för planen")).to_have_value(facts["today"])
    expect(field(page, "Ramverk för områdena")).to_have_value("bbic-2018-areas")
    field(page, "Frågor som utredningen ska besvara").fill(
        "Utsätts barnet för våld hemma? Vilket stöd behöver barnet och familjen?"
    )
    expect(page.locator("#autosave-status")).to_contain_text(re.compile(r"Utkast sparat \d\d:\d\d"))
    expect(page).to_have_url(re.compile(r"/utredningar/plan/\d+/$"))
    expect(page.get_by_text("(kan inte ändras när utkastet är sparat)")).to_be_visible()
    areas = page.get_by_role("group", name=re.compile(r"^Områden att utreda"))
    areas.get_by_label("Säkerhet", exact=True).check()
    areas.get_by_label("Känslor och beteende", exact=True).check()
    field(page, "Planerade kontakter").fill("Skolan, BVC och barnets mormor.")
    field(page, "Hur barnet ska träffas och vara delaktigt").fill(
        "Två samtal med barnet ensamt i skolan, med stöd av bildmaterial."
    )
    field(page, "Tidsplan").fill("Samtal under de första två veckorna, analys i månad tre.")
    page.get_by_role("button", name="Spara och signera").click()
    expect(page.get_by_role("status")).to_contain_text("Dokumentet är signerat och låst.")
    expect(fact(page.locator("dl.facts").first, "Status")).to_contain_text("Signerad")
    content = page.locator("dl.document-content")
    expect(fact(content, "Områden att utreda")).to_have_text("Känslor och beteende, Säkerhet")

    # An area assessment.
    page.get_by_role("link", name="Tillbaka till utredningen").click()
    page.get_by_role("link", name="Börja skriva Säkerhet").click()
    expect(heading(page)).to_have_text("Område: Säkerhet")
    expect(field(page, "Område")).to_have_value("sakerhet")
    field(page, "Vad har kommit fram?").fill(
        "Barnet berättar att pappa slår när han är arg. Mamma bekräftar bråk men inte slag."
    )
    field(page, "Källor").fill("Samtal med barnet och med mamma.")
    field(page, "Riskfaktorer").fill("Upprepat våld, pappas ilska.")
    field(page, "Skyddsfaktorer").fill("Mormor i närheten, trygg skolgång.")
    field(page, "Barnets syn").fill("”Jag vill att pappa slutar slå.”")
    field(page, "Vårdnadshavarnas syn").fill("Mamma vill ha stöd.")
    page.get_by_role("button", name="Spara och signera").click()
    expect(page.get_by_role("status")).to_contain_text("Dokumentet är signerat och låst.")
    page.get_by_role("link", name="Tillbaka till utredningen").click()
    area_row = page.get_by_role("table", name=re.compile("^Utredningens områden")).get_by_role(
        "row", name=re.compile(r"^Säkerhet")
    )
    expect(area_row.get_by_text("Signerad", exact=True)).to_be_visible()
    expect(area_row.get_by_text("Dokumenterad", exact=True)).to_be_visible()

    # A conversation with the child alone, about the violence.
    page.get_by_role("link", name="Registrera kontakt").click()
    expect(heading(page)).to_have_text("Registrera kontakt")
    field(page, "Slag av kontakt").select_option(label="Samtal med barnet")
    expect(field(page, "Datum för kontakten")).to_have_value(facts["today"])
    page.get_by_role("group", name=re.compile(r"^Var barnet ensamt med dig\?")).get_by_label(
        "Ja"
    ).check()
    page.get_by_role("group", name=re.compile(r"^Pratade ni om våld\?")).get_by_label("Ja").check()
    field(page, "Sammanfattning").fill("Samtal i skolan utan föräldrar. Barnet berättar om slag.")
    page.get_by_role("button", name="Registrera", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Kontakten är registrerad.")
    participation = page.locator("#child-participation")
    expect(fact(participation, "Har barnet träffats?")).to_have_text("Ja")
    expect(fact(participation, "Samtal med barnet")).to_contain_text("1 samtal")
    expect(fact(participation, "Varav ensam med handläggaren")).to_have_text("1")
    expect(fact(participation, "Varav samtal om våld")).to_have_text("1")
    contact_row = page.get_by_role("table", name="Kontaktlogg").get_by_role("row").nth(1)
    expect(contact_row).to_contain_text("Samtal med barnet")

    # A risk assessment, signed.
    page.get_by_role("link", name="Gör en riskbedömning").click()
    expect(heading(page)).to_have_text("Riskbedömning")
    field(page, "Metod eller instrument").fill("FREDA-farlighetsbedömning")
    field(page, "Svar").fill("1: Ja\n4: Nej")
    field(page, "Samlad bedömning av risken").select_option(label="Måttlig")
    field(page, "Tidsperspektiv").select_option(label="Kort sikt (veckor till månader)")
    field(page, "Ny bedömning senast").fill(facts["reassess_on"])
    field(page, "Säkerhetsplan").fill("Mormor hämtar efter skolan; mamma ringer polisen vid hot.")
    page.get_by_role("button", name="Spara och signera").click()
    expect(page.get_by_role("status")).to_contain_text("Dokumentet är signerat och låst.")
    page.get_by_role("link", name="Tillbaka till utredningen").click()
    risk_row = page.get_by_role("table", name="Riskbedömningar").get_by_role("row").nth(1)
    expect(risk_row).to_contain_text("FREDA-farlighetsbedömning")
    expect(risk_row).to_contain_text("Måttlig")
    expect(risk_row).to_contain_text(facts["reassess_on"])
    expect(risk_row.get_by_text("Signerad", exact=True)).to_be_visible()
    expect(page.get_by_text("Ingen riskbedömning är signerad ännu.")).to_have_count(0)

    # Two needs.
    needs = (
        ("Säkerhet", "Att slippa våld hemma.", "Stort", "Vill att det ska vara lugnt hemma."),
        ("Känslor och beteende", "Samtalsstöd om det barnet varit med om.", "Måttligt", ""),
    )
    for area, description, severity, child_view in needs:
        page.get_by_role("link", name="Lägg till behov").click()
        expect(heading(page)).to_have_text("Lägg till behov")
        field(page, "Område").select_option(label=area)
        field(page, "Behov").fill(description)
        field(page, "Hur stort är behovet?").select_option(label=severity)
        if child_view:
            field(page, "Barnets syn på behovet").fill(child_view)
        page.get_by_role("button", name="Spara", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Behovet är sparat.")
    needs_table = page.get_by_role("table", name="Behov som analysen pekar ut")
    expect(needs_table.get_by_role("row")).to_have_count(3)
    expect(needs_table).to_contain_text("Att slippa våld hemma.")
    expect(needs_table).to_contain_text("Samtalsstöd om det barnet varit med om.")

    # The analysis, signed.
    page.get_by_role("link", name="Skriv analys och bedömning").click()
    expect(heading(page)).to_have_text("Analys och bedömning")
    expect(fact(page.locator("#child-participation"), "Varav ensam med handläggaren")).to_have_text(
        "1"
    )
    expect(page.get_by_text("En riskbedömning är signerad.")).to_be_visible()
    field(page, "Analys och bedömning").fill(
        "Barnet har utsatts för våld av pappa. Mamma och mormor är skyddsfaktorer. Barnet "
        "behöver skydd mot våld och samtalsstöd."
    )
    page.get_by_role("button", name="Spara och signera").click()
    expect(page.get_by_role("status")).to_contain_text("Dokumentet är signerat och låst.")
    expect(page.get_by_text("Behoven är låsta eftersom analysen är signerad.")).to_be_visible()

    # The case page sums it up: the child was met, alone once.
    page.goto(case_url)
    section = page.get_by_role("region", name="Utredning")
    expect(fact(section, "Barnet träffat")).to_have_text("Ja, 1 samtal")
    expect(fact(section, "Barnet ensamt")).to_have_text("Ja, 1 gång")
    expect(fact(section, "Behov")).to_have_text("2 · analys: signerad")
    sign_out(page)

    # 5. An investigator of another district does not learn that the case exists.
    sign_in(page, "utredare.farsta", DEMO_PASSWORD)
    expect(heading(page)).to_have_text("Översikt")
    response = page.goto(case_url)
    assert response is not None and response.status == 404
    expect(heading(page)).to_have_text("Sidan finns inte")
    response = page.goto(investigation_url)
    assert response is not None and response.status == 404
    expect(heading(page)).to_have_text("Sidan finns inte")
