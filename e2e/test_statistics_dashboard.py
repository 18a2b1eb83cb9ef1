"""Issue 10 point 5 in Chromium: the analyst opens the statistics dashboard from the menu, sees
each indicator as a chart followed by its table, and exports one table as CSV after saying why
(docs/statistics.md, "The dashboard", "Export"). axe checks every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.test_login import sign_in
from rodtrad.demo.users import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def test_the_analyst_sees_a_chart_and_its_table_and_exports_csv(page, e2e_database):
    sign_in(page, "analytiker", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Statistik").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistik")
    section = page.get_by_role("region", name=re.compile("med våldsanledning"))
    chart = section.get_by_role("img", name=re.compile("Andel aktualiseringar med våldsanledning"))
    expect(chart).to_be_visible()
    table = section.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.get_by_role("rowheader", name="Totalt")).to_be_visible()

    section.get_by_role("link", name=re.compile("Exportera tabellen som CSV")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exportera tabell")
    page.get_by_role("button", name="Exportera som CSV").click()
    expect(page.get_by_text("Skriv varför du exporterar tabellen.").first).to_be_visible()
    page.get_by_label("Varför exporterar du?").fill("Underlag till nämndens verksamhetsberättelse.")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Exportera som CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("statistik-violence_share-")
    content = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert content[0].startswith("district,reports,reports_violence,")
    assert content[-1].startswith("Totalt,")


def test_the_analyst_chooses_more_tables_and_a_grouping(page, e2e_database):
    sign_in(page, "analytiker", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Statistik").click()
    choices = page.get_by_role("group", name="Tabeller att visa")
    choices.get_by_label("Utredningar per utredare").check()
    choices.get_by_label("Aktualiseringar och inledda utredningar per grupp").check()
    page.get_by_label("Aktualiseringar per grupp: dela upp efter").select_option(
        label="Åldersgrupp (0–12, 13–20)"
    )
    page.get_by_role("button", name="Visa").click()
    caseload = page.get_by_role("region", name=re.compile("Utredningar per utredare"))
    expect(caseload.get_by_role("img", name=re.compile("per utredare"))).to_be_visible()
    expect(caseload.get_by_role("columnheader", name="Månad")).to_be_visible()
    groups = page.get_by_role("region", name=re.compile("per grupp"))
    expect(groups.get_by_role("rowheader", name="13–20")).to_be_visible()
