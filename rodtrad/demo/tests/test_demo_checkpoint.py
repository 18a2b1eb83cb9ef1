"""A fresh demo leaves its journal sealed and checkpointed (red-team finding S-4, S22).

Without a checkpoint `rodtrad verify-journal` could not tell a rewritten journal from the
demo's own, and access events written before it would stay unsealed.
"""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from rodtrad.demo.generator import generate


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_s22_verify_journal_on_a_fresh_demo_checks_its_signed_checkpoint(tmp_path) -> None:
    moment = datetime(2026, 12, 2, 9, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
    with (
        override_settings(
            RODTRAD_CHECKPOINT_DIR=tmp_path / "checkpoints",
            RODTRAD_CHECKPOINT_KEY_FILE=tmp_path / "keys" / "checkpoint.key",
        ),
        time_machine.travel(moment, tick=True),
    ):
        generate(seed=1, families=20)
        [stored] = list((tmp_path / "checkpoints").glob("checkpoint-*.json"))
        out = StringIO()
        call_command("verify_journal", "--require-checkpoint", stdout=out, stderr=StringIO())
    journal_line, access_line = out.getvalue().splitlines()
    assert "den signerade kontrollpunkten vid post #" in journal_line
    assert str(stored) in journal_line
    assert access_line.startswith("Åtkomsthändelserna är intakta")
    if connection.vendor == "sqlite":
        # PostgreSQL's seal also stops before other sessions' open transactions (seals.py),
        # which a parallel test run has; SQLite has none.
        assert access_line.endswith("; 0 ännu inte förseglade")
