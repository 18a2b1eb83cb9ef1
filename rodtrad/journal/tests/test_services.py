from __future__ import annotations

import json
from typing import Any

import pytest

from rodtrad.journal.chain import ALGORITHM, GENESIS_HASH, compute_hash, entry_fields
from rodtrad.journal.models import AccessAction, AccessEvent, Checkpoint, JournalEntry
from rodtrad.journal.services import export_checkpoint, record, record_access
from rodtrad.lib.testing import ThrowawayDatabase, throwaway_database
from rodtrad.people.tests.factories import PersonFactory

WRITERS = 8
ENTRIES_PER_WRITER = 50


def test_record_appends_entries_chained_to_the_previous_hash(investigator: Any) -> None:
    first = record("test.thing_happened", by=investigator, data={"n": 1})
    second = record("test.thing_happened", by=investigator, data={"n": 2})
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1
    stored = JournalEntry.objects.get(pk=second.pk)
    assert compute_hash(entry_fields(stored)) == stored.hash
    assert stored.roles == "investigator"


def test_record_access_flags_a_read_of_a_protected_person(investigator: Any) -> None:
    person = PersonFactory(protection_level="skyddad_folkbokforing")
    event = record_access(by=investigator, person=person, route="people:person-detail")
    stored = AccessEvent.objects.get(pk=event.pk)
    assert stored.is_protected is True
    assert (stored.person_id, stored.user_id, stored.username) == (
        person.pk,
        investigator.pk,
        "investigator",
    )
    assert (stored.action, stored.route) == (AccessAction.VIEWED, "people:person-detail")
    assert (stored.roles, stored.districts, stored.units) == (
        "investigator",
        "bromma",
        "bromma-investigation",
    )
    assert stored.is_emergency is False


def test_record_access_does_not_flag_a_read_of_an_unprotected_person(investigator: Any) -> None:
    event = record_access(by=investigator, person=PersonFactory(), route="people:person-detail")
    assert AccessEvent.objects.get(pk=event.pk).is_protected is False


def test_export_checkpoint_stores_the_head_and_journals_the_export(investigator: Any) -> None:
    last = record("test.thing_happened", by=investigator)
    exported = export_checkpoint(by_label="drift", by=investigator)
    stored = Checkpoint.objects.get()
    assert exported == {
        "seq": last.seq,
        "hash": last.hash,
        "exported_at": exported["exported_at"],
        "algorithm": ALGORITHM,
        "signature_algorithm": "hmac-sha256",
        "key_id": exported["key_id"],
        "signature": exported["signature"],
    }
    assert json.loads(json.dumps(exported)) == exported
    assert (stored.seq, stored.hash, stored.exported_by) == (last.seq, last.hash, "drift")
    entry = JournalEntry.objects.get(seq=last.seq + 1)
    assert entry.action == "journal.checkpoint_exported"
    assert (entry.object_type, entry.object_id) == ("journal.checkpoint", str(stored.pk))
    assert entry.data == {"seq": last.seq}
    assert entry.actor_username == "investigator"


# Each writer waits for the start file, so that all eight append at the same time.
WRITER = f"""
import os, time
from pathlib import Path
from rodtrad.journal.services import record
start = Path(os.environ["RODTRAD_VAR_DIR"]) / "start"
deadline = time.monotonic() + 120
while not start.exists():
    if time.monotonic() > deadline:
        raise SystemExit("no start signal")
    time.sleep(0.01)
writer = int(os.environ["JOURNAL_WRITER"])
for n in range({ENTRIES_PER_WRITER}):
    record("test.concurrent_write", by=None, data={{"writer": writer, "n": n}})
"""

SUMMARY = """
import json
from collections import defaultdict
from rodtrad.journal.models import JournalEntry
seqs, by_writer = [], defaultdict(list)
for seq, data in JournalEntry.objects.order_by("seq").values_list("seq", "data"):
    seqs.append(seq)
    by_writer[data["writer"]].append(data["n"])
print(json.dumps({"seqs": seqs, "by_writer": by_writer}))
"""


def _append_concurrently(database: ThrowawayDatabase) -> None:
    writers = [
        database.popen_django("shell", "-v", "0", "-c", WRITER, env={"JOURNAL_WRITER": str(w)})
        for w in range(WRITERS)
    ]
    try:
        (database.var_dir / "start").touch()
        outcomes = [(w.wait(timeout=300), w.communicate()) for w in writers]
    finally:
        for w in writers:
            if w.poll() is None:
                w.kill()
                w.wait()
    for code, (_stdout, stderr) in outcomes:
        assert code == 0, stderr

    total = WRITERS * ENTRIES_PER_WRITER
    verified = database.run_django("verify_journal", check=False)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith(f"Journalen är intakt: {total} poster, huvud ")

    summary = json.loads(database.run_django("shell", "-v", "0", "-c", SUMMARY).stdout)
    assert summary["seqs"] == list(range(1, total + 1))
    assert sorted(summary["by_writer"]) == [str(w) for w in range(WRITERS)]
    for numbers in summary["by_writer"].values():
        assert numbers == list(range(ENTRIES_PER_WRITER)), "a writer's entries kept their order"


@pytest.mark.postgres
def test_eight_concurrent_writers_on_postgresql_leave_one_unbroken_chain(
    throwaway_db: ThrowawayDatabase,
) -> None:
    assert throwaway_db.vendor == "postgresql"
    _append_concurrently(throwaway_db)


def test_eight_concurrent_writers_on_sqlite_leave_one_unbroken_chain() -> None:
    with throwaway_database(database_url="sqlite://", name_prefix="rodtrad_conc") as database:
        _append_concurrently(database)
