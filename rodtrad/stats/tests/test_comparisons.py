"""Comparisons on the dashboard: two years or two districts, p-values as scipy computes them on
the same counts, cells marked at the chosen level (docs/statistics.md, "Comparisons")."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from scipy import stats as scipy_stats

from rodtrad.investigation.tests.factories import InvestigationFactory
from rodtrad.stats import comparisons
from rodtrad.stats.indicators import ChildParticipationIndicator, ViolenceShare

DASHBOARD = reverse("stats:dashboard")


@pytest.fixture
def world(dashboard_world):
    return dashboard_world


def _tables(year, districts):
    return {
        indicator.code: indicator().publish(year, districts, threshold=1)
        for indicator in (ViolenceShare, ChildParticipationIndicator)
    }


def test_two_districts_shares_agree_with_scipy(world):
    bromma, farsta = world
    tables = _tables(2026, [bromma, farsta])
    days = comparisons.closed_days(2026, [bromma, farsta])
    result = comparisons.compare(
        tables,
        tables,
        rows=("Bromma", "Farsta"),
        labels=("Bromma", "Farsta"),
        days=(days[bromma.pk], days[farsta.pk]),
        level=0.05,
    )
    by_label = {str(m.label): m for m in result.measures}
    # Reports with a violence reason: Bromma 5 of 6, Farsta 0 of 10: expected counts below 5,
    # so Fisher's exact test.
    violence = by_label["Aktualiseringar med våldsanledning"]
    assert violence.comparison is not None
    assert violence.comparison.test == "fisher_exact"
    expected = scipy_stats.fisher_exact([[5, 1], [0, 10]]).pvalue
    assert violence.comparison.p_value == pytest.approx(expected, rel=1e-12)
    assert violence.marked  # p = 0.0014 ≤ .05
    assert violence.first == "83 % (5 av 6)"
    # Met alone: Bromma 4 of 7, Farsta 6 of 6.
    alone = by_label["Utredningar med samtal med barnet ensamt"]
    assert alone.comparison is not None
    expected = scipy_stats.fisher_exact([[4, 3], [6, 0]]).pvalue
    assert alone.comparison.p_value == pytest.approx(expected, rel=1e-12)
    # Investigations with violence: Farsta opened none, so there is nothing to compare.
    none = by_label["Utredningar med våldsanledning"]
    assert none.comparison is None
    assert "saknar observationer" in none.message
    # Durations: every investigation took 119 days: no difference to test (p = 1).
    duration = result.measures[-1]
    assert duration.comparison is not None
    assert duration.comparison.p_value == 1.0
    assert not duration.marked


def test_the_level_decides_the_mark(world):
    bromma, farsta = world
    tables = _tables(2026, [bromma, farsta])
    kwargs = {
        "rows": ("Bromma", "Farsta"),
        "labels": ("Bromma", "Farsta"),
        "days": ([], []),
    }
    loose = comparisons.compare(tables, tables, level=0.05, **kwargs).measures[0]
    strict = comparisons.compare(tables, tables, level=0.005, **kwargs).measures[0]
    assert loose.comparison is not None and loose.comparison.p_value == pytest.approx(
        0.0014, abs=5e-5
    )
    assert loose.marked and strict.marked  # 0.0014 ≤ .005 too
    met_alone = comparisons.compare(tables, tables, level=0.005, **kwargs).measures[2]
    assert met_alone.comparison is not None
    assert met_alone.comparison.p_value > 0.005
    assert not met_alone.marked


def test_durations_of_two_years_agree_with_mann_whitney(world):
    bromma, _farsta = world
    for day in range(2, 12):  # ten closed in 2025 after 60–69 days
        InvestigationFactory(
            case__child__district=bromma, opened_on=date(2025, 1, 1), closed_on=date(2025, 3, day)
        )
    this_year = comparisons.closed_days(2026, [bromma])[bromma.pk]
    last_year = comparisons.closed_days(2025, [bromma])[bromma.pk]
    result = comparisons._duration_measure(this_year, last_year, 5, 0.05)
    expected = scipy_stats.mannwhitneyu(
        this_year, last_year, alternative="two-sided", method="asymptotic"
    ).pvalue
    assert result.comparison is not None
    assert result.comparison.p_value == pytest.approx(expected, rel=1e-12)
    assert result.marked  # 119 days every time against 60–69 days


def test_a_comparison_needing_a_suppressed_count_is_not_made(world):
    bromma, farsta = world
    tables = {
        ViolenceShare.code: ViolenceShare().publish(2026, [bromma, farsta], threshold=5),
    }
    result = comparisons.compare(
        tables,
        tables,
        rows=("Bromma", "Farsta"),
        labels=("Bromma", "Farsta"),
        days=([1, 2], [3, 4, 5, 6, 7]),
        level=0.05,
    )
    assert result.measures[0].comparison is None
    assert "små tal är dolda" in result.measures[0].message
    # Two investigations in a group: fewer than the threshold, no Mann–Whitney.
    assert result.measures[-1].comparison is None
    assert "färre än 5" in result.measures[-1].message


def test_the_dashboard_shows_the_comparison_with_its_p_value(world, analyst, signed_in):
    client = signed_in(analyst)
    html = client.get(
        DASHBOARD,
        {
            "year": 2026,
            "district": "",
            "compare": "districts",
            "first": "bromma",
            "second": "farsta",
            "level": "0.05",
        },
    ).content.decode()
    assert "Bromma jämfört med Farsta" in html
    assert "Jämförelsen görs inte eftersom små tal är dolda i tabellen." in html
    years = client.get(
        DASHBOARD,
        {"year": 2026, "compare": "years", "other_year": 2025, "level": "0.005"},
    ).content.decode()
    assert "2026 jämfört med 2025" in years
    refused = client.get(
        DASHBOARD, {"year": 2026, "compare": "districts", "first": "bromma", "second": "bromma"}
    ).content.decode()
    assert "Välj två olika stadsdelar." in refused
