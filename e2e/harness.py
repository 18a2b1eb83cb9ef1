"""The e2e harness's machinery: prepared demo databases and real gunicorn servers.

Used by the fixtures in e2e/conftest.py and by tests that need a server of their own (S37).
Everything here talks to Django through subprocesses (`manage.py`, gunicorn), never through
the ORM in the test process.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
MANAGE_TIMEOUT_SECONDS = 900
SERVER_START_TIMEOUT_SECONDS = 60
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Environment the outer test run may carry that must not leak into the e2e server.
OUTER_ONLY = ("DATABASE_URL", "RODTRAD_ENV", "RODTRAD_TEST_SQLITE", "RODTRAD_VAR_DIR")


def outer_database_url() -> str:
    return os.environ.get("DATABASE_URL", "")


def outer_is_postgres() -> bool:
    return outer_database_url().startswith(("postgres://", "postgresql://"))


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


@dataclass
class E2EDatabase:
    """A prepared database and the environment that points manage.py and gunicorn at it."""

    env: dict[str, str]
    label: str

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `python manage.py ARGS` against this database; fail the test with its output."""
        completed = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=MANAGE_TIMEOUT_SECONDS,
            check=False,
        )
        if check and completed.returncode != 0:
            pytest.fail(
                f"manage.py {' '.join(args)} exited {completed.returncode} ({self.label}):\n"
                f"{_tail(completed.stdout)}\n{_tail(completed.stderr)}",
                pytrace=False,
            )
        return completed

    def query(self, code: str) -> Any:
        """Run Python in `manage.py shell` on this database; `code` prints one JSON line last."""
        completed = self.manage("shell", "--no-imports", "-c", code)
        return json.loads(completed.stdout.strip().splitlines()[-1])

    def journal_count(self, action: str | None = None) -> int:
        where = f".filter(action={action!r})" if action else ""
        count: int = self.query(
            "import json; from rodtrad.journal.models import JournalEntry; "
            f"print(json.dumps(JournalEntry.objects{where}.count()))"
        )
        return count


def base_env(var_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in OUTER_ONLY}
    # The same settings module as the outer run (pytest-django exports it).
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env.update(
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
        RODTRAD_DEMO="1",
        RODTRAD_VAR_DIR=str(var_dir),
        RODTRAD_SECRET_KEY=secrets.token_urlsafe(48),
    )
    return env


def prepare(database: E2EDatabase) -> None:
    # The management command migrates (a new SQLite file from the schema snapshot,
    # rodtrad/lib/snapshot.py) and loads the data; serving is `rodtrad demo`'s part.
    database.manage("demo")


def copy_sqlite(template: E2EDatabase, var_dir: Path, label: str) -> E2EDatabase:
    """A private copy of the prepared SQLite demo database (sqlite3's online backup)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    source_dir = Path(template.env["RODTRAD_VAR_DIR"])
    shutil.copytree(
        source_dir, var_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("rodtrad.sqlite3*")
    )
    source = sqlite3.connect(source_dir / "rodtrad.sqlite3")
    target = sqlite3.connect(var_dir / "rodtrad.sqlite3")
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return E2EDatabase(env=base_env(var_dir), label=label)


@contextmanager
def postgres_database() -> Iterator[E2EDatabase]:
    """A fresh database rodtrad_e2e_<random> on the outer PostgreSQL server, dropped after."""
    from rodtrad.lib.testing import throwaway_database

    with throwaway_database(name_prefix="rodtrad_e2e", migrate=False) as throwaway:
        env = base_env(throwaway.var_dir)
        env["DATABASE_URL"] = throwaway.url
        yield E2EDatabase(env=env, label=f"PostgreSQL database {throwaway.name}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    database: E2EDatabase
    log_path: Path

    def log_tail(self) -> str:
        return _tail(self.log_path.read_text(errors="replace"), 60)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _gunicorn_has_setting(name: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == name for setting in KNOWN_SETTINGS)


@contextmanager
def running_server(database: E2EDatabase, log_path: Path, *, workers: int) -> Iterator[Server]:
    """gunicorn serving `database` on a free 127.0.0.1 port until the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--access-logfile",
        "-",
    ]
    if _gunicorn_has_setting("control_socket_disable"):
        # Newer gunicorn opens a control socket under $HOME, shared by every instance.
        command.append("--no-control-socket")
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=database.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = Server(url=url, database=database, log_path=log_path)
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
            while not _healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"gunicorn did not become healthy on {url} ({database.label}):\n"
                        f"{server.log_tail()}",
                        pytrace=False,
                    )
                time.sleep(0.2)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
