"""The JSON API (django-ninja). Routers call the same access functions as the HTML views."""

from ninja import NinjaAPI

api = NinjaAPI(title="Rodtrad API", version="1", urls_namespace="api")
