"""The rules of what a letter prints about its recipient (docs/letters.md). Pure.

The address follows the recipient's protection level (people.models.ProtectionLevel):
* none: the address as registered;
* sekretessmarkering: the address as registered, after a warning and a second confirmation
  (`needs_second_look`);
* skyddad folkbokföring and fingerade personuppgifter: never an address; the letter goes
  through the Tax Agency's forwarding (`settings.RODTRAD_TAX_AGENCY_FORWARDING`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

NONE = "none"
MARKING = "sekretessmarkering"
# Levels under which no address may ever be printed (the same as people's form refuses).
FORWARDED_LEVELS = frozenset({"skyddad_folkbokforing", "fingerade_personuppgifter"})


class Addressable(Protocol):
    given_name: str
    family_name: str
    street_address: str
    postal_code: str
    city: str
    protection_level: str


def full_name(person: Addressable) -> str:
    return f"{person.given_name} {person.family_name}".strip()


def is_forwarded(protection_level: str) -> bool:
    return protection_level in FORWARDED_LEVELS


def needs_second_look(protection_level: str) -> bool:
    """Sekretessmarkering: the address is printed, but only after a second confirmation."""
    return protection_level == MARKING


def address_lines(person: Addressable, *, forwarding: Sequence[str]) -> list[str]:
    """The address as printed under the name (the name is not part of it)."""
    if is_forwarded(person.protection_level):
        return list(forwarding)
    place = f"{person.postal_code} {person.city}".strip()
    return [line for line in (person.street_address.strip(), place) if line]


def address_block(person: Addressable, *, forwarding: Sequence[str]) -> list[str]:
    """Name and address as printed in the letter's address field."""
    return [full_name(person), *address_lines(person, forwarding=forwarding)]


def series_key(kind: str, subject: str, recipient_key: str) -> str:
    """The versions of one document: same kind, same subject, same recipient."""
    return f"{kind}|{subject}|{recipient_key}"
