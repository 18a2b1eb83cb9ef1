"""What a given user may see of a person (docs/principles.md rule 8, docs/domain.md §2.8,
docs/security-checks.md S15).

Templates and API responses never read a Person's contact fields directly; they get a
`PersonView` from `person_view(person, user)`. For a protected person (any protection level but
NONE) the address, postal code, city, phone and e-mail are replaced by `MASKED` unless the user
is one of the person's named handlers (`may_see_protected_contact`).

For fingerade personuppgifter (a new identity decided by the police, lag 1991:483) nothing
extra is linked: the view carries no former identity, no identity history and no hint of one,
only the same masked contact data as the other protection levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rodtrad.accounts.access import may_see_protected_contact
from rodtrad.people.models import IdentityKind, LegalSex, Person, ProtectionLevel

# The marker shown instead of a hidden value. Lazy so that it follows the active language.
MASKED: Promise = _("Skyddad uppgift")

CONTACT_FIELDS = ("street_address", "postal_code", "city", "phone", "email")


@dataclass(frozen=True)
class PersonView:
    """A person as one user may see them: contact data already masked where required."""

    pk: int
    identity_number: str  # formatted YYYYMMDD-NNNN (reserve numbers as stored)
    identity_kind: str
    identity_kind_label: str
    given_name: str
    family_name: str
    birth_date: date
    age: int
    legal_sex: str
    legal_sex_label: str
    language: str
    needs_interpreter: bool
    protection_level: str
    protection_label: str
    is_protected: bool
    contact_hidden: bool  # True when the contact fields below hold MASKED
    street_address: Any
    postal_code: Any
    city: Any
    phone: Any
    email: Any
    district_id: int
    district_name: str
    version: int

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_confidentiality_marking(self) -> bool:
        return self.protection_level == ProtectionLevel.CONFIDENTIALITY_MARKING

    @property
    def is_protected_registration(self) -> bool:
        return self.protection_level == ProtectionLevel.PROTECTED_REGISTRATION

    @property
    def is_fictitious_identity(self) -> bool:
        return self.protection_level == ProtectionLevel.FICTITIOUS_IDENTITY


def format_identity_number(value: str | None, kind: str = "") -> str:
    """YYYYMMDD-NNNN for personnummer and samordningsnummer; reserve numbers as stored."""
    if not value:
        return ""
    if kind == IdentityKind.RESERVE or not value.isdigit() or len(value) != 12:
        return value
    return f"{value[:8]}-{value[8:]}"


def age_on(born: date, today: date) -> int:
    """Whole years between the birth date and today."""
    before_birthday = (today.month, today.day) < (born.month, born.day)
    return today.year - born.year - int(before_birthday)


@lru_cache(maxsize=8)
def _labels(language: str | None) -> dict[str, dict[str, str]]:
    """The labels of the person's choices in `language`, translated once per language.

    Django's `get_FOO_display` rebuilds a dict of the field's choices and translates them on
    every call, three fields per person: a name search's list of hits paid it per hit
    (docs/performance.md). A value outside the choices is shown as it is, as Django does.
    """
    return {
        "identity_kind": {value: str(label) for value, label in IdentityKind.choices},
        "legal_sex": {value: str(label) for value, label in LegalSex.choices},
        "protection_level": {value: str(label) for value, label in ProtectionLevel.choices},
    }


def person_view(person: Person, user: Any) -> PersonView:
    """The person as `user` may see them; the only way templates and the API read a person."""
    hidden = person.is_protected and not may_see_protected_contact(user, person)
    contact = {name: (MASKED if hidden else getattr(person, name)) for name in CONTACT_FIELDS}
    labels = _labels(get_language())
    return PersonView(
        pk=person.pk,
        identity_number=format_identity_number(person.identity_number, person.identity_kind),
        identity_kind=person.identity_kind,
        identity_kind_label=labels["identity_kind"].get(person.identity_kind, person.identity_kind),
        given_name=person.given_name,
        family_name=person.family_name,
        birth_date=person.birth_date,
        age=age_on(person.birth_date, timezone.localdate()),
        legal_sex=person.legal_sex,
        legal_sex_label=labels["legal_sex"].get(person.legal_sex, person.legal_sex),
        language=person.language,
        needs_interpreter=person.needs_interpreter,
        protection_level=person.protection_level,
        protection_label=labels["protection_level"].get(
            person.protection_level, person.protection_level
        ),
        is_protected=person.is_protected,
        contact_hidden=hidden,
        district_id=person.district_id,
        district_name=person.district.name,
        version=person.version,
        **contact,
    )
