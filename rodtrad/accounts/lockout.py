"""Sign-in lockout (django-axes, docs/security-checks.md S03).

Two limits:

* **Username + address**: three failures lock the pair for 15 minutes (axes).
* **Address across usernames**: RODTRAD_LOGIN_FAILURES_PER_IP failures within
  RODTRAD_LOGIN_FAILURE_IP_WINDOW_SECONDS (default 50 an hour) lock the address for every
  username, against password spraying. The count is a sliding window (the current window plus
  the part of the previous one that still falls inside the last hour), so the lock lifts
  gradually instead of at a fixed hour.

Attempts made while locked are refused without being counted
(AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False, and the address count skips them), so
hammering a locked account or address does not restart the cool-off.

Which client address counts: without a trusted proxy (RODTRAD_PROXY_COUNT unset or 0) the
address is REMOTE_ADDR and any X-Forwarded-For header is ignored: a client cannot pick its own
address to dodge the lockout. Behind N trusted reverse proxies, each appending the address it
received the connection from, the client is the N-th entry from the right of X-Forwarded-For;
entries further left were written by the client and are never trusted.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from rodtrad.accounts.models import LoginFailureCount


def _window(now: datetime.datetime) -> tuple[datetime.datetime, float]:
    """(start of the current window, fraction of it that has passed)."""
    seconds = settings.RODTRAD_LOGIN_FAILURE_IP_WINDOW_SECONDS
    stamp = now.timestamp()
    start = int(stamp) // seconds * seconds
    return datetime.datetime.fromtimestamp(start, tz=datetime.UTC), (stamp - start) / seconds


def _counts(ip_address: str, now: datetime.datetime) -> tuple[int, int, float]:
    """(failures in the current window, in the previous one, elapsed part of the current)."""
    start, elapsed = _window(now)
    previous = start - datetime.timedelta(seconds=settings.RODTRAD_LOGIN_FAILURE_IP_WINDOW_SECONDS)
    counts = dict(
        LoginFailureCount.objects.filter(
            ip_address=ip_address, window_start__in=[start, previous]
        ).values_list("window_start", "failures")
    )
    return counts.get(start, 0), counts.get(previous, 0), elapsed


def ip_failures(ip_address: str | None, *, now: datetime.datetime | None = None) -> float:
    """Failed sign-ins from the address within the last window (sliding estimate)."""
    if not ip_address:
        return 0.0
    current, previous, elapsed = _counts(ip_address, now or timezone.now())
    return current + previous * (1 - elapsed)


def is_ip_locked(ip_address: str | None) -> bool:
    return ip_failures(ip_address) >= settings.RODTRAD_LOGIN_FAILURES_PER_IP


def seconds_until_ip_unlocked(
    ip_address: str | None, *, now: datetime.datetime | None = None
) -> int:
    """How long until the sliding count falls below the limit, if nothing more is counted."""
    if not ip_address:
        return 0
    now = now or timezone.now()
    seconds = settings.RODTRAD_LOGIN_FAILURE_IP_WINDOW_SECONDS
    limit = settings.RODTRAD_LOGIN_FAILURES_PER_IP
    current, previous, elapsed = _counts(ip_address, now)
    if current + previous * (1 - elapsed) < limit:
        return 0
    if current < limit:
        # current + previous × (1 − f) < limit once f > 1 − (limit − current) / previous.
        fraction = 1 - (limit - current) / previous
        return max(1, math.ceil((fraction - elapsed) * seconds))
    # Only in the next window: there the count is current × (1 − f).
    fraction = 1 - limit / current
    return max(1, math.ceil((1 - elapsed) * seconds + fraction * seconds))


def count_ip_failure(ip_address: str | None) -> None:
    """One more failed sign-in from the address; old windows are cleared on the way."""
    if not ip_address:
        return
    now = timezone.now()
    start, _elapsed = _window(now)
    seconds = settings.RODTRAD_LOGIN_FAILURE_IP_WINDOW_SECONDS
    with transaction.atomic():
        LoginFailureCount.objects.filter(
            window_start__lt=start - datetime.timedelta(seconds=seconds)
        ).delete()
        row, _created = LoginFailureCount.objects.get_or_create(
            ip_address=ip_address, window_start=start
        )
        LoginFailureCount.objects.filter(pk=row.pk).update(failures=F("failures") + 1)


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler plus the limit per address across usernames."""

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        if request is not None:
            # Known before axes looks: an attempt refused because of a lockout is not counted.
            request.rodtrad_locked_before = bool(getattr(request, "axes_locked_out", False))
            if not request.rodtrad_locked_before and not self.is_whitelisted(request, credentials):
                count_ip_failure(getattr(request, "axes_ip_address", None))
        super().user_login_failed(sender, credentials, request, **kwargs)

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if is_ip_locked(getattr(request, "axes_ip_address", None)):
            return max(failures, get_failure_limit(request, credentials))
        return failures


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """The Swedish lock page (429). Unlike axes' default it never echoes the typed username
    and never answers with a CORS-open JSON body."""
    cool_off = get_cool_off(request)
    wait_seconds = int(cool_off.total_seconds()) if cool_off else 0
    ip_wait = seconds_until_ip_unlocked(getattr(request, "axes_ip_address", None))
    wait_seconds = max(wait_seconds, ip_wait)
    minutes = max(1, math.ceil(wait_seconds / 60)) if wait_seconds else 0
    response = render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"cooloff_minutes": minutes},
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    )
    if wait_seconds:
        response["Retry-After"] = str(wait_seconds)
    return response
