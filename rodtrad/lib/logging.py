"""Technical logs carry no personal data (docs/principles.md rule 10; docs/security-checks.md
S24 and S40)."""

from __future__ import annotations

import logging
import re
from collections.abc import ItemsView
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

from rodtrad.lib import request_context

# 10 or 12 digits with an optional separator: personnummer, samordningsnummer, reserve numbers.
IDENTITY_NUMBER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
# C0 and C1 controls (CR, LF, ESC, CSI ...) and the Unicode line and paragraph separators.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def scrub(text: str) -> str:
    """Mask identity numbers and escape control characters (no forged lines, no ANSI)."""
    text = IDENTITY_NUMBER.sub("[personnummer]", text)
    return CONTROL_CHARACTERS.sub(_escape, text)


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = scrub(message)
        record.args = ()
        if not hasattr(record, "request_id"):
            record.request_id = request_context.current().request_id
        return True


class SafeFormatter(logging.Formatter):
    """One line per record; a traceback follows on lines that start with "  | ".

    The message is scrubbed on its own (a forged "\\r\\nFAKE AUDIT" stays on the record's line,
    escaped). Traceback lines are scrubbed one by one and indented, so nothing in them can
    pass for a record of its own. The request id and other fields are not scrubbed: they are
    ours, and masking digit runs in them would break the link from the error page to the log.
    """

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        saved = (record.msg, record.args, record.exc_info, record.exc_text, record.stack_info)
        try:
            record.msg, record.args = scrub(record.getMessage()), ()
            record.exc_info = record.exc_text = record.stack_info = None
            line = super().format(record)
        finally:
            record.msg, record.args, record.exc_info, record.exc_text, record.stack_info = saved
        details = []
        if record.exc_info:
            details.append(self.formatException(record.exc_info))
        elif record.exc_text:
            details.append(record.exc_text)
        if record.stack_info:
            details.append(self.formatStack(record.stack_info))
        for block in details:
            for raw in block.splitlines():
                # Tracebacks can quote SQL parameters and exception texts: scrub them too.
                line += "\n  | " + scrub(raw)
        return line


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports hide every POST value and every setting that might hold a secret."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE", flags=re.IGNORECASE
    )

    def get_post_parameters(self, request: Any) -> dict[str, str]:
        if request is None:
            return {}
        return {key: self.cleansed_substitute for key in request.POST}

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> ItemsView[str, Any]:
        return {name: self.cleansed_substitute for name in tb_frame.f_locals}.items()
