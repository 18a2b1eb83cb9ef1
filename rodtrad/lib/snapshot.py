"""A new SQLite database starts from a snapshot of the migrated, empty schema.

Running every migration on an empty SQLite file takes about ten seconds (Django renders the
model state after each operation): a third of `rodtrad demo`, and of every throw-away test
database. Like Rails' `schema.rb`, the result of `migrate` on an empty database is kept as SQL
(`empty-database.sql`: tables, indexes, the journal's append-only triggers, the code lists and
instruments the data migrations load, content types and permissions) and loaded in one
script. `migrate` runs afterwards as always: anything newer than the snapshot is applied on
top, so a snapshot that is behind is slower, never wrong. PostgreSQL and databases that
already have tables are never touched; `rodtrad migrate` does not use it.

Used by `rodtrad demo` (`load_if_empty`) and `rodtrad.lib.testing.throwaway_database`
(`load_file`). `make demo-snapshot` writes the file again; rodtrad/lib/tests/test_snapshot.py
fails until it equals a fresh `migrate`. Design note: docs/architecture.md ("The demo app").
This module does not need Django settings except for `load_if_empty`.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("empty-database.sql")
# When each migration ran, and when the data migrations created their rows (code lists,
# instruments), are not part of the schema: a fixed value keeps the file the same whoever
# writes it, and loading sets the moment it is loaded, as `migrate` would.
PLACEHOLDER = "2000-01-01 00:00:00"
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def quoted_identifier(name: str) -> str:
    """A table or column name from the schema itself, quoted (never anything else)."""
    if not IDENTIFIER.fullmatch(name):
        raise ValueError(f"unexpected name in the schema: {name!r}")
    return f'"{name}"'


def moments(database: sqlite3.Connection) -> list[tuple[str, str]]:
    """(table, column), quoted, of every date-and-time column: the moments a row was written."""
    tables = [
        quoted_identifier(name)
        for (name,) in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return [
        (table, quoted_identifier(column))
        for table in tables
        for _, column, kind, *_ in database.execute("PRAGMA table_info(" + table + ")")
        if kind.lower() == "datetime"
    ]


def _set_moments(database: sqlite3.Connection, value: str) -> None:
    for table, column in moments(database):
        statement = "UPDATE " + table + " SET " + column + " = ? WHERE " + column + " IS NOT NULL"
        database.execute(statement, [value])


def dump(database: Path) -> str:
    """The SQL that recreates `database` (a freshly migrated SQLite file)."""
    source = sqlite3.connect(database)
    try:
        _set_moments(source, PLACEHOLDER)
        return "\n".join(source.iterdump()) + "\n"
    finally:
        source.rollback()
        source.close()


def _now() -> str:
    # As Django's SQLite backend stores an aware datetime: UTC, without the offset.
    return datetime.now(UTC).replace(tzinfo=None).isoformat(" ")


def _load(raw: sqlite3.Connection) -> None:
    script = SNAPSHOT.read_text(encoding="utf-8")
    # iterdump() writes the tables in name order, each followed by its rows, inside one
    # BEGIN TRANSACTION; ... COMMIT;, so a row may name a table created further down: the
    # foreign keys are checked once at the end instead.
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        raw.executescript(script)
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.execute("PRAGMA foreign_keys = ON")
    broken = raw.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"{SNAPSHOT.name}: {len(broken)} rows with broken foreign keys")
    _set_moments(raw, _now())
    raw.commit()


def load_file(path: Path) -> None:
    """Load the snapshot into a new, empty SQLite file (throw-away databases)."""
    raw = sqlite3.connect(path)
    try:
        if raw.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise RuntimeError(f"{path} is not empty")
        _load(raw)
    finally:
        raw.close()


def load_if_empty() -> bool:
    """Load the snapshot into Django's default database when it is SQLite and has no table
    yet; returns whether it did. A failure rolls the script back and raises."""
    from django.db import connection

    if connection.vendor != "sqlite" or not SNAPSHOT.exists():
        return False
    if connection.introspection.table_names():
        return False
    connection.ensure_connection()
    _load(connection.connection)
    return True


if __name__ == "__main__":  # python -m rodtrad.lib.snapshot DATABASE_FILE > empty-database.sql
    sys.stdout.write(dump(Path(sys.argv[1])))
