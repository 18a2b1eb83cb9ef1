"""The JSON API (django-ninja). Routers call the same access functions as the HTML views.

Authentication is the signed-in session (with the second factor verified; the middleware
answers 401 otherwise). No interactive docs page: it would load scripts from other hosts.
The OpenAPI schema is served at /api/v1/openapi.json.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import django_auth

from rodtrad.api import cases, people

api = NinjaAPI(
    title="Rodtrad API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_url=None,
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


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"error": "not_authenticated", "message": "Logga in först."}, status=401
    )
