"""The start page (rodtrad/worklists/views.py `home`, moved from rodtrad/lib in issue 7): what
each role is told; its deadlines are tested in test_views.py."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from rodtrad.lib import views as lib_views

pytestmark = pytest.mark.django_db


def test_the_start_page_is_served_by_the_worklist_app_not_lib() -> None:
    from django.urls import resolve

    assert resolve(reverse("home")).func.__module__ == "rodtrad.worklists.views"
    assert not hasattr(lib_views, "home")


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
        ("analyst", "Här ser du statistik och uppföljning för stadsdelarna"),
        ("reviewer", "Allt du läser loggas."),
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


def test_the_analyst_is_sent_to_the_statistics(signed_in: Any, analyst: Any) -> None:
    body = signed_in(analyst).get(reverse("home")).content.decode()
    assert f'href="{reverse("stats:dashboard")}"' in body


def test_the_reviewer_is_sent_to_their_reviews(signed_in: Any, reviewer: Any) -> None:
    body = signed_in(reviewer).get(reverse("home")).content.decode()
    assert f'href="{reverse("audits:programme-list")}"' in body


def test_the_provider_is_sent_to_its_commissions_and_told_whom_to_ask(
    signed_in: Any, provider: Any
) -> None:
    body = signed_in(provider).get(reverse("home")).content.decode()
    assert f'href="{reverse("commissions:inbox")}"' in body
    assert "Du ser bara uppdragen, inte utredningarna." in body
    assert "kontakta handläggaren" in body


def test_a_case_role_gets_no_text_meant_for_other_roles(signed_in: Any, investigator: Any) -> None:
    body = signed_in(investigator).get(reverse("home")).content.decode()
    for text in ("Som utförare", "Som analytiker", "Som intern granskare", "som administratör"):
        assert text not in body
