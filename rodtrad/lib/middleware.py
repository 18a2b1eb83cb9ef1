"""Project-wide middleware: request context for the journal, the language the user chose,
and no-store on private pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from rodtrad.lib import request_context
from rodtrad.lib.client_ip import client_ip

Handler = Callable[[HttpRequest], HttpResponse]
# AccessEvent.route's length.
ROUTE_MAX_LENGTH = 80


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

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> None:
        """The URL is resolved now: every access event of the request, a refused one
        (`access.not_found`) too, names the route without each caller passing it."""
        match = request.resolver_match
        if match is not None and match.view_name:
            request_context.set_route(match.view_name[:ROUTE_MAX_LENGTH])


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


class ChosenLanguageMiddleware:
    """Swedish for everyone; English only when the user chose it with the language switcher.

    Replaces Django's LocaleMiddleware, which would follow the browser's Accept-Language
    header: a municipality's staff share Swedish case language whatever their browser says
    (issue 6 §5). The only source is the language cookie that `set_language` writes.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = self.chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    @staticmethod
    def chosen_language(request: HttpRequest) -> str:
        """The language cookie's value when it names a language we have, else Swedish."""
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if chosen:
            try:
                return translation.get_supported_language_variant(chosen)
            except LookupError:
                pass
        return str(settings.LANGUAGE_CODE)
