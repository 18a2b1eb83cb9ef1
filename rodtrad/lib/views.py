"""Project-wide views: health, CSP reports, language, and error pages.

The start page is a worklist and lives with the others in `rodtrad/deadlines/views.py`
(docs/architecture.md): `lib` is domain-free.
"""

from __future__ import annotations

import json
import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from rodtrad.accounts.middleware import is_script_request
from rodtrad.accounts.services import record_unauthenticated_event
from rodtrad.journal.services import record

logger = logging.getLogger("rodtrad.security")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database readiness, without any data (S43)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return JsonResponse({"status": "unavailable"}, status=503)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on their own (an API answer, an error page); the icon is
    the static SVG that base.html links to, so the answer is a permanent redirect to it."""
    return HttpResponsePermanentRedirect(static("rodtrad/favicon.svg"))


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Browsers post CSP violations here; we keep the directive, never the page content."""
    try:
        body = json.loads(request.body[:10_000] or b"{}")
        report = body.get("csp-report", body) if isinstance(body, dict) else {}
        directive = str(report.get("violated-directive") or report.get("effectiveDirective", ""))
    except (ValueError, AttributeError):
        directive = "unparseable"
    # Anyone can post here: journaled within a budget per hour, then only counted (§3.6).
    record_unauthenticated_event(
        "security.csp_violation_reported", data={"directive": directive[:100]}
    )
    return HttpResponse(status=204)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    return django_set_language(request)


API_ERRORS = {400: "bad_request", 403: "forbidden", 404: "not_found", 500: "server_error"}


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": API_ERRORS[status], "request_id": getattr(request, "request_id", "")},
            status=status,
        )
    return render(
        request,
        template,
        {"request_id": getattr(request, "request_id", "")},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "errors/400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "errors/403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "errors/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": "server_error", "request_id": getattr(request, "request_id", "")}, status=500
        )
    # No context processors that touch the database: the database may be what failed.
    from django.template import loader

    template = loader.get_template("errors/500.html")
    return HttpResponse(
        template.render({"request_id": getattr(request, "request_id", "")}), status=500
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        record("security.csrf_rejected", by=user, data={})
    else:
        # A token-less POST needs no account: journaled within a budget, then counted.
        record_unauthenticated_event("security.csrf_rejected", data={})
    message = _("Formuläret hade gått ut. Ladda om sidan och försök igen.")
    if is_script_request(request):
        # An autosave with a token rotated by a sign-in in another tab: a short text the
        # page's script can act on (fetch the new token, try again), never a page.
        return HttpResponse(message, content_type="text/plain; charset=utf-8", status=403)
    return render(
        request,
        "errors/403_csrf.html",
        {"message": message},
        status=403,
    )
