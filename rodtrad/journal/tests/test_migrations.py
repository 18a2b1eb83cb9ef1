"""S21, second half: database triggers (migration 0002) refuse raw UPDATE, DELETE and TRUNCATE."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from rodtrad.journal.services import record, record_access
from rodtrad.lib.testing import ThrowawayDatabase
from rodtrad.people.tests.factories import PersonFactory

TABLES = ["journal_journalentry", "journal_accessevent"]


@pytest.fixture
def rows(investigator: Any) -> None:
    for n in range(3):
        record("test.thing_happened", by=investigator, data={"n": n})
        record_access(by=investigator, person=PersonFactory(), route="people:person-detail")


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return int(cursor.fetchone()[0])


def _refused(sql: str) -> None:
    # The savepoint keeps the failed statement from poisoning the test's transaction.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


@pytest.mark.parametrize("table", TABLES)
def test_both_journal_tables_carry_append_only_triggers(
    table: str, journal_triggers: Callable[[str], list[str]]
) -> None:
    expected = {"sqlite": 2, "postgresql": 2}[connection.vendor]
    assert len(journal_triggers(table)) == expected


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE {table} SET action = 'changed' WHERE id = (SELECT MIN(id) FROM {table})",
        "UPDATE {table} SET occurred_at = occurred_at",
    ],
    ids=["update_one", "update_all_unchanged"],
)
def test_s21_raw_sql_update_is_refused_and_nothing_changes(
    rows: None, table: str, sql: str
) -> None:
    before = _count(table)
    _refused(sql.format(table=table))
    assert _count(table) == before
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE action = 'changed'")
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize(
    "sql",
    ["DELETE FROM {table} WHERE id = (SELECT MIN(id) FROM {table})", "DELETE FROM {table}"],
    ids=["delete_one", "delete_all"],
)
def test_s21_raw_sql_delete_is_refused_and_the_row_count_is_unchanged(
    rows: None, table: str, sql: str
) -> None:
    before = _count(table)
    assert before == 3
    _refused(sql.format(table=table))
    assert _count(table) == before


@pytest.mark.postgres
@pytest.mark.parametrize("table", TABLES)
def test_s21_raw_sql_truncate_is_refused_on_postgresql(rows: None, table: str) -> None:
    before = _count(table)
    with connection.cursor() as cursor:
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED; their pending checks would
        # make PostgreSQL refuse TRUNCATE for that reason before our trigger is reached.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    _refused(f"TRUNCATE {table}")
    assert _count(table) == before


def test_reversing_migration_0002_removes_the_triggers_and_reapplying_restores_them(
    throwaway_db: ThrowawayDatabase,
) -> None:
    change = (
        "from django.db import connection\n"
        "from rodtrad.journal.services import record\n"
        "record('test.thing_happened', by=None)\n"
        "try:\n"
        "    with connection.cursor() as cursor:\n"
        "        cursor.execute(\"UPDATE journal_journalentry SET action = 'changed'\")\n"
        "    print('UPDATED')\n"
        "except Exception as exc:\n"
        "    print('REFUSED', exc)\n"
    )
    refused = throwaway_db.run_django("shell", "-v", "0", "-c", change)
    assert "REFUSED journal is append-only" in refused.stdout

    throwaway_db.run_django("migrate", "journal", "0001", "-v", "0")
    allowed = throwaway_db.run_django("shell", "-v", "0", "-c", change)
    assert "UPDATED" in allowed.stdout

    throwaway_db.run_django("migrate", "journal", "-v", "0")
    refused_again = throwaway_db.run_django("shell", "-v", "0", "-c", change)
    assert "REFUSED journal is append-only" in refused_again.stdout
