"""The clock of the deadline tests: "today" and moments in Stockholm.

Times are Europe/Stockholm; `at(2026, 6, 5, 14)` is 14:00 in Stockholm. The rows come from the
factories (`rodtrad/*/tests/factories.py`).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# "Today" in every deadline test: Wednesday 10 June 2026, mid-morning in Stockholm.
TODAY = date(2026, 6, 10)
NOW = datetime(2026, 6, 10, 9, 30, tzinfo=STOCKHOLM)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)
