"""Technical logs carry no personal data (ARCHITECTURE rule 10, SECURITY S24 and S40)."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

from rodtrad.lib import request_context

# 10 or 12 digits with an optional separator: personnummer, samordningsnummer, reserve numbers.
IDENTITY_NUMBER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\x1b]")


def scrub(text: str) -> str:
    """Mask identity numbers and escape control characters (no forged lines, no ANSI)."""
    text = IDENTITY_NUMBER.sub("[personnummer]", text)
    return CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = scrub(message)
        record.args = ()
        if not hasattr(record, "request_id"):
            record.request_id = request_context.current().request_id
        return True


class SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        formatted = super().format(record)
        # Tracebacks can quote local variables and SQL parameters: scrub them too.
        return scrub(formatted).replace("\\x0a", "\n")


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports hide every POST value and every setting that might hold a secret."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE", flags=re.IGNORECASE
    )

    def get_post_parameters(self, request: Any) -> dict[str, str]:
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> list[tuple[str, str]]:
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
