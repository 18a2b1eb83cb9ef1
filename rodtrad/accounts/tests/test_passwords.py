"""S01: the password policy (ASVS 6.2): length, common and context words, no composition rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

PASSPHRASE_64 = "tre gröna tranor dansar långsamt över isen vid hjälmaren i januari"[:64]


def _errors(password: str) -> list[ValidationError]:
    try:
        validate_password(password)
    except ValidationError as exc:
        return list(exc.error_list)
    return []


@pytest.mark.parametrize("password", ["Stockholm2026!", "socialtjanst1"])
def test_s01_password_policy_rejects_common_and_context_passwords(password):
    errors = _errors(password)
    assert errors
    assert all(e.message for e in errors)
    assert any("Lösenordet" in str(e.message) for e in errors)  # Swedish messages


def test_s01_password_policy():
    assert len(PASSPHRASE_64) == 64
    assert _errors(PASSPHRASE_64) == []
    assert _errors("Stockholm2026!")
    assert _errors("socialtjanst1")
    # No composition rule: lower-case letters and spaces only is fine when long enough.
    assert _errors("kanelbulle med kardemumma") == []
    codes = {e.code for e in _errors("short")}
    assert codes == {"password_too_short"}


def test_a_password_shorter_than_twelve_characters_is_rejected_in_swedish():
    (error,) = [e for e in _errors("abcdefghijk") if e.code == "password_too_short"]
    assert "minst 12 tecken" in str(error.message)


def test_a_password_longer_than_128_characters_is_rejected():
    assert "password_too_long" in {e.code for e in _errors("x" * 129)}


def test_a_long_password_may_contain_a_district_name():
    # The context rule only rejects passwords that are mostly the context word.
    assert _errors("min katt bor i bromma och gillar fisk") == []
