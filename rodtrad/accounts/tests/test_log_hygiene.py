"""S24: technical logs hold one escaped line per record, and no password or personnummer.

The logs go through the handler configured in settings.LOGGING (rodtrad/lib/logging.py).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client

from rodtrad.accounts.tests.conftest import post_login
from rodtrad.accounts.tests.factories import TEST_PASSWORD

IDENTITY_NUMBER = "20120314-2382"


@pytest.fixture
def technical_log() -> Iterator[io.StringIO]:
    """Everything the configured console handler writes, at every level, for one test."""
    handler = logging.getLogger("rodtrad").handlers[0]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    loggers = [logging.getLogger(name) for name in ("", "rodtrad", "django", "axes")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        handler.setStream(previous)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def test_s24_log_hygiene(db, investigator, technical_log):
    name = "Eva\r\nFAKE AUDIT admin granted\x1b[31m red\x1b[0m\u2028x"
    logging.getLogger("rodtrad.accounts").warning("Namn på användare: %s", name)
    lines = technical_log.getvalue().splitlines()
    assert len(lines) == 1
    (line,) = lines
    assert "\\x0d\\x0aFAKE AUDIT" in line
    assert "\\x1b[31m" in line and "\x1b" not in line
    assert "\\u2028" in line

    # A failed sign-in does not log the password (or the typed username).
    technical_log.truncate(0)
    technical_log.seek(0)
    secret = "mitt-hemliga-lösenord-123"
    post_login(Client(), "investigator", secret)
    output = technical_log.getvalue()
    assert "AXES" in output  # something was logged, through this handler
    assert secret not in output

    # After a sign-in, the session id is not logged either.
    client = Client()
    post_login(client, "investigator", TEST_PASSWORD, REMOTE_ADDR="10.5.0.1")
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert session_id not in technical_log.getvalue()


@pytest.mark.urls("rodtrad.accounts.tests.urls_errors")
def test_s24_a_500_with_a_personnummer_in_post_does_not_log_it(db, technical_log):
    client = Client(raise_request_exception=False)
    response = client.post("/test-fel/", {"identity_number": IDENTITY_NUMBER, "note": "a\r\nb"})
    assert response.status_code == 500
    output = technical_log.getvalue()
    assert "Internal Server Error: /test-fel/" in output
    assert "ValueError" in output
    assert IDENTITY_NUMBER not in output
    assert "201203142382" not in output
    assert "[personnummer]" in output
    # The record starts on one line; the traceback follows on indented lines only.
    lines = output.splitlines()
    assert lines[0].split()[2] == "ERROR"
    assert all(line.startswith("  | ") for line in lines[1:])
    # The request id in the log is the one on the error page.
    assert f"[{response['X-Request-ID']}]" in lines[0]
