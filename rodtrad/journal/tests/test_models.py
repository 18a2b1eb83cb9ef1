"""S21, first half: the ORM refuses to change or remove journal rows."""

from __future__ import annotations

from typing import Any

import pytest

from rodtrad.journal.models import AccessEvent, AppendOnlyError, JournalEntry
from rodtrad.journal.services import record, record_access
from rodtrad.people.tests.factories import PersonFactory


@pytest.fixture(params=["journal_entry", "access_event"])
def journal_row(request: Any, investigator: Any) -> JournalEntry | AccessEvent:
    if request.param == "journal_entry":
        return record("test.thing_happened", by=investigator, data={"field": "status"})
    return record_access(by=investigator, person=PersonFactory(), route="people:person-detail")


def test_s21_saving_an_existing_journal_row_raises(journal_row: Any) -> None:
    journal_row.action = "changed"
    with pytest.raises(AppendOnlyError):
        journal_row.save()
    stored = type(journal_row).objects.get(pk=journal_row.pk)
    assert stored.action != "changed"


def test_s21_deleting_a_journal_row_raises(journal_row: Any) -> None:
    with pytest.raises(AppendOnlyError):
        journal_row.delete()
    assert type(journal_row).objects.filter(pk=journal_row.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda qs, row: qs.update(action="changed"), id="update"),
        pytest.param(lambda qs, row: qs.delete(), id="delete"),
        pytest.param(lambda qs, row: qs.bulk_update([row], ["action"]), id="bulk_update"),
        pytest.param(
            lambda qs, row: qs.update_or_create(pk=row.pk, defaults={"action": "x"}),
            id="update_or_create",
        ),
    ],
)
def test_s21_queryset_changes_to_journal_rows_raise(journal_row: Any, change: Any) -> None:
    model = type(journal_row)
    count = model.objects.count()
    with pytest.raises(AppendOnlyError):
        change(model.objects.filter(pk=journal_row.pk), journal_row)
    assert model.objects.count() == count
    assert model.objects.get(pk=journal_row.pk).action == journal_row.action


def test_a_new_journal_row_can_still_be_saved(investigator: Any) -> None:
    entry = record("test.thing_happened", by=investigator)
    assert JournalEntry.objects.filter(pk=entry.pk, action="test.thing_happened").exists()
