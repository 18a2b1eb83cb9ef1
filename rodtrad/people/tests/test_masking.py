"""Masking: a protected person's contact data reaches only the named handlers (S15)."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import pytest
import time_machine
from django.utils import translation

from rodtrad.people.masking import CONTACT_FIELDS, MASKED, age_on, person_view
from rodtrad.people.models import ProtectionLevel
from rodtrad.people.tests.factories import PersonFactory, ProtectedPersonHandlerFactory

CANARY = {
    "street_address": "Kanarievägen 13",
    "postal_code": "999 99",
    "city": "Kanarieby",
    "phone": "070-999 13 13",
    "email": "kanarie@example.se",
}


@pytest.fixture
def protected(own_district):
    return PersonFactory(
        district=own_district, protection_level=ProtectionLevel.PROTECTED_REGISTRATION, **CANARY
    )


def test_an_unprotected_persons_contact_data_is_shown(investigator, own_district):
    person = PersonFactory(district=own_district, **CANARY)
    view = person_view(person, investigator)
    assert not view.contact_hidden
    assert {name: getattr(view, name) for name in CONTACT_FIELDS} == CANARY


@pytest.mark.parametrize(
    "level",
    [
        ProtectionLevel.CONFIDENTIALITY_MARKING,
        ProtectionLevel.PROTECTED_REGISTRATION,
        ProtectionLevel.FICTITIOUS_IDENTITY,
    ],
)
def test_every_protection_level_masks_contact_data_for_users_who_are_not_handlers(
    level, investigator, own_district
):
    person = PersonFactory(district=own_district, protection_level=level, **CANARY)
    view = person_view(person, investigator)
    assert view.contact_hidden
    assert view.is_protected
    for name in CONTACT_FIELDS:
        assert getattr(view, name) == MASKED
    rendered = repr(view)
    for canary in CANARY.values():
        assert canary not in rendered


def test_the_named_handler_sees_the_contact_data(protected, manager, investigator):
    ProtectedPersonHandlerFactory(person=protected, user=investigator, appointed_by=manager)
    view = person_view(protected, investigator)
    assert not view.contact_hidden
    assert view.street_address == CANARY["street_address"]
    # The manager who appointed the handler is not a handler.
    assert person_view(protected, manager).street_address == MASKED


def test_the_masked_marker_is_swedish_text():
    assert str(MASKED) == "Skyddad uppgift"


def test_a_fictitious_identity_view_links_to_nothing_beyond_the_person(investigator, own_district):
    person = PersonFactory(
        district=own_district, protection_level=ProtectionLevel.FICTITIOUS_IDENTITY
    )
    view = person_view(person, investigator)
    assert view.is_fictitious_identity
    names = {f.name for f in fields(view)}
    # No former identity, no history, no related persons: nothing that could link identities.
    assert not names & {"previous_identity_number", "identity_history", "relationships"}
    assert view.identity_number.startswith(str(person.identity_number)[:8])


def test_the_view_formats_the_number_and_computes_the_age(investigator, own_district):
    person = PersonFactory(district=own_district, birth_date=date(2012, 6, 15))
    with time_machine.travel(date(2024, 6, 14)):
        view = person_view(person, investigator)
    assert view.identity_number == f"{person.identity_number[:8]}-{person.identity_number[8:]}"
    assert view.age == 11
    assert view.legal_sex_label == "Kvinna"
    assert view.district_name == own_district.name


def test_the_labels_are_djangos_and_follow_the_active_language(investigator, protected):
    """The labels come from a table built once per language, not from get_FOO_display per
    person (docs/performance.md); they are the same texts, in the language of the request."""
    view = person_view(protected, investigator)
    assert view.protection_label == protected.get_protection_level_display()
    assert view.protection_label == "Skyddad folkbokföring"
    assert view.identity_kind_label == protected.get_identity_kind_display()
    assert view.legal_sex_label == protected.get_legal_sex_display()
    with translation.override("en"):
        english = person_view(protected, investigator)
        assert english.legal_sex_label == protected.get_legal_sex_display() != "Kvinna"
    assert english.protection_label == "Protected population registration"


def test_age_on_counts_whole_years():
    assert age_on(date(2012, 6, 15), date(2024, 6, 15)) == 12
    assert age_on(date(2012, 6, 15), date(2024, 6, 14)) == 11
    assert age_on(date(2012, 2, 29), date(2024, 2, 28)) == 11
