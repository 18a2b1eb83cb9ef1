"""Identity numbers: every accepted written form, every kind of wrong input (docs/domain.md
§2.9)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from rodtrad.people.identity import (
    InvalidIdentityNumber,
    fictitious_identity_number,
    luhn_check_digit,
    parse_identity_number,
    reserve_number,
)

VALID = [
    # (input, stored value, kind, birth date, legal sex)
    ("811218-9876", "198112189876", "personnummer", date(1981, 12, 18), "male"),
    ("8112189876", "198112189876", "personnummer", date(1981, 12, 18), "male"),
    ("19811218-9876", "198112189876", "personnummer", date(1981, 12, 18), "male"),
    ("198112189876", "198112189876", "personnummer", date(1981, 12, 18), "male"),
    (" 19811218 - 9876 ", "198112189876", "personnummer", date(1981, 12, 18), "male"),
    # "+" in the ten-digit form: the person has turned 100.
    ("811218+9876", "188112189876", "personnummer", date(1881, 12, 18), "male"),
    ("121212-1212", "201212121212", "personnummer", date(2012, 12, 12), "male"),
    ("20121212-1212", "201212121212", "personnummer", date(2012, 12, 12), "male"),
    # Samordningsnummer: day + 60, stored as given (63 = the 3rd).
    ("701063-2391", "197010632391", "samordningsnummer", date(1970, 10, 3), "male"),
    ("19701063-2391", "197010632391", "samordningsnummer", date(1970, 10, 3), "male"),
    # Reserve numbers: birth date, R, three digits; no legal sex.
    ("20120101R001", "20120101R001", "reserve", date(2012, 1, 1), None),
    ("20120101r001", "20120101R001", "reserve", date(2012, 1, 1), None),
    ("2012-0101R001", "20120101R001", "reserve", date(2012, 1, 1), None),
]

INVALID = [
    ("", "Ange ett personnummer"),
    ("   ", "Ange ett personnummer"),
    ("811218-9875", "kontrollsiffran"),  # bad Luhn
    ("811318-9876", "kontrollsiffran"),  # month 13
    ("810230-9876", "kontrollsiffran"),  # 30 February
    ("701093-2391", "kontrollsiffran"),  # samordningsnummer day 93 = 33rd
    ("8112189", "tio eller tolv siffror"),  # too short
    ("1981121898761", "tio eller tolv siffror"),  # too long
    ("abcdef-ghij", "tio eller tolv siffror"),
    ("20121301R001", "ogiltigt datum"),  # reserve number with month 13
    ("20120101R01", "tio eller tolv siffror"),  # reserve number too short
]


@pytest.mark.parametrize(("raw", "value", "kind", "born", "sex"), VALID)
def test_valid_numbers_parse_to_twelve_characters_kind_birth_date_and_sex(
    raw, value, kind, born, sex
):
    parsed = parse_identity_number(raw)
    assert parsed.value == value
    assert len(parsed.value) == 12
    assert parsed.kind == kind
    assert parsed.birth_date == born
    assert parsed.legal_sex == sex


@pytest.mark.parametrize(("raw", "message"), INVALID)
def test_invalid_numbers_raise_a_swedish_message(raw, message):
    with pytest.raises(InvalidIdentityNumber, match=message):
        parse_identity_number(raw)


def test_display_is_the_twelve_digit_form_with_a_dash():
    assert parse_identity_number("8112189876").display == "19811218-9876"
    assert parse_identity_number("20120101R001").display == "20120101R001"


def test_luhn_check_digit_matches_the_worked_example_in_the_domain_notes():
    assert luhn_check_digit("811218987") == 6


def test_reserve_number_is_birth_date_r_and_sequence():
    assert reserve_number(date(2019, 3, 4), 7) == "20190304R007"
    assert parse_identity_number(reserve_number(date(2019, 3, 4), 7)).kind == "reserve"


@settings(database=None)  # no example database (.hypothesis/) written into the checkout
@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)),
    legal_sex=st.sampled_from(["female", "male"]),
    coordination=st.booleans(),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_every_fictitious_number_parses_back_to_the_same_birth_date_and_sex(
    born, legal_sex, coordination, seed
):
    assert born <= timezone.localdate()
    number = fictitious_identity_number(
        born, legal_sex=legal_sex, rng=random.Random(seed), coordination=coordination
    )
    parsed = parse_identity_number(number)
    assert parsed.birth_date == born
    assert parsed.legal_sex == legal_sex
    assert parsed.kind == ("samordningsnummer" if coordination else "personnummer")
    assert parsed.value == number
