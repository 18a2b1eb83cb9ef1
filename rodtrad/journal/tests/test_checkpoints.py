"""S22: signed checkpoints outside the database, and seals over the access events.

A database superuser can rewrite the whole journal and give it fresh, valid hashes; only a
checkpoint kept outside the database, signed with a key the database never holds, shows it.
Access events are sealed into the journal (count + digest per id range) before each
checkpoint, so that rewriting them is caught the same way. Tamperings run as a superuser could:
the append-only triggers are dropped inside the test transaction (`without_journal_triggers`).
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from rodtrad.journal import checkpoints
from rodtrad.journal.chain import GENESIS_HASH, HASHED_FIELDS, compute_hash, entry_fields
from rodtrad.journal.models import AccessAction, AccessEvent, Checkpoint, JournalEntry, JournalHead
from rodtrad.journal.seals import SEAL_ACTION, verify_seals
from rodtrad.journal.services import (
    record,
    record_access,
    record_accesses,
    seal_access_events,
    write_checkpoint,
)
from rodtrad.journal.tasks import write_daily_checkpoint
from rodtrad.people.tests.factories import PersonFactory

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def journal(investigator: Any, clock: Any) -> None:
    """20 journal entries and 12 access events (one read, one list of 11)."""
    persons = PersonFactory.create_batch(11)
    for n in range(20):
        record("test.thing_happened", by=investigator, data={"n": n})
    record_access(by=investigator, person=persons[0], route="people:person-detail")
    record_accesses(
        by=investigator, persons=persons, action=AccessAction.LISTED, route="people:person-search"
    )
    clock.shift(timedelta(minutes=5))  # the events are now older than the seal's margin


def _run(name: str, *args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _sql(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _rewrite_and_rechain(seq: int, **changes: Any) -> None:
    """Change entry `seq` and give it and every later entry fresh, valid hashes, head included:
    the whole journal then verifies on its own."""
    previous = JournalEntry.objects.filter(seq=seq - 1).values_list("hash", flat=True).first()
    prev_hash = previous or GENESIS_HASH
    rows = (
        JournalEntry.objects.filter(seq__gte=seq)
        .order_by("seq")
        .values_list(*HASHED_FIELDS, "hash", named=True)
    )
    for row in list(rows):
        forged = row._replace(prev_hash=prev_hash)
        if row.seq == seq:
            forged = forged._replace(**changes)
        prev_hash = compute_hash(entry_fields(forged))
        _sql(
            "UPDATE journal_journalentry SET action = %s, data = %s, prev_hash = %s, hash = %s "
            "WHERE seq = %s",
            [forged.action, json.dumps(forged.data), forged.prev_hash, prev_hash, row.seq],
        )
        last_seq = row.seq
    JournalHead.objects.filter(pk=1).update(seq=last_seq, hash=prev_hash)


# --- the key and the folder ---------------------------------------------------------------------


def test_s22_the_signing_key_is_created_on_first_use_with_mode_0600_outside_the_database(
    journal: None, settings: Any
) -> None:
    key_file = Path(settings.RODTRAD_CHECKPOINT_KEY_FILE)
    assert not key_file.exists()
    written = write_checkpoint(by_label="test")
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_hex = key_file.read_text().strip()
    assert len(bytes.fromhex(key_hex)) == 32
    # The key is nowhere in the database or in the checkpoint it signed.
    stored = [*JournalEntry.objects.values_list("data", flat=True), *Checkpoint.objects.values()]
    assert key_hex not in json.dumps(stored, default=str)
    assert key_hex not in written.path.read_text()
    # A second checkpoint reuses the key.
    write_checkpoint(by_label="test")
    assert key_file.read_text().strip() == key_hex


def test_s22_a_checkpoint_is_stored_signed_in_the_folder(
    journal: None, checkpoint_folder: Path
) -> None:
    written = write_checkpoint(by_label="test")
    assert written.path.parent == checkpoint_folder
    assert written.path.name.startswith("checkpoint-20261201T090500")
    data = json.loads(written.path.read_text())
    assert data == dict(written.data)
    checkpoint = checkpoints.load_signed_checkpoint(written.path.read_text())
    assert (checkpoint.seq, checkpoint.hash) == (data["seq"], data["hash"])


def test_s22_the_daily_task_seals_and_stores_a_signed_checkpoint(
    journal: None, checkpoint_folder: Path
) -> None:
    result = write_daily_checkpoint.enqueue()  # the immediate backend runs it at once
    [path] = checkpoint_folder.glob("checkpoint-*.json")
    assert result.return_value == str(path)
    assert JournalEntry.objects.filter(action=SEAL_ACTION).count() == 1
    code, out, err = _run("verify_journal")
    assert code == 0, err
    assert f"den signerade kontrollpunkten vid post #{json.loads(path.read_text())['seq']}" in out


def test_the_enqueue_command_queues_the_daily_task(journal: None, checkpoint_folder: Path) -> None:
    code, out, _err = _run("enqueue_checkpoint")
    assert code == 0
    assert "är köad" in out
    assert len(list(checkpoint_folder.glob("checkpoint-*.json"))) == 1


# --- verify-journal and the newest signed checkpoint ------------------------------------------


def test_s22_verify_journal_checks_the_newest_signed_checkpoint_by_default(
    journal: None, clock: Any
) -> None:
    write_checkpoint(by_label="first")
    clock.shift(timedelta(hours=1))
    newest = write_checkpoint(by_label="second")
    code, out, err = _run("verify_journal")
    assert code == 0, err
    assert out.splitlines()[0].endswith(
        f"den signerade kontrollpunkten vid post #{newest.data['seq']} stämmer ({newest.path})"
    )
    assert err == ""


def test_s22_a_full_rewrite_and_rechain_is_caught_only_by_the_signed_checkpoint(
    journal: None, without_journal_triggers: None, checkpoint_folder: Path
) -> None:
    written = write_checkpoint(by_label="test")
    _rewrite_and_rechain(1, action="test.forged")

    moved_away = checkpoint_folder.with_name("moved")
    checkpoint_folder.rename(moved_away)
    code, _out, err = _run("verify_journal")
    assert code == 0, "without the checkpoint a consistent rewrite looks intact"
    assert "ingen signerad kontrollpunkt" in err

    moved_away.rename(checkpoint_folder)
    code, out, err = _run("verify_journal")
    assert code == 1
    assert out == ""
    assert err.startswith(f"Journalen är bruten vid post #{written.data['seq']}: ")
    assert "kontrollpunkten" in err


def test_s22_an_old_checkpoint_renamed_to_sort_last_does_not_hide_newer_ones(
    journal: None, clock: Any, investigator: Any, without_journal_triggers: None
) -> None:
    old = write_checkpoint(by_label="first")
    for n in range(5):
        record("test.later_thing_happened", by=investigator, data={"n": n})
    clock.shift(timedelta(hours=1))
    newest = write_checkpoint(by_label="second")
    # An entry between the two checkpoints is rewritten and the chain recomputed; the old
    # checkpoint, renamed so that its name sorts last, would not see it.
    _rewrite_and_rechain(old.data["seq"] + 3, action="test.forged")
    old.path.rename(old.path.with_name("checkpoint-99991231T235959999999Z-999999999999.json"))

    assert checkpoints.newest_file() == newest.path
    code, out, err = _run("verify_journal")
    assert code == 1
    assert err.startswith(f"Journalen är bruten vid post #{newest.data['seq']}: ")


def test_s22_a_file_in_the_folder_that_is_not_a_checkpoint_is_refused_with_exit_2(
    journal: None, checkpoint_folder: Path
) -> None:
    write_checkpoint(by_label="test")
    stray = checkpoint_folder / "checkpoint-00000000T000000000000Z-000000000000.json"
    stray.write_text("inte json")
    code, _out, err = _run("verify_journal")
    error = json.loads(err)
    assert code == 2
    assert (error["error"], error["file"]) == ("checkpoint_unusable", str(stray))


def test_s22_require_checkpoint_exits_2_when_the_checkpoints_are_gone(
    journal: None, without_journal_triggers: None, checkpoint_folder: Path
) -> None:
    write_checkpoint(by_label="test")
    _rewrite_and_rechain(1, action="test.forged")
    for path in checkpoint_folder.iterdir():
        path.unlink()

    code, out, err = _run("verify_journal", "--require-checkpoint")
    error = json.loads(err)
    assert code == 2
    assert out.startswith("Journalen är intakt")  # the chain alone cannot tell
    assert error["error"] == "checkpoint_missing"
    assert error["file"] == str(checkpoint_folder)
    assert "ingen signerad kontrollpunkt" in error["message"]


def test_s22_verify_journal_says_clearly_when_no_checkpoint_exists(
    journal: None, checkpoint_folder: Path
) -> None:
    code, _out, err = _run("verify_journal")
    assert code == 0
    assert err.startswith(
        f"Varning: det finns ingen signerad kontrollpunkt i {checkpoint_folder}. Utan en "
        "kontrollpunkt utanför databasen syns inte att hela journalen har skrivits om."
    )


def test_s22_verify_journal_warns_when_the_newest_checkpoint_is_old(
    journal: None, clock: Any
) -> None:
    write_checkpoint(by_label="test")
    clock.shift(timedelta(days=3))
    code, _out, err = _run("verify_journal")
    assert code == 0
    assert "den senaste kontrollpunkten är 3 dagar gammal" in err


def _tamper(path: Path, **changes: Any) -> None:
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("tampering", "message"),
    [
        ({"seq": 5}, "signaturen stämmer inte"),
        ({"hash": "f" * 64}, "signaturen stämmer inte"),
        ({"signature": "0" * 64}, "signaturen stämmer inte"),
        ({"signature": None}, "inte signerad"),
        ({"key_id": "0" * 16}, "en annan nyckel"),
    ],
    ids=["seq", "hash", "signature", "unsigned", "other_key"],
)
def test_s22_a_changed_or_unsigned_checkpoint_is_refused_with_exit_2(
    journal: None, tampering: dict[str, Any], message: str
) -> None:
    written = write_checkpoint(by_label="test")
    _tamper(written.path, **tampering)
    code, out, err = _run("verify_journal")
    error = json.loads(err)
    assert code == 2
    assert out == ""
    assert error["error"] == "checkpoint_unusable"
    assert error["file"] == str(written.path)
    assert message in error["message"]


def test_s22_a_checkpoint_signed_with_another_key_is_refused(
    journal: None, settings: Any, tmp_path: Path
) -> None:
    write_checkpoint(by_label="test")
    settings.RODTRAD_CHECKPOINT_KEY_FILE = tmp_path / "other" / "checkpoint.key"
    checkpoints.signing_key(create=True)
    code, _out, err = _run("verify_journal")
    assert code == 2
    assert "en annan nyckel" in json.loads(err)["message"]


def test_s22_verify_journal_never_creates_a_key_and_says_when_it_is_missing(
    journal: None, settings: Any
) -> None:
    write_checkpoint(by_label="test")
    key_file = Path(settings.RODTRAD_CHECKPOINT_KEY_FILE)
    key_file.unlink()
    code, _out, err = _run("verify_journal")
    assert code == 2
    assert "signaturnyckeln" in json.loads(err)["message"]
    assert not key_file.exists()


# --- seals over the access events --------------------------------------------------------------


def test_s22_a_seal_records_the_count_and_digest_of_the_events_since_the_last_seal(
    journal: None, investigator: Any, clock: Any
) -> None:
    first = seal_access_events()
    assert first is not None
    ids = list(AccessEvent.objects.order_by("id").values_list("id", flat=True))
    assert first.data["after_id"] == 0
    assert first.data["last_id"] == ids[-1]
    assert first.data["count"] == 12
    assert seal_access_events() is None, "nothing new to seal"

    record_access(by=investigator, person=PersonFactory(), route="people:person-detail")
    assert seal_access_events() is None, "younger than the margin: may still be uncommitted"
    clock.shift(timedelta(minutes=2))
    second = seal_access_events()
    assert second is not None
    assert (second.data["after_id"], second.data["count"]) == (ids[-1], 1)
    result = verify_seals()
    assert (result.ok, result.seals, result.sealed_events, result.unsealed_events) == (
        True,
        2,
        13,
        0,
    )


def test_s22_events_after_the_last_seal_are_counted_as_not_yet_sealed(
    journal: None, investigator: Any
) -> None:
    seal_access_events()
    record_access(by=investigator, person=PersonFactory(), route="people:person-detail")
    code, out, _err = _run("verify_journal")
    assert code == 0
    assert "Åtkomsthändelserna är intakta: 12 i 1 förseglingar; 1 ännu inte förseglade" in out


@pytest.mark.parametrize(
    ("tampering", "detail"),
    [
        (
            "UPDATE journal_accessevent SET person_id = 999 WHERE id = {id}",
            "har ändrats sedan de förseglades",
        ),
        (
            "UPDATE journal_accessevent SET is_emergency = TRUE, reason = 'x' WHERE id = {id}",
            "har ändrats sedan de förseglades",
        ),
        ("DELETE FROM journal_accessevent WHERE id = {id}", "11 åtkomsthändelser finns nu, 12"),
        (
            "INSERT INTO journal_accessevent (id, occurred_at, username, roles, districts, "
            "units, action, is_protected, is_emergency, reason, route, request_id, client_ip, "
            "channel) SELECT {id} + 100000, occurred_at, username, roles, districts, units, "
            "action, is_protected, is_emergency, reason, route, request_id, client_ip, channel "
            "FROM journal_accessevent WHERE id = {id}; "
            "DELETE FROM journal_accessevent WHERE id = {id}",
            "11 åtkomsthändelser finns nu, 12",
        ),
    ],
    ids=["changed", "flag_changed", "deleted", "moved_out"],
)
def test_s22_a_changed_or_deleted_access_event_is_caught_by_its_seal(
    journal: None, without_journal_triggers: None, tampering: str, detail: str
) -> None:
    seal = seal_access_events()
    assert seal is not None
    target = AccessEvent.objects.order_by("id").values_list("id", flat=True)[5]
    for statement in tampering.format(id=target).split("; "):
        _sql(statement)
    code, out, err = _run("verify_journal")
    assert code == 1
    assert err.startswith(
        f"Åtkomsthändelserna #1–#{seal.data['last_id']} (förseglade i journalpost "
        f"#{seal.seq}) stämmer inte: "
    )
    assert detail in err


def test_s22_a_replaced_access_event_is_caught_by_its_seal(
    journal: None, without_journal_triggers: None
) -> None:
    """Delete and re-insert under the same id, as REPLACE INTO did before S21 was closed."""
    seal_access_events()
    target = AccessEvent.objects.order_by("id").values_list("id", flat=True)[3]
    _sql(
        "CREATE TEMPORARY TABLE forged AS SELECT * FROM journal_accessevent WHERE id = %s",
        [target],
    )
    _sql("UPDATE forged SET person_id = person_id + 1000")
    _sql("DELETE FROM journal_accessevent WHERE id = %s", [target])
    _sql("INSERT INTO journal_accessevent SELECT * FROM forged")
    result = verify_seals()
    assert result.broken is not None
    assert "har ändrats sedan de förseglades" in result.broken.detail


def test_s22_rewritten_access_events_with_a_forged_seal_are_caught_by_the_signed_checkpoint(
    journal: None, without_journal_triggers: None
) -> None:
    written = write_checkpoint(by_label="test")
    assert written.seal is not None
    # The attacker changes an event, recomputes the seal's digest, and re-chains the journal.
    target = AccessEvent.objects.order_by("id").values_list("id", flat=True)[0]
    _sql("UPDATE journal_accessevent SET person_id = 999 WHERE id = %s", [target])
    from rodtrad.journal.seals import digest_access_events

    count, digest = digest_access_events(0, written.seal.data["last_id"])
    _rewrite_and_rechain(written.seal.seq, data={**written.seal.data, "digest": digest})
    assert count == 12
    assert verify_seals().ok, "the forged seal matches the forged events"

    code, _out, err = _run("verify_journal")
    assert code == 1
    assert err.startswith(f"Journalen är bruten vid post #{written.data['seq']}: ")


def test_s22_a_seal_that_does_not_continue_the_previous_one_is_reported(
    journal: None, without_journal_triggers: None, clock: Any, investigator: Any
) -> None:
    seal_access_events()
    record_access(by=investigator, person=PersonFactory(), route="people:person-detail")
    clock.shift(timedelta(minutes=2))
    second = seal_access_events()
    assert second is not None
    _rewrite_and_rechain(second.seq, data={**second.data, "after_id": second.data["after_id"] + 1})
    result = verify_seals()
    assert result.broken is not None
    assert result.broken.seq == second.seq
    assert "föregående slutade vid" in result.broken.detail
