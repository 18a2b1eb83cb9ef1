"""Account services: every change checked, journaled, and sessions ended on role changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rodtrad.accounts import services
from rodtrad.accounts.access import active_roles
from rodtrad.accounts.models import Membership, Role, User
from rodtrad.accounts.tests.factories import TEST_PASSWORD, DistrictFactory, UnitFactory
from rodtrad.journal.models import JournalEntry


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


def test_create_user_makes_an_active_user_with_one_membership_and_journals_both(
    db, admin, own_units
):
    unit = own_units["investigation"]
    user = _create(admin, district=unit.district, unit=unit)

    assert user.is_active and user.check_password(TEST_PASSWORD)
    membership = user.memberships.get()
    assert (membership.role, membership.district, membership.unit) == (
        Role.INVESTIGATOR,
        unit.district,
        unit,
    )
    created = _entry("accounts.user_created")
    assert created.actor == admin and created.object_id == str(user.pk)
    assert created.data == {"role": "investigator", "district": "bromma", "unit": unit.code}
    added = _entry("accounts.membership_added")
    assert added.object_id == str(membership.pk)
    assert added.data["user_id"] == user.pk


def test_create_user_takes_the_district_from_the_unit(db, admin, own_units):
    user = _create(admin, unit=own_units["intake"], role=Role.INTAKE_WORKER)
    assert user.memberships.get().district.code == "bromma"


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
    user = _create(None, district=own_district)
    assert _entry("accounts.user_created").actor is None
    assert user.pk


def test_a_unit_must_belong_to_the_district(db, admin, own_district, other_units):
    user = _create(admin, district=own_district)
    with pytest.raises(ValidationError) as caught:
        services.add_membership(
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
    with pytest.raises(ValidationError):
        services.add_membership(admin, by=admin, role=Role.INVESTIGATOR, district=own_district)
    assert active_roles(User.objects.get(pk=admin.pk)) == {Role.ADMINISTRATOR}


def test_an_administrator_account_never_holds_a_case_role(db, admin, own_district):
    # Separation of duties: not even another administrator can combine the two.
    other_admin = _create(admin, username="admin2", role=Role.ADMINISTRATOR)
    with pytest.raises(ValidationError) as caught:
        services.add_membership(
            other_admin, by=admin, role=Role.TEAM_MANAGER, district=own_district
        )
    assert "separat konto" in caught.value.message_dict["role"][0]
    caseworker = _create(admin, district=own_district)
    with pytest.raises(ValidationError):
        services.add_membership(caseworker, by=admin, role=Role.ADMINISTRATOR)


def test_the_same_role_in_the_same_place_is_not_added_twice(db, admin, investigator, own_units):
    with pytest.raises(ValidationError) as caught:
        services.add_membership(
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
        role=Role.TEAM_MANAGER,
        district=other_district,
        valid_to=timezone.localdate() + dt.timedelta(days=30),
    )
    entry = _entry("accounts.membership_added")
    assert entry.object_id == str(membership.pk)
    assert entry.district == "farsta"
    assert entry.data["role"] == "team_manager"
    assert entry.data["district"] == "farsta"
    assert Role.TEAM_MANAGER in active_roles(User.objects.get(pk=investigator.pk))


def test_an_end_date_before_the_start_date_is_refused(db, admin, investigator, own_district):
    with pytest.raises(ValidationError) as caught:
        services.add_membership(
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
