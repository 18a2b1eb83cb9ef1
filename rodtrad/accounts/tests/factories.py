"""Factories for the organisation and users."""

from __future__ import annotations

from functools import lru_cache

import factory
from django.contrib.auth.hashers import make_password

from rodtrad.accounts.models import District, Membership, Role, Unit, User

TEST_PASSWORD = "korrekt häst batteri häftklammer"  # noqa: S105 - test-only passphrase


@lru_cache(maxsize=1)
def hashed_test_password() -> str:
    """Argon2 costs ~100 ms per hash: hash the shared test password once per run."""
    return make_password(TEST_PASSWORD)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"district-{n}")
    name = factory.Sequence(lambda n: f"Stadsdel {n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.LazyAttribute(lambda o: f"{o.district.name} {o.kind}")
    kind = "investigation"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Användare {n}")
    password = factory.LazyFunction(hashed_test_password)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.INVESTIGATOR
    district = factory.SubFactory(DistrictFactory)
    unit = None
