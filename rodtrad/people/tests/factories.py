"""Factories for persons and relationships, with Luhn-valid fictitious identity numbers."""

from __future__ import annotations

from datetime import date

import factory

from rodtrad.accounts.tests.factories import DistrictFactory, UserFactory
from rodtrad.people.identity import numbered_identity
from rodtrad.people.models import Person, ProtectedPersonHandler, Relationship


def _unique_number(born: date, legal_sex: str, n: int) -> str:
    """A Luhn-valid fictitious number, unique per factory sequence: the birth number comes
    from `n`, not from a random draw (500 numbers per birth date and sex would collide
    within one test run: every relationship's other party is born on 5 May 1985)."""
    digits = (1, 3, 5, 7, 9) if legal_sex == "male" else (0, 2, 4, 6, 8)
    birth_number = (n % 99 + 1) * 10 + digits[(n // 99) % 5]  # 010..999, never 000
    return numbered_identity(born, birth_number)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Sequence(lambda n: f"Alva{n}")
    family_name = factory.Sequence(lambda n: f"Testsson{n}")
    birth_date = factory.Sequence(lambda n: date(2012, 1 + n % 12, 1 + n % 28))
    legal_sex = "female"
    identity_kind = "personnummer"
    identity_number = factory.LazyAttributeSequence(
        lambda o, n: _unique_number(o.birth_date, o.legal_sex, n)
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
