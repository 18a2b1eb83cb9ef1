"""Project-wide views: health, the icon, language, and error pages.

The two that journal security events (CSP reports, a rejected CSRF token) live in
`rodtrad/accounts/views_security.py`: `lib` imports no domain app (docs/architecture.md,
"Layers").

The start page is a worklist and lives with the others in `rodtrad/worklists/views.py`
(docs/architecture.md): `lib` is domain-free.
"""

from __future__ import annotations

import logging

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

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
