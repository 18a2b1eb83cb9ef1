"""Account services: every change checked, journaled, and sessions ended on role changes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rodtrad.accounts import services
from rodtrad.accounts.access import active_roles, visible_cases
from rodtrad.accounts.models import Membership, ProposalStatus, Role, User
from rodtrad.accounts.tests.factories import TEST_PASSWORD, DistrictFactory, UnitFactory
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.journal.models import JournalEntry
from rodtrad.people.tests.factories import PersonFactory


def _entry(action: str) -> JournalEntry:
    return JournalEntry.objects.filter(action=action).latest("seq")


def _create(admin, **overrides):
    values = {
        "by": admin,
        "username": "anna.svensson",
        "first_name": "Anna",
        "last_name": "Svensson",
        "title": "Socialsekreterare",
        "password": TEST_PASSWORD,
        "role": Role.INVESTIGATOR,
        "district": None,
        "unit": None,
    }
    values.update(overrides)
    return services.create_user(**values)


def test_s17_an_administrator_creating_a_caseworker_only_proposes_the_role(db, admin, own_units):
    unit = own_units["investigation"]
    user = _create(admin, district=unit.district, unit=unit)

    assert user.is_active and user.check_password(TEST_PASSWORD)
    # Nothing is in force: the account sees no case until a team manager approves.
    assert not user.memberships.exists()
    assert active_roles(User.objects.get(pk=user.pk)) == set()
    proposal = user.membership_proposals.get()
    assert (proposal.role, proposal.district, proposal.unit, proposal.status) == (
        Role.INVESTIGATOR,
        unit.district,
        unit,
        ProposalStatus.PENDING,
    )
    created = _entry("accounts.user_created")
    assert created.actor == admin and created.object_id == str(user.pk)
    assert created.data == {"role": "investigator", "district": "bromma", "unit": unit.code}
    proposed = _entry("accounts.membership_proposed")
    assert proposed.actor == admin and proposed.object_id == str(proposal.pk)
    assert proposed.data["user_id"] == user.pk and proposed.data["role"] == "investigator"
    assert not JournalEntry.objects.filter(action="accounts.membership_added").exists()


def test_create_user_grants_roles_without_case_content_directly(db, admin, own_district):
    analyst = _create(admin, username="anton", role=Role.ANALYST, district=own_district)
    assert analyst.memberships.get().role == Role.ANALYST
    assert not analyst.membership_proposals.exists()


def test_create_user_rejects_a_weak_password_in_swedish_and_saves_nothing(db, admin, own_district):
    with pytest.raises(ValidationError) as caught:
        _create(admin, password="Stockholm2026!", district=own_district)
    assert "password" in caught.value.message_dict
    assert "Lösenordet" in " ".join(caught.value.message_dict["password"])
    assert not User.objects.filter(username="anna.svensson").exists()
    assert not JournalEntry.objects.filter(action="accounts.user_created").exists()


def test_create_user_rejects_a_taken_username_whatever_the_case(db, admin, own_district):
    _create(admin, district=own_district)
    with pytest.raises(ValidationError) as caught:
        _create(admin, username="Anna.Svensson", district=own_district)
    assert caught.value.message_dict["username"] == ["Användarnamnet är upptaget."]


def test_create_user_needs_a_district_for_case_roles(db, admin):
    with pytest.raises(ValidationError) as caught:
        _create(admin)
    assert "district" in caught.value.message_dict
    assert not User.objects.filter(username="anna.svensson").exists()


def test_only_an_administrator_may_create_users(db, manager, own_district):
    with pytest.raises(PermissionDenied):
        _create(manager, district=own_district)


def test_the_command_line_creates_users_without_an_actor(db, own_district):
    # Whoever runs the command line holds the server already: the role is granted directly.
    user = _create(None, district=own_district)
    assert _entry("accounts.user_created").actor is None
    assert user.memberships.get().role == Role.INVESTIGATOR


def test_a_unit_must_belong_to_the_district(db, admin, own_district, other_units):
    user = _create(admin, username="ny", role=Role.ANALYST, district=own_district)
    with pytest.raises(ValidationError) as caught:
        services.propose_membership(
            user,
            by=admin,
            role=Role.INVESTIGATOR,
            district=own_district,
            unit=other_units["investigation"],
        )
    assert caught.value.message_dict["unit"] == ["Enheten hör inte till den valda stadsdelen."]


def test_an_administrator_membership_has_no_district(db, admin, own_district):
    with pytest.raises(ValidationError) as caught:
        _create(admin, role=Role.ADMINISTRATOR, district=own_district)
    assert "district" in caught.value.message_dict
    other_admin = _create(admin, username="admin2", role=Role.ADMINISTRATOR)
    assert other_admin.memberships.get().district is None


def test_an_administrator_cannot_give_themselves_a_case_role(db, admin, own_district):
    with pytest.raises(ValidationError) as caught:
        services.propose_membership(admin, by=admin, role=Role.INVESTIGATOR, district=own_district)
    assert "egna roller" in caught.value.messages[0]
    assert active_roles(User.objects.get(pk=admin.pk)) == {Role.ADMINISTRATOR}


def test_an_administrator_account_never_holds_a_case_role(db, admin, own_district):
    # Separation of duties: not even another administrator can combine the two.
    other_admin = _create(admin, username="admin2", role=Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as caught:
        services.propose_membership(
            other_admin, by=admin, role=Role.TEAM_MANAGER, district=own_district
        )
    assert "separat konto" in caught.value.message_dict["role"][0]
    caseworker = _create(None, district=own_district)
    with pytest.raises(ValidationError):
        services.add_membership(caseworker, by=admin, role=Role.ADMINISTRATOR)
    # Nor while a case role waits for approval.
    proposed = _create(admin, username="ny", district=own_district)
    with pytest.raises(ValidationError):
        services.add_membership(proposed, by=admin, role=Role.ADMINISTRATOR)


def test_the_same_role_in_the_same_place_is_not_added_twice(db, admin, investigator, own_units):
    with pytest.raises(ValidationError) as caught:
        services.propose_membership(
            investigator,
            by=admin,
            role=Role.INVESTIGATOR,
            district=own_units["investigation"].district,
            unit=own_units["investigation"],
        )
    assert caught.value.message_dict["role"] == ["Användaren har redan den rollen där."]


def test_add_membership_journals_the_role_and_scope(db, admin, investigator, other_district):
    membership = services.add_membership(
        investigator,
        by=admin,
        role=Role.ANALYST,
        district=other_district,
        valid_to=timezone.localdate() + dt.timedelta(days=30),
    )
    entry = _entry("accounts.membership_added")
    assert entry.object_id == str(membership.pk)
    assert entry.district == "farsta"
    assert entry.data["role"] == "analyst"
    assert entry.data["district"] == "farsta"
    assert Role.ANALYST in active_roles(User.objects.get(pk=investigator.pk))


def test_an_end_date_before_the_start_date_is_refused(db, admin, investigator, own_district):
    with pytest.raises(ValidationError) as caught:
        services.propose_membership(
            investigator,
            by=admin,
            role=Role.TEAM_MANAGER,
            district=own_district,
            valid_from=dt.date(2026, 5, 1),
            valid_to=dt.date(2026, 4, 1),
        )
    assert "valid_to" in caught.value.message_dict


def test_inactive_districts_and_units_are_refused(db, admin, investigator):
    closed = DistrictFactory(code="nedlagd", is_active=False)
    with pytest.raises(ValidationError):
        services.add_membership(investigator, by=admin, role=Role.ANALYST, district=closed)
    unit = UnitFactory(code="stangd", is_active=False)
    with pytest.raises(ValidationError):
        services.add_membership(
            investigator, by=admin, role=Role.ANALYST, district=unit.district, unit=unit
        )


def test_end_membership_ends_it_yesterday_and_journals_it(db, admin, investigator):
    membership = investigator.memberships.get()
    services.end_membership(membership, by=admin)
    membership.refresh_from_db()
    assert membership.valid_to == timezone.localdate() - dt.timedelta(days=1)
    assert active_roles(User.objects.get(pk=investigator.pk)) == set()
    entry = _entry("accounts.membership_ended")
    assert entry.actor == admin and entry.object_id == str(membership.pk)
    assert entry.data["role"] == "investigator"
    with pytest.raises(ValidationError):
        services.end_membership(membership, by=admin)


def test_an_administrator_cannot_end_their_own_membership(db, admin):
    with pytest.raises(ValidationError):
        services.end_membership(admin.memberships.get(), by=admin)


def test_deactivate_user_journals_and_refuses_oneself(db, admin, investigator):
    version = investigator.version
    services.deactivate_user(investigator, by=admin)
    investigator.refresh_from_db()
    assert not investigator.is_active
    assert investigator.version == version + 1
    entry = _entry("accounts.user_deactivated")
    assert entry.actor == admin and entry.object_id == str(investigator.pk)
    with pytest.raises(ValidationError):
        services.deactivate_user(admin, by=admin)
    with pytest.raises(ValidationError):
        services.deactivate_user(investigator, by=admin)  # already inactive


def test_an_inactive_user_gets_no_new_roles(db, admin, investigator, own_district):
    services.deactivate_user(investigator, by=admin)
    with pytest.raises(ValidationError):
        services.add_membership(investigator, by=admin, role=Role.ANALYST, district=own_district)


def test_set_password_validates_and_journals_without_the_password(db, admin, investigator):
    with pytest.raises(ValidationError):
        services.set_password(investigator, by=admin, password="socialtjanst1")
    new_password = "en helt ny och lång lösenfras"
    services.set_password(investigator, by=admin, password=new_password)
    investigator.refresh_from_db()
    assert investigator.check_password(new_password)
    entry = _entry("accounts.password_set")
    assert entry.actor == admin and entry.object_id == str(investigator.pk)
    assert new_password not in str(entry.data)


def test_only_administrators_change_accounts(db, manager, investigator, own_district):
    with pytest.raises(PermissionDenied):
        services.deactivate_user(investigator, by=manager)
    with pytest.raises(PermissionDenied):
        services.add_membership(investigator, by=manager, role=Role.ANALYST, district=own_district)
    with pytest.raises(PermissionDenied):
        services.end_membership(investigator.memberships.get(), by=manager)
    with pytest.raises(PermissionDenied):
        services.set_password(investigator, by=manager, password="en helt ny och lång lösenfras")
    assert Membership.objects.filter(user=investigator).count() == 1


# --- Four eyes on roles that give access to case content (S17) -------------------------------


def _second_manager(district) -> User:
    from rodtrad.accounts.tests.factories import UserFactory

    user = UserFactory(username="manager2", role=Role.TEAM_MANAGER, role__district=district)
    return user


def test_s17_a_team_manager_of_the_district_approves_and_only_then_the_role_is_in_force(
    db, admin, manager, own_units
):
    district = own_units["investigation"].district
    case = CaseFactory(child=PersonFactory(district=district), unit=own_units["investigation"])
    user = _create(admin, district=district, unit=own_units["investigation"])
    proposal = user.membership_proposals.get()
    assert not visible_cases(User.objects.get(pk=user.pk)).exists()

    membership = services.approve_membership_proposal(proposal, by=manager).membership

    assert list(visible_cases(User.objects.get(pk=user.pk))) == [case]
    assert (membership.role, membership.unit) == (Role.INVESTIGATOR, own_units["investigation"])
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED and proposal.decided_by == manager
    assert proposal.membership == membership
    approved = _entry("accounts.membership_approved")
    assert approved.actor == manager and approved.object_id == str(proposal.pk)
    assert approved.data["proposed_by_id"] == admin.pk
    added = _entry("accounts.membership_added")
    assert added.actor == manager and added.data["proposal_id"] == proposal.pk


def test_s17_the_administrator_cannot_approve_and_nobody_approves_their_own_role(
    db, admin, manager, own_district, other_district
):
    user = _create(admin, district=own_district)
    proposal = user.membership_proposals.get()
    # The administrator who proposed it, or any administrator: not an approver.
    with pytest.raises(PermissionDenied):
        services.approve_membership_proposal(proposal, by=admin)
    # A team manager of another district: not an approver either.
    other_manager = _create(
        None, username="chef.farsta", role=Role.TEAM_MANAGER, district=other_district
    )
    with pytest.raises(PermissionDenied):
        services.approve_membership_proposal(proposal, by=other_manager)
    # A team manager proposed for a second role cannot approve it themself.
    own = services.propose_membership(
        manager, by=admin, role=Role.INVESTIGATOR, district=own_district
    )
    with pytest.raises(ValidationError) as caught:
        services.approve_membership_proposal(own, by=manager)
    assert caught.value.messages == ["Du kan inte godkänna en roll åt dig själv."]
    assert not Membership.objects.filter(user__in=[user, manager], role=Role.INVESTIGATOR).exists()
    # A second team manager of the district may.
    services.approve_membership_proposal(own, by=_second_manager(own_district))
    assert Role.INVESTIGATOR in active_roles(User.objects.get(pk=manager.pk))


def test_a_proposal_is_decided_once_and_may_be_declined_or_withdrawn(
    db, admin, manager, own_district
):
    first = _create(admin, username="forsta", district=own_district).membership_proposals.get()
    second = _create(admin, username="andra", district=own_district).membership_proposals.get()
    services.decline_membership_proposal(first, by=manager)
    services.decline_membership_proposal(second, by=admin)  # withdrawn by the administrator
    assert {first.status, second.status} == {ProposalStatus.DECLINED}
    with pytest.raises(ValidationError):
        services.approve_membership_proposal(first, by=manager)
    entries = JournalEntry.objects.filter(action="accounts.membership_declined").order_by("seq")
    assert [entry.data["withdrawn"] for entry in entries] == [False, True]
    assert not Membership.objects.filter(user__username__in=["forsta", "andra"]).exists()


def test_case_roles_are_never_added_directly_by_an_administrator(
    db, admin, investigator, own_district
):
    for role in services.FOUR_EYES_ROLES:
        with pytest.raises(ValidationError) as caught:
            services.add_membership(investigator, by=admin, role=role, district=own_district)
        assert "godkänt" in caught.value.message_dict["role"][0]
    case_content_roles = {
        Role.INTAKE_WORKER,
        Role.INVESTIGATOR,
        Role.TEAM_MANAGER,
        Role.PROVIDER,
        Role.REVIEWER,
    }
    assert case_content_roles == services.FOUR_EYES_ROLES


def test_s17_a_new_account_gets_no_second_factor_from_the_administrator(db, admin, own_district):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = _create(admin, district=own_district)
    # No device exists until the user enrols the app at the first sign-in, in their own session.
    assert not TOTPDevice.objects.filter(user=user).exists()


# --- Activation codes -------------------------------------------------------------------------


def test_s17_the_first_case_role_removes_the_second_factor_and_issues_a_code_for_the_approver(
    db, admin, manager, own_district
):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rodtrad.accounts.tests.factories import StaticDeviceFactory, TOTPDeviceFactory

    user = _create(admin, district=own_district)
    TOTPDeviceFactory(user=user, name="admins telefon")
    StaticDeviceFactory(user=user, name="reservkoder")

    # Tomorrow at 10:00: the fixtures' memberships start on the real today.
    approved_at = (timezone.now() + dt.timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    with time_machine.travel(approved_at, tick=False):
        approval = services.approve_membership_proposal(user.membership_proposals.get(), by=manager)

    issued = approval.activation_code
    assert issued is not None and issued.user == user
    assert len(issued.code) == 14 and issued.code.count("-") == 2
    assert issued.expires_at == approved_at + dt.timedelta(days=7)
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    pending = services.pending_activation_code(user)
    assert pending.issued_by == manager
    assert issued.code not in pending.code_hash  # only a hash is stored
    approved = _entry("accounts.membership_approved")
    assert approved.data["is_first_case_role"] is True
    assert approved.data["second_factor_devices_removed"] == 2
    entry = _entry("accounts.activation_code_issued")
    assert entry.actor == manager and entry.object_id == str(user.pk)
    assert entry.data == {
        "activation_code_id": pending.pk,
        "expires_at": pending.expires_at.isoformat(),
        "replaced": 0,
    }


def test_a_further_case_role_issues_no_code_and_keeps_the_second_factor(
    db, admin, manager, investigator, own_district
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rodtrad.accounts.tests.factories import TOTPDeviceFactory

    TOTPDeviceFactory(user=investigator)
    proposal = services.propose_membership(
        investigator, by=admin, role=Role.INTAKE_WORKER, district=own_district
    )
    approval = services.approve_membership_proposal(proposal, by=manager)
    assert approval.activation_code is None
    assert TOTPDevice.objects.filter(user=investigator, confirmed=True).exists()
    assert not JournalEntry.objects.filter(action="accounts.activation_code_issued").exists()


def test_s17_enrolment_without_the_pending_code_is_refused_and_journaled(
    db, admin, manager, own_district
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = _create(admin, district=own_district)
    issued = services.approve_membership_proposal(
        user.membership_proposals.get(), by=manager
    ).activation_code
    with pytest.raises(PermissionDenied):
        services.start_totp_enrollment(user, key="00" * 20)
    refused = _entry("accounts.second_factor_enrollment_refused")
    assert refused.actor == user
    assert services.accept_activation_code(user, code="AAAA-BBBB-CCCC") is None
    assert _entry("accounts.activation_code_failed").data == {"is_expired": False}

    code = services.accept_activation_code(user, code=issued.code)
    assert code == services.pending_activation_code(user)
    device = services.start_totp_enrollment(user, key="00" * 20, activation_code_id=code.pk)
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=False).exists()


def test_s09_step_up_confirms_a_fresh_code_once_and_journals_both_outcomes(db, totp_device):
    from rodtrad.accounts.tests.conftest import current_token
    from rodtrad.accounts.tests.factories import UserFactory

    user = UserFactory()
    device = totp_device(user)
    with time_machine.travel(dt.datetime(2026, 6, 10, 9, 30, tzinfo=dt.UTC), tick=False):
        token = current_token(device)
        assert services.step_up_needs_code(user)
        assert services.confirm_second_factor(user, token, purpose="stats.export")
        # The same code again: refused, as at sign-in (django-otp's last_t).
        assert not services.confirm_second_factor(user, token, purpose="stats.export")
    confirmed = JournalEntry.objects.get(action="accounts.second_factor_confirmed")
    assert confirmed.data == {"purpose": "stats.export", "device": "totp"}
    failed = JournalEntry.objects.get(action="accounts.second_factor_failed")
    assert failed.data == {"stage": "step_up", "purpose": "stats.export", "throttled": False}


def test_s09_step_up_without_a_device_is_refused_outside_demo_mode(db, settings):
    from rodtrad.accounts.tests.factories import UserFactory

    settings.DEMO_MODE = False
    user = UserFactory(is_demo=True)
    assert services.step_up_needs_code(user)
    assert not services.confirm_second_factor(user, "123456", purpose="stats.export")
    assert JournalEntry.objects.filter(action="accounts.second_factor_failed").count() == 1
