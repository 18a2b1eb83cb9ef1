"""Issue 11 point 8, the internal control in Chromium (docs/internal-control.md): the demo
reviewer opens her review programme under Egenkontroll, reviews two sampled cases (the items
needed to submit say so; the record's answer stands beside hers; autosave, then submit at once),
and flags one case to the team manager; the team manager of the case's district sees the flag
on the start page and records what was done, which the reviewer then reads on the case's flag
page; the reviewer gets 404 on cases outside her sample.
axe checks every page.

Nothing here depends on the day the demo was generated: the programme, the cases and the
manager are found through the pages (the first programme listed for the reviewer that has two
cases left to review). The journey uses the session's server and database and leaves the
demo's submitted review and draft alone: it reviews cases not begun where it can.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.test_login import sign_in
from rodtrad.demo.users import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.e2e

REVIEWER = "granskare"
NEEDED = "(krävs för att lämna in)"
SUBMITTED = "Inlämnad"
NOT_BEGUN = "Inte påbörjad"
CASE_NUMBER = re.compile(r"Ärende (\d+)")

# Sampled cases of any programme that are not given to the reviewer (another programme or
# another reviewer's assignment), if the demo has any.
NOT_HERS = """
import json
from rodtrad.audits.models import SampledCase
ids = list(SampledCase.objects.exclude(assignments__reviewer__username={reviewer!r})
           .order_by("pk").values_list("pk", flat=True)[:1])
print(json.dumps(ids))
"""


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))


def open_programme_with_cases_to_review(page: Any) -> list[tuple[str, str]]:
    """Opens the first of the reviewer's programmes with two cases left to review; returns
    every case of hers there as (case number, review URL), the ones not begun first."""
    page.get_by_role("link", name="Mina granskningar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Egenkontroll: granskningar")
    programmes = page.get_by_role("table", name="Granskningar").get_by_role("link")
    urls = [link.get_attribute("href") for link in programmes.all()]
    for url in urls:
        page.goto(url)
        rows = page.get_by_role("table", name="Dina ärenden i granskningen").get_by_role("row")
        cases: list[tuple[int, str, str]] = []
        for row in rows.all()[1:]:
            link = row.get_by_role("link")
            if not link.count():
                continue  # the review period has ended
            status = row.get_by_role("cell").last.inner_text().strip()
            number = CASE_NUMBER.search(link.inner_text())
            assert number is not None
            rank = 0 if status == NOT_BEGUN else 1 if status != SUBMITTED else 2
            cases.append((rank, number.group(1), link.get_attribute("href")))
        if sum(1 for rank, _, _ in cases if rank < 2) >= 2:
            cases.sort(key=lambda case: case[0])
            return [(number, href) for _, number, href in cases]
    pytest.skip("The demo has no review programme with two cases left for the reviewer today.")


def answer_every_item(page: Any) -> int:
    """Answers each yes/no or scale item with its first answer; returns how many."""
    form = page.locator("form.stacked")
    groups = form.get_by_role("group").filter(has_text=NEEDED)
    count = groups.count()
    for index in range(count):
        groups.nth(index).get_by_role("radio").first.check()
    return count


def check_the_form(page: Any) -> None:
    """The items needed to submit say so and none says optional; the record stands beside."""
    form = page.locator("form.stacked")
    legends = form.locator("legend")
    expect(legends.filter(has_text=NEEDED).first).to_be_visible()
    for legend in legends.all():
        assert "frivilligt" not in legend.inner_text(), legend.inner_text()
    record = form.locator(".record-answer")
    expect(record.first).to_be_visible()
    for text in record.all_inner_texts():
        assert re.fullmatch(r"Journalen: .+: (Ja|Nej)", text.strip()), text


def test_the_reviewer_reviews_two_cases_flags_one_and_the_manager_acts_on_it(
    page: Any, e2e_database: Any
) -> None:
    sign_in(page, REVIEWER, DEMO_PASSWORD)
    cases = open_programme_with_cases_to_review(page)
    sampled_numbers = {number for number, _ in cases}
    (first_number, first_url), (second_number, second_url) = cases[:2]

    # The first case: answers, a note typed, and "Lämna in" at once. Leaving the note starts
    # an autosave that raises the version; the submit waits for it and is not a conflict.
    page.goto(first_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Granskning av ärende {first_number}"
    )
    check_the_form(page)
    district = page.locator("dl.facts dt", has_text="Stadsdel").locator(
        "xpath=following-sibling::dd[1]"
    )
    district_name = district.inner_text().strip()
    assert answer_every_item(page) > 0
    page.locator("form.stacked").get_by_role("textbox").first.fill(
        "Akten är tydlig om vem som gjorde vad."
    )
    page.get_by_role("button", name="Lämna in granskningen").click()
    expect(page.get_by_text("Granskningen är inlämnad.")).to_be_visible()
    expect(page.get_by_text(re.compile("Du lämnade in granskningen"))).to_be_visible()

    # The second case: the draft is saved automatically (the status line says so), then
    # submitted; then a finding for the team manager.
    page.goto(second_url)
    check_the_form(page)
    answer_every_item(page)
    expect(page.get_by_role("status").filter(has_text="Utkast sparat")).to_be_visible()
    page.get_by_role("button", name="Lämna in granskningen").click()
    expect(page.get_by_text("Granskningen är inlämnad.")).to_be_visible()
    page.get_by_role("link", name="Skicka en iakttagelse till enhetschefen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Iakttagelse om ärende {second_number}"
    )
    flag_url = page.url
    item = page.get_by_label("Fråga i checklistan")
    item.select_option(index=1)
    item_text = item.locator("option:checked").inner_text().strip()
    finding_note = "Riskbedömningen nämns i analysen men finns inte i akten."
    page.get_by_label("Vad såg du?").fill(finding_note)
    page.get_by_role("button", name="Skicka").click()
    expect(page.get_by_text("Iakttagelsen är skickad till enhetschefen.")).to_be_visible()
    sign_out(page)

    # The team manager of the case's district: the flag on the start page, what was done.
    managers = [
        user.username
        for user in DEMO_USERS
        if user.role == "team_manager"
        and (user.district or "").casefold() == district_name.casefold()
    ]
    assert managers, f"no demo team manager in {district_name}"
    sign_in(page, managers[0], DEMO_PASSWORD)
    findings = page.get_by_role("table", name=re.compile("från egenkontrollen väntar på åtgärd"))
    flagged = findings.get_by_role("row").filter(
        has=page.get_by_role("link", name=f"Ärende {second_number}", exact=True)
    )
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text(item_text)
    finding_url = flagged.get_by_role("link").get_attribute("href")
    flagged.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Iakttagelse från egenkontrollen")
    expect(page.get_by_text(finding_note)).to_be_visible()
    action_note = "Riskbedömning gjord med FREDA och signerad."
    page.get_by_label("Vad gjordes?").fill(action_note)
    page.get_by_role("button", name="Registrera vad som gjordes").click()
    expect(page.get_by_text("Det som gjordes är registrerat.")).to_be_visible()
    expect(page.locator(f"a[href='{finding_url}']")).to_have_count(0)  # no longer waiting
    # A case of the district that is not in the reviewer's sample.
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Ärenden").click()
    case_links = page.locator("main a[href]").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    outside = next(
        (
            match.group(1)
            for href in case_links
            if (match := re.fullmatch(r"/arenden/(\d+)/", href or ""))
            and match.group(1) not in sampled_numbers
        ),
        None,
    )
    assert outside is not None, "the manager's case list has no case outside the sample"
    sign_out(page)

    # The reviewer sees on the case's flag page what she flagged and what the manager did;
    # she reads only her sample, and only through the review pages.
    sign_in(page, REVIEWER, DEMO_PASSWORD)
    page.goto(flag_url)
    sent = page.get_by_role("heading", name="Iakttagelser du redan har skickat om ärendet")
    expect(sent).to_be_visible()
    expect(page.get_by_text(finding_note)).to_be_visible()
    expect(page.get_by_text(action_note)).to_be_visible()
    for url in (f"/arenden/{outside}/", f"/arenden/{second_number}/"):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
    not_hers = e2e_database.query(NOT_HERS.format(reviewer=REVIEWER))
    for pk in not_hers:  # none when every sampled case is hers
        response = page.goto(f"/egenkontroll/urval/{pk}/")
        assert response is not None and response.status == 404
