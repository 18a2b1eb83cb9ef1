"""Issue 10 point 5 in Chromium: the analyst opens the statistics dashboard from the menu, sees
each indicator as a chart followed by its table, and exports one table as CSV and one as XLSX
after saying why and entering the code from the app again (step-up; docs/statistics.md, "The
dashboard", "Export"). axe checks every page."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.test_login import sign_in
from rodtrad.demo.users import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

ANALYST = "analytiker"
# RFC 6238's test key: the analyst's authenticator app in these journeys.
APP_KEY = "3132333435363738393031323334353637383930"
ENROL = """
from django_otp.plugins.otp_totp.models import TOTPDevice
from rodtrad.accounts.models import User
user = User.objects.get(username={username!r})
TOTPDevice.objects.filter(user=user).delete()
TOTPDevice.objects.create(user=user, name="Telefon", key={key!r}, confirmed=True)
"""


def enrol_app(e2e_database, username: str) -> None:
    """Give the demo user an authenticator app (demo users sign in without one; step-up then
    asks for its code). A new device each time, so a code used by another journey is new."""
    e2e_database.manage("shell", "-c", ENROL.format(username=username, key=APP_KEY))


def app_code() -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(APP_KEY)):06d}"


def open_dashboard(page) -> None:
    sign_in(page, ANALYST, DEMO_PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Statistik").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistik")


def test_the_analyst_sees_a_chart_and_its_table_and_exports_csv(page, e2e_database):
    enrol_app(e2e_database, ANALYST)
    open_dashboard(page)
    section = page.get_by_role("region", name=re.compile("med våldsanledning"))
    chart = section.get_by_role("img", name=re.compile("Andel aktualiseringar med våldsanledning"))
    expect(chart).to_be_visible()
    table = section.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.get_by_role("rowheader", name="Totalt")).to_be_visible()

    section.get_by_role("link", name=re.compile("Exportera tabellen")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exportera tabell")
    page.get_by_role("button", name="Exportera").click()
    expect(page.get_by_text("Skriv varför du exporterar tabellen.").first).to_be_visible()
    expect(page.get_by_text("Skriv in koden från appen.").first).to_be_visible()
    page.get_by_label("Varför exporterar du?").fill("Underlag till nämndens verksamhetsberättelse.")
    page.get_by_label("Engångskod").fill(app_code())
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Exportera").click()
    download = download_info.value
    assert download.suggested_filename.startswith("statistik-violence_share-")
    assert download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert content[0].startswith("district,reports,reports_violence,")
    assert content[-1].startswith("Totalt,")


def test_the_analyst_exports_xlsx_after_a_wrong_code_and_then_the_right_one(page, e2e_database):
    from openpyxl import load_workbook

    enrol_app(e2e_database, ANALYST)
    open_dashboard(page)
    section = page.get_by_role("region", name=re.compile("Barnets delaktighet"))
    section.get_by_role("link", name=re.compile("Exportera tabellen")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exportera tabell")
    page.get_by_label("Excel (XLSX)").check()
    page.get_by_label("Varför exporterar du?").fill("Nämndens uppföljning av barnsamtal.")
    wrong = "000000" if app_code() != "000000" else "111111"
    page.get_by_label("Engångskod").fill(wrong)
    page.get_by_role("button", name="Exportera").click()
    expect(page.get_by_text("Koden stämmer inte eller har redan använts.").first).to_be_visible()
    expect(page.get_by_label("Excel (XLSX)")).to_be_checked()  # the choice is kept
    # django-otp slows a new attempt down for a second after a failure.
    page.wait_for_timeout(1500)
    page.get_by_label("Engångskod").fill(app_code())
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Exportera").click()
    download = download_info.value
    assert download.suggested_filename.startswith("statistik-child_participation-")
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(BytesIO(Path(download.path()).read_bytes())).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert str(rows[0][0]).startswith("Barnets delaktighet i avslutade utredningar")
    assert rows[1][0] == "Stadsdel"
    assert any(row[0] == "Totalt" for row in rows)
    counts = [v for row in rows[2:] for v in row[1:] if isinstance(v, int)]
    assert all(not 0 < v < 5 for v in counts)  # small counts leave as ".." only


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
