"""User administration pages: administrator only, every change through a service (S17)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from rodtrad.accounts.access import visible_cases, visible_persons
from rodtrad.accounts.models import Membership, Role, User
from rodtrad.accounts.tests.factories import TEST_PASSWORD
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.journal.models import JournalEntry
from rodtrad.people.tests.factories import PersonFactory


def test_s17_administrator_sees_no_case_content_and_no_django_admin(
    db, admin, signed_in, own_district, other_district
):
    child = PersonFactory(district=own_district, given_name="Kanarie", family_name="Fågelsson")
    CaseFactory(child=child)
    CaseFactory(child=PersonFactory(district=other_district))

    assert not visible_cases(admin).exists()
    assert not visible_persons(admin).exists()
    assert "django.contrib.admin" not in settings.INSTALLED_APPS

    client = signed_in(admin)
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404
    for route in ("accounts:user-list", "accounts:user-create"):
        page = client.get(reverse(route)).content.decode()
        assert "Kanarie" not in page and "Fågelsson" not in page
        assert child.identity_number not in page


def test_anonymous_visitors_are_sent_to_login(db, investigator):
    response = Client().get(reverse("accounts:user-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "role", ["intake_worker", "investigator", "provider", "manager", "analyst", "reviewer"]
)
def test_other_roles_get_403_on_administration(db, request, signed_in, role):
    user = request.getfixturevalue(role)
    client = signed_in(user)
    assert client.get(reverse("accounts:user-list")).status_code == 403
    assert client.get(reverse("accounts:user-detail", args=[user.pk])).status_code == 403
    response = client.post(reverse("accounts:user-deactivate", args=[user.pk]), {"version": 1})
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.is_active


def test_the_user_list_shows_roles_scope_and_status(db, admin, signed_in, investigator, manager):
    investigator.is_active = False
    investigator.save(update_fields=["is_active"])
    page = signed_in(admin).get(reverse("accounts:user-list")).content.decode()
    assert "<caption>" in page and 'scope="col"' in page
    assert "Utredande socialsekreterare – Bromma investigation" in page
    assert "Enhetschef – Bromma" in page
    assert "Systemadministratör – hela systemet" in page
    assert "Inaktiverad" in page


def test_an_administrator_creates_a_user(db, admin, signed_in, own_units):
    client = signed_in(admin)
    assert client.get(reverse("accounts:user-create")).status_code == 200
    response = client.post(
        reverse("accounts:user-create"),
        {
            "username": "karin.berg",
            "first_name": "Karin",
            "last_name": "Berg",
            "title": "Mottagningssekreterare",
            "password": TEST_PASSWORD,
            "role": Role.INTAKE_WORKER,
            "district": own_units["intake"].district.pk,
            "unit": own_units["intake"].pk,
        },
    )
    user = User.objects.get(username="karin.berg")
    assert response["Location"] == reverse("accounts:user-detail", args=[user.pk])
    # The intake role gives access to cases: proposed, not in force (four eyes).
    assert not user.memberships.exists()
    assert user.membership_proposals.get().unit == own_units["intake"]
    assert JournalEntry.objects.filter(action="accounts.user_created", actor=admin).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Väntar på godkännande" in page
    assert "gäller först när en enhetschef" in page
    # The administrator never sees the user's second factor: no key, no QR code.
    assert "Inte aktiverad ännu" in page
    assert "otpauth" not in page and "<svg" not in page


def test_a_weak_password_re_renders_the_form_with_accessible_errors(db, admin, signed_in):
    response = signed_in(admin).post(
        reverse("accounts:user-create"),
        {
            "username": "karin.berg",
            "first_name": "Karin",
            "last_name": "Berg",
            "password": "socialtjanst1",
            "role": Role.ANALYST,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_password_error"' in body
    assert 'aria-invalid="true"' in body
    assert "Lösenordet" in body
    assert "Välj en stadsdel" in body
    assert not User.objects.filter(username="karin.berg").exists()


def test_the_detail_page_lists_memberships_and_forms(db, admin, signed_in, investigator):
    page = signed_in(admin).get(reverse("accounts:user-detail", args=[investigator.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count("<h1>") == 1
    assert "Utredande socialsekreterare" in body
    assert reverse("accounts:membership-end", args=[investigator.memberships.get().pk]) in body
    assert reverse("accounts:user-deactivate", args=[investigator.pk]) in body
    assert 'id="membership_version"' in body and 'id="password_version"' in body


def test_an_unknown_user_is_404_for_the_administrator(db, admin, signed_in):
    assert signed_in(admin).get(reverse("accounts:user-detail", args=[999999])).status_code == 404


def test_deactivate_from_the_page(db, admin, signed_in, investigator):
    client = signed_in(admin)
    url = reverse("accounts:user-deactivate", args=[investigator.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"version": investigator.version})
    assert response.status_code == 302
    investigator.refresh_from_db()
    assert not investigator.is_active
    assert JournalEntry.objects.filter(action="accounts.user_deactivated").count() == 1


def test_an_empty_post_changes_nothing(db, admin, signed_in, investigator):
    client = signed_in(admin)
    membership = investigator.memberships.get()
    for route, pk in (
        ("accounts:user-deactivate", investigator.pk),
        ("accounts:user-set-password", investigator.pk),
        ("accounts:membership-add", investigator.pk),
        ("accounts:membership-end", membership.pk),
    ):
        response = client.post(reverse(route, args=[pk]), {})
        assert response.status_code == 200, route
        assert "Formuläret var ofullständigt" in response.content.decode()
    investigator.refresh_from_db()
    membership.refresh_from_db()
    assert investigator.is_active and membership.valid_to is None
    assert Membership.objects.filter(user=investigator).count() == 1


def test_a_stale_version_gets_409_and_changes_nothing(db, admin, signed_in, investigator):
    client = signed_in(admin)
    stale = investigator.version
    client.post(
        reverse("accounts:user-set-password", args=[investigator.pk]),
        {"version": stale, "password": "en helt ny och lång lösenfras"},
    )
    response = client.post(
        reverse("accounts:user-deactivate", args=[investigator.pk]), {"version": stale}
    )
    assert response.status_code == 409
    assert "har ändrats sedan sidan visades" in response.content.decode()
    investigator.refresh_from_db()
    assert investigator.is_active


def test_add_and_end_a_membership_from_the_page(db, admin, signed_in, investigator, other_district):
    client = signed_in(admin)
    response = client.post(
        reverse("accounts:membership-add", args=[investigator.pk]),
        {"version": investigator.version, "role": Role.ANALYST, "district": other_district.pk},
    )
    assert response.status_code == 302
    added = Membership.objects.get(user=investigator, role=Role.ANALYST)
    investigator.refresh_from_db()
    response = client.post(
        reverse("accounts:membership-end", args=[added.pk]), {"version": investigator.version}
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.valid_to is not None
    assert JournalEntry.objects.filter(action="accounts.membership_ended").count() == 1


def test_a_membership_rule_error_is_shown_on_the_field(
    db, admin, signed_in, investigator, other_units, own_district
):
    response = signed_in(admin).post(
        reverse("accounts:membership-add", args=[investigator.pk]),
        {
            "version": investigator.version,
            "role": Role.ANALYST,
            "district": own_district.pk,
            "unit": other_units["intake"].pk,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enheten hör inte till den valda stadsdelen." in body
    assert 'id="membership_unit_error"' in body


def test_set_password_from_the_page_ends_the_users_sessions(db, admin, signed_in, investigator):
    other = sign_in(Client(), investigator)
    administrator = signed_in(admin)
    response = administrator.post(
        reverse("accounts:user-set-password", args=[investigator.pk]),
        {"version": investigator.version, "password": "en helt ny och lång lösenfras"},
    )
    assert response.status_code == 302
    assert other.get(reverse("home")).status_code == 302
    weak = administrator.post(
        reverse("accounts:user-set-password", args=[investigator.pk]),
        {"version": investigator.version + 1, "password": "kort"},
    )
    assert "minst 12 tecken" in weak.content.decode()


def test_an_administrator_setting_their_own_password_signs_in_again(db, admin, signed_in):
    client = signed_in(admin)
    response = client.post(
        reverse("accounts:user-set-password", args=[admin.pk]),
        {"version": admin.version, "password": "en helt ny och lång lösenfras"},
    )
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("accounts:user-list")).status_code == 302


# --- Four eyes: proposed by the administrator, approved by a team manager (S17) ---------------


def test_s17_an_administrator_alone_cannot_give_a_new_account_case_content(
    db, admin, manager, signed_in, own_units, own_district
):
    from rodtrad.accounts.access import visible_cases

    case = CaseFactory(child=PersonFactory(district=own_district), unit=own_units["investigation"])
    administrator = Client()
    sign_in(administrator, admin)
    administrator.post(
        reverse("accounts:user-create"),
        {
            "username": "andra.kontot",
            "first_name": "Andra",
            "last_name": "Kontot",
            "password": TEST_PASSWORD,
            "role": Role.INVESTIGATOR,
            "district": own_district.pk,
            "unit": own_units["investigation"].pk,
        },
    )
    second = User.objects.get(username="andra.kontot")
    proposal = second.membership_proposals.get()
    # The administrator signs in as the new account: nothing to see.
    as_second = sign_in(Client(), second)
    assert not visible_cases(second).exists()
    assert as_second.get(reverse("cases:case-detail", args=[case.pk])).status_code in (403, 404)
    # The approvals page is not the administrator's to approve on (no approve button) ...
    listing = administrator.get(reverse("accounts:approval-list")).content.decode()
    assert "andra.kontot" in listing and 'value="approve"' not in listing
    refused = administrator.post(
        reverse("accounts:membership-proposal-decide", args=[proposal.pk]), {"decision": "approve"}
    )
    assert refused.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    # ... nor the new account's (no team manager role).
    assert as_second.get(reverse("accounts:approval-list")).status_code == 403

    # The team manager of the district approves: from now on the account works.
    as_manager = signed_in(manager)
    listing = as_manager.get(reverse("accounts:approval-list")).content.decode()
    # The account's second factor is already enrolled (by whoever signed in as it): the page
    # says so, and tells the manager to ask the colleague.
    assert "andra.kontot" in listing and "Aktiverad" in listing
    assert "fråga personen om hen gjorde det själv" in listing
    approved = as_manager.post(
        reverse("accounts:membership-proposal-decide", args=[proposal.pk]), {"decision": "approve"}
    )
    assert approved.status_code == 302
    assert list(visible_cases(User.objects.get(pk=second.pk))) == [case]
    assert JournalEntry.objects.filter(
        action="accounts.membership_approved", actor=manager
    ).exists()


def test_a_team_manager_of_another_district_gets_404_for_the_proposal(
    db, admin, other_district_manager, signed_in, own_district
):
    from rodtrad.accounts import services

    user = services.create_user(
        by=admin,
        username="ny.kollega",
        password=TEST_PASSWORD,
        role=Role.INVESTIGATOR,
        district=own_district,
    )
    proposal = user.membership_proposals.get()
    client = signed_in(other_district_manager)
    assert "ny.kollega" not in client.get(reverse("accounts:approval-list")).content.decode()
    url = reverse("accounts:membership-proposal-decide", args=[proposal.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "pending"
