"""The API's own routes (rodtrad/api/urls.py): the OpenAPI schema is for signed-in users."""

from __future__ import annotations

from django.test import Client

from conftest import sign_in

SCHEMA = "/api/v1/openapi.json"


def test_s10_the_openapi_schema_is_not_served_to_anonymous_visitors(db):
    for method in ("get", "post"):
        response = getattr(Client(), method)(SCHEMA)
        assert response.status_code == 401
        assert response.json() == {"error": "not_authenticated", "message": "Logga in först."}
        assert "paths" not in response.content.decode()


def test_signed_in_users_get_the_schema_by_get_only(db, analyst):
    client = sign_in(Client(), analyst)
    schema = client.get(SCHEMA)
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Rodtrad API"
    assert schema.json()["paths"]
    assert client.post(SCHEMA).status_code == 405
