"""Root fixtures: two districts and the named users of docs/style.md ("Tests") with known rights.

Own district = Bromma, other district = Farsta. `sign_in(client, user)` logs a user in with a
verified second factor, as a real session would be after TOTP.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from django.test import Client

from rodtrad.accounts.models import Role
from rodtrad.accounts.tests.factories import (
    DistrictFactory,
    TOTPDeviceFactory,
    UnitFactory,
    UserFactory,
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _database_engine() -> str:
    """The database engine that DATABASE_URL selected: postgresql or sqlite."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" if "postgresql" in engine else "sqlite" if "sqlite" in engine else engine


# Tests that only make sense on one database engine: marker -> (engine, how to get it).
ENGINE_MARKERS = {
    "postgres": ("postgresql", "DATABASE_URL=$(scripts/pg-throwaway start)"),
    "sqlite": ("sqlite", "unset DATABASE_URL"),
}
BROWSER_FIXTURES = {"page", "context", "browser"}
# A test marked no_database (pure functions: the same on every engine) runs once, in CI's
# SQLite pass; one that asks for a database cannot carry the mark.
DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "e2e_database"}


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "sqlite: needs the SQLite database (SQLite behaviour)")


def pytest_report_header(config: Any) -> str:
    return f"database: {_database_engine()}; CI: {'yes' if _in_ci() else 'no'}"


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Engine-specific tests and browser tests, and run the e2e journeys last.

    Outside CI, a test for the other database engine, or a browser test without Chromium,
    skips with a one-line reason. Under CI=true a skip is a failure, and CI runs the suite
    once per engine, so a test for the other engine is deselected (it runs in the other
    pass), as is a test marked no_database on PostgreSQL. e2e tests run last in one
    process: Playwright keeps an event loop open in this thread while the browser is up, and
    Django refuses ORM calls while one is open.

    Under pytest-xdist the e2e tests are one unit of work (`pytest_xdist_make_scheduler`).
    """
    engine = _database_engine()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    kept: list[Any] = []
    deselected: list[Any] = []
    for item in items:
        if item.get_closest_marker("no_database"):
            database_fixtures = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
            if item.get_closest_marker("django_db") or database_fixtures:
                uses = sorted(database_fixtures) or ["the django_db mark"]
                raise pytest.UsageError(
                    f"{item.nodeid} is marked no_database but uses {', '.join(uses)}"
                )
            if _in_ci() and engine != "sqlite":
                deselected.append(item)
                continue
        wrong_engine = [
            (wanted, hint)
            for marker, (wanted, hint) in ENGINE_MARKERS.items()
            if item.get_closest_marker(marker) and engine != wanted
        ]
        if wrong_engine and _in_ci():
            deselected.append(item)
            continue
        for wanted, hint in wrong_engine:
            reason = f"needs {wanted}, this run uses {engine} ({hint})"
            item.add_marker(pytest.mark.skip(reason=reason))
        if (
            not chromium
            and item.get_closest_marker("e2e")
            and BROWSER_FIXTURES & set(getattr(item, "fixturenames", ()))
        ):
            reason = "Chromium not installed (apt-get install chromium)"
            item.add_marker(pytest.mark.skip(reason=reason))
        kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
        _deselected_for_engine[:] = [item.nodeid for item in deselected]
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)  # stable


def pytest_xdist_make_scheduler(config: Any, log: Any) -> Any:
    """Under `-n N` (xdist's default `--dist load`): the e2e tests are one unit of work, every
    other test a unit of its own. One worker prepares the demo database and starts the server
    and the browser once, and runs every e2e test; xdist hands out the largest unit first, so
    that worker starts on them at once while the other runs the rest, instead of both workers
    preparing a demo at the end. The browser is package-scoped (e2e/conftest.py): it is closed
    before that worker goes on to tests that use the ORM. (`--dist loadgroup` with xdist_group
    marks would say the same, but pytest-xdist 3.8 under pytest 9 ignores the marks.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class E2ETogether(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return "e2e" if nodeid.startswith("e2e/") else nodeid

    return E2ETogether(config, log)


# Under CI=true a skipped test is a failure (issue: platform, point 2). Skips are counted
# from the reports themselves, so this holds whatever reporting plugins are active.
_skipped_in_ci: list[str] = []
_deselected_for_engine: list[str] = []


def pytest_sessionstart(session: Any) -> None:
    _skipped_in_ci.clear()
    _deselected_for_engine.clear()


def _note_skip(report: Any) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _skipped_in_ci.append(report.nodeid)


def pytest_runtest_logreport(report: Any) -> None:
    _note_skip(report)


def pytest_collectreport(report: Any) -> None:
    _note_skip(report)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    if _deselected_for_engine:
        terminalreporter.write_line(
            f"CI=true: {len(_deselected_for_engine)} test(s) for another database engine "
            f"deselected on {_database_engine()}; CI runs them in its other pass"
        )
    if _in_ci() and _skipped_in_ci:
        terminalreporter.write_line(
            f"CI=true: {len(_skipped_in_ci)} skipped test(s) count as failures", red=True
        )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    if _in_ci() and _skipped_in_ci and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session", autouse=True)
def _sqlite_test_database_from_snapshot() -> Any:
    """The SQLite test database starts from the schema snapshot, as the demo does
    (rodtrad/lib/snapshot.py, docs/architecture.md "The demo app"): pytest-django's `migrate`
    of each worker's test database took about half a minute of every SQLite run. `migrate`
    still runs and applies anything newer than the snapshot; rodtrad/lib/tests/test_snapshot.py
    proves snapshot + migrate equals migrate. Only the test database's creation is changed
    (`migrate` elsewhere, and PostgreSQL, never load the snapshot)."""
    from django.db import connections

    from rodtrad.lib import snapshot

    connection = connections["default"]
    if connection.vendor != "sqlite":
        yield
        return
    creation = connection.creation
    create_test_db = creation.create_test_db

    def from_snapshot(*args: Any, **kwargs: Any) -> Any:
        # `migrate` calls the backend's prepare_database() first: the hook where PostGIS
        # creates its extension, and where the empty test database is given the snapshot.
        prepare_database = connection.prepare_database

        def prepare_and_load() -> None:
            prepare_database()
            snapshot.load_if_empty()

        connection.prepare_database = prepare_and_load  # type: ignore[method-assign]
        try:
            return create_test_db(*args, **kwargs)
        finally:
            del connection.prepare_database  # the class's method again

    creation.create_test_db = from_snapshot  # type: ignore[method-assign]
    yield
    creation.create_test_db = create_test_db  # type: ignore[method-assign]


@pytest.fixture(scope="session", autouse=True)
def _checkpoints_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Tests never write journal checkpoints or their signing key into the checkout's var/ (the
    demo generator writes a checkpoint): one would be taken for the development database's."""
    from django.test import override_settings

    folder = tmp_path_factory.mktemp("checkpoints")
    override = override_settings(
        RODTRAD_CHECKPOINT_DIR=folder / "checkpoints",
        RODTRAD_CHECKPOINT_KEY_FILE=folder / "keys" / "checkpoint.key",
    )
    override.enable()
    yield
    override.disable()


@pytest.fixture(scope="session", autouse=True)
def _failed_sign_ins_answered_at_once() -> Any:
    """A failed sign-in waits for RODTRAD_FAILED_SIGN_IN_MIN_SECONDS before it is answered
    (S04); the lockout tests fail dozens of sign-ins, so the suite answers at once and the S04
    timing tests turn the wait on again."""
    from django.test import override_settings

    override = override_settings(RODTRAD_FAILED_SIGN_IN_MIN_SECONDS=0)
    override.enable()
    yield
    override.disable()


@pytest.fixture
def own_district(db: Any) -> Any:
    return DistrictFactory(code="bromma", name="Bromma")


@pytest.fixture
def other_district(db: Any) -> Any:
    return DistrictFactory(code="farsta", name="Farsta")


@pytest.fixture
def own_units(own_district: Any) -> dict[str, Any]:
    return {
        kind: UnitFactory(district=own_district, kind=kind, code=f"bromma-{kind}")
        for kind in ("intake", "investigation", "provider", "placement")
    }


@pytest.fixture
def other_units(other_district: Any) -> dict[str, Any]:
    return {
        kind: UnitFactory(district=other_district, kind=kind, code=f"farsta-{kind}")
        for kind in ("intake", "investigation", "provider", "placement")
    }


def _user_with(role: str, district: Any, unit: Any = None, username: str | None = None) -> Any:
    user = UserFactory(
        username=username or role, role=role, role__district=district, role__unit=unit
    )
    return user


@pytest.fixture
def intake_worker(own_units: dict[str, Any]) -> Any:
    unit = own_units["intake"]
    return _user_with(Role.INTAKE_WORKER, unit.district, unit, "intake_worker")


@pytest.fixture
def investigator(own_units: dict[str, Any]) -> Any:
    unit = own_units["investigation"]
    return _user_with(Role.INVESTIGATOR, unit.district, unit, "investigator")


@pytest.fixture
def other_district_investigator(other_units: dict[str, Any]) -> Any:
    unit = other_units["investigation"]
    return _user_with(Role.INVESTIGATOR, unit.district, unit, "other_district_investigator")


@pytest.fixture
def provider(own_units: dict[str, Any]) -> Any:
    unit = own_units["provider"]
    return _user_with(Role.PROVIDER, unit.district, unit, "provider")


@pytest.fixture
def manager(own_district: Any, own_units: dict[str, Any]) -> Any:
    return _user_with(Role.TEAM_MANAGER, own_district, None, "manager")


@pytest.fixture
def other_district_manager(other_district: Any, other_units: dict[str, Any]) -> Any:
    return _user_with(Role.TEAM_MANAGER, other_district, None, "other_district_manager")


@pytest.fixture
def analyst(own_district: Any) -> Any:
    return _user_with(Role.ANALYST, own_district, None, "analyst")


@pytest.fixture
def reviewer(own_district: Any) -> Any:
    return _user_with(Role.REVIEWER, own_district, None, "reviewer")


@pytest.fixture
def admin(db: Any) -> Any:
    return _user_with(Role.ADMINISTRATOR, None, None, "admin")


def sign_in(client: Client, user: Any) -> Client:
    """Log in with a confirmed TOTP device marked as verified in the session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDeviceFactory(user=user, name="test")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def signed_in(client: Client) -> Any:
    """`signed_in(user)` returns the test client logged in as that user with TOTP verified."""

    def _sign_in(user: Any) -> Client:
        return sign_in(client, user)

    return _sign_in


@pytest.fixture(autouse=True)
def _swedish_after_each_test() -> Any:
    """A request that chose English leaves it active in the thread; start every test in Swedish."""
    from django.utils import translation

    yield
    translation.activate("sv")
