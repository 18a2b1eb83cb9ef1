"""The demo's documents (issue 9, point 7): decision letters to the guardians, sent, and
printed investigations, produced through the services with the secrecy step answered; a family
where only a parent has skyddad folkbokföring and one where a sibling is protected, whose
PDFs (read with pdftotext) hold no protected address."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from rodtrad.demo.generator import generate
from rodtrad.demo.letters import SIBLING_STREET
from rodtrad.letters.models import DocumentKind, OutgoingDocument
from rodtrad.letters.secrecy import REDACTED
from rodtrad.people.models import Person


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_the_demo_produces_and_sends_letters_protected_families_first(tmp_path) -> None:
    moment = datetime(2026, 12, 2, 9, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
    with (
        override_settings(
            RODTRAD_CHECKPOINT_DIR=tmp_path / "checkpoints",
            RODTRAD_CHECKPOINT_KEY_FILE=tmp_path / "keys" / "checkpoint.key",
            RODTRAD_MAILBOX_DIR=tmp_path / "mailbox",
        ),
        time_machine.travel(moment, tick=True),
    ):
        generate(seed=1, families=40, letter_cases=2)
    documents = list(OutgoingDocument.objects.select_related("case__child"))
    letters = [d for d in documents if d.kind == DocumentKind.DECISION]
    assert letters and all(d.is_sent for d in letters)
    assert all(bytes(d.pdf).startswith(b"%PDF") for d in documents)
    texts = {d.pk: pdf_text(d, tmp_path) for d in documents}
    for letter in letters:
        if letter.recipient_protection_level in {"skyddad_folkbokforing"}:
            assert "Skatteverkets särskilda postförmedling" in letter.html

    # A family where only a parent has skyddad folkbokföring (the child has none): her letter
    # goes through the Tax Agency, with no street in its address field; the letter to the
    # other guardian has her whereabouts taken out.
    protected_parent = [
        d
        for d in letters
        if d.recipient_protection_level == "skyddad_folkbokforing"
        and d.case.child.protection_level == "none"
    ]
    assert protected_parent, "no family where only a parent is protected"
    for letter in protected_parent:
        address_field = texts[letter.pk].split("Datum", 1)[0]
        assert "Skatteverkets särskilda postförmedling" in address_field
        assert not any(char.isdigit() for char in address_field.split(letter.recipient_name)[1])
        others = [d for d in letters if d.decision_id == letter.decision_id and d.pk != letter.pk]
        assert others and all(REDACTED in texts[d.pk] for d in others)
        assert all(
            f["choice"] == "redact"
            for d in others
            for f in d.secrecy_findings
            if f["key"] == f"address:person:{letter.recipient_id}"
        )

    # A family where a sibling is protected: the case's printed investigation names the
    # sibling's information as findings; the sibling's new address is in no PDF.
    sibling = Person.objects.get(street_address=SIBLING_STREET)
    assert sibling.protection_level == "sekretessmarkering"
    printed = [
        d
        for d in documents
        if d.kind == DocumentKind.INVESTIGATION
        and f"address:person:{sibling.pk}" in {f["key"] for f in d.secrecy_findings}
    ]
    assert printed, "no printed investigation naming the protected sibling"
    for text in texts.values():
        assert SIBLING_STREET not in text and "16871 Bromma" not in text
    assert all(REDACTED in texts[d.pk] for d in printed)


def pdf_text(document: OutgoingDocument, tmp_path: Path) -> str:
    path = tmp_path / f"{document.pk}.pdf"
    path.write_bytes(bytes(document.pdf))
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())
