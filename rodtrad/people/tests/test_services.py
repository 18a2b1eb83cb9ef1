"""People services: each write, its journal entry, and what happens on bad or stale input."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rodtrad.accounts.access import may_see_protected_contact
from rodtrad.journal.models import JournalEntry
from rodtrad.lib.versioning import StaleVersion
from rodtrad.people import services
from rodtrad.people.identity import fictitious_identity_number
from rodtrad.people.models import Person, ProtectedPersonHandler, Relationship
from rodtrad.people.tests.factories import (
    PersonFactory,
    ProtectedPersonHandlerFactory,
    RelationshipFactory,
)

BORN = date(2015, 3, 14)


def number(born: date = BORN, sex: str = "female", seed: int = 1, **kwargs) -> str:
    """A Luhn-valid fictitious 12-digit number."""
    return fictitious_identity_number(born, legal_sex=sex, rng=random.Random(seed), **kwargs)


def dashed(value: str) -> str:
    return f"{value[:8]}-{value[8:]}"


def journal(action: str) -> JournalEntry:
    return JournalEntry.objects.get(action=action)


def assert_no_personal_data(entry: JournalEntry, *values: str) -> None:
    text = json.dumps(entry.data, ensure_ascii=False)
    for value in values:
        assert value not in text


@pytest.fixture
def create(investigator, own_district):
    def _create(**overrides):
        values = {
            "identity_number": number(),
            "given_name": "Alva",
            "family_name": "Ek",
            "district": own_district,
        } | overrides
        return services.create_person(by=investigator, **values)

    return _create


# --- create_person ----------------------------------------------------------------------------


def test_create_person_stores_twelve_characters_kind_and_derives_birth_date_and_sex(
    create, investigator
):
    value = number(sex="male")
    person = create(identity_number=value[2:8] + "-" + value[8:])  # ten digits with a dash
    person.refresh_from_db()
    assert person.identity_number == value
    assert person.identity_kind == "personnummer"
    assert person.birth_date == BORN
    assert person.legal_sex == "male"
    assert person.version == 1
    entry = journal("people.person_created")
    assert entry.actor == investigator
    assert entry.person_id == person.pk
    assert entry.district == "bromma"
    assert entry.data == {"identity_kind": "personnummer", "protection_level": "none"}
    assert_no_personal_data(entry, value, "Alva", "Ek")


def test_create_person_accepts_a_samordningsnummer_and_stores_its_kind(create):
    value = number(coordination=True)
    person = create(identity_number=value)
    assert person.identity_kind == "samordningsnummer"
    assert person.identity_number == value
    assert int(value[6:8]) == BORN.day + 60
    assert person.birth_date == BORN


def test_create_person_accepts_a_reserve_number_with_unknown_legal_sex(create):
    person = create(identity_number="20150314R004")
    assert person.identity_kind == "reserve"
    assert person.birth_date == BORN
    assert person.legal_sex == "unknown"
    assert journal("people.person_created").data["identity_kind"] == "reserve"


def test_create_person_allows_a_neighbouring_birth_day_in_the_same_month(create):
    # Skatteverket may assign a neighbouring day when birth numbers run out (docs/domain.md §2.9).
    person = create(birth_date=date(2015, 3, 16))
    assert person.birth_date == date(2015, 3, 16)


def test_create_person_refuses_a_birth_date_that_contradicts_the_number(create):
    with pytest.raises(ValidationError) as caught:
        create(birth_date=date(2015, 4, 14))
    assert "stämmer inte med numret" in caught.value.message_dict["birth_date"][0]
    assert not Person.objects.exists()
    assert not JournalEntry.objects.filter(action="people.person_created").exists()


def test_create_person_refuses_a_legal_sex_that_contradicts_the_number(create):
    with pytest.raises(ValidationError) as caught:
        create(identity_number=number(sex="female"), legal_sex="male")
    assert "udda för man" in caught.value.message_dict["legal_sex"][0]
    assert not Person.objects.exists()


def test_create_person_with_a_bad_number_raises_a_swedish_message(create):
    with pytest.raises(ValidationError) as caught:
        create(identity_number="811218-9875")
    assert "kontrollsiffran" in caught.value.message_dict["identity_number"][0]
    assert not Person.objects.exists()


def test_create_person_reports_every_bad_field_at_once_and_saves_nothing(create):
    with pytest.raises(ValidationError) as caught:
        create(given_name=" ", postal_code="12", email="inte-en-adress", phone="070<script>")
    assert set(caught.value.message_dict) == {"given_name", "postal_code", "email", "phone"}
    assert caught.value.message_dict["given_name"] == ["Förnamn måste fyllas i."]
    assert not Person.objects.exists()
    assert not JournalEntry.objects.exists()


def test_create_person_normalises_the_postal_code(create):
    person = create(postal_code="16867", street_address="  Storgatan 1 ")
    assert person.postal_code == "168 67"
    assert person.street_address == "Storgatan 1"


def test_create_person_with_a_known_number_raises_duplicate_instead_of_saving(create):
    first = create()
    with pytest.raises(services.DuplicatePerson) as caught:
        create(identity_number=dashed(first.identity_number)[2:], given_name="Annan")
    assert caught.value.existing == first
    assert Person.objects.count() == 1
    assert JournalEntry.objects.filter(action="people.person_created").count() == 1


def test_create_person_saves_nothing_when_the_journal_write_fails(create, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("journal unavailable")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        create()
    assert not Person.objects.exists()


def test_create_person_is_refused_for_roles_without_case_work(provider, own_district):
    with pytest.raises(PermissionDenied):
        services.create_person(
            by=provider,
            identity_number=number(),
            given_name="A",
            family_name="B",
            district=own_district,
        )
    assert not Person.objects.exists()


def test_create_person_is_refused_in_another_district(investigator, other_district):
    with pytest.raises(PermissionDenied):
        services.create_person(
            by=investigator,
            identity_number=number(),
            given_name="A",
            family_name="B",
            district=other_district,
        )
    assert not Person.objects.exists()


# --- update_person ----------------------------------------------------------------------------


@pytest.fixture
def person(create):
    return create(street_address="Gamla vägen 1", city="Bromma")


def test_update_person_writes_bumps_the_version_and_journals_field_names_only(person, investigator):
    services.update_person(
        person,
        by=investigator,
        expected_version=1,
        changes={"given_name": "Alvina", "family_name": "Ek", "city": "Solna"},
    )
    person.refresh_from_db()
    assert (person.given_name, person.city, person.version) == ("Alvina", "Solna", 2)
    entry = journal("people.person_updated")
    assert entry.data == {"fields": ["city", "given_name"]}
    assert entry.person_id == person.pk
    assert_no_personal_data(entry, "Alvina", "Solna")


def test_update_person_without_real_changes_writes_nothing(person, investigator):
    services.update_person(
        person, by=investigator, expected_version=1, changes={"given_name": "Alva"}
    )
    person.refresh_from_db()
    assert person.version == 1
    assert not JournalEntry.objects.filter(action="people.person_updated").exists()


def test_update_person_with_a_stale_version_raises_and_keeps_the_saved_values(person, investigator):
    services.update_person(person, by=investigator, expected_version=1, changes={"city": "Solna"})
    # The second form was rendered at version 1, before the first save.
    with pytest.raises(StaleVersion) as caught:
        services.update_person(
            person, by=investigator, expected_version=1, changes={"city": "Kista"}
        )
    assert caught.value.current.city == "Solna"
    assert caught.value.changed_fields == ["city"]
    person.refresh_from_db()
    assert (person.city, person.version) == ("Solna", 2)
    assert JournalEntry.objects.filter(action="people.person_updated").count() == 1


def test_update_person_revalidates_a_changed_identity_number(person, investigator):
    with pytest.raises(ValidationError) as caught:
        services.update_person(
            person, by=investigator, expected_version=1, changes={"identity_number": "123"}
        )
    assert "identity_number" in caught.value.message_dict
    new = number(seed=7)
    services.update_person(
        person, by=investigator, expected_version=1, changes={"identity_number": dashed(new)}
    )
    person.refresh_from_db()
    assert person.identity_number == new
    assert journal("people.person_updated").data == {"fields": ["identity_number"]}


def test_update_person_to_a_samordningsnummer_updates_the_kind(person, investigator):
    new = number(coordination=True, seed=3)
    services.update_person(
        person, by=investigator, expected_version=1, changes={"identity_number": new}
    )
    person.refresh_from_db()
    assert person.identity_kind == "samordningsnummer"
    assert journal("people.person_updated").data == {"fields": ["identity_kind", "identity_number"]}


def test_update_person_refuses_a_number_that_contradicts_the_birth_date(person, investigator):
    other_year = number(born=date(2016, 3, 14), seed=5)
    with pytest.raises(ValidationError) as caught:
        services.update_person(
            person, by=investigator, expected_version=1, changes={"identity_number": other_year}
        )
    assert "birth_date" in caught.value.message_dict
    person.refresh_from_db()
    assert person.version == 1


def test_update_person_to_a_number_already_registered_raises_duplicate(
    person, investigator, own_district
):
    other = PersonFactory(district=own_district)
    with pytest.raises(services.DuplicatePerson) as caught:
        services.update_person(
            person,
            by=investigator,
            expected_version=1,
            changes={"identity_number": other.identity_number, "birth_date": other.birth_date},
        )
    assert caught.value.existing == other
    person.refresh_from_db()
    assert person.version == 1


def test_update_person_refuses_contact_changes_from_a_user_who_cannot_see_them(
    investigator, own_district
):
    protected = PersonFactory(district=own_district, protection_level="skyddad_folkbokforing")
    with pytest.raises(PermissionDenied):
        services.update_person(
            protected, by=investigator, expected_version=1, changes={"street_address": "X"}
        )


def test_update_person_is_refused_outside_the_edit_scope(person, other_district_investigator):
    with pytest.raises(PermissionDenied):
        services.update_person(
            person, by=other_district_investigator, expected_version=1, changes={"city": "X"}
        )


# --- no ordinary address under skyddad folkbokföring and fingerade personuppgifter ----------


@pytest.mark.parametrize("level", ["skyddad_folkbokforing", "fingerade_personuppgifter"])
def test_create_person_refuses_an_address_for_a_person_whose_address_is_forwarded(create, level):
    with pytest.raises(ValidationError) as error:
        create(protection_level=level, street_address="Riktiga gatan 1", city="Bromma")
    assert set(error.value.message_dict) == {"street_address", "city"}
    assert "via Skatteverket" in error.value.message_dict["city"][0]
    assert not Person.objects.exists()
    person = create(protection_level=level, phone="070-111 11 11")
    assert (person.street_address, person.phone) == ("", "070-111 11 11")


def test_create_person_keeps_the_address_under_a_confidentiality_marking(create):
    person = create(protection_level="sekretessmarkering", street_address="Gatan 1")
    assert person.street_address == "Gatan 1"


def test_update_person_refuses_an_address_for_a_person_with_protected_registration(
    investigator, manager, own_district
):
    person = PersonFactory(
        district=own_district,
        protection_level="skyddad_folkbokforing",
        street_address="",
        postal_code="",
        city="",
    )
    ProtectedPersonHandlerFactory(person=person, user=investigator, appointed_by=manager)
    with pytest.raises(ValidationError) as error:
        services.update_person(
            person, by=investigator, expected_version=1, changes={"postal_code": "16867"}
        )
    assert set(error.value.message_dict) == {"postal_code"}
    services.update_person(
        person, by=investigator, expected_version=1, changes={"phone": "070-222 22 22"}
    )


# --- protection -------------------------------------------------------------------------------


def test_set_protection_level_raises_protection_empties_the_address_and_journals_the_codes(
    person, investigator
):
    on_file = [name for name in ("street_address", "postal_code", "city") if getattr(person, name)]
    assert on_file
    services.set_protection_level(
        person, by=investigator, level="skyddad_folkbokforing", expected_version=1
    )
    person.refresh_from_db()
    assert person.protection_level == "skyddad_folkbokforing"
    assert (person.street_address, person.postal_code, person.city) == ("", "", "")
    assert person.version == 2
    entry = journal("people.protection_changed")
    assert entry.data == {
        "from": "none",
        "to": "skyddad_folkbokforing",
        "cleared_fields": on_file,
    }


def test_only_the_team_manager_may_lower_protection(investigator, manager, own_district):
    protected = PersonFactory(district=own_district, protection_level="skyddad_folkbokforing")
    with pytest.raises(PermissionDenied):
        services.set_protection_level(protected, by=investigator, level="none", expected_version=1)
    services.set_protection_level(protected, by=manager, level="none", expected_version=1)
    protected.refresh_from_db()
    assert protected.protection_level == "none"
    assert journal("people.protection_changed").data == {
        "from": "skyddad_folkbokforing",
        "to": "none",
        "cleared_fields": [],
    }


def test_set_protection_level_with_a_stale_version_raises(person, investigator):
    services.update_person(person, by=investigator, expected_version=1, changes={"city": "Solna"})
    with pytest.raises(StaleVersion):
        services.set_protection_level(
            person, by=investigator, level="sekretessmarkering", expected_version=1
        )
    person.refresh_from_db()
    assert person.protection_level == "none"
    assert not JournalEntry.objects.filter(action="people.protection_changed").exists()


# --- handlers ---------------------------------------------------------------------------------


@pytest.fixture
def protected(own_district):
    return PersonFactory(district=own_district, protection_level="skyddad_folkbokforing")


@pytest.fixture
def second_manager(own_district):
    """Another team manager of the district: the second pair of eyes."""
    from rodtrad.accounts.models import Role
    from rodtrad.accounts.tests.factories import UserFactory

    user = UserFactory(username="manager2", role=Role.TEAM_MANAGER, role__district=own_district)
    return user


def _appoint(person, user, manager, second_manager):
    """Propose and approve: the two steps of naming a handler."""
    assert services.appoint_protected_handler(person, user, by=manager) is None
    return services.appoint_protected_handler(person, user, by=second_manager)


def test_s15_a_handler_is_named_only_when_a_second_team_manager_approves(
    protected, manager, second_manager, investigator
):
    # The first team manager's appointment is a proposal: nothing is visible yet.
    assert services.appoint_protected_handler(protected, investigator, by=manager) is None
    assert not ProtectedPersonHandler.objects.exists()
    assert not may_see_protected_contact(investigator, protected)
    proposed = journal("people.handler_proposed")
    assert proposed.actor == manager and proposed.data == {"handler_id": investigator.pk}
    # The same manager cannot complete it.
    with pytest.raises(ValidationError) as caught:
        services.appoint_protected_handler(protected, investigator, by=manager)
    assert "annan enhetschef" in caught.value.message_dict["user"][0]

    row = services.appoint_protected_handler(protected, investigator, by=second_manager)

    assert (row.user, row.appointed_by, row.approved_by) == (investigator, manager, second_manager)
    assert may_see_protected_contact(investigator, protected)
    entry = journal("people.handler_appointed")
    assert entry.actor == second_manager
    assert entry.data == {"handler_id": investigator.pk, "proposed_by_id": manager.pk}
    assert entry.person_id == protected.pk


def test_s15_nobody_names_themself_handler(protected, manager, second_manager):
    # A team manager works in the district too, so could be a handler, but never by their own
    # hand: neither proposing themself nor approving a proposal about themself.
    with pytest.raises(ValidationError) as caught:
        services.appoint_protected_handler(protected, manager, by=manager)
    assert "Du kan inte utse dig själv" in caught.value.message_dict["user"][0]
    assert services.appoint_protected_handler(protected, manager, by=second_manager) is None
    with pytest.raises(ValidationError):
        services.appoint_protected_handler(protected, manager, by=manager)
    assert not ProtectedPersonHandler.objects.exists()


def test_a_handler_cannot_be_appointed_twice(protected, manager, second_manager, investigator):
    _appoint(protected, investigator, manager, second_manager)
    for by in (manager, second_manager):
        with pytest.raises(ValidationError):
            services.appoint_protected_handler(protected, investigator, by=by)
    assert ProtectedPersonHandler.objects.count() == 1


def test_a_proposed_handler_can_be_declined(protected, manager, second_manager, investigator):
    services.appoint_protected_handler(protected, investigator, by=manager)
    services.decline_handler_proposal(protected, investigator, by=second_manager)
    assert journal("people.handler_declined").data == {"handler_id": investigator.pk}
    # Declined: the next appointment is a new proposal, not an approval.
    assert services.appoint_protected_handler(protected, investigator, by=second_manager) is None
    assert not ProtectedPersonHandler.objects.exists()


def test_only_the_team_manager_of_the_district_appoints_handlers(
    protected, investigator, intake_worker, other_district_manager
):
    for by in (investigator, other_district_manager):
        with pytest.raises(PermissionDenied):
            services.appoint_protected_handler(protected, intake_worker, by=by)
    assert not ProtectedPersonHandler.objects.exists()
    assert not JournalEntry.objects.exists()


def test_a_handler_must_work_in_the_persons_district(
    protected, manager, other_district_investigator, analyst
):
    for user in (other_district_investigator, analyst):
        with pytest.raises(ValidationError) as caught:
            services.appoint_protected_handler(protected, user, by=manager)
        assert "user" in caught.value.message_dict
    assert not ProtectedPersonHandler.objects.exists()


def test_team_manager_removes_a_handler_and_it_is_journaled(
    protected, manager, second_manager, investigator
):
    _appoint(protected, investigator, manager, second_manager)
    services.remove_protected_handler(protected, investigator, by=manager)
    assert not ProtectedPersonHandler.objects.exists()
    assert journal("people.handler_removed").data == {"handler_id": investigator.pk}
    with pytest.raises(ValidationError):
        services.remove_protected_handler(protected, investigator, by=manager)


# --- relationships ----------------------------------------------------------------------------


@pytest.fixture
def child(own_district):
    return PersonFactory(district=own_district)


@pytest.fixture
def parent(own_district):
    return PersonFactory(district=own_district, birth_date=date(1985, 5, 5))


def test_add_relationship_creates_it_and_journals_kind_and_custody(child, parent, investigator):
    relationship = services.add_relationship(
        child,
        parent,
        by=investigator,
        kind="guardian",
        has_custody=True,
        valid_from=date(2015, 3, 14),
    )
    assert relationship.valid_to is None
    entry = journal("people.relationship_added")
    assert entry.person_id == child.pk
    assert entry.data == {"kind": "guardian", "has_custody": True, "other_person_id": parent.pk}


def test_a_guardian_always_has_custody(child, parent, investigator):
    # From the red-team pass on issue 6 (U-11): a "Vårdnadshavare" was saved with
    # "Har vårdnaden: Nej". The kind is custody, so the service sets it.
    relationship = services.add_relationship(
        child,
        parent,
        by=investigator,
        kind="guardian",
        has_custody=False,
        valid_from=date(2015, 3, 14),
    )
    relationship.refresh_from_db()
    assert relationship.has_custody
    assert journal("people.relationship_added").data["has_custody"] is True


def test_a_parent_has_custody_only_when_it_is_said(child, parent, investigator):
    relationship = services.add_relationship(
        child, parent, by=investigator, kind="parent", valid_from=date(2015, 3, 14)
    )
    assert not relationship.has_custody


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "sibling", "has_custody": True}, "has_custody"),
        ({"kind": "pet"}, "kind"),
        ({"valid_to": date(2010, 1, 1)}, "valid_to"),
    ],
)
def test_add_relationship_refuses_bad_input(child, parent, investigator, kwargs, field):
    values = {"kind": "parent", "valid_from": date(2015, 3, 14)} | kwargs
    with pytest.raises(ValidationError) as caught:
        services.add_relationship(child, parent, by=investigator, **values)
    assert field in caught.value.message_dict
    assert not Relationship.objects.exists()
    assert not JournalEntry.objects.exists()


def test_a_person_cannot_be_related_to_themselves(child, investigator):
    with pytest.raises(ValidationError) as caught:
        services.add_relationship(
            child, child, by=investigator, kind="other", valid_from=date(2020, 1, 1)
        )
    assert "other" in caught.value.message_dict


def test_add_relationship_refuses_a_second_current_relationship_of_the_same_kind(
    child, parent, investigator
):
    services.add_relationship(
        child, parent, by=investigator, kind="parent", valid_from=date(2015, 3, 14)
    )
    with pytest.raises(ValidationError):
        services.add_relationship(
            child, parent, by=investigator, kind="parent", valid_from=date(2016, 1, 1)
        )
    assert Relationship.objects.count() == 1


def test_add_relationship_refuses_another_person_outside_the_users_scope(
    child, investigator, other_district
):
    stranger = PersonFactory(district=other_district)
    with pytest.raises(PermissionDenied):
        services.add_relationship(
            child, stranger, by=investigator, kind="parent", valid_from=date(2015, 3, 14)
        )
    assert not Relationship.objects.exists()


def test_end_relationship_sets_the_last_day_and_journals(child, parent, investigator):
    relationship = RelationshipFactory(child=child, other=parent, kind="foster_carer")
    services.end_relationship(
        relationship, by=investigator, valid_to=date(2024, 6, 30), expected_version=1
    )
    relationship.refresh_from_db()
    assert (relationship.valid_to, relationship.version) == (date(2024, 6, 30), 2)
    entry = journal("people.relationship_ended")
    assert entry.data == {"kind": "foster_carer"}
    assert entry.person_id == child.pk


def test_end_relationship_with_a_stale_version_raises(child, parent, investigator):
    relationship = RelationshipFactory(child=child, other=parent)
    services.end_relationship(
        relationship, by=investigator, valid_to=date(2024, 6, 30), expected_version=1
    )
    with pytest.raises(StaleVersion) as caught:
        services.end_relationship(
            relationship, by=investigator, valid_to=date(2024, 1, 31), expected_version=1
        )
    assert caught.value.current.valid_to == date(2024, 6, 30)
    assert JournalEntry.objects.filter(action="people.relationship_ended").count() == 1


def test_end_relationship_refuses_an_end_before_the_start(child, parent, investigator):
    relationship = RelationshipFactory(child=child, other=parent, valid_from=date(2012, 1, 1))
    with pytest.raises(ValidationError):
        services.end_relationship(
            relationship, by=investigator, valid_to=date(2011, 12, 31), expected_version=1
        )
    relationship.refresh_from_db()
    assert relationship.valid_to is None


def test_end_relationship_refuses_an_ended_relationship(child, parent, investigator):
    relationship = RelationshipFactory(child=child, other=parent, valid_to=date(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.end_relationship(
            relationship, by=investigator, valid_to=date(2021, 1, 1), expected_version=1
        )


def test_end_relationship_is_refused_outside_the_edit_scope(
    child, parent, other_district_investigator
):
    relationship = RelationshipFactory(child=child, other=parent)
    with pytest.raises(PermissionDenied):
        services.end_relationship(
            relationship,
            by=other_district_investigator,
            valid_to=date(2024, 1, 1),
            expected_version=1,
        )
