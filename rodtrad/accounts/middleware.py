"""Session limits (idle 30 min, absolute 12 h) and the mandatory second factor."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponse]

# Routes a signed-in user may reach before the second factor is verified.
BEFORE_SECOND_FACTOR = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:otp-verify",
        "accounts:otp-setup",
        "set-language",
        "health",
        "csp-report",
    }
)


class SessionLimitsMiddleware:
    """Idle and absolute session limits (SECURITY S07).

    The idle limit is enforced twice: the database session expires SESSION_COOKIE_AGE after the
    last request (SESSION_SAVE_EVERY_REQUEST), and this middleware compares its own timestamps.
    When a browser presents a session that has already expired, the stale row is deleted here
    so that nothing of it stays on the server.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            self._forget_expired_session(request)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            auth_at = request.session.get("rodtrad_auth_at", 0)
            last_seen = request.session.get("rodtrad_last_seen", 0)
            idle = now - last_seen > settings.RODTRAD_IDLE_TIMEOUT_SECONDS
            too_old = now - auth_at > settings.RODTRAD_ABSOLUTE_TIMEOUT_SECONDS
            if idle or too_old:
                logout(request)  # flushes and deletes the server-side session
                if request.path.startswith("/api/"):
                    return JsonResponse({"error": "session_expired"}, status=401)
                messages.info(request, _("Du har loggats ut eftersom sessionen gick ut."))
                return redirect(settings.LOGIN_URL)
            request.session["rodtrad_last_seen"] = now
        return self.get_response(request)

    @staticmethod
    def _forget_expired_session(request: HttpRequest) -> None:
        presented = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        # The user lookup has loaded the session; a key of None means it was missing or expired.
        if not presented or request.session.session_key is not None:
            return
        from rodtrad.accounts.services import forget_expired_session

        if forget_expired_session(presented):
            messages.info(request, _("Du har loggats ut eftersom sessionen gick ut."))


def needs_second_factor(user: object) -> bool:
    if not settings.MFA_REQUIRED:
        return False
    if settings.DEMO_MODE and getattr(user, "is_demo", False):
        return False
    # Right after django.contrib.auth.login() request.user is a plain User without is_verified.
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified is not None and is_verified())


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and needs_second_factor(user):
            try:
                match = resolve(request.path_info)
                route = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
            except Resolver404:
                route = ""
            if route not in BEFORE_SECOND_FACTOR and not request.path.startswith(
                settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"
            ):
                if request.path.startswith("/api/"):
                    return JsonResponse({"error": "second_factor_required"}, status=401)
                return redirect("accounts:otp-verify")
        return self.get_response(request)
