"""A line chart of a series of totals, as numbers for a server-rendered SVG (pure).

`line_chart` maps each (session, total) to a point in the SVG's coordinate system; the template
`followup/_series_chart.html` draws it, and the same series is always shown as a table below.
Coordinates are `Decimal`s with two decimals, so the chart's points can be read back exactly
(`value_at`), which the tests use to check that the chart shows the table's numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

WIDTH = 480
HEIGHT = 240
LEFT = 44
RIGHT = 16
TOP = 12
BOTTOM = 36
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Point:
    session: int
    value: Decimal
    x: Decimal
    y: Decimal


@dataclass(frozen=True)
class Tick:
    label: str
    position: Decimal


@dataclass(frozen=True)
class LineChart:
    """Everything the SVG needs: the plot box, the points, the axes' ticks and the cut-off."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    y_min: Decimal
    y_max: Decimal
    points: tuple[Point, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    cutoff_y: Decimal | None

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def x_axis_y(self) -> int:
        return self.height - self.bottom

    @property
    def x_axis_end(self) -> int:
        return self.width - self.right

    @property
    def label_y(self) -> int:
        return self.height - 6


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _y(value: Decimal, y_min: Decimal, y_max: Decimal) -> Decimal:
    plot_height = Decimal(HEIGHT - TOP - BOTTOM)
    return _round(Decimal(TOP) + (y_max - value) * plot_height / (y_max - y_min))


def value_at(chart: LineChart, y: Decimal, decimals: int = 1) -> Decimal:
    """The total a point at height `y` stands for, rounded to the instrument's decimals."""
    plot_height = Decimal(chart.height - chart.top - chart.bottom)
    value = chart.y_max - (y - chart.top) * (chart.y_max - chart.y_min) / plot_height
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def line_chart(
    series: Sequence[tuple[int, Decimal]],
    *,
    y_min: Decimal,
    y_max: Decimal,
    cutoff: Decimal | None = None,
    y_step: Decimal | None = None,
) -> LineChart:
    """The chart of `series` ((session number, total), oldest first) on the scale y_min–y_max.

    Sessions are spread evenly over the width by their number (session 1 at the left); the
    cut-off, when given, is a horizontal line (drawn dashed).
    """
    if y_max <= y_min:
        raise ValueError("y_max must exceed y_min")
    sessions = [session for session, _value in series]
    first = min(sessions, default=1)
    last = max(sessions, default=1)
    plot_width = Decimal(WIDTH - LEFT - RIGHT)
    span = Decimal(max(last - first, 1))

    def x(session: int) -> Decimal:
        if last == first:
            return _round(Decimal(LEFT) + plot_width / 2)
        return _round(Decimal(LEFT) + (session - first) * plot_width / span)

    points = tuple(Point(session=s, value=v, x=x(s), y=_y(v, y_min, y_max)) for s, v in series)
    step = y_step or (y_max - y_min) / 4
    y_ticks = []
    tick = y_min
    while tick <= y_max:
        y_ticks.append(Tick(label=f"{tick.normalize():f}", position=_y(tick, y_min, y_max)))
        tick += step
    x_ticks = tuple(Tick(label=str(s), position=x(s)) for s in range(first, last + 1))
    cutoff_y = _y(cutoff, y_min, y_max) if cutoff is not None else None
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=RIGHT,
        top=TOP,
        bottom=BOTTOM,
        y_min=y_min,
        y_max=y_max,
        points=points,
        y_ticks=tuple(y_ticks),
        x_ticks=x_ticks,
        cutoff_y=cutoff_y,
    )
