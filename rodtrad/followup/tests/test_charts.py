"""The chart shows the table's numbers: for any series, the points drawn in the SVG, read back
through the chart's scale, are the totals in the table below it (no database)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st

from rodtrad.followup import charts
from rodtrad.followup.scoring import ScaleBand

TOTALS = st.lists(
    st.integers(min_value=0, max_value=400).map(lambda tenths: Decimal(tenths).scaleb(-1)),
    min_size=1,
    max_size=12,
)


def _render(totals: list[Decimal]) -> tuple[str, charts.LineChart]:
    band = ScaleBand(
        min_age=13, max_age=17, clinical_cutoff=Decimal(28), reliable_change=Decimal(6)
    )
    measurements = [
        SimpleNamespace(
            session_number=n,
            administered_on=date(2026, 1, 5) + timedelta(days=14 * (n - 1)),
            total=total,
        )
        for n, total in enumerate(totals, start=1)
    ]
    series = SimpleNamespace(
        key="serie-1-child-7",
        instrument=SimpleNamespace(name="Exempel"),
        rater_label="Barnet",
        measurements=measurements,
        is_rating_scale=True,
        band=band,
        change=None,
        why_not_classified="",
        needs_attention=False,
    )
    chart = charts.line_chart(
        [(m.session_number, m.total) for m in measurements],
        y_min=Decimal(0),
        y_max=Decimal(40),
        cutoff=band.clinical_cutoff,
    )
    html = render_to_string(
        "followup/includes/series.html", {"series": series, "chart": chart, "warning_session": 4}
    )
    return html, chart


@settings(max_examples=60, deadline=None)
@given(TOTALS)
def test_the_plotted_points_are_the_numbers_in_the_table(totals: list[Decimal]) -> None:
    html, chart = _render(totals)
    svg, table = html.split("</svg>", 1)
    points = re.findall(r'class="chart__point" cx="([\d.]+)" cy="([\d.]+)"', svg)
    plotted = [charts.value_at(chart, Decimal(cy)) for _cx, cy in points]
    shown = [Decimal(v.replace(",", ".")) for v in re.findall(r'series-value">([^<]+)<', table)]
    assert plotted == shown == totals
    xs = [Decimal(cx) for cx, _cy in points]
    assert xs == sorted(xs)  # session order, left to right
    polyline = re.search(r'points="([^"]*)"', svg).group(1)
    assert polyline == " ".join(f"{cx},{cy}" for cx, cy in points)


def test_the_cutoff_is_a_dashed_line_at_its_height() -> None:
    html, chart = _render([Decimal(20), Decimal(30)])
    line = re.search(r'<line class="chart__cutoff"[^>]*>', html).group(0)
    assert 'stroke-dasharray="6 4"' in line
    assert charts.value_at(chart, Decimal(re.search(r'y1="([\d.]+)"', line).group(1))) == 28


def test_the_scale_must_not_be_empty() -> None:
    with pytest.raises(ValueError):
        charts.line_chart([(1, Decimal(1))], y_min=Decimal(5), y_max=Decimal(5))
