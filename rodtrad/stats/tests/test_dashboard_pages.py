"""The dashboard and the export over HTTP: who sees which districts, suppression on the page
and in the CSV, and the export's journal entry (docs/statistics.md, "The dashboard")."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from rodtrad.journal.models import JournalEntry

DASHBOARD = reverse("stats:dashboard")
EXPORT = reverse("stats:export")


def numbers_in_cells(html: str) -> list[str]:
    return re.findall(r'<td class="number">([^<]*)</td>', html)


@pytest.fixture
def world(dashboard_world):
    return dashboard_world


def test_the_analyst_sees_every_district(world, analyst, signed_in):
    response = signed_in(analyst).get(DASHBOARD, {"year": 2026})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="row">Bromma</th>' in html
    assert '<th scope="row">Farsta</th>' in html
    # Each indicator: an SVG chart with its title, then its table.
    assert html.count('<svg role="img"') == 3
    assert html.count("<caption>") == 3
    assert html.index("violence_share-titel") < html.index("<caption>")
    assert 'id="id_district"' in html  # the analyst may choose a district


def test_the_analyst_filters_on_one_district(world, analyst, signed_in):
    html = signed_in(analyst).get(DASHBOARD, {"year": 2026, "district": "farsta"}).content
    assert b'<th scope="row">Farsta</th>' in html
    assert b'<th scope="row">Bromma</th>' not in html


def test_a_team_manager_sees_only_their_district(world, manager, signed_in):
    client = signed_in(manager)
    html = client.get(DASHBOARD, {"year": 2026}).content.decode()
    assert '<th scope="row">Bromma</th>' in html
    assert "Farsta" not in html
    # Asking for another district is not a choice: the form refuses it, nothing is shown.
    other = client.get(DASHBOARD, {"year": 2026, "district": "farsta"}).content.decode()
    assert "Farsta" not in other.split("<h1>", 1)[1].split('id="id_district"', 1)[0]
    assert "<caption>" not in other


@pytest.mark.parametrize("role", ["investigator", "provider", "intake_worker", "reviewer", "admin"])
def test_other_roles_get_404(world, role, request, signed_in):
    client = signed_in(request.getfixturevalue(role))
    assert client.get(DASHBOARD).status_code == 404
    assert client.get(EXPORT, {"indicator": "violence_share"}).status_code == 404
    post = client.post(EXPORT, {"indicator": "violence_share", "year": 2026, "reason": "Test."})
    assert post.status_code == 404


def test_the_navigation_links_the_dashboard_for_analyst_and_manager(
    world, analyst, manager, investigator, client
):
    from conftest import sign_in

    link = f'href="{DASHBOARD}"'
    assert link in sign_in(client, analyst).get(reverse("home")).content.decode()
    assert link in sign_in(client, manager).get(reverse("home")).content.decode()
    assert link not in sign_in(client, investigator).get(reverse("home")).content.decode()


def test_no_count_below_the_threshold_appears_on_the_page(world, manager, signed_in):
    # Bromma alone: met alone 4, violence cases 2, investigations opened 2, contact persons 3…
    html = signed_in(manager).get(DASHBOARD, {"year": 2026}).content.decode()
    cells = numbers_in_cells(html)
    assert cells
    assert not [cell for cell in cells if cell.strip() in {"1", "2", "3", "4"}]
    assert '-fotnot">–</span></td>' in html  # suppressed cells, pointing at the footnote
    assert "färre än 5" in html


def test_export_needs_a_reason_and_is_journaled(world, analyst, signed_in, otp_code):
    client = signed_in(analyst)
    form = client.get(EXPORT, {"indicator": "child_participation", "year": 2026})
    assert "Varför exporterar du?" in form.content.decode()
    before = JournalEntry.objects.filter(action="stats.export").count()
    refused = client.post(EXPORT, {"indicator": "child_participation", "year": 2026, "reason": " "})
    assert refused.status_code == 200
    assert "Skriv varför du exporterar tabellen." in refused.content.decode()
    assert JournalEntry.objects.filter(action="stats.export").count() == before

    response = client.post(
        EXPORT,
        {
            "indicator": "child_participation",
            "year": 2026,
            "district": "",
            "reason": "Underlag till nämndens uppföljning.",
            "file_format": "csv",
            "otp_token": otp_code(analyst),
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv"), re.findall(
        r'class="errorlist"[^>]*>(.*?)</ul>', response.content.decode()
    )
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("district,closed,met,met_pct,met_alone")
    rows = [line.split(",") for line in lines[1:]]
    # Every district the analyst sees, by name (the factories' own districts count 0), then
    # the total.
    names = [row[0] for row in rows]
    assert names[:2] == ["Bromma", "Farsta"]
    assert names[-1] == "Totalt"
    # Suppressed counts are "..", never a number below the threshold.
    assert not [v for row in rows for v in row[1:] if v in {"1", "2", "3", "4"}]
    assert ".." in rows[0]
    entry = JournalEntry.objects.filter(action="stats.export").latest("seq")
    assert entry.actor == analyst
    assert entry.data["indicator"] == "child_participation"
    assert entry.data["version"] == 1
    assert entry.data["year"] == 2026
    assert {"bromma", "farsta"} <= set(entry.data["districts"])  # every district, by code
    assert entry.data["reason"] == "Underlag till nämndens uppföljning."
    assert entry.data["format"] == "csv"


def test_a_team_manager_cannot_export_another_district(world, manager, signed_in, otp_code):
    client = signed_in(manager)
    response = client.post(
        EXPORT,
        {
            "indicator": "violence_share",
            "year": 2026,
            "district": "farsta",
            "reason": "Test.",
            "file_format": "csv",
            "otp_token": otp_code(manager),
        },
    )
    assert response.status_code == 200  # the form refuses the district: nothing exported
    assert not response["Content-Type"].startswith("text/csv")
    assert not JournalEntry.objects.filter(action="stats.export").exists()


def test_a_team_managers_export_holds_their_district_only(world, manager, signed_in, otp_code):
    client = signed_in(manager)
    response = client.post(
        EXPORT,
        {
            "indicator": "needs_interventions",
            "year": 2026,
            "reason": "Ledningsgruppen.",
            "file_format": "csv",
            "otp_token": otp_code(manager),
        },
    )
    lines = response.content.decode().splitlines()
    # Bromma only: health [6, 1], education [0, 3]; the 1 and 3 and what reveals them hidden.
    assert lines == [
        "need_area,strukturerat-oppenvardsprogram,kontaktperson-kontaktfamilj,total",
        "Hälsa,6,..,..",
        "Utbildning,0,..,..",
        "Totalt,6,..,..",
    ]
    entry = JournalEntry.objects.get(action="stats.export")
    assert entry.district == "bromma"
    assert entry.data["districts"] == ["bromma"]
    assert entry.data["reason"] == "Ledningsgruppen."


ALL_TABLES = [
    "violence_share",
    "child_participation",
    "needs_interventions",
    "report_breakdown",
    "durations",
    "placements",
    "caseload",
    "risk_assessments",
    "follow_up_coverage",
    "commissions_by_problem",
    "outcomes",
    "not_carried_out",
    "document_use",
    "area_coverage",
]


def test_the_analyst_chooses_the_tables_and_the_grouping(world, analyst, signed_in):
    client = signed_in(analyst)
    html = client.get(
        DASHBOARD,
        {"year": 2026, "show": ["report_breakdown", "caseload"], "breakdown": "age_band_seeds"},
    ).content.decode()
    # Only the chosen tables are there (and computed), each with its chart.
    assert 'id="report_breakdown-rubrik"' in html
    assert 'id="caseload-rubrik"' in html
    assert 'id="violence_share-rubrik"' not in html
    assert html.count('<svg role="img"') == 2
    assert '<th scope="row">13–20</th>' in html  # the seeds' age bands
    assert '<th scope="row">2026-06</th>' in html  # caseload by month, up to today
    # Every table at once: each of them on the page.
    everything = client.get(DASHBOARD, {"year": 2026, "show": ALL_TABLES}).content.decode()
    assert everything.count('class="indicator"') == len(ALL_TABLES)
    for code in ALL_TABLES:
        assert f'id="{code}-rubrik"' in everything


def test_a_team_managers_chosen_tables_hold_their_district_only(world, manager, signed_in):
    html = (
        signed_in(manager)
        .get(DASHBOARD, {"year": 2026, "show": ALL_TABLES, "breakdown": "sex"})
        .content.decode()
    )
    assert "Farsta" not in html.split("<h1>", 1)[1]
    assert '<th scope="row">Bromma</th>' in html
    # Bromma's small counts (2 investigations opened, 4 met alone, …) never appear.
    assert not [cell for cell in numbers_in_cells(html) if cell.strip() in {"1", "2", "3", "4"}]


def test_an_unknown_table_is_refused_by_the_form(world, analyst, signed_in):
    html = signed_in(analyst).get(DASHBOARD, {"year": 2026, "show": "nonsense"}).content.decode()
    assert "<caption>" not in html
    assert 'class="errorlist"' in html


def test_a_new_table_is_exported_like_the_others(world, analyst, signed_in, otp_code):
    client = signed_in(analyst)
    data = {"indicator": "report_breakdown", "year": 2026, "reason": "Nämnden."}
    response = client.post(EXPORT, {**data, "file_format": "csv", "otp_token": otp_code(analyst)})
    lines = response.content.decode().splitlines()
    assert lines[0] == "sex,reports,investigations,share_opened_pct"
    # Bromma 6 + Farsta 10 reports (girls, as the factories make them), 2 opened.
    assert lines[-1] == "Totalt,16,..,.."
    entry = JournalEntry.objects.get(action="stats.export")
    assert (entry.data["indicator"], entry.data["version"]) == ("report_breakdown", 1)
    assert entry.data["breakdown"] == ""  # the default grouping (by sex)


def test_the_grouping_chosen_on_the_dashboard_is_what_is_exported(
    world, analyst, signed_in, otp_code
):
    client = signed_in(analyst)
    page = client.get(
        DASHBOARD, {"year": 2026, "show": ["report_breakdown"], "breakdown": "age_band_seeds"}
    ).content.decode()
    assert "breakdown=age_band_seeds" in page  # the table's export link carries the grouping
    response = client.post(
        EXPORT,
        {
            "indicator": "report_breakdown",
            "year": 2026,
            "breakdown": "age_band_seeds",
            "reason": "Nämnden.",
            "file_format": "csv",
            "otp_token": otp_code(analyst),
        },
    )
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("age_band_seeds,")
    entry = JournalEntry.objects.get(action="stats.export")
    assert entry.data["breakdown"] == "age_band_seeds"
