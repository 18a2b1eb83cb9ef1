"""User administration pages: administrator only, every change through a service (S17)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import sign_in
from rodtrad.accounts import services
from rodtrad.accounts.access import visible_cases, visible_persons
from rodtrad.accounts.models import ActivationCode, Membership, Role, User
from rodtrad.accounts.tests.conftest import current_token, post_login
from rodtrad.accounts.tests.factories import TEST_PASSWORD
from rodtrad.accounts.views import SETUP_KEY_SESSION_KEY
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

    # The team manager of the district approves: from now on the account holds the role (and
    # its owner needs the activation code the page shows to enrol the second factor).
    as_manager = signed_in(manager)
    listing = as_manager.get(reverse("accounts:approval-list")).content.decode()
    assert "andra.kontot" in listing and "Visas en gång när rollen godkänns" in listing
    approved = as_manager.post(
        reverse("accounts:membership-proposal-decide", args=[proposal.pk]), {"decision": "approve"}
    )
    assert approved.status_code == 200 and "Aktiveringskod" in approved.content.decode()
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


# --- Activation code: the first case role needs a code the administrator never sees (S17) -----

# The fixtures' memberships start on the real today, so the fixed moment is tomorrow at 09:00:
# the steps below then run on a clock that does not move, whatever day the tests run.
APPROVAL_DAY = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(
    hour=9, minute=0, second=0, microsecond=0
)


def _password_only(username: str) -> Client:
    client = Client()
    assert post_login(client, username).status_code == 302
    return client


def _enrol_totp(client: Client) -> Any:
    """Scan the set-up page's key and post the app's code, as the account's user would."""
    page = client.get(reverse("accounts:otp-setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    key = client.session[SETUP_KEY_SESSION_KEY]
    return client.post(
        reverse("accounts:otp-setup"), {"otp_token": current_token(TOTPDevice(key=key))}
    )


def _code_on(page: Any) -> str:
    return re.search(r"<code>([A-Z2-9-]{14})</code>", page.content.decode()).group(1)


def test_s17_an_administrator_who_knows_the_password_cannot_enrol_the_second_factor_alone(
    db, admin, manager, signed_in, own_units, own_district
):
    case = CaseFactory(child=PersonFactory(district=own_district), unit=own_units["investigation"])
    with time_machine.travel(APPROVAL_DAY, tick=False) as clock:
        # The administrator creates the account with a password of their own choosing ...
        signed_in(admin).post(
            reverse("accounts:user-create"),
            {
                "username": "x.mallory",
                "first_name": "Mallory",
                "last_name": "X",
                "password": TEST_PASSWORD,
                "role": Role.TEAM_MANAGER,
                "district": own_district.pk,
            },
        )
        account = User.objects.get(username="x.mallory")
        # ... and, before the approval, signs in as it and enrols a phone of their own.
        assert _enrol_totp(_password_only("x.mallory")).status_code == 302
        assert TOTPDevice.objects.filter(user=account, confirmed=True).exists()

        # The team manager approves; the answer shows the activation code, once.
        clock.shift(dt.timedelta(minutes=5))
        proposal = account.membership_proposals.get()
        approved = signed_in(manager).post(
            reverse("accounts:membership-proposal-decide", args=[proposal.pk]),
            {"decision": "approve"},
        )
        assert approved.status_code == 200
        code = _code_on(approved)
        # The device enrolled before the approval is gone.
        assert not TOTPDevice.objects.filter(user=account).exists()

        # The administrator signs in with the password again: the set-up page asks for the
        # activation code and shows no key; posting a TOTP code enrols nothing.
        clock.shift(dt.timedelta(minutes=5))
        attacker = _password_only("x.mallory")
        page = attacker.get(reverse("accounts:otp-setup"))
        assert "Aktiveringskod" in page.content.decode() and "<svg" not in page.content.decode()
        assert SETUP_KEY_SESSION_KEY not in attacker.session
        refused = attacker.post(reverse("accounts:otp-setup"), {"otp_token": "123456"})
        assert refused.status_code == 200 and "<svg" not in refused.content.decode()
        guessed = attacker.post(
            reverse("accounts:otp-setup"), {"activation_code": "ABCD-EFGH-JKMN"}
        )
        assert "Koden stämmer inte" in guessed.content.decode()
        with pytest.raises(PermissionDenied):
            services.start_totp_enrollment(account, key="00" * 20)
        assert not TOTPDevice.objects.filter(user=account).exists()
        assert attacker.get(reverse("cases:case-detail", args=[case.pk])).status_code == 302

        # The colleague, with the code from the team manager, enrols and reaches the case.
        clock.shift(dt.timedelta(hours=2))
        colleague = _password_only("x.mallory")
        accepted = colleague.post(
            reverse("accounts:otp-setup"), {"activation_code": code.lower().replace("-", " ")}
        )
        assert accepted["Location"] == reverse("accounts:otp-setup")
        assert _enrol_totp(colleague).status_code == 302
        assert colleague.get(reverse("cases:case-detail", args=[case.pk])).status_code == 200

        # The code was used once; the journal says who issued it and that it was used, never
        # the code, and the administrator's pages never show it.
        assert services.pending_activation_code(account) is None
        issued = JournalEntry.objects.get(action="accounts.activation_code_issued")
        used = JournalEntry.objects.get(action="accounts.activation_code_used")
        assert issued.actor == manager and used.actor == account
        assert JournalEntry.objects.filter(action="accounts.activation_code_failed").count() == 1
        everything = (
            " ".join(str(entry.data) for entry in JournalEntry.objects.all())
            + signed_in(admin)
            .get(reverse("accounts:user-detail", args=[account.pk]))
            .content.decode()
        )
        assert code not in everything and code.replace("-", "") not in everything


def test_s17_a_code_works_for_seven_days_and_a_new_one_replaces_it(
    db, admin, manager, signed_in, own_district
):
    with time_machine.travel(APPROVAL_DAY, tick=False) as clock:
        account = services.create_user(
            by=admin,
            username="ny.kollega",
            password=TEST_PASSWORD,
            role=Role.INVESTIGATOR,
            district=own_district,
        )
        as_manager = signed_in(manager)
        first = _code_on(
            as_manager.post(
                reverse(
                    "accounts:membership-proposal-decide",
                    args=[account.membership_proposals.get().pk],
                ),
                {"decision": "approve"},
            )
        )
        # Eight days later the code no longer works; the account is on the manager's list.
        clock.shift(dt.timedelta(days=8))
        late = _password_only("ny.kollega").post(
            reverse("accounts:otp-setup"), {"activation_code": first}
        )
        assert "gäller inte längre" in late.content.decode()
        as_manager = sign_in(Client(), manager)  # a new day, a new sign-in
        listing = as_manager.get(reverse("accounts:approval-list")).content.decode()
        assert "ny.kollega" in listing and "Har slutat gälla" in listing
        # The manager issues a new code: shown once; the old one stops working.
        account.refresh_from_db()
        reissued = as_manager.post(
            reverse("accounts:activation-code-issue", args=[account.pk]),
            {"version": account.version},
        )
        second = _code_on(reissued)
        assert second != first
        colleague = _password_only("ny.kollega")
        old = colleague.post(reverse("accounts:otp-setup"), {"activation_code": first})
        assert "Koden stämmer inte" in old.content.decode()
        new = colleague.post(reverse("accounts:otp-setup"), {"activation_code": second})
        assert new.status_code == 302
        issued = JournalEntry.objects.filter(action="accounts.activation_code_issued")
        assert [entry.data["replaced"] for entry in issued.order_by("seq")] == [0, 1]


def test_only_a_team_manager_of_the_accounts_district_issues_an_activation_code(
    db, admin, manager, other_district_manager, signed_in, own_district
):
    account = services.create_user(
        by=admin,
        username="ny.kollega",
        password=TEST_PASSWORD,
        role=Role.INVESTIGATOR,
        district=own_district,
    )
    services.approve_membership_proposal(account.membership_proposals.get(), by=manager)
    account.refresh_from_db()
    url = reverse("accounts:activation-code-issue", args=[account.pk])
    assert signed_in(admin).post(url, {"version": account.version}).status_code == 403
    other = signed_in(other_district_manager).post(url, {"version": account.version})
    assert other.status_code == 404
    assert JournalEntry.objects.filter(action="accounts.activation_code_issued").count() == 1
    # The administrator sees that the account waits for activation, not the code.
    page = signed_in(admin).get(reverse("accounts:user-detail", args=[account.pk]))
    assert "aktiveringskoden som enhetschefen har lämnat ut" in page.content.decode()


def test_accounts_created_on_the_command_line_and_accounts_without_case_roles_need_no_code(
    db, admin, analyst, own_district
):
    first_manager = services.create_user(
        by=None,
        username="forsta.chefen",
        password=TEST_PASSWORD,
        role=Role.TEAM_MANAGER,
        district=own_district,
    )
    for username in (first_manager.username, analyst.username):
        client = _password_only(username)
        assert _enrol_totp(client).status_code == 302
    assert not ActivationCode.objects.exists()
