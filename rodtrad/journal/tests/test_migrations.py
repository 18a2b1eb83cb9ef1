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
    expected = {"sqlite": 3, "postgresql": 2}[connection.vendor]
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
    # CASCADE, as an attacker would write it: other tables reference the journal's (the log
    # review's items reference access events), and a plain TRUNCATE is then refused for that
    # reason before the trigger is reached. With CASCADE the trigger is what refuses.
    _refused(f"TRUNCATE {table} CASCADE")
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


# --- S21: REPLACE and UPSERT (issue 6 §3.3) ----------------------------------------------------
#
# On SQLite, `REPLACE INTO` (and `INSERT OR REPLACE`) resolves a uniqueness conflict by deleting
# the old row, and that delete fires no trigger unless `recursive_triggers` is on: a row could be
# rewritten without a trace. Two defences, each enough alone: every connection switches the
# pragma on (settings), and a BEFORE INSERT trigger refuses a row whose id (or, in the journal,
# seq or hash) is already taken (migration 0003).

REWRITES = {
    "replace_into": "REPLACE INTO {table} ({columns}) SELECT {values} FROM {table} WHERE {where}",
    "insert_or_replace": (
        "INSERT OR REPLACE INTO {table} ({columns}) SELECT {values} FROM {table} WHERE {where}"
    ),
    # `WHERE true` before ON CONFLICT: SQLite's parser needs it after INSERT ... SELECT.
    "upsert_do_update": (
        "INSERT INTO {table} ({columns}) SELECT {values} FROM {table} WHERE {where} "
        "ON CONFLICT({conflict}) DO UPDATE SET action = 'changed'"
    ),
}


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [
            column.name for column in connection.introspection.get_table_description(cursor, table)
        ]


def _rewrite_sql(statement: str, table: str, *, conflict: str = "id") -> str:
    """A statement that writes a copy of the oldest row with `action = 'changed'`.

    With conflict="id" the copy keeps the row's id; with "seq" it gets a new id but keeps the
    journal entry's seq (REPLACE then removes the old row through the seq's unique index).
    """
    columns = [c for c in _columns(table) if not (conflict == "seq" and c == "id")]
    values = ["'changed'" if c == "action" else c for c in columns]
    where = f"id = (SELECT MIN(id) FROM {table})"
    if statement == "upsert_do_update":
        where += " AND true"
    return REWRITES[statement].format(
        table=table,
        columns=", ".join(columns),
        values=", ".join(values),
        where=where,
        conflict=conflict,
    )


def _unchanged(table: str, before: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")
        assert cursor.fetchall() == before


def _all_rows(table: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")
        return cursor.fetchall()


@pytest.mark.sqlite
@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("statement", sorted(REWRITES))
def test_s21_replace_and_upsert_of_an_existing_row_are_refused_on_sqlite(
    rows: None, table: str, statement: str
) -> None:
    before = _all_rows(table)
    _refused(_rewrite_sql(statement, table))
    _unchanged(table, before)


@pytest.mark.sqlite
@pytest.mark.parametrize("statement", ["replace_into", "insert_or_replace"])
def test_s21_replace_through_the_journals_unique_seq_is_refused_on_sqlite(
    rows: None, statement: str
) -> None:
    table = "journal_journalentry"
    before = _all_rows(table)
    _refused(_rewrite_sql(statement, table, conflict="seq"))
    _unchanged(table, before)


@pytest.mark.sqlite
def test_s21_every_sqlite_connection_has_recursive_triggers_on(db: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA recursive_triggers")
        assert cursor.fetchone()[0] == 1


@pytest.mark.sqlite
@pytest.mark.parametrize("table", TABLES)
def test_s21_replace_is_refused_even_with_recursive_triggers_off(rows: None, table: str) -> None:
    """The insert trigger holds on its own, e.g. for a connection opened by another tool."""
    before = _all_rows(table)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA recursive_triggers = OFF")
    try:
        _refused(_rewrite_sql("replace_into", table))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA recursive_triggers = ON")
    _unchanged(table, before)


@pytest.mark.postgres
@pytest.mark.parametrize("table", TABLES)
def test_s21_insert_on_conflict_do_update_hits_the_update_trigger_on_postgresql(
    rows: None, table: str
) -> None:
    # PostgreSQL has no REPLACE; its upsert runs the row's UPDATE triggers, which refuse.
    before = _all_rows(table)
    columns = _columns(table)
    values = ", ".join("'changed'" if c == "action" else c for c in columns)
    _refused(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM {table} "
        f"WHERE id = (SELECT MIN(id) FROM {table}) "
        "ON CONFLICT (id) DO UPDATE SET action = EXCLUDED.action"
    )
    _unchanged(table, before)


@pytest.mark.postgres
@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize(
    "action", ["UPDATE SET action = 'changed'", "DELETE"], ids=["update", "delete"]
)
def test_s21_merge_is_refused_on_postgresql(rows: None, table: str, action: str) -> None:
    before = _all_rows(table)
    _refused(
        f"MERGE INTO {table} AS t USING (SELECT MIN(id) AS id FROM {table}) AS s ON t.id = s.id "
        f"WHEN MATCHED THEN {action}"
    )
    _unchanged(table, before)


@pytest.mark.sqlite
@pytest.mark.parametrize("table", TABLES)
def test_s21_recursive_triggers_alone_refuse_replace(rows: None, table: str) -> None:
    """The pragma holds on its own too: without the insert trigger, REPLACE's implicit delete
    reaches the DELETE trigger (the test's rollback restores the dropped trigger)."""
    before = _all_rows(table)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TRIGGER "{table}_no_replace"')
    _refused(_rewrite_sql("replace_into", table))
    _unchanged(table, before)
