"""Factories for the organisation, users and their rights (docs/howto/team-conventions.md,
"Test data": a factory builds rows; a test that needs a service's invariants calls the service).

    UserFactory(role=Role.INVESTIGATOR, role__district=bromma, role__unit=unit)
        a user with a role in a district (one membership, valid from today)
    EmergencyAccessFactory(user=reader, case=case, active=True)
        a grant that runs for the next 60 minutes
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Any

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from rodtrad.accounts.models import (
    ActivationCode,
    District,
    EmergencyAccess,
    EmergencyAccessStatus,
    Membership,
    MembershipProposal,
    Role,
    Unit,
    User,
)

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
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Användare {n}")
    password = factory.LazyFunction(hashed_test_password)

    @factory.post_generation
    def role(self, create: bool, extracted: Any, **membership: Any) -> None:
        """`role=Role.X` gives the user that role (`role__district`, `role__unit` say where)."""
        if extracted:
            MembershipFactory(user=self, role=extracted, **membership)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.INVESTIGATOR
    district = factory.SubFactory(DistrictFactory)
    unit = None


class MembershipProposalFactory(factory.django.DjangoModelFactory):
    """A role with case access waiting for a team manager's approval (four eyes)."""

    class Meta:
        model = MembershipProposal

    user = factory.SubFactory(UserFactory)
    role = Role.INVESTIGATOR
    district = factory.SubFactory(DistrictFactory)
    valid_from = factory.LazyFunction(timezone.localdate)
    proposed_by = factory.SubFactory(UserFactory)


class ActivationCodeFactory(factory.django.DjangoModelFactory):
    """An unusable activation code ("!" is no hash) that runs for seven days."""

    class Meta:
        model = ActivationCode

    user = factory.SubFactory(UserFactory)
    code_hash = "!"
    issued_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class EmergencyAccessFactory(factory.django.DjangoModelFactory):
    """Break the glass on one case; `active=True` starts it now for 60 minutes."""

    class Meta:
        model = EmergencyAccess

    user = factory.SubFactory(UserFactory)
    case = factory.SubFactory("rodtrad.cases.tests.factories.CaseFactory")
    reason = "Socialjouren: akut placering i natt."

    class Params:
        active = factory.Trait(
            status=EmergencyAccessStatus.ACTIVE,
            starts_at=factory.LazyFunction(timezone.now),
            expires_at=factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=60)),
        )
        pending = factory.Trait(status=EmergencyAccessStatus.PENDING)


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app (the second factor)."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Telefon"
    confirmed = True


class StaticDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed set of backup codes (add tokens with `device.token_set.create(...)`)."""

    class Meta:
        model = StaticDevice

    user = factory.SubFactory(UserFactory)
    name = "backup"
    confirmed = True
