"""Database triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the journal.

The ORM already refuses changes (models.AppendOnlyModel); these triggers refuse raw SQL too,
also for the table owner (docs/principles.md rule 5, docs/security-checks.md S21). They do not stop a
PostgreSQL superuser (`SET session_replication_role = replica`), which is why the journal is
also hash-chained and verified against external checkpoints (S22).

Consequences for whoever works on this app later:
- Django's test `flush` (TransactionTestCase, pytest `transactional_db`, `live_server`)
  deletes or truncates every table and fails here. Tests that need several connections use a
  throw-away database instead: `rodtrad.lib.testing.throwaway_database()`.
- On SQLite, a later migration that makes Django rebuild one of these tables (most column
  changes do) drops the triggers with the old table. Such a migration must create them again;
  `tests/test_migrations.py` fails when a trigger is missing.
- The SQL is written out here, not imported from the app, so that this migration keeps
  doing what it did when it was written.
"""

from django.db import migrations

TABLES = ("journal_journalentry", "journal_accessevent")
MESSAGE = "journal is append-only"
PG_FUNCTION = "journal_refuse_change"


def _sqlite_forward(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def _sqlite_reverse(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_{verb}" for verb in ("update", "delete")]


PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE} (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$
"""


def _pg_forward(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
    ]


def _pg_reverse(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
    ]


def _statements(vendor: str, *, forward: bool) -> list[str]:
    if vendor == "sqlite":
        build = _sqlite_forward if forward else _sqlite_reverse
        return [sql for table in TABLES for sql in build(table)]
    if vendor == "postgresql":
        if forward:
            return [PG_FUNCTION_SQL] + [sql for table in TABLES for sql in _pg_forward(table)]
        return [sql for table in TABLES for sql in _pg_reverse(table)] + [
            f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()"
        ]
    # Fail closed: an unprotected journal must not look like a protected one.
    raise NotImplementedError(f"journal triggers are not written for database {vendor!r}")


def install_triggers(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor, forward=True):
        # params=None: the driver must not read the '%' in the PL/pgSQL message as a placeholder.
        schema_editor.execute(sql, params=None)


def drop_triggers(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor, forward=False):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install_triggers, drop_triggers, elidable=False),
    ]
