"""The stats tests' world: a fixed clock, an administrator, and CSV files written as text."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from rodtrad.stats import services

NOW = datetime(2026, 6, 10, 9, 30, tzinfo=ZoneInfo("Europe/Stockholm"))

REPORT_HEADER = (
    "report_id,received_on,district,child_id,child_sex,child_birth_date,reasons,"
    "reporter_category,decision_on,investigation_opened_on,investigation_closed_on,"
    "extended_until"
)


@pytest.fixture(autouse=True)
def _now(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def districts(admin: Any) -> Any:
    return services.import_districts(
        csv_bytes("code,name", "bromma,Bromma", "farsta,Farsta", "kista,Kista"),
        file_name="districts.csv",
        by=admin,
    )
