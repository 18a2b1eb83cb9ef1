"""A horizontal bar chart of an indicator, as numbers for a server-rendered SVG (pure).

The project's chart style (rodtrad/followup/charts.py): no script, a title and a description
in the SVG, and the same numbers always in a table right below it (docs/statistics.md, "The
dashboard"). A suppressed value gets no bar, only "–", so the chart shows nothing the table
does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

WIDTH = 640
LABEL_WIDTH = 250  # the bars' labels, left of the bars (the longest category name fits)
VALUE_WIDTH = 48  # the value, right of the longest bar
BAR_HEIGHT = 22
GAP = 10
TOP = 8
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ChartBar:
    label: str
    text: str  # the value as shown ("83 %", "12", "–")
    y: int
    width: Decimal  # 0 for a suppressed or empty value
    text_x: Decimal

    @property
    def label_y(self) -> Decimal:
        return Decimal(self.y) + Decimal(BAR_HEIGHT) / 2


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    bar_height: int
    bars: tuple[ChartBar, ...]


def bar_chart(
    bars: Sequence[tuple[str, int | Decimal | None]], *, is_share: bool, missing: str = "–"
) -> BarChart:
    """Bars of `bars` ((label, value or None), top to bottom); shares on a 0–100 scale,
    counts on 0 to the largest value."""
    plot = Decimal(WIDTH - LABEL_WIDTH - VALUE_WIDTH)
    known = [Decimal(value) for _label, value in bars if value is not None]
    scale = Decimal(100) if is_share else max([Decimal(1), *known])
    drawn = []
    for n, (label, value) in enumerate(bars):
        y = TOP + n * (BAR_HEIGHT + GAP)
        if value is None:
            width, text = Decimal(0), missing
        else:
            width = (plot * Decimal(value) / scale).quantize(CENT, rounding=ROUND_HALF_UP)
            text = f"{value} %" if is_share else str(value)
        drawn.append(ChartBar(label, text, y, width, LABEL_WIDTH + width + 6))
    height = TOP * 2 + len(bars) * (BAR_HEIGHT + GAP)
    return BarChart(WIDTH, height, LABEL_WIDTH, BAR_HEIGHT, tuple(drawn))
