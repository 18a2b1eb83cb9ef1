"""Which client address the journal and the login lockout count (rodtrad/lib/client_ip.py)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from rodtrad.lib.client_ip import client_ip


def _ip(remote: str, forwarded: str | None = None) -> str | None:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().post("/konto/logga-in/", **extra))


def test_without_proxies_the_forwarded_header_is_ignored():
    assert _ip("10.0.0.5", "203.0.113.9") == "10.0.0.5"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "81.2.69.160", "81.2.69.160"),
        (1, "203.0.113.9, 81.2.69.160", "81.2.69.160"),  # forged entry on the left
        (2, "203.0.113.9, 81.2.69.160, 10.0.0.7", "81.2.69.160"),
        (2, "81.2.69.160", "10.0.0.5"),  # too short: did not pass our proxies
        (1, "", "10.0.0.5"),
        (1, "not-an-address", "10.0.0.5"),
    ],
)
def test_behind_proxies_the_nth_entry_from_the_right_is_the_client(proxies, forwarded, expected):
    with override_settings(RODTRAD_PROXY_COUNT=proxies):
        assert _ip("10.0.0.5", forwarded) == expected
