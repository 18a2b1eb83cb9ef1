"""Password rules per ASVS 6.2: length, no common or context words, no composition rules."""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import django.contrib.auth
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Django's list of 20 000 passwords from public breaches, plus Swedish favourites of our own.
COMMON_PASSWORDS_FILE = Path(django.contrib.auth.__file__).parent / "common-passwords.txt.gz"
SWEDISH_PASSWORDS_FILE = Path(__file__).parent / "data" / "swedish-common-passwords.txt"
# Words an attacker would try first against a Swedish social services system (S01).
CONTEXT_WORDS = (
    "rodtrad",
    "socialtjanst",
    "socialtjänst",
    "socialsekreterare",
    "stockholm",
    "kommun",
    "barnavard",
    "barnavård",
    "bbic",
    "bromma",
    "farsta",
    "kungsholmen",
    "norrmalm",
    "ostermalm",
    "östermalm",
    "sodermalm",
    "södermalm",
    "skarpnack",
    "skarpnäck",
    "skarholmen",
    "skärholmen",
    "alvsjo",
    "älvsjö",
    "enskede",
    "arsta",
    "årsta",
    "vantor",
    "vantör",
    "hagersten",
    "hägersten",
    "liljeholmen",
    "hasselby",
    "hässelby",
    "vallingby",
    "vällingby",
    "rinkeby",
    "kista",
    "spanga",
    "spånga",
    "tensta",
    "password",
    "losenord",
    "lösenord",
    "sommar",
    "vinter",
)


class LengthValidator:
    def __init__(self, min_length: int = 12, max_length: int = 128) -> None:
        self.min_length = min_length
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                _("Lösenordet måste ha minst %(min)d tecken.") % {"min": self.min_length},
                code="password_too_short",
            )
        if len(password) > self.max_length:
            raise ValidationError(
                _("Lösenordet får ha högst %(max)d tecken.") % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Minst %(min)d tecken. En lång lösenfras är bäst.") % {"min": self.min_length}


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        words = {line.strip().lower() for line in handle if line.strip()}
    swedish = SWEDISH_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    words.update(line.strip().lower() for line in swedish if line.strip())
    return frozenset(words)


class CommonPasswordValidator:
    """Rejects passwords from the shipped offline list of common and breached passwords."""

    def validate(self, password: str, user: Any = None) -> None:
        normalised = password.lower().strip()
        stripped = re.sub(r"[\d\W_]+$", "", normalised)
        if normalised in _common_passwords() or stripped in _common_passwords():
            raise ValidationError(
                _("Lösenordet är för vanligt och finns i listor över läckta lösenord."),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("Lösenordet får inte vara ett vanligt eller läckt lösenord.")


class ContextWordsValidator:
    """Rejects passwords built on the product, the municipality or its districts."""

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        for word in CONTEXT_WORDS:
            if word in lowered and len(lowered) - len(word) < 12:
                raise ValidationError(
                    _("Lösenordet får inte byggas på ord som %(word)s.") % {"word": word},
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return _("Undvik kommunens, stadsdelens eller systemets namn.")
