"""`manage.py create_user` (wrapped as `rodtrad create-user`)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from rodtrad.accounts.models import Role, User
from rodtrad.accounts.tests.factories import TEST_PASSWORD
from rodtrad.journal.models import JournalEntry


def _run(monkeypatch, *args: str, password: str = TEST_PASSWORD) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("create_user", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_create_user_reads_the_password_from_stdin_and_journals_as_cli(db, monkeypatch, own_units):
    code, out, err = _run(
        monkeypatch,
        "karin.berg",
        "--role",
        "intake_worker",
        "--unit",
        "bromma-intake",
        "--password-stdin",
        "--first-name",
        "Karin",
        "--last-name",
        "Berg",
    )
    assert (code, err) == (0, "")
    assert json.loads(out)["created"] == "karin.berg"
    user = User.objects.get(username="karin.berg")
    assert user.check_password(TEST_PASSWORD)
    assert user.get_full_name() == "Karin Berg"
    membership = user.memberships.get()
    assert (membership.role, membership.district.code, membership.unit.code) == (
        Role.INTAKE_WORKER,
        "bromma",
        "bromma-intake",
    )
    entry = JournalEntry.objects.get(action="accounts.user_created")
    assert entry.actor is None
    assert entry.channel == "cli"
    assert TEST_PASSWORD not in out + err


def test_create_user_makes_an_administrator_without_a_district(db, monkeypatch):
    code, _out, _err = _run(monkeypatch, "admin2", "--role", "administrator", "--password-stdin")
    assert code == 0
    assert User.objects.get(username="admin2").memberships.get().district is None


@pytest.mark.parametrize(
    ("args", "error", "named"),
    [
        (["--role", "chief"], "unknown_role", "chief"),
        (["--role", "investigator", "--district", "vasastan"], "unknown_district", "vasastan"),
        (
            ["--role", "investigator", "--unit", "vasastan-intake"],
            "unknown_unit",
            "vasastan-intake",
        ),
    ],
)
def test_unknown_role_district_or_unit_is_named_exit_2_and_nothing_saved(
    db, monkeypatch, own_units, args, error, named
):
    code, out, err = _run(monkeypatch, "karin.berg", *args, "--password-stdin")
    assert code == 2
    assert out == ""
    assert err.count("\n") <= 1
    payload = json.loads(err)
    assert payload["error"] == error
    assert named in payload["message"]
    assert not User.objects.filter(username="karin.berg").exists()


def test_a_weak_password_is_refused_with_exit_2_and_nothing_saved(db, monkeypatch, own_district):
    code, _out, err = _run(
        monkeypatch,
        "karin.berg",
        "--role",
        "investigator",
        "--district",
        "bromma",
        "--password-stdin",
        password="Stockholm2026!",
    )
    assert code == 2
    payload = json.loads(err)
    assert payload["error"] == "invalid"
    assert "password" in payload["fields"]
    assert "Stockholm2026!" not in err
    assert not User.objects.filter(username="karin.berg").exists()
    assert not JournalEntry.objects.filter(action="accounts.user_created").exists()


def test_a_case_role_without_a_district_is_refused(db, monkeypatch):
    code, _out, err = _run(monkeypatch, "karin.berg", "--role", "investigator", "--password-stdin")
    assert code == 2
    assert "district" in json.loads(err)["fields"]


def test_an_empty_password_is_refused(db, monkeypatch, own_district):
    code, _out, err = _run(
        monkeypatch,
        "karin.berg",
        "--role",
        "analyst",
        "--district",
        "bromma",
        "--password-stdin",
        password="",
    )
    assert code == 2
    assert json.loads(err)["error"] == "missing_password"
