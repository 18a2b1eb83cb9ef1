"""Exports of a dashboard table as CSV, XLSX and PDF, after step-up with the second factor,
journaled with who, what and why (docs/statistics.md, "Export")."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from rodtrad.journal.models import JournalEntry
from rodtrad.letters.tests.conftest import flat, pdf_text

EXPORT = reverse("stats:export")


@pytest.fixture
def world(dashboard_world):
    return dashboard_world


def post(client, code, **data):
    return client.post(
        EXPORT,
        {
            "indicator": "needs_interventions",
            "year": 2026,
            "district": "",
            "reason": "Nämndens uppföljning.",
            "otp_token": code,
            **data,
        },
    )


def test_the_form_offers_three_formats_and_asks_for_the_code(world, analyst, signed_in):
    html = (
        signed_in(analyst)
        .get(EXPORT, {"indicator": "violence_share", "year": 2026, "format": "xlsx"})
        .content.decode()
    )
    for value in ("csv", "xlsx", "pdf"):
        assert f'value="{value}"' in html
    assert re.search(r'value="xlsx"[^>]*checked', html)  # the format the link asked for
    assert not re.search(r'value="csv"[^>]*checked', html)
    assert 'name="otp_token"' in html
    assert 'autocomplete="one-time-code"' in html


def test_xlsx_holds_the_published_table_with_dots_for_suppressed(
    world, manager, signed_in, otp_code
):
    response = post(signed_in(manager), otp_code(manager), file_format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="statistik-needs_interventions-2026.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Behov och beviljade insatser 2026", None, None, None]
    assert rows[1] == [
        "Behovsområde",
        "Strukturerat öppenvårdsprogram",
        "Kontaktperson eller kontaktfamilj",
        "Totalt",
    ]
    # Bromma only: health [6, 1], education [0, 3] (as the CSV test): numbers as numbers.
    assert rows[2:5] == [
        ["Hälsa", 6, "..", ".."],
        ["Utbildning", 0, "..", ".."],
        ["Totalt", 6, "..", ".."],
    ]
    notes = [row[0] for row in rows[6:]]
    assert notes[0].startswith("..: färre än 5")
    assert "Indikator needs_interventions, version 1." in notes
    assert "Stadsdelar: Bromma." in notes
    entry = JournalEntry.objects.get(action="stats.export")
    assert entry.data["format"] == "xlsx"
    assert entry.data["threshold"] == 5
    assert entry.data["reason"] == "Nämndens uppföljning."
    assert entry.actor == manager


def test_pdf_holds_the_same_table_without_a_secrecy_header(
    world, manager, signed_in, otp_code, tmp_path
):
    response = post(signed_in(manager), otp_code(manager), file_format="pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = flat(pdf_text(response.content, tmp_path))
    assert "Behov och beviljade insatser 2026" in text
    assert "Hälsa 6 .. .." in text
    assert "Utbildning 0 .. .." in text
    assert "OSL" not in text  # aggregates only: no secrecy marking (exports.py)
    assert JournalEntry.objects.get(action="stats.export").data["format"] == "pdf"


def test_a_wrong_code_exports_nothing_and_is_a_security_event(world, analyst, signed_in):
    client = signed_in(analyst)
    response = post(client, "000000", file_format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Koden stämmer inte eller har redan använts." in response.content.decode()
    assert not JournalEntry.objects.filter(action="stats.export").exists()
    failure = JournalEntry.objects.get(action="accounts.second_factor_failed")
    assert failure.actor == analyst
    assert failure.data == {"stage": "step_up", "purpose": "stats.export", "throttled": False}


def test_a_code_tried_again_at_once_after_a_wrong_one_is_slowed_down_and_told_so(
    world, analyst, signed_in, otp_code
):
    client = signed_in(analyst)
    code = otp_code(analyst)  # the clock stands still from here (the fixture fixes it)
    post(client, "000000" if code != "000000" else "111111", file_format="csv")
    # django-otp refuses to check any code for a second after a failure: the user is told to
    # wait, not that the right code is wrong.
    response = post(client, code, file_format="csv")
    assert "För många felaktiga försök. Vänta en stund" in response.content.decode()
    assert not JournalEntry.objects.filter(action="stats.export").exists()
    failures = JournalEntry.objects.filter(action="accounts.second_factor_failed")
    assert [f.data["throttled"] for f in failures] == [False, True]


def test_a_code_is_required_and_has_six_digits(world, analyst, signed_in):
    client = signed_in(analyst)
    assert "Skriv in koden från appen." in post(client, "", file_format="csv").content.decode()
    assert "Koden består av sex siffror." in post(client, "12a", file_format="csv").content.decode()
    assert not JournalEntry.objects.filter(action="stats.export").exists()


def test_a_code_works_once(world, analyst, signed_in, otp_code):
    client = signed_in(analyst)
    code = otp_code(analyst)
    assert post(client, code, file_format="csv")["Content-Type"].startswith("text/csv")
    again = post(client, code, file_format="csv")
    assert "Koden stämmer inte eller har redan använts." in again.content.decode()
    assert JournalEntry.objects.filter(action="stats.export").count() == 1
    assert JournalEntry.objects.filter(action="accounts.second_factor_confirmed").count() == 1


def test_an_unknown_format_is_a_form_error(world, analyst, signed_in, otp_code):
    response = post(signed_in(analyst), otp_code(analyst), file_format="docx")
    assert "Välj ett filformat." in response.content.decode()
    assert not JournalEntry.objects.filter(action="stats.export").exists()


def test_demo_user_without_an_app_exports_in_demo_mode_only(world, analyst, client, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rodtrad.accounts import services as accounts

    analyst.is_demo = True
    analyst.save(update_fields=["is_demo"])
    TOTPDevice.objects.filter(user=analyst).delete()
    settings.DEMO_MODE = False
    assert accounts.step_up_needs_code(analyst)
    assert not accounts.confirm_second_factor(analyst, "123456", purpose="stats.export")
    settings.DEMO_MODE = True
    assert not accounts.step_up_needs_code(analyst)
    assert accounts.confirm_second_factor(analyst, "", purpose="stats.export")
    entry = JournalEntry.objects.filter(action="accounts.second_factor_confirmed").latest("seq")
    assert entry.data == {"purpose": "stats.export", "device": "demo"}
