"""SQLite: refuse an INSERT that would replace a journal row (REPLACE INTO, INSERT OR REPLACE).

SQLite resolves a REPLACE conflict by deleting the old row, and that delete fires no DELETE
trigger while `PRAGMA recursive_triggers` is off (the default), so migration 0002's triggers
did not stop it (issue 6 §3.3, docs/security-checks.md S21). Two defences, each sufficient alone:

- every connection switches `recursive_triggers` on (config/settings.py, init_command), so the
  implicit delete hits the DELETE trigger;
- this BEFORE INSERT trigger refuses a row whose id is taken, and in the journal also a row
  whose seq or hash is taken (the other unique indexes a REPLACE could resolve through). It
  holds for connections that do not set the pragma (sqlite3 shell, other tools).

PostgreSQL has no REPLACE; `INSERT ... ON CONFLICT DO UPDATE` and MERGE run the UPDATE/DELETE
row triggers of 0002 (tests/test_migrations.py proves both), so nothing is added there.
The SQL is written out here, as in 0002, so the migration keeps doing what it did.
"""

from django.db import migrations

MESSAGE = "journal is append-only"
# table -> the unique columns a REPLACE could resolve a conflict through
UNIQUE_COLUMNS = {
    "journal_journalentry": ("id", "seq", "hash"),
    "journal_accessevent": ("id",),
}


def _trigger_name(table: str) -> str:
    return f"{table}_no_replace"


def _sqlite_forward() -> list[str]:
    statements = []
    for table, columns in UNIQUE_COLUMNS.items():
        taken = " OR ".join(f"{column} = NEW.{column}" for column in columns)
        statements.append(
            f"CREATE TRIGGER {_trigger_name(table)} BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {taken}) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    return statements


def _sqlite_reverse() -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {_trigger_name(table)}" for table in UNIQUE_COLUMNS]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        return
    if vendor != "sqlite":
        raise NotImplementedError(f"journal triggers are not written for database {vendor!r}")
    for sql in _sqlite_forward():
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in _sqlite_reverse():
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
