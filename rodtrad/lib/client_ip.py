"""The client's address, for the journal and for the login lockout alike.

Forwarding headers are attacker-controlled unless the request passed through our own proxies:
only with RODTRAD_PROXY_COUNT = N > 0 is X-Forwarded-For read, and then the N-th entry from
the right (the address our outermost proxy saw), never the forgeable left-most one.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = int(getattr(settings, "RODTRAD_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote  # the request did not pass through all our proxies
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote
