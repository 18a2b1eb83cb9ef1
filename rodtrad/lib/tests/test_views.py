"""Project-wide pages (rodtrad/lib/views.py): the icon. The start page: deadlines/tests."""

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
