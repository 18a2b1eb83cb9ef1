"""Helpers for the intake tests."""

from __future__ import annotations

from typing import Any

REPORT_DEFAULTS: dict[str, Any] = {
    "kind": "anmalan",
    "channel": "telefon",
    "reporter_category": "skola",
    "is_mandatory_reporter": True,
    "reporter_name": "Rektor Rut Exempel",
    "reporter_contact": "08-000 00 00",
    "is_reporter_identity_protected": False,
    "reason_codes": ["A", "I"],
    "text": "Eleven har berättat om bråk hemma och har varit borta mycket från skolan.",
}


def register(by: Any, district: Any, children: list[Any], **overrides: Any) -> Any:
    """register_report with plausible defaults."""
    from rodtrad.intake.services import register_report

    values = {**REPORT_DEFAULTS, **overrides}
    return register_report(by=by, district=district, children=children, **values)
