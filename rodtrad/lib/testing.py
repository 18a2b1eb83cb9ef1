"""Throw-away databases for tests, benchmarks and browser runs that need real connections.

Why: the journal's triggers refuse DELETE and TRUNCATE, so Django's test `flush`
(TransactionTestCase, pytest `transactional_db`, `live_server`) cannot empty the test
database. Anything that needs several connections, other processes or a running server uses a
database of its own instead, created fresh, migrated, and dropped afterwards:

    from rodtrad.lib.testing import throwaway_database

    with throwaway_database() as db:            # backend chosen by $DATABASE_URL
        db.run_django("verify_journal")          # manage.py command in a subprocess
        server = db.popen_django("runserver", "--noreload", "127.0.0.1:8123")
        subprocess.run([...], env=db.environ())  # any other program, same database

- SQLite (DATABASE_URL unset or sqlite://…): a file in a temporary directory.
- PostgreSQL (postgres://…): `CREATE DATABASE <prefix>_<random>` on the same server, as the
  same user (who needs CREATEDB), dropped `WITH (FORCE)` at the end.

Every subprocess gets DATABASE_URL, RODTRAD_VAR_DIR (the temporary directory, so nothing is
written under the checkout's var/) and DJANGO_SETTINGS_MODULE (config.settings unless set).
This module does not import Django settings or pytest, so it also works before
`django.setup()`; the pytest fixture lives in `rodtrad/journal/tests/conftest.py`.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from rodtrad.lib import snapshot

__all__ = ["ThrowawayDatabase", "database_vendor", "throwaway_database"]

Vendor = Literal["sqlite", "postgresql"]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TIMEOUT = 300.0
_NAME_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,40}")


def database_vendor(database_url: str | None = None) -> Vendor:
    """'sqlite' or 'postgresql' for a URL (default: $DATABASE_URL; unset means SQLite)."""
    url = database_url if database_url is not None else os.environ.get("DATABASE_URL", "")
    scheme = urlsplit(url).scheme.lower() if url else "sqlite"
    if scheme.startswith("sqlite"):
        return "sqlite"
    if scheme in {"postgres", "postgresql", "pgsql", "postgis"}:
        return "postgresql"
    raise ValueError(f"unsupported database scheme {scheme!r}")


@dataclass(frozen=True)
class ThrowawayDatabase:
    """A database that exists only inside `throwaway_database()`."""

    url: str  # DATABASE_URL for the processes that use it
    vendor: Vendor
    name: str  # the PostgreSQL database name, or the SQLite file path
    var_dir: Path  # RODTRAD_VAR_DIR: a temporary directory, removed at the end

    def environ(self, **extra: str) -> dict[str, str]:
        """os.environ plus DATABASE_URL, RODTRAD_VAR_DIR, DJANGO_SETTINGS_MODULE and `extra`."""
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        env.update(DATABASE_URL=self.url, RODTRAD_VAR_DIR=str(self.var_dir))
        env.update(extra)
        return env

    def _argv(self, *args: str) -> list[str]:
        # `python -m django` with cwd = the checkout: works for editable and plain installs.
        return [sys.executable, "-m", "django", *args]

    def run_django(
        self,
        *args: str,
        check: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run a management command against this database and wait; output is captured."""
        completed = subprocess.run(
            self._argv(*args),
            cwd=PROJECT_ROOT,
            env=self.environ(**dict(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and completed.returncode != 0:
            raise RuntimeError(
                f"django {' '.join(args[:1])} exited {completed.returncode}:\n"
                f"{completed.stdout}\n{completed.stderr}"
            )
        return completed

    def popen_django(
        self, *args: str, env: Mapping[str, str] | None = None, **popen: Any
    ) -> subprocess.Popen[str]:
        """Start a management command against this database without waiting (caller reaps it)."""
        popen.setdefault("stdout", subprocess.PIPE)
        popen.setdefault("stderr", subprocess.PIPE)
        return subprocess.Popen(
            self._argv(*args),
            cwd=PROJECT_ROOT,
            env=self.environ(**dict(env or {})),
            text=True,
            **popen,
        )


@contextmanager
def throwaway_database(
    *,
    database_url: str | None = None,
    name_prefix: str = "rodtrad_tmp",
    migrate: bool = True,
    from_snapshot: bool = True,
) -> Iterator[ThrowawayDatabase]:
    """Create a fresh database (migrated unless `migrate=False`), yield it, then drop it.

    A migrated SQLite database starts from the schema snapshot (rodtrad/lib/snapshot.py;
    `migrate` then applies anything newer) unless `from_snapshot=False`.

    `database_url` picks the backend and, for PostgreSQL, the server and credentials (default
    $DATABASE_URL; pass "sqlite://" to force SQLite). Its database name is not touched.
    """
    if not _NAME_PREFIX.fullmatch(name_prefix):
        raise ValueError("name_prefix must match [a-z][a-z0-9_]*")
    vendor = database_vendor(database_url)
    server_url = database_url if database_url is not None else os.environ.get("DATABASE_URL", "")
    var_dir = Path(tempfile.mkdtemp(prefix=f"{name_prefix}_"))
    try:
        if vendor == "sqlite":
            path = var_dir / "rodtrad.sqlite3"
            database = ThrowawayDatabase(f"sqlite:///{path}", vendor, str(path), var_dir)
            if migrate:
                if from_snapshot:
                    snapshot.load_file(path)
                database.run_django("migrate", "--noinput", "-v", "0")
            yield database
        else:
            name = f"{name_prefix}_{secrets.token_hex(4)}"
            _postgres_admin(server_url, f'CREATE DATABASE "{name}"')
            try:
                database = ThrowawayDatabase(
                    _with_database_name(server_url, name), vendor, name, var_dir
                )
                if migrate:
                    database.run_django("migrate", "--noinput", "-v", "0")
                yield database
            finally:
                _postgres_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def _with_database_name(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _postgres_admin(server_url: str, sql: str) -> None:
    """Run one statement on the server's maintenance database (outside any transaction)."""
    import psycopg

    conninfo = _with_database_name(server_url, "postgres")
    # CREATE DATABASE copies template1 and fails while another session is connected to it
    # (another test run creating its database); that clears within moments.
    for attempt in range(10):
        try:
            with psycopg.connect(conninfo, autocommit=True) as connection:
                connection.execute(sql.encode())
            return
        except psycopg.errors.ObjectInUse:
            if attempt == 9:
                raise
            time.sleep(0.5)
