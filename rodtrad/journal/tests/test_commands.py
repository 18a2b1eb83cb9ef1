"""The management commands verify_journal and export_checkpoint: output and exit codes."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from rodtrad.journal.chain import ALGORITHM
from rodtrad.journal.models import Checkpoint, JournalEntry, JournalHead
from rodtrad.journal.services import record


@pytest.fixture
def journal(investigator: Any) -> None:
    for n in range(30):
        record("test.thing_happened", by=investigator, data={"n": n})


def _run(name: str, *args: str) -> tuple[int, str, str]:
    """Run a command; return (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_verify_journal_prints_the_count_and_head_and_warns_without_a_checkpoint(
    journal: None, checkpoint_folder: Path
) -> None:
    code, out, err = _run("verify_journal")
    head = JournalHead.objects.get(pk=1)
    assert code == 0
    assert out.splitlines() == [
        f"Journalen är intakt: 30 poster, huvud {head.hash}",
        "Åtkomsthändelserna är intakta: 0 i 0 förseglingar; 0 ännu inte förseglade",
    ]
    assert err.startswith(f"Varning: det finns ingen signerad kontrollpunkt i {checkpoint_folder}")
    assert "rodtrad export-checkpoint" in err


def test_s22_verify_journal_exits_1_and_names_the_first_broken_entry(
    journal: None, without_journal_triggers: None
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE journal_journalentry SET action = 'test.forged' WHERE seq = 12")
    code, out, err = _run("verify_journal")
    assert code == 1
    assert out == ""
    assert err.startswith("Journalen är bruten vid post #12: ")
    assert "ändrats" in err
    assert err.count("\n") == 1


def test_export_checkpoint_stores_a_signed_checkpoint_and_journals_the_export(
    journal: None, checkpoint_folder: Path
) -> None:
    head = JournalHead.objects.get(pk=1)
    code, out, _err = _run("export_checkpoint", "--by", "drift")
    [path] = checkpoint_folder.glob("checkpoint-*.json")
    data = json.loads(path.read_text())
    assert code == 0
    assert out == f"Signerad kontrollpunkt vid post #30 sparad i {path}\n"
    assert {k: data[k] for k in ("seq", "hash", "algorithm", "signature_algorithm")} == {
        "seq": 30,
        "hash": head.hash,
        "algorithm": ALGORITHM,
        "signature_algorithm": "hmac-sha256",
    }
    assert data["exported_at"].endswith("Z")
    assert len(data["signature"]) == 64
    stored = Checkpoint.objects.get()
    assert (stored.seq, stored.hash, stored.exported_by) == (30, head.hash, "drift")
    entry = JournalEntry.objects.get(seq=31)
    assert entry.action == "journal.checkpoint_exported"
    assert entry.channel == "cli"
    assert (entry.object_type, entry.object_id) == ("journal.checkpoint", str(stored.pk))


def test_export_checkpoint_prints_the_signed_json_with_output_dash(journal: None) -> None:
    code, out, _err = _run("export_checkpoint", "--output", "-")
    data = json.loads(out)
    assert code == 0
    assert (data["seq"], data["algorithm"]) == (30, ALGORITHM)
    assert set(data) >= {"signature", "key_id", "signature_algorithm", "exported_at", "hash"}


def test_s22_a_checkpoint_file_round_trip_detects_a_cut_tail(
    journal: None, without_journal_triggers: None, tmp_path: Path
) -> None:
    path = tmp_path / "elsewhere.json"
    code, out, _err = _run("export_checkpoint", "--output", str(path))
    assert code == 0
    assert f"Kopia skriven till {path}" in out
    code, out, _err = _run("verify_journal", "--checkpoint", str(path))
    assert code == 0
    assert out.splitlines()[0] == (
        f"Journalen är intakt: 31 poster, huvud {JournalHead.objects.get().hash}, "
        f"den signerade kontrollpunkten vid post #30 stämmer ({path})"
    )

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM journal_journalentry WHERE seq > 20")
    last = JournalEntry.objects.get(seq=20)
    JournalHead.objects.filter(pk=1).update(seq=20, hash=last.hash)

    code, _out, err = _run("verify_journal", "--checkpoint", str(path))
    assert code == 1
    assert err.startswith("Journalen är bruten vid post #21: ")
    assert "kontrollpunkten" in err


@pytest.mark.parametrize(
    "content",
    [None, "{not json", '{"seq": 3, "hash": "' + "a" * 64 + '", "algorithm": "md5"}'],
    ids=["missing_file", "not_json", "other_algorithm"],
)
def test_verify_journal_exits_2_with_a_structured_error_for_an_unusable_checkpoint(
    journal: None, tmp_path: Path, content: str | None
) -> None:
    path = tmp_path / "checkpoint.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = _run("verify_journal", "--checkpoint", str(path))
    error = json.loads(err)
    assert code == 2
    assert out == ""
    assert error["error"] == "checkpoint_unusable"
    assert error["file"] == str(path)
    assert error["message"].startswith("Kontrollpunkten kan inte användas: ")


@pytest.mark.parametrize("where", ["output", "folder"])
def test_export_checkpoint_exits_2_when_the_file_cannot_be_written(
    journal: None, tmp_path: Path, settings: Any, where: str
) -> None:
    target = tmp_path / "no-such-directory" / "checkpoint.json"
    if where == "folder":
        blocker = tmp_path / "a-file"
        blocker.write_text("not a folder")
        settings.RODTRAD_CHECKPOINT_DIR = blocker / "checkpoints"
        code, _out, err = _run("export_checkpoint")
    else:
        code, _out, err = _run("export_checkpoint", "--output", str(target))
    assert code == 2
    assert json.loads(err)["error"] == "checkpoint_unwritable"
