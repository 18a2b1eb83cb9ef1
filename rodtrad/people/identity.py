"""Swedish identity numbers: parse, validate and normalise to 12 characters (docs/domain.md §2.9).

Validation uses the `personnummer` library (Luhn, dates, century from the +/- separator).
Reserve numbers are local: birth date YYYYMMDD + "R" + three digits, never confusable with a
real number because of the letter.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from personnummer.personnummer import Personnummer, PersonnummerException

RESERVE_PATTERN = re.compile(r"^(\d{8})R(\d{3})$")


class InvalidIdentityNumber(ValueError):
    """The input is not a valid personnummer, samordningsnummer or reserve number."""


@dataclass(frozen=True)
class IdentityNumber:
    value: str  # 12 characters: YYYYMMDDNNNC, or YYYYMMDDRNNN for reserve numbers
    kind: str  # an IdentityKind value
    birth_date: date
    legal_sex: str | None  # from the birth number; None for reserve numbers

    @property
    def display(self) -> str:
        """YYYYMMDD-NNNN, the form staff read and type."""
        if self.kind == "reserve":
            return self.value
        return f"{self.value[:8]}-{self.value[8:]}"


def parse_identity_number(raw: str) -> IdentityNumber:
    """Parse any accepted written form; raise InvalidIdentityNumber with a Swedish message."""
    text = (raw or "").strip().upper().replace(" ", "")
    if not text:
        raise InvalidIdentityNumber(
            _("Ange ett personnummer, samordningsnummer eller reservnummer.")
        )
    reserve = RESERVE_PATTERN.match(text.replace("-", ""))
    if reserve:
        digits = reserve.group(1)  # the date part without separators
        try:
            born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        except ValueError as exc:
            raise InvalidIdentityNumber(_("Reservnumret har ett ogiltigt datum.")) from exc
        return IdentityNumber(text.replace("-", ""), "reserve", born, None)
    if not re.fullmatch(r"(\d{2})?\d{6}[-+]?\d{4}", text):
        raise InvalidIdentityNumber(
            _("Numret ska skrivas som ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN (tio eller tolv siffror).")
        )
    try:
        number = Personnummer(text)
        born = number.get_date()
    except (PersonnummerException, ValueError) as exc:
        raise InvalidIdentityNumber(
            _(
                "Numret är inte ett giltigt personnummer eller samordningsnummer. "
                "Kontrollera datum och sista siffran (kontrollsiffran)."
            )
        ) from exc
    kind = "samordningsnummer" if number.is_coordination_number() else "personnummer"
    sex = "male" if number.is_male() else "female"
    return IdentityNumber(number.format(long_format=True), kind, born, sex)


def luhn_check_digit(nine_digits: str) -> int:
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def fictitious_identity_number(
    born: date, *, legal_sex: str, rng: random.Random, coordination: bool = False
) -> str:
    """A Luhn-valid 12-digit number for generated demo and test persons (never a real record)."""
    birth_number = rng.randrange(0, 100) * 10 + rng.choice(
        (1, 3, 5, 7, 9) if legal_sex == "male" else (0, 2, 4, 6, 8)
    )
    if birth_number == 0:
        birth_number = 2
    return numbered_identity(born, birth_number, coordination=coordination)


def numbered_identity(born: date, birth_number: int, *, coordination: bool = False) -> str:
    """The 12-digit number with this birth number (its last digit gives the legal sex) and
    its Luhn check digit; a coordination number adds 60 to the day."""
    day = born.day + 60 if coordination else born.day
    short = f"{born:%y%m}{day:02d}{birth_number:03d}"
    return f"{born.year:04d}{short[2:]}{luhn_check_digit(short)}"


def reserve_number(born: date, sequence: int) -> str:
    return f"{born:%Y%m%d}R{sequence:03d}"
