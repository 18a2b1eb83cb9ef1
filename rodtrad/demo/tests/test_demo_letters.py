"""The demo's documents (issue 9, point 7): decision letters to the guardians, sent, and
printed investigations, produced through the services with the secrecy step answered."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from rodtrad.demo.generator import generate
from rodtrad.letters.models import DocumentKind, OutgoingDocument


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
    documents = list(OutgoingDocument.objects.all())
    letters = [d for d in documents if d.kind == DocumentKind.DECISION]
    assert letters and all(d.is_sent for d in letters)
    assert all(bytes(d.pdf).startswith(b"%PDF") for d in documents)
    for letter in letters:
        if letter.recipient_protection_level in {"skyddad_folkbokforing"}:
            assert "Skatteverkets särskilda postförmedling" in letter.html
