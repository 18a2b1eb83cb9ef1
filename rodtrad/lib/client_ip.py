"""The client's address, trusting forwarding headers only behind a configured number of proxies."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ipware import IpWare


def client_ip(request: HttpRequest) -> str | None:
    proxy_count = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None)
    if not proxy_count:
        return request.META.get("REMOTE_ADDR")
    ipw = IpWare(precedence=("X_FORWARDED_FOR", "REMOTE_ADDR"), proxy_count=proxy_count)
    ip, _trusted = ipw.get_client_ip(request.META)
    return str(ip) if ip else request.META.get("REMOTE_ADDR")
