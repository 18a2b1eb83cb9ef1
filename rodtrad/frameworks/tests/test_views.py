"""The administrator's pages; every other role gets 403, anonymous users the login page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from rodtrad.frameworks.models import Code, CodeList
from rodtrad.frameworks.tests.factories import CodeFactory, CodeListFactory
from rodtrad.journal.models import JournalEntry

OTHER_ROLES = ["intake_worker", "investigator", "provider", "manager", "analyst", "reviewer"]


@pytest.fixture
def reasons(db):
    return CodeList.objects.get(key="report-reasons")


@pytest.fixture
def code(db):
    return CodeFactory(
        code_list=CodeListFactory(key="test-list", name="Testlista"),
        code="T",
        label_sv="Test",
        label_en="Test EN",
    )


def urls(code_list: CodeList, code: Code) -> list[tuple[str, str]]:
    return [
        ("get", reverse("frameworks:codelist-list")),
        ("get", reverse("frameworks:codelist-detail", args=[code_list.pk])),
        ("get", reverse("frameworks:code-add", args=[code_list.pk])),
        ("get", reverse("frameworks:code-edit", args=[code.pk])),
        ("post", reverse("frameworks:code-retire", args=[code.pk])),
    ]


def test_the_administrator_sees_every_list_with_its_counts(signed_in, admin, reasons):
    response = signed_in(admin).get(reverse("frameworks:codelist-list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<caption>" in page
    assert "Anmälningsorsaker A–Y" in page
    assert "BBIC-områden (2018)" in page
    assert "rekonstruktion" in page


def test_the_detail_page_shows_codes_status_and_why_a_label_is_uncertain(signed_in, admin):
    code_list = CodeList.objects.get(key="bbic-2018-areas")
    response = signed_in(admin).get(reverse("frameworks:codelist-detail", args=[code_list.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Socialt nätverk och integrering" in page
    assert "Osäker" in page
    assert "inte bekräftad mot Socialstyrelsens BBIC-material" in page
    assert '<th scope="col">' in page


def test_the_detail_page_names_a_retired_code_as_retired(signed_in, admin, code):
    code.valid_to = timezone.localdate()
    code.save()
    response = signed_in(admin).get(reverse("frameworks:codelist-detail", args=[code.code_list_id]))
    assert "Avslutad" in response.content.decode()
    assert reverse("frameworks:code-retire", args=[code.pk]) not in response.content.decode()


def test_the_administrator_edits_a_code_and_the_change_is_journaled(signed_in, admin, code):
    client = signed_in(admin)
    url = reverse("frameworks:code-edit", args=[code.pk])
    form = client.get(url)
    assert 'name="version" value="1"' in form.content.decode()
    response = client.post(
        url,
        {"label_sv": "Nytt namn", "label_en": "Test EN", "description_sv": "", "version": 1},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("frameworks:codelist-detail", args=[code.code_list_id])
    code.refresh_from_db()
    assert (code.label_sv, code.version) == ("Nytt namn", 2)
    entry = JournalEntry.objects.filter(action="frameworks.code_updated").latest("seq")
    assert entry.actor == admin


def test_a_stale_version_gets_the_conflict_page_and_nothing_is_saved(signed_in, admin, code):
    Code.objects.filter(pk=code.pk).update(label_sv="Någon annans ändring", version=2)
    response = signed_in(admin).post(
        reverse("frameworks:code-edit", args=[code.pk]),
        {"label_sv": "Mitt namn", "label_en": "Test EN", "description_sv": "", "version": 1},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Någon annans ändring" in page
    assert "Mitt namn" in page
    code.refresh_from_db()
    assert code.label_sv == "Någon annans ändring"
    assert not JournalEntry.objects.filter(action="frameworks.code_updated").exists()


def test_an_empty_label_rerenders_the_form_with_an_accessible_error(signed_in, admin, code):
    response = signed_in(admin).post(
        reverse("frameworks:code-edit", args=[code.pk]),
        {"label_sv": "", "label_en": "", "description_sv": "", "version": 1},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert 'id="id_label_sv_error"' in page
    code.refresh_from_db()
    assert code.label_sv == "Test"


def test_labels_of_a_locked_list_are_shown_but_cannot_be_posted(signed_in, admin):
    code = Code.objects.get(code_list__key="bbic-2006-areas", code="familjenatverk")
    client = signed_in(admin)
    url = reverse("frameworks:code-edit", args=[code.pk])
    assert "disabled" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "label_sv": "Ändrat",
            "description_sv": "Lokal förklaring",
            "version": code.version,
        },
    )
    assert response.status_code == 302
    code.refresh_from_db()
    assert (code.label_sv, code.description_sv) == ("Familjenätverk", "Lokal förklaring")


def test_the_administrator_adds_a_code_to_a_list(signed_in, admin, reasons):
    response = signed_in(admin).post(
        reverse("frameworks:code-add", args=[reasons.pk]),
        {"code": "Z", "label_sv": "Lokal orsak", "label_en": "", "description_sv": ""},
    )
    assert response.status_code == 302
    added = Code.objects.get(code_list=reasons, code="Z")
    assert added.is_local
    assert JournalEntry.objects.filter(action="frameworks.code_added").latest("seq").actor == admin


def test_adding_an_existing_code_rerenders_the_form_with_the_reason(signed_in, admin, reasons):
    response = signed_in(admin).post(
        reverse("frameworks:code-add", args=[reasons.pk]),
        {"code": "A", "label_sv": "Dubblett"},
    )
    assert response.status_code == 200
    assert "Koden finns redan i listan" in response.content.decode()
    assert Code.objects.filter(code_list=reasons, code="A").count() == 1


def test_the_administrator_retires_a_code_with_a_post(signed_in, admin, code):
    client = signed_in(admin)
    url = reverse("frameworks:code-retire", args=[code.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"version": 1})
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.valid_to == timezone.localdate()
    assert (
        JournalEntry.objects.filter(action="frameworks.code_retired").latest("seq").actor == admin
    )


def test_retiring_without_a_version_is_a_bad_request_and_changes_nothing(signed_in, admin, code):
    response = signed_in(admin).post(reverse("frameworks:code-retire", args=[code.pk]), {})
    assert response.status_code == 400
    code.refresh_from_db()
    assert code.valid_to is None


def test_retiring_with_a_stale_version_gets_the_conflict_page(signed_in, admin, code):
    Code.objects.filter(pk=code.pk).update(version=5)
    response = signed_in(admin).post(
        reverse("frameworks:code-retire", args=[code.pk]), {"version": 1}
    )
    assert response.status_code == 409
    code.refresh_from_db()
    assert code.valid_to is None


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_gets_403_on_every_code_list_page(request, signed_in, role, code):
    client = signed_in(request.getfixturevalue(role))
    for method, url in urls(code.code_list, code):
        response = getattr(client, method)(url, {"version": 1} if method == "post" else None)
        assert response.status_code == 403, url
    code.refresh_from_db()
    assert code.valid_to is None


def test_an_anonymous_user_is_sent_to_the_login_page(client, code):
    for method, url in urls(code.code_list, code):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_edit_page_of_an_uncertain_code_explains_the_uncertainty(signed_in, admin):
    code = Code.objects.get(code_list__key="bbic-2018-areas", code="familjebakgrund")
    response = signed_in(admin).get(reverse("frameworks:code-edit", args=[code.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Osäker benämning" in page
    assert "rekonstruktion" in page
    assert "disabled" not in page


def test_a_post_without_a_version_says_so_and_saves_nothing(signed_in, admin, code):
    response = signed_in(admin).post(
        reverse("frameworks:code-edit", args=[code.pk]), {"label_sv": "Utan version"}
    )
    assert response.status_code == 200
    assert "saknar versionsnummer" in response.content.decode()
    code.refresh_from_db()
    assert (code.label_sv, code.version) == ("Test", 1)
