"""Project-wide pages (rodtrad/lib/views.py): the start page for every role, and the icon."""

from __future__ import annotations

from typing import Any

import pytest
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_icon_instead_of_a_404() -> None:
    # From the red-team pass on issue 6 (U-11): /favicon.ico gave 404 on every page.
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == static("rodtrad/favicon.svg")
    icon = Client().get(response["Location"])
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)


def test_every_page_links_the_icon(signed_in: Any, investigator: Any) -> None:
    body = signed_in(investigator).get(reverse("home")).content.decode()
    assert f'<link rel="icon" href="{static("rodtrad/favicon.svg")}" type="image/svg+xml">' in body


def test_the_administrators_start_page_leads_to_users_approvals_and_code_lists(
    signed_in: Any, admin: Any
) -> None:
    body = signed_in(admin).get(reverse("home")).content.decode()
    start = body[body.index('id="main"') :]
    for route in ("accounts:user-list", "accounts:approval-list", "frameworks:codelist-list"):
        assert f'href="{reverse(route)}"' in start, route
    assert "Det här gör du som administratör" in start
    assert "Innehållet i ärenden ser du aldrig." in start


@pytest.mark.parametrize(
    ("role", "says"),
    [
        ("provider", "Uppdragen finns inte i Rodtrad ännu"),
        ("analyst", "Statistiken finns inte i Rodtrad ännu"),
        ("reviewer", "Granskningen finns inte i Rodtrad ännu"),
    ],
)
def test_the_other_roles_are_told_what_is_coming_and_whom_to_ask(
    signed_in: Any, request: Any, role: str, says: str
) -> None:
    user = request.getfixturevalue(role)
    body = signed_in(user).get(reverse("home")).content.decode()
    assert says in body
    assert "kontakta" in body.lower() or "besvarar" in body
    assert "Det här gör du som administratör" not in body


def test_a_case_role_gets_no_text_meant_for_other_roles(signed_in: Any, investigator: Any) -> None:
    body = signed_in(investigator).get(reverse("home")).content.decode()
    for text in ("Som utförare", "Som analytiker", "Som intern granskare", "som administratör"):
        assert text not in body
