"""Project-wide middleware: request context for the journal, and no-store on private pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from rodtrad.lib import request_context
from rodtrad.lib.client_ip import client_ip

Handler = Callable[[HttpRequest], HttpResponse]


class RequestContextMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = request_context.RequestContext(
            client_ip=client_ip(request),
            channel="api" if request.path.startswith("/api/") else "web",
        )
        request.request_id = ctx.request_id  # type: ignore[attr-defined]
        token = request_context.activate(ctx)
        try:
            response = self.get_response(request)
        finally:
            request_context.deactivate(token)
        response["X-Request-ID"] = ctx.request_id
        return response


class NoStoreMiddleware:
    """Authenticated responses must never be kept by browsers or proxies (S31)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
