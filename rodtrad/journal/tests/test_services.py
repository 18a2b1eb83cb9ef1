from rodtrad.journal.chain import GENESIS_HASH, compute_hash, entry_fields
from rodtrad.journal.models import JournalEntry
from rodtrad.journal.services import record


def test_record_appends_entries_chained_to_the_previous_hash(db, investigator):
    first = record("test.thing_happened", by=investigator, data={"n": 1})
    second = record("test.thing_happened", by=investigator, data={"n": 2})
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1
    stored = JournalEntry.objects.get(pk=second.pk)
    assert compute_hash(entry_fields(stored)) == stored.hash
    assert stored.roles == "investigator"
