"""Journal test fixtures: throw-away databases, trigger introspection, and trigger removal.

The journal's triggers refuse DELETE/TRUNCATE, so `transactional_db` and `live_server` cannot
be used here (their flush would fail). Tests that need real connections use `throwaway_db`.
`@pytest.mark.postgres` is handled by the root conftest (skip, or deselect under CI=true).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from rodtrad.lib.testing import ThrowawayDatabase, throwaway_database

JOURNAL_TABLES = ("journal_journalentry", "journal_accessevent")


@pytest.fixture
def throwaway_db() -> Iterator[ThrowawayDatabase]:
    """A fresh, migrated database on the backend $DATABASE_URL selects; dropped afterwards."""
    with throwaway_database(name_prefix="rodtrad_conc") as database:
        yield database


def trigger_names(table: str) -> list[str]:
    """The user-defined triggers on a table of the test database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
        return sorted(row[0] for row in cursor.fetchall())


@pytest.fixture
def journal_triggers(db: Any) -> Callable[[str], list[str]]:
    return trigger_names


@pytest.fixture
def without_journal_triggers(db: Any) -> None:
    """Drop the append-only triggers inside the test transaction, as a superuser could.

    DDL is transactional on SQLite and PostgreSQL, so the test's rollback restores them.
    """
    with connection.cursor() as cursor:
        for table in JOURNAL_TABLES:
            for name in trigger_names(table):
                if connection.vendor == "sqlite":
                    cursor.execute(f'DROP TRIGGER "{name}"')
                else:
                    cursor.execute(f'DROP TRIGGER "{name}" ON "{table}"')
    assert all(trigger_names(table) == [] for table in JOURNAL_TABLES)


@pytest.fixture(autouse=True)
def checkpoint_folder(settings: Any, tmp_path: Any) -> Any:
    """Each test gets its own checkpoint folder and signing key (never the checkout's var/)."""
    settings.RODTRAD_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.RODTRAD_CHECKPOINT_KEY_FILE = tmp_path / "keys" / "checkpoint.key"
    return settings.RODTRAD_CHECKPOINT_DIR
