"""Factories for persons and relationships, with Luhn-valid fictitious identity numbers."""

from __future__ import annotations

import random
from datetime import date

import factory

from rodtrad.accounts.tests.factories import DistrictFactory, UserFactory
from rodtrad.people.identity import fictitious_identity_number
from rodtrad.people.models import Person, ProtectedPersonHandler, Relationship

_rng = random.Random(20261122)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Sequence(lambda n: f"Alva{n}")
    family_name = factory.Sequence(lambda n: f"Testsson{n}")
    birth_date = factory.Sequence(lambda n: date(2012, 1 + n % 12, 1 + n % 28))
    legal_sex = "female"
    identity_kind = "personnummer"
    identity_number = factory.LazyAttribute(
        lambda o: fictitious_identity_number(o.birth_date, legal_sex=o.legal_sex, rng=_rng)
    )
    street_address = "Påhittegatan 1"
    postal_code = "16800"
    city = "Stockholm"
    phone = "070-000 00 00"
    district = factory.SubFactory(DistrictFactory)

    class Params:
        # Skyddad folkbokföring: contact data masked for everyone but named handlers.
        protected = factory.Trait(protection_level="skyddad_folkbokforing")


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    child = factory.SubFactory(PersonFactory)
    other = factory.SubFactory(PersonFactory, birth_date=date(1985, 5, 5))
    kind = "guardian"
    has_custody = True
    valid_from = date(2012, 1, 1)


class ProtectedPersonHandlerFactory(factory.django.DjangoModelFactory):
    """A named handler of a protected person: sees the contact data others see masked."""

    class Meta:
        model = ProtectedPersonHandler

    person = factory.SubFactory(PersonFactory, protected=True)
    user = factory.SubFactory(UserFactory)
    appointed_by = factory.SubFactory(UserFactory)
