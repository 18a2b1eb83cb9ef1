"""The client's address, trusting forwarding headers only behind a configured number of proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_ip(request: HttpRequest) -> str | None:
    proxy_count = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None)
    if not proxy_count:
        # No trusted proxy configured: X-Forwarded-For is attacker-controlled, ignore it.
        return request.META.get("REMOTE_ADDR")
    ip, _routable = get_client_ip(request, proxy_count=proxy_count)
    return str(ip) if ip else request.META.get("REMOTE_ADDR")
