"""The dashboard's indicators on the hand-computed world of `dashboard_world` (conftest.py):
exact numbers without suppression (threshold 1), and what suppression leaves at 5."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rodtrad.stats.indicators import (
    SUPPRESSED_CSV,
    Cell,
    ChildParticipationIndicator,
    NeedsAndInterventions,
    PublishedTable,
    ViolenceShare,
    suppression_threshold,
)

S = Cell(None, suppressed=True)


def values(table: PublishedTable) -> dict[str, tuple[int | Decimal | None, ...]]:
    return {label: tuple(c.value for c in cells) for label, cells in table.rows}


def counts_shown(table: PublishedTable) -> list[int]:
    return [
        int(cell.value)
        for _label, cells in table.rows
        for column, cell in zip(table.columns, cells, strict=True)
        if not column.is_share and cell.value is not None
    ]


@pytest.fixture
def both(dashboard_world):
    bromma, farsta = dashboard_world
    return [farsta, bromma]  # in any order: the rows come by name


def test_violence_share_counts_reports_and_investigations_with_a_violence_reason(both):
    table = ViolenceShare().publish(2026, both, threshold=1)
    assert [label for label, _cells in table.rows] == ["Bromma", "Farsta", "Totalt"]
    assert values(table) == {
        # 5 of 6 = 83.3 %; both investigations had J; 5 of 16 = 31.25 %.
        "Bromma": (6, 5, Decimal(83), 2, 2, Decimal(100)),
        "Farsta": (10, 0, Decimal(0), 0, 0, None),
        "Totalt": (16, 5, Decimal(31), 2, 2, Decimal(100)),
    }
    assert not table.has_suppressed
    assert (table.indicator, table.version, table.year) == ("violence_share", 2, 2026)


def test_violence_share_suppresses_small_counts_and_what_would_reveal_them(both):
    table = ViolenceShare().publish(2026, both, threshold=5)
    rows = dict(table.rows)
    # Reports [with, without]: Bromma [5, 1], Farsta [0, 10]; investigations opened from them
    # Bromma [2, 0], Farsta [0, 0]. Suppressed together (suppression.suppress_nested): the
    # investigations' 2s (Bromma's violence cell, its total, the column and grand totals) are
    # hidden, so the reports hide the same cells (else 5 − 2 and 6 − 2 would say how many
    # reports opened none), and the 1 beside them: Bromma's reports are hidden whole.
    assert rows["Bromma"][:3] == (S, S, S)
    assert rows["Farsta"][:3] == (Cell(10), Cell(0), Cell(Decimal(0)))
    assert rows["Totalt"][:3] == (S, S, S)
    assert rows["Bromma"][3:] == (S, S, S)
    assert rows["Farsta"][3:] == (Cell(0), Cell(0), Cell(None))
    assert rows["Totalt"][3:] == (S, S, S)
    assert all(not 0 < n < 5 for n in counts_shown(table))
    lines = list(table.csv_lines())
    assert lines[0][0] == "district"
    assert lines[1] == ["Bromma"] + [SUPPRESSED_CSV] * 6


def test_child_participation_counts_closed_investigations(both):
    table = ChildParticipationIndicator().publish(2026, both, threshold=1)
    assert values(table) == {
        # 6 of 7 = 85.7 %, 4 of 7 = 57.1 %, 1 of 2 violence cases asked about the violence.
        "Bromma": (7, 6, Decimal(86), 4, Decimal(57), 2, 1, Decimal(50)),
        "Farsta": (6, 6, Decimal(100), 6, Decimal(100), 0, 0, None),
        # 12 of 13 = 92.3 %, 10 of 13 = 76.9 %.
        "Totalt": (13, 12, Decimal(92), 10, Decimal(77), 2, 1, Decimal(50)),
    }


def test_child_participation_at_five_shows_no_small_count(both):
    table = ChildParticipationIndicator().publish(2026, both, threshold=5)
    rows = dict(table.rows)
    assert rows["Bromma"][3] == S  # met alone: 4
    assert rows["Bromma"][5:] == (S, S, S)  # violence cases: 2
    assert rows["Farsta"][0] == Cell(6)
    assert all(not 0 < n < 5 for n in counts_shown(table))


def test_needs_and_interventions_matrix_counts_each_decision_once_per_area(both):
    table = NeedsAndInterventions().publish(2026, both, threshold=1)
    assert [c.key for c in table.columns] == [
        "strukturerat-oppenvardsprogram",
        "kontaktperson-kontaktfamilj",
        "total",
    ]
    assert values(table) == {
        "Hälsa": (7, 1, 8),
        "Utbildning": (0, 3, 3),
        "Totalt": (7, 4, 11),
    }
    assert [(bar.label, bar.cell.value) for bar in table.bars] == [
        ("Strukturerat öppenvårdsprogram", 7),
        ("Kontaktperson eller kontaktfamilj", 4),
    ]


def test_needs_and_interventions_of_one_district(dashboard_world):
    bromma, _farsta = dashboard_world
    table = NeedsAndInterventions().publish(2026, [bromma], threshold=1)
    assert values(table)["Hälsa"] == (6, 1, 7)
    suppressed = NeedsAndInterventions().publish(2026, [bromma], threshold=5)
    assert all(not 0 < n < 5 for n in counts_shown(suppressed))
    assert dict(suppressed.rows)["Hälsa"][1] == S


def test_nothing_in_another_year(both):
    table = NeedsAndInterventions().publish(2025, both)
    assert table.rows == ()
    # 2025: only the two violence cases' reports, received then (both J, none opened).
    assert values(ViolenceShare().publish(2025, both, threshold=1))["Totalt"] == (
        2,
        2,
        Decimal(100),
        0,
        0,
        None,
    )


def test_the_threshold_is_a_setting(settings):
    assert suppression_threshold() == 5
    settings.RODTRAD_STATS_SUPPRESSION_THRESHOLD = 10
    assert suppression_threshold() == 10
