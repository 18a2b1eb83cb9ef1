"""Snapshots: a dashboard report frozen with its definitions' versions and data timestamp,
listed, shown and exported from the frozen numbers (docs/statistics.md, "Snapshots")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rodtrad.intake.tests.factories import ReportChildFactory
from rodtrad.journal.models import JournalEntry
from rodtrad.stats import services
from rodtrad.stats.indicators import DEFAULT_DASHBOARD
from rodtrad.stats.models import Snapshot
from rodtrad.stats.queries import visible_snapshots

DEFAULT = list(DEFAULT_DASHBOARD)
SNAPSHOTS = reverse("stats:snapshots")
CREATE = reverse("stats:snapshot-create")
EXPORT = reverse("stats:export")


@pytest.fixture
def world(dashboard_world):
    return dashboard_world


def test_a_snapshot_freezes_the_published_tables_and_is_journaled(world, analyst, signed_in):
    client = signed_in(analyst)
    form = client.get(CREATE, {"year": 2026, "district": "bromma"})
    assert "Spara en ögonblicksbild" in form.content.decode()
    refused = client.post(CREATE, {"year": 2026, "district": "bromma", "title": "", "reason": ""})
    assert "Skriv en rubrik för ögonblicksbilden." in refused.content.decode()
    assert not Snapshot.objects.exists()

    response = client.post(
        CREATE,
        {"year": 2026, "district": "bromma", "title": "Nämnden juni", "reason": "Till nämnden."},
    )
    snapshot = Snapshot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("stats:snapshot", kwargs={"pk": snapshot.pk})
    assert [d.code for d in snapshot.districts.all()] == ["bromma"]
    assert snapshot.indicators == [
        {"code": "violence_share", "version": 2},
        {"code": "child_participation", "version": 1},
        {"code": "needs_interventions", "version": 1},
    ]
    assert snapshot.threshold == 5
    assert snapshot.created_by == analyst
    # The published values, already suppressed: a hidden count is kept as a flag only.
    needs = next(t for t in snapshot.tables if t["indicator"] == "needs_interventions")
    assert needs["rows"][0] == ["Hälsa", [{"v": 6}, {"s": True}, {"s": True}]]
    entry = JournalEntry.objects.get(action="stats.snapshot_created")
    assert entry.actor == analyst
    assert entry.district == "bromma"
    assert entry.data["reason"] == "Till nämnden."
    assert entry.data["indicators"] == snapshot.indicators


def test_a_snapshot_shows_its_frozen_numbers_not_the_current_ones(
    world, analyst, own_district, signed_in
):
    snapshot = services.create_snapshot(
        title="Nämnden",
        year=2026,
        district_codes=["farsta"],
        reason="Nämnden.",
        by=analyst,
        indicators=DEFAULT,
    )
    # Five more reports in Farsta after the snapshot: the dashboard changes, the snapshot not.
    farsta = world[1]
    for _n in range(5):
        ReportChildFactory(case__child__district=farsta, report__reasons=["J"])
    client = signed_in(analyst)
    page = client.get(reverse("stats:snapshot", kwargs={"pk": snapshot.pk})).content.decode()
    assert "Nämnden" in page
    assert '<th scope="row">Farsta</th><td class="number">10</td>' in page
    live = client.get(reverse("stats:dashboard"), {"year": 2026, "district": "farsta"})
    assert '<th scope="row">Farsta</th><td class="number">15</td>' in live.content.decode()
    assert f"snapshot={snapshot.pk}" in page  # each table exports from the snapshot


def test_a_snapshot_exports_its_frozen_table(world, analyst, signed_in, otp_code):
    snapshot = services.create_snapshot(
        title="Nämnden",
        year=2026,
        district_codes=["farsta"],
        reason="Nämnden.",
        by=analyst,
        indicators=DEFAULT,
    )
    farsta = world[1]
    for _n in range(5):
        ReportChildFactory(case__child__district=farsta, report__reasons=["J"])
    client = signed_in(analyst)
    form = client.get(EXPORT, {"indicator": "violence_share", "snapshot": snapshot.pk})
    assert "ögonblicksbild" in form.content.decode()
    response = client.post(
        EXPORT,
        {
            "indicator": "violence_share",
            "year": 2026,
            "district": "",
            "snapshot": snapshot.pk,
            "file_format": "csv",
            "reason": "Nämnden vill ha filen.",
            "otp_token": otp_code(analyst),
        },
    )
    assert response["Content-Type"].startswith("text/csv")
    name = f"statistik-violence_share-2026-ogonblicksbild-{snapshot.pk}.csv"
    assert name in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[1].startswith("Farsta,10,0,0,")  # as frozen, not 15
    entry = JournalEntry.objects.get(action="stats.export")
    assert entry.data["snapshot"] == snapshot.pk
    assert entry.data["districts"] == ["farsta"]
    assert entry.data["version"] == 2


def test_a_team_manager_sees_the_snapshots_of_their_own_district_only(
    world, analyst, manager, signed_in
):
    own = services.create_snapshot(
        title="Bromma",
        year=2026,
        district_codes=["bromma"],
        reason="Nämnden.",
        by=analyst,
        indicators=DEFAULT,
    )
    other = services.create_snapshot(
        title="Farsta",
        year=2026,
        district_codes=["farsta"],
        reason="Nämnden.",
        by=analyst,
        indicators=DEFAULT,
    )
    both = services.create_snapshot(
        title="Båda",
        year=2026,
        district_codes=["bromma", "farsta"],
        reason="Nämnden.",
        by=analyst,
        indicators=DEFAULT,
    )
    assert set(visible_snapshots(analyst)) == {own, other, both}
    assert list(visible_snapshots(manager)) == [own]
    client = signed_in(manager)
    listing = client.get(SNAPSHOTS).content.decode()
    assert "Bromma" in listing
    assert "Båda" not in listing
    for hidden in (other, both):
        url = reverse("stats:snapshot", kwargs={"pk": hidden.pk})
        assert client.get(url).status_code == 404
        assert (
            client.get(EXPORT, {"indicator": "violence_share", "snapshot": hidden.pk}).status_code
            == 404
        )


def test_a_team_manager_cannot_freeze_another_district(world, manager):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_snapshot(
            title="Farsta",
            year=2026,
            district_codes=["farsta"],
            reason="Test.",
            by=manager,
            indicators=DEFAULT,
        )
    assert not Snapshot.objects.exists()
