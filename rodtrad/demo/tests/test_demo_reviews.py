"""The demo's two review programmes are named truly on every day of the year
(rodtrad/demo/reviews.py; the full demo's content is checked in test_demo_red_thread)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from rodtrad.demo.history import HISTORY_DAYS
from rodtrad.demo.reviews import MONTHS, programme_periods


def _months_named(label: str) -> list[tuple[int, int]]:
    """(year, month) of the first and last month a label names."""
    first, _, last = label.partition("–")
    words_last = last.split() if last else first.split()
    words_first = first.split()
    last_year = int(words_last[-1])
    first_year = int(words_first[1]) if len(words_first) == 2 else last_year
    return [
        (first_year, MONTHS.index(words_first[0]) + 1),
        (last_year, MONTHS.index(words_last[0]) + 1),
    ]


@pytest.mark.parametrize("year", [2026, 2027, 2028])  # 2028: a leap year
def test_every_day_of_the_year_gives_two_periods_that_their_names_describe(year: int) -> None:
    day = date(year, 1, 1)
    seen_years = seen_halves = 0
    while day.year == year:
        earlier, later = programme_periods(day)
        history_start = day - timedelta(days=HISTORY_DAYS)
        assert earlier.start <= earlier.end < later.start <= later.end == day
        assert later.start == earlier.end + timedelta(days=1) or earlier.label.isdigit()
        # Both periods hold part of the demo's history.
        assert earlier.end >= history_start
        for period in (earlier, later):
            if period.label.isdigit():  # a calendar year, or this year so far
                assert period.start == date(int(period.label), 1, 1)
                assert period.end.year == int(period.label)
                continue
            (first_year, first_month), (last_year, last_month) = _months_named(period.label)
            assert (period.start.year, period.start.month) == (first_year, first_month)
            assert (period.end.year, period.end.month) == (last_year, last_month)
        if earlier.label.isdigit():
            seen_years += 1
        else:
            seen_halves += 1
        day += timedelta(days=1)
    assert seen_years and seen_halves
