"""S22: the verifier recomputes the chain and names the first broken entry of each tampering.

Each tampering runs as a superuser could: the append-only triggers are dropped inside the test
transaction (`without_journal_triggers`), the rows are changed with raw SQL, and the rollback
at the end of the test restores everything.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection

from rodtrad.journal.chain import GENESIS_HASH, HASHED_FIELDS, compute_hash, entry_fields
from rodtrad.journal.models import Checkpoint, JournalEntry, JournalHead
from rodtrad.journal.services import export_checkpoint, record
from rodtrad.journal.verify import (
    BreakReason,
    ChainCheckpoint,
    CheckpointFormatError,
    load_checkpoint,
    verify_chain,
)

ENTRIES = 200


@pytest.fixture
def journal(investigator: Any) -> None:
    """200 entries with the kinds of values the hash must survive a database round trip with."""
    for n in range(ENTRIES):
        record(
            "test.thing_happened",
            by=investigator if n % 3 else None,
            obj=investigator if n % 5 == 0 else None,
            person_id=n % 7 or None,
            case_id=n if n % 2 else None,
            district="bromma",
            data={"n": n, "fält": "status", "codes": ["A", "Ö"], "nested": {"ok": n % 2 == 0}},
        )


def _sql(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _forge(from_seq: int, to_seq: int, *, action: str, move_head: bool) -> None:
    """Change entry `from_seq` and give it and the entries up to `to_seq` fresh, valid hashes."""
    previous = JournalEntry.objects.filter(seq=from_seq - 1).values_list("hash", flat=True)
    prev_hash = previous.first() or GENESIS_HASH
    rows = (
        JournalEntry.objects.filter(seq__gte=from_seq, seq__lte=to_seq)
        .order_by("seq")
        .values_list(*HASHED_FIELDS, "hash", named=True)
    )
    for row in list(rows):
        forged = row._replace(prev_hash=prev_hash)
        if row.seq == from_seq:
            forged = forged._replace(action=action)
        prev_hash = compute_hash(entry_fields(forged))
        _sql(
            "UPDATE journal_journalentry SET action = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [forged.action, forged.prev_hash, prev_hash, row.seq],
        )
    if move_head:
        JournalHead.objects.filter(pk=1).update(seq=to_seq, hash=prev_hash)


def test_an_intact_chain_verifies_with_its_count_and_head(journal: None) -> None:
    result = verify_chain()
    head = JournalHead.objects.get(pk=1)
    assert result.ok
    assert result.broken is None
    assert (result.entries, result.head_seq, result.head_hash) == (ENTRIES, ENTRIES, head.hash)


def test_an_empty_journal_verifies_with_no_entries(db: Any) -> None:
    result = verify_chain()
    assert result.ok
    assert (result.entries, result.head_hash) == (0, GENESIS_HASH)


def test_reading_in_small_chunks_gives_the_same_result(
    journal: None, without_journal_triggers: None
) -> None:
    assert verify_chain(chunk_size=7) == verify_chain()
    _sql("UPDATE journal_journalentry SET action = 'test.forged' WHERE seq = 150")
    broken = verify_chain(chunk_size=7).broken
    assert broken is not None
    assert (broken.seq, broken.reason) == (150, BreakReason.HASH_MISMATCH)


def test_s22_a_changed_entry_is_the_first_broken_entry(
    journal: None, without_journal_triggers: None
) -> None:
    _sql("UPDATE journal_journalentry SET action = 'test.forged' WHERE seq = 57")
    result = verify_chain()
    assert not result.ok
    assert result.broken is not None
    assert (result.broken.seq, result.broken.reason) == (57, BreakReason.HASH_MISMATCH)
    assert result.entries == 56


def test_s22_a_changed_hash_of_the_first_entry_is_caught(
    journal: None, without_journal_triggers: None
) -> None:
    _sql("UPDATE journal_journalentry SET prev_hash = %s WHERE seq = 1", ["1" * 64])
    broken = verify_chain().broken
    assert broken is not None
    assert (broken.seq, broken.reason) == (1, BreakReason.HASH_MISMATCH)


def test_s22_a_deleted_entry_is_named_as_missing(
    journal: None, without_journal_triggers: None
) -> None:
    _sql("DELETE FROM journal_journalentry WHERE seq = 100")
    broken = verify_chain().broken
    assert broken is not None
    assert (broken.seq, broken.reason) == (100, BreakReason.MISSING)
    assert "#101" in broken.detail


@pytest.mark.parametrize(("first", "second"), [(40, 120), (40, 41)], ids=["apart", "adjacent"])
def test_s22_two_swapped_entries_are_named_at_the_first_of_them(
    journal: None, without_journal_triggers: None, first: int, second: int
) -> None:
    # Swapping the seq values swaps the two events' places in the chain (ids are not evidence).
    _sql("UPDATE journal_journalentry SET seq = -1 WHERE seq = %s", [first])
    _sql("UPDATE journal_journalentry SET seq = %s WHERE seq = %s", [first, second])
    _sql("UPDATE journal_journalentry SET seq = %s WHERE seq = -1", [second])
    broken = verify_chain().broken
    assert broken is not None
    assert (broken.seq, broken.reason) == (first, BreakReason.OUT_OF_ORDER)
    assert f"#{second}" in broken.detail


def test_s22_a_changed_and_rehashed_entry_breaks_the_link_from_the_next_entry(
    journal: None, without_journal_triggers: None
) -> None:
    _forge(80, 80, action="test.forged", move_head=False)
    broken = verify_chain().broken
    assert broken is not None
    assert (broken.seq, broken.reason) == (81, BreakReason.BROKEN_LINK)
    assert "#80" in broken.detail


def test_s22_a_deleted_tail_is_caught_by_the_head_row(
    journal: None, without_journal_triggers: None
) -> None:
    _sql("DELETE FROM journal_journalentry WHERE seq > 150")
    broken = verify_chain().broken
    assert broken is not None
    assert (broken.seq, broken.reason) == (151, BreakReason.MISSING)


def test_s22_a_deleted_tail_with_a_rewritten_head_is_caught_by_the_checkpoint(
    journal: None, without_journal_triggers: None
) -> None:
    checkpoint = load_checkpoint(json.dumps(export_checkpoint(by_label="test")))
    assert checkpoint.seq == ENTRIES
    assert verify_chain(checkpoint=checkpoint).ok

    _sql("DELETE FROM journal_journalentry WHERE seq > 150")
    last = JournalEntry.objects.get(seq=150)
    JournalHead.objects.filter(pk=1).update(seq=150, hash=last.hash)

    assert verify_chain().ok, "without a checkpoint a cut tail and a moved head look intact"
    result = verify_chain(checkpoint=checkpoint)
    assert result.broken is not None
    assert (result.broken.seq, result.broken.reason) == (151, BreakReason.TRUNCATED)
    assert str(ENTRIES) in result.broken.detail


def test_s22_a_rewritten_and_rehashed_tail_is_caught_by_the_checkpoint(
    journal: None, without_journal_triggers: None
) -> None:
    exported = export_checkpoint(by_label="test")
    checkpoint = ChainCheckpoint(seq=exported["seq"], hash=exported["hash"])
    last_seq = ENTRIES + 1  # the export itself is journaled
    _forge(80, last_seq, action="test.forged", move_head=True)

    assert verify_chain().ok, "a consistent rewrite cannot be seen without a checkpoint"
    broken = verify_chain(checkpoint=checkpoint).broken
    assert broken is not None
    assert (broken.seq, broken.reason) == (ENTRIES, BreakReason.CHECKPOINT_MISMATCH)


def test_a_stored_checkpoint_row_can_be_verified_against(journal: None) -> None:
    export_checkpoint(by_label="test")
    row = Checkpoint.objects.get()
    result = verify_chain(checkpoint=row)
    assert result.ok
    assert result.checkpoint_seq == ENTRIES


def test_a_head_row_that_does_not_name_the_last_entry_is_reported(journal: None) -> None:
    JournalHead.objects.filter(pk=1).update(hash="f" * 64)
    broken = verify_chain().broken
    assert broken is not None
    assert (broken.seq, broken.reason) == (ENTRIES, BreakReason.HEAD_MISMATCH)


def test_an_entry_after_the_head_row_is_reported(journal: None) -> None:
    # As if the last entry had been inserted without going through record().
    previous = JournalEntry.objects.get(seq=ENTRIES - 1)
    JournalHead.objects.filter(pk=1).update(seq=previous.seq, hash=previous.hash)
    broken = verify_chain().broken
    assert broken is not None
    assert (broken.seq, broken.reason) == (ENTRIES, BreakReason.HEAD_MISMATCH)


def test_load_checkpoint_reads_what_export_checkpoint_wrote(journal: None) -> None:
    exported = export_checkpoint(by_label="test")
    checkpoint = load_checkpoint(json.dumps(exported))
    assert (checkpoint.seq, checkpoint.hash) == (exported["seq"], exported["hash"])
    assert checkpoint.exported_at == exported["exported_at"]


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        '{"hash": "' + "a" * 64 + '", "algorithm": "sha256-canonical-json-v1"}',
        '{"seq": -1, "hash": "' + "a" * 64 + '", "algorithm": "sha256-canonical-json-v1"}',
        '{"seq": true, "hash": "' + "a" * 64 + '", "algorithm": "sha256-canonical-json-v1"}',
        '{"seq": 3, "hash": "abc", "algorithm": "sha256-canonical-json-v1"}',
        '{"seq": 3, "hash": "' + "a" * 64 + '", "algorithm": "md5"}',
        '{"seq": 3, "hash": "' + "a" * 64 + '"}',
    ],
    ids=[
        "not_json",
        "not_object",
        "no_seq",
        "negative_seq",
        "bool_seq",
        "short_hash",
        "other_algorithm",
        "no_algorithm",
    ],
)
def test_load_checkpoint_refuses_what_it_cannot_verify_against(text: str) -> None:
    with pytest.raises(CheckpointFormatError):
        load_checkpoint(text)
