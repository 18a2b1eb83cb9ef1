"""The e2e harness: a prepared demo database, a real gunicorn server, and Chromium.

Session scope: one database prepared with `manage.py migrate` and `manage.py demo` (SQLite in
a temp dir by default; a separate database `rodtrad_e2e_<random>` when the outer DATABASE_URL
is PostgreSQL, dropped at the end), one gunicorn serving it, one Chromium.
Test scope: a new browser context (locale sv-SE) and page; every document the page loads is
checked with axe (WCAG 2.1 A/AA) and any violation fails the test at teardown.

The tests talk to the server only, never to the database through Django in this process: no
`db` fixture, no live_server (Django's flush cannot empty the journal, whose triggers refuse
DELETE), and Playwright's event loop would make Django refuse ORM calls here anyway.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from e2e.accessibility import AccessibilityWatch, format_violations
from e2e.harness import (
    CHROMIUM_ARGS,
    E2EDatabase,
    Server,
    base_env,
    copy_sqlite,
    outer_is_postgres,
    postgres_database,
    prepare,
    running_server,
)


@pytest.fixture(scope="session")
def sqlite_demo_template(tmp_path_factory: pytest.TempPathFactory) -> E2EDatabase:
    """The demo data in a temp SQLite database, prepared once; tests use copies of it."""
    var_dir = tmp_path_factory.mktemp("e2e-template")
    database = E2EDatabase(env=base_env(var_dir), label=f"SQLite in {var_dir}")
    prepare(database)
    return database


@pytest.fixture(scope="session")
def e2e_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[E2EDatabase]:
    """The session's demo database: PostgreSQL if DATABASE_URL says so, else SQLite."""
    if outer_is_postgres():
        with postgres_database() as database:
            prepare(database)
            yield database
        return
    template: E2EDatabase = request.getfixturevalue("sqlite_demo_template")
    var_dir = tmp_path_factory.mktemp("e2e-session")
    yield copy_sqlite(template, var_dir, f"SQLite in {var_dir}")


@pytest.fixture(scope="session")
def e2e_server(
    e2e_database: E2EDatabase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The app as a real server (gunicorn, 2 workers, demo mode) for the whole session."""
    log_path = tmp_path_factory.mktemp("e2e-server") / "gunicorn.log"
    with running_server(e2e_database, log_path, workers=2) as server:
        yield server


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's package) for the e2e tests, closed after the last of
    them: Playwright's event loop must be gone before the process runs a test that uses the ORM
    (the root conftest.py's ordering)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:  # the root conftest skips browser tests then; this is a guard
        pytest.fail("Chromium not installed (apt-get install chromium)", pytrace=False)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def context(browser: Any, e2e_server: Server) -> Iterator[Any]:
    """A new browser context (cookies, storage) per test, Swedish like the users' browsers."""
    browser_context = browser.new_context(locale="sv-SE", base_url=e2e_server.url)
    browser_context.set_default_timeout(15_000)
    try:
        yield browser_context
    finally:
        browser_context.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    """A page whose every loaded document is checked with axe; violations fail at teardown."""
    new_page = context.new_page()
    watch = AccessibilityWatch(new_page)
    watch.install()
    yield new_page
    watch.check_if_new()
    if watch.violations:
        pytest.fail(format_violations(watch.violations), pytrace=False)
