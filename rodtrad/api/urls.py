"""The JSON API (django-ninja). Routers call the same access functions as the HTML views.

Authentication is the signed-in session (with the second factor verified; the middleware
answers 401 otherwise). No interactive docs page: it would load scripts from other hosts.
The OpenAPI schema is served at /api/v1/openapi.json to signed-in users only (GET); it maps
the system's routes and fields, which an anonymous visitor has no need to know.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import django_auth

from rodtrad.api import cases, people

NOT_AUTHENTICATED = {"error": "not_authenticated", "message": "Logga in först."}


def signed_in_schema(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema for signed-in users only: 401 JSON like the rest of the API, then GET only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse(NOT_AUTHENTICATED, status=401)
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return view(request, *args, **kwargs)

    return wrapped


api = NinjaAPI(
    title="Rodtrad API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_url=None,
    docs_decorator=signed_in_schema,
)
api.add_router("/", cases.router)
api.add_router("/", people.router)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(
        request,
        {"error": "not_found", "message": "Finns inte eller saknar behörighet."},
        status=404,
    )


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request,
        {"error": "forbidden", "message": "Din roll ger inte tillgång till det här."},
        status=403,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, NOT_AUTHENTICATED, status=401)
