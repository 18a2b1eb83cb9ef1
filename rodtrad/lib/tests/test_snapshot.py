"""The schema snapshot new SQLite databases start from is what `migrate` makes
(rodtrad/lib/snapshot.py)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db.migrations.loader import MigrationLoader

from rodtrad.lib.snapshot import SNAPSHOT, moments, quoted_identifier
from rodtrad.lib.testing import throwaway_database

LOAD = "from rodtrad.lib import snapshot; assert snapshot.load_if_empty()"
OUT_OF_DATE = "rodtrad/lib/empty-database.sql is out of date: run `make demo-snapshot`"


def _contents(path: str) -> tuple[list[Any], dict[str, list[Any]]]:
    """Every table, index and trigger, and every row; of the moments a row was written (when
    a migration ran, when a code list was loaded) only whether there is one."""
    database = sqlite3.connect(path)
    try:
        for table, column in moments(database):
            database.execute(
                "UPDATE " + table + " SET " + column + " = 1 WHERE " + column + " IS NOT NULL"
            )
        schema = sorted(
            database.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            )
        )
        rows: dict[str, list[Any]] = {}
        for kind, table, _, _ in schema:
            if kind != "table":
                continue
            # Not the ids: a library's new migration gets the next id after the snapshot's.
            query = (
                "SELECT app, name FROM django_migrations"
                if table == "django_migrations"
                else "SELECT * FROM " + quoted_identifier(table)
            )
            rows[table] = sorted(database.execute(query), key=repr)
        return schema, rows
    finally:
        database.rollback()
        database.close()


@pytest.mark.sqlite
def test_the_snapshot_then_migrate_equals_migrate_on_an_empty_database() -> None:
    with (
        throwaway_database(
            database_url="sqlite://", name_prefix="rodtrad_migrated", from_snapshot=False
        ) as migrated,
        throwaway_database(
            database_url="sqlite://", name_prefix="rodtrad_snapshot", migrate=False
        ) as demo,
        throwaway_database(database_url="sqlite://", name_prefix="rodtrad_throwaway") as throwaway,
    ):
        # As `rodtrad demo` does it: the snapshot into Django's connection, then migrate, which
        # applies whatever is newer than the snapshot (a library's new migration).
        demo.run_django("shell", "-v", "0", "-c", LOAD)
        demo.run_django("migrate", "--noinput", "-v", "0")
        expected_schema, expected_rows = _contents(migrated.name)
        for loaded in (demo, throwaway):
            schema, rows = _contents(loaded.name)
            assert schema == expected_schema, OUT_OF_DATE
            assert rows.keys() == expected_rows.keys(), OUT_OF_DATE
            for table, expected in expected_rows.items():
                assert rows[table] == expected, f"{table}: {OUT_OF_DATE}"


def test_the_snapshot_holds_every_migration_of_rodtrad() -> None:
    """A migration added without a new snapshot still works (migrate applies it after the
    snapshot) but makes every demo slower: the snapshot must name all of Rodtrad's own."""
    own = {config.label for config in apps.get_app_configs() if config.name.startswith("rodtrad.")}
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    expected = {(app, name) for app, name in graph.nodes if app in own}
    text = Path(SNAPSHOT).read_text(encoding="utf-8")
    in_snapshot = set(
        re.findall(r"""INSERT INTO "django_migrations" VALUES\(\d+,'(\w+)','(\w+)'""", text)
    )
    assert expected - in_snapshot == set(), OUT_OF_DATE
