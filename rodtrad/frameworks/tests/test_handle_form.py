"""lib.forms.handle_form, the one way through a form, on a real row and a real service: the
administrator's code form and `services.update_code` (a versioned row, one transaction).

The helper is domain-free; these tests live with the code lists because lib may not import a
domain app, not even in its tests.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from rodtrad.frameworks import services
from rodtrad.frameworks.forms import CodeEditForm
from rodtrad.frameworks.models import Code
from rodtrad.frameworks.tests.factories import CodeFactory, CodeListFactory
from rodtrad.lib.forms import conflict_fields, handle_form, initial_from


@pytest.fixture
def code(db: Any) -> Code:
    return CodeFactory(
        code_list=CodeListFactory(key="test-list", name="Testlista"),
        code="T",
        label_sv="Test",
        label_en="Test EN",
        description_sv="Förklaringen",
        valid_from=datetime.date(2020, 1, 1),
    )


def _request(user: Any, method: str = "post", data: dict[str, Any] | None = None) -> Any:
    request = getattr(RequestFactory(), method)("/kodlistor/", data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = CookieStorage(request)
    return request


def _posted(code: Code, **changes: Any) -> dict[str, Any]:
    data = {
        "label_sv": code.label_sv,
        "label_en": code.label_en,
        "description_sv": code.description_sv,
        "valid_to": "",
        "version": code.version,
    }
    return data | changes


def _run(request: Any, code: Code) -> HttpResponse:
    form = CodeEditForm(request.POST if request.method == "POST" else None, code=code)
    return handle_form(
        request,
        form,
        save=lambda data: services.update_code(
            code=code,
            by=request.user,
            version=data["version"],
            label_sv=data["label_sv"],
            label_en=data["label_en"],
            description_sv=data["description_sv"],
            valid_to=data["valid_to"],
        ),
        success="Sparat.",
        then="/klart/",
        render=lambda form: HttpResponse(f"form errors={sorted(form.errors)}"),
        conflict_title="Någon annan har ändrat koden",
    )


def test_the_form_starts_from_the_row_for_every_field_it_declares(code):
    initial = initial_from(CodeEditForm, code)

    assert initial == {
        "label_sv": "Test",
        "label_en": "Test EN",
        "description_sv": "Förklaringen",
        "valid_to": None,
        "version": code.version,
    }


def test_a_successful_save_gives_the_message_and_the_redirect(admin, code):
    request = _request(admin, data=_posted(code, label_sv="Ny benämning"))

    response = _run(request, code)

    assert response.status_code == 302
    assert response["Location"] == "/klart/"
    assert [str(m) for m in get_messages(request)] == ["Sparat."]
    code.refresh_from_db()
    assert code.label_sv == "Ny benämning"


def test_a_refusal_of_the_service_goes_on_the_form_and_nothing_is_saved(admin, code):
    version = code.version
    # The form accepts the date; the service refuses an end before the start.
    request = _request(admin, data=_posted(code, label_sv="Ny", valid_to="2019-12-31"))

    response = _run(request, code)

    assert response.status_code == 200
    assert response.content.decode() == "form errors=['valid_to']"
    assert list(get_messages(request)) == []
    code.refresh_from_db()
    assert (code.label_sv, code.version) == ("Test", version)


def test_a_stale_version_gives_the_conflict_page_with_the_forms_own_fields(admin, code):
    rendered_version = code.version
    services.update_code(code=code, by=admin, version=code.version, label_sv="Den andras")
    request = _request(admin, data=_posted(code, label_sv="Min", version=rendered_version))

    response = _run(request, code)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Någon annan har ändrat koden" in page
    assert "Den andras" in page and "Min" in page
    # The rows are the form's visible fields, with the form's labels; never the version.
    form = CodeEditForm(code=code)
    assert conflict_fields(form, code) == ["label_sv", "label_en", "description_sv", "valid_to"]
    for name in ("label_sv", "label_en", "description_sv", "valid_to"):
        assert f'<th scope="row">{form.fields[name].label}</th>' in page
    assert page.count('<th scope="row">') == 4
    code.refresh_from_db()
    assert code.label_sv == "Den andras"


def test_a_get_only_renders_the_form(admin, code):
    response = _run(_request(admin, method="get"), code)

    assert response.status_code == 200
    assert response.content.decode() == "form errors=[]"
