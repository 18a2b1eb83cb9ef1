"""The secrecy check on a content context (pure: no database, no rendering)."""

from __future__ import annotations

from rodtrad.letters import secrecy
from rodtrad.letters.secrecy import REDACTED, FindingKind, SecretWord, Sensitive


def address(pk: int, value: str = "Hemliga gatan 7") -> Sensitive:
    return Sensitive(
        key=f"address:person:{pk}",
        kind=FindingKind.PROTECTED_ADDRESS,
        value=value,
        about=f"person:{pk}",
        label="Adressuppgifter för en vårdnadshavare",
        person_id=pk,
    )


def test_a_datum_about_the_recipient_is_no_finding_and_prints():
    context = {"copies": [{"address": address(1)}], "own": address(2)}
    found = secrecy.findings(context, "person:2")
    assert [f.key for f in found] == ["address:person:1"]
    resolved = secrecy.resolve(context, {}, "person:2")
    assert resolved == {"copies": [{"address": REDACTED}], "own": "Hemliga gatan 7"}


def test_confirmed_prints_redacted_and_unanswered_do_not():
    context = {"a": address(1), "b": address(3, "Annan väg 1")}
    choices = {"address:person:1": "confirm"}
    assert [f.key for f in secrecy.unanswered(secrecy.findings(context, "x"), choices)] == [
        "address:person:3"
    ]
    assert secrecy.resolve(context, choices, "x") == {"a": "Hemliga gatan 7", "b": REDACTED}


def test_a_free_text_mentioning_a_protected_address_carries_it_as_a_finding():
    text = secrecy.passage(
        "Mamman bor på hemliga GATAN 7 nu.", [SecretWord("Hemliga gatan 7", address(1))]
    )
    assert [f.key for f in secrecy.findings({"t": text}, "x")] == ["address:person:1"]
    assert secrecy.resolve(text, {}, "x") == f"Mamman bor på {REDACTED} nu."
    assert secrecy.resolve(text, {"address:person:1": "confirm"}, "x") == (
        "Mamman bor på hemliga GATAN 7 nu."
    )


def test_an_unresolved_datum_never_prints_its_value():
    assert str(address(1)) == REDACTED
    assert "Hemliga" not in str(
        secrecy.passage("Hemliga gatan 7", [SecretWord("Hemliga gatan 7", address(1))])
    )
