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
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
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


def needs_second_factor(user: object) -> bool:
    if not settings.MFA_REQUIRED:
        return False
    if settings.DEMO_MODE and getattr(user, "is_demo", False):
        return False
    return not user.is_verified()  # type: ignore[attr-defined]


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
