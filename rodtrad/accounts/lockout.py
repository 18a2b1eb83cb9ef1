"""Which client address a login lockout counts against (django-axes, SECURITY S03).

Without a trusted proxy (RODTRAD_PROXY_COUNT unset or 0) the address is REMOTE_ADDR and any
X-Forwarded-For header is ignored: a client cannot pick its own address to dodge the lockout.
Behind N trusted reverse proxies, each appending the address it received the connection from,
the client is the N-th entry from the right of X-Forwarded-For; entries further left were
written by the client and are never trusted.
"""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """The Swedish lock page (429). Unlike axes' default it never echoes the typed username
    and never answers with a CORS-open JSON body."""
    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 0
    response = render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"cooloff_minutes": minutes},
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
