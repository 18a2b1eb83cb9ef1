"""The dashboard's bar chart (rodtrad/stats/charts.py): bars in proportion, none for a
suppressed value."""

from __future__ import annotations

from decimal import Decimal

from rodtrad.stats.charts import LABEL_WIDTH, VALUE_WIDTH, WIDTH, bar_chart

PLOT = Decimal(WIDTH - LABEL_WIDTH - VALUE_WIDTH)


def test_shares_are_drawn_on_a_scale_of_0_to_100():
    chart = bar_chart([("Bromma", Decimal(50)), ("Totalt", Decimal(100))], is_share=True)
    assert [bar.width for bar in chart.bars] == [PLOT / 2, PLOT]
    assert [bar.text for bar in chart.bars] == ["50 %", "100 %"]
    assert chart.bars[1].y > chart.bars[0].y


def test_counts_are_drawn_on_a_scale_of_0_to_the_largest():
    chart = bar_chart([("A", 3 * 7), ("B", 7)], is_share=False)
    assert chart.bars[0].width == PLOT
    assert chart.bars[1].width == (PLOT / 3).quantize(Decimal("0.01"))
    assert chart.bars[1].text == "7"


def test_a_suppressed_value_has_no_bar_and_shows_a_dash():
    chart = bar_chart([("Bromma", None), ("Farsta", 0)], is_share=False)
    assert chart.bars[0].width == 0
    assert chart.bars[0].text == "–"
    assert chart.bars[1].width == 0
    assert chart.bars[1].text == "0"
