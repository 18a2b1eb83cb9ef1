"""Session limits (idle 30 min, absolute 12 h) and the mandatory second factor.

A page load that finds the session gone is sent to the login page. A request made by a script
(htmx autosave, fetch, JSON) never is: it gets HTTP 401 and a short Swedish status text, so
that the page it came from keeps everything the user typed (see `is_script_request`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rodtrad.accounts.services import forget_expired_session

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

SESSION_ENDED = gettext_lazy(
    "Du har loggats ut. Det du skrivit finns kvar på sidan – logga in i en ny flik och spara igen."
)
# The header that tells the page's script how long the session has left, in whole seconds.
SECONDS_LEFT_HEADER = "X-Session-Seconds-Left"


def is_script_request(request: HttpRequest) -> bool:
    """True for htmx, fetch/XHR and JSON requests: they must never get a page as the answer.

    A browser marks fetch() and XMLHttpRequest with `Sec-Fetch-Dest: empty` (navigations say
    `document`); htmx adds `HX-Request`; older scripts send `X-Requested-With`; API clients ask
    for JSON in `Accept`.
    """
    headers = request.headers
    if headers.get("HX-Request") == "true":
        return True
    if headers.get("X-Requested-With") == "XMLHttpRequest":
        return True
    if headers.get("Sec-Fetch-Dest") == "empty":
        return True
    accept = headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def session_ended_response(request: HttpRequest) -> HttpResponse:
    """401 with a short Swedish status text (JSON for JSON clients), never a page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": "session_expired"}, status=401)
    message = str(SESSION_ENDED)
    accept = request.headers.get("Accept", "")
    if "application/json" in accept and request.headers.get("HX-Request") != "true":
        return JsonResponse(
            {
                "error": "session_expired",
                "message": message,
                "login_url": resolve_url(settings.LOGIN_URL),
            },
            status=401,
        )
    response = HttpResponse(message, content_type="text/plain; charset=utf-8", status=401)
    response["HX-Reswap"] = "none"  # htmx: keep the page as it is
    return response


def _is_login_redirect(response: HttpResponse) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    location = response.get("Location", "")
    login = resolve_url(settings.LOGIN_URL)
    return location == login or location.startswith(login + "?")


def _route_name(request: HttpRequest) -> str:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ""
    return f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name)


def session_seconds_left(request: HttpRequest, *, now: float | None = None) -> dict[str, int]:
    """Seconds until the idle and the absolute limit end the session (0 when anonymous)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"seconds_left": 0, "idle_seconds_left": 0, "absolute_seconds_left": 0}
    now = timezone.now().timestamp() if now is None else now
    last_seen = request.session.get("rodtrad_last_seen", 0)
    auth_at = request.session.get("rodtrad_auth_at", 0)
    idle = max(0, int(last_seen + settings.RODTRAD_IDLE_TIMEOUT_SECONDS - now))
    absolute = max(0, int(auth_at + settings.RODTRAD_ABSOLUTE_TIMEOUT_SECONDS - now))
    return {
        "seconds_left": min(idle, absolute),
        "idle_seconds_left": idle,
        "absolute_seconds_left": absolute,
    }


class SessionLimitsMiddleware:
    """Idle and absolute session limits (docs/security-checks.md S07).

    The idle limit is enforced twice: the database session expires SESSION_COOKIE_AGE after the
    last request (SESSION_SAVE_EVERY_REQUEST), and this middleware compares its own timestamps.
    When a browser presents a session that has already expired, the stale row is deleted here
    so that nothing of it stays on the server.

    Every request counts as activity except the session-status check, which the page's script
    makes to learn how long is left: asking must not keep an unattended session alive.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            self._forget_expired_session(request)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            left = session_seconds_left(request, now=now)
            if left["idle_seconds_left"] <= 0 or left["absolute_seconds_left"] <= 0:
                logout(request)  # flushes and deletes the server-side session
                if request.path.startswith("/api/") or is_script_request(request):
                    return session_ended_response(request)
                messages.info(request, _("Du har loggats ut eftersom sessionen gick ut."))
                return redirect(settings.LOGIN_URL)
            if request.path_info != reverse("accounts:session-status"):
                request.session["rodtrad_last_seen"] = now
            # base.html hands this to the page's script (the warning before the idle limit).
            left = session_seconds_left(request, now=now)
            request.rodtrad_session_seconds_left = left["seconds_left"]  # type: ignore[attr-defined]
            request.rodtrad_session_warn_seconds = settings.RODTRAD_SESSION_WARNING_SECONDS  # type: ignore[attr-defined]
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            response[SECONDS_LEFT_HEADER] = str(session_seconds_left(request)["seconds_left"])
        elif _is_login_redirect(response) and is_script_request(request):
            # login_required sent an anonymous script request to the login page (the session
            # was ended elsewhere): following that redirect would swap a login form into the
            # page, so answer 401 instead.
            return session_ended_response(request)
        return response

    @staticmethod
    def _forget_expired_session(request: HttpRequest) -> None:
        presented = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        # The user lookup has loaded the session; a key of None means it was missing or expired.
        if not presented or request.session.session_key is not None:
            return

        if forget_expired_session(presented) and not is_script_request(request):
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
            route = _route_name(request)
            if route not in BEFORE_SECOND_FACTOR and not request.path.startswith(
                settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"
            ):
                if request.path.startswith("/api/"):
                    return JsonResponse({"error": "second_factor_required"}, status=401)
                if is_script_request(request):
                    # Signed in with the password only (e.g. half-way through a new sign-in
                    # in another tab): to a script that is the same as signed out.
                    return session_ended_response(request)
                return redirect("accounts:otp-verify")
        return self.get_response(request)
