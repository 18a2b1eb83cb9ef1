"""Security events from Django and django-axes go to the journal (docs/security-checks.md S20)."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from rodtrad.accounts.lockout import is_ip_locked
from rodtrad.accounts.models import UserSession
from rodtrad.accounts.services import record_unauthenticated_event
from rodtrad.journal.services import record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    now = timezone.now().timestamp()
    request.session["rodtrad_auth_at"] = now
    request.session["rodtrad_last_seen"] = now
    if not request.session.session_key:
        request.session.save()
    UserSession.objects.get_or_create(
        session_key=request.session.session_key, defaults={"user": user}
    )
    record("accounts.login_succeeded", by=user, obj=user)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and request.session.session_key:
        UserSession.objects.filter(session_key=request.session.session_key).delete()
    if user is not None:
        record("accounts.logout_succeeded", by=user, obj=user)


def _known_user(username: str | None) -> Any:
    if not username:
        return None
    return get_user_model().objects.filter(username=username[:150]).first()


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    # The attempted name is not stored: people type passwords into the username field.
    # Anyone can cause this event, so it is journaled within a budget (issue 6, §3.6) -- except
    # a failure for an existing account, which is always journaled (red-team finding S-3):
    # noise about made-up usernames must not hide an attack on a real account. Attempts
    # refused during a lockout are noise again (the lockout itself was journaled), or a locked
    # account could be hammered into the journal without bound.
    user = _known_user(credentials.get("username"))
    refused_by_lockout = request is not None and getattr(request, "rodtrad_locked_before", False)
    record_unauthenticated_event(
        "accounts.login_failed",
        obj=user,
        data={"known_user": user is not None},
        is_about_an_account=user is not None and not refused_by_lockout,
    )


@receiver(user_locked_out)
def _locked_out(
    sender: Any, request: Any, username: str | None, ip_address: str, **kw: Any
) -> None:
    # Axes signals again for every attempt refused during a lockout; those attempts are
    # journaled as accounts.login_failed (and not counted, rodtrad/accounts/lockout.py), the
    # lockout itself only when it starts.
    if request is not None and getattr(request, "rodtrad_locked_before", False):
        return
    pair_failures = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-failures_since_start")
        .values_list("failures_since_start", flat=True)
        .first()
    ) or 0
    if pair_failures < settings.AXES_FAILURE_LIMIT:
        # Not this username: one address tried too many usernames. No account is named.
        if is_ip_locked(ip_address):
            record_unauthenticated_event("accounts.lockout_started", data={"scope": "ip"})
        return
    user = _known_user(username)
    # The lockout of a real account is always journaled; one of a made-up name is noise.
    record_unauthenticated_event(
        "accounts.lockout_started",
        obj=user,
        data={"known_user": user is not None, "scope": "username_ip"},
        is_about_an_account=user is not None,
    )
