"""S20: security events land in the journal, each once, with actor and outcome."""

from __future__ import annotations

import datetime as dt
import json

import time_machine
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from rodtrad.accounts import services
from rodtrad.accounts.models import Role, UnauthenticatedEventCount
from rodtrad.accounts.tests.conftest import post_login
from rodtrad.journal.models import JournalEntry


def _actions() -> list[str]:
    return list(JournalEntry.objects.order_by("seq").values_list("action", flat=True))


def test_s20_security_events_journaled(
    db, investigator, intake_worker, admin, totp_device, own_district
):
    totp_device(investigator)
    wrong = "inte det rätta lösenordet"

    # Sign-in succeeded: actor is the user.
    client = Client()
    post_login(client, "investigator")
    ok = JournalEntry.objects.get(action="accounts.login_succeeded")
    assert ok.actor == investigator and ok.object_id == str(investigator.pk)

    # Second factor failed: actor is the (password-only) user.
    client.post(reverse("accounts:otp-verify"), {"otp_token": "000000"})
    mfa = JournalEntry.objects.get(action="accounts.second_factor_failed")
    assert mfa.actor == investigator and mfa.data["stage"] == "verify"

    # Sign-in failed, then the lockout: no actor (nobody is signed in), the account as object.
    for _ in range(3):
        post_login(Client(), "intake_worker", wrong, REMOTE_ADDR="10.4.0.1")
    failures = JournalEntry.objects.filter(action="accounts.login_failed")
    assert failures.count() == 3
    assert {f.object_id for f in failures} == {str(intake_worker.pk)}
    assert all(f.actor is None and f.client_ip == "10.4.0.1" for f in failures)
    lockout = JournalEntry.objects.get(action="accounts.lockout_started")
    assert lockout.object_id == str(intake_worker.pk)
    assert lockout.data == {"known_user": True, "scope": "username_ip"}

    # An unknown username is journaled without naming what was typed.
    post_login(Client(), "typed-my-password-here", wrong, REMOTE_ADDR="10.4.0.2")
    unknown = JournalEntry.objects.filter(action="accounts.login_failed").latest("seq")
    assert unknown.object_id == "" and unknown.data == {"known_user": False}
    assert "typed-my-password-here" not in str(unknown.__dict__)

    # CSRF failure.
    strict = Client(enforce_csrf_checks=True)
    assert post_login(strict, "investigator").status_code == 403
    assert JournalEntry.objects.filter(action="security.csrf_rejected").count() == 1

    # Role change: added and ended, by the administrator.
    membership = services.add_membership(
        intake_worker, by=admin, role=Role.ANALYST, district=own_district
    )
    services.end_membership(membership, by=admin)
    for action in ("accounts.membership_added", "accounts.membership_ended"):
        entry = JournalEntry.objects.get(action=action)
        assert entry.actor == admin and entry.object_id == str(membership.pk)

    # Logout.
    signed = Client()
    signed.force_login(admin)
    signed.post(reverse("accounts:logout"))
    assert JournalEntry.objects.filter(action="accounts.logout_succeeded", actor=admin).exists()


def test_a_failed_login_journals_no_password(db, investigator):
    post_login(Client(), "investigator", "hemligt-lösenord-som-inte-stämmer")
    for entry in JournalEntry.objects.all():
        assert "hemligt" not in str(entry.data)


START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_s20_anonymous_requests_never_grow_the_journal_without_bound(db, settings):
    settings.PASSWORD_HASHERS = ["rodtrad.accounts.tests.test_login.CheapArgon2"]
    budget = settings.RODTRAD_UNAUTHENTICATED_EVENTS_PER_WINDOW
    report = json.dumps({"csp-report": {"violated-directive": "script-src-elem"}})
    with time_machine.travel(START, tick=False) as traveller:
        before = JournalEntry.objects.count()
        anonymous = Client()
        for _ in range(200):
            response = anonymous.post(
                reverse("csp-report"), report, content_type="application/csp-report"
            )
            assert response.status_code == 204
        token_less = Client(enforce_csrf_checks=True)
        for _ in range(200):
            assert post_login(token_less, "vem-som-helst").status_code == 403
        for n in range(30):
            post_login(Client(), f"gissning{n}", "fel lösenord igen", REMOTE_ADDR="10.6.0.1")

        # Each kind: the first few one by one, the rest only counted.
        added = JournalEntry.objects.count() - before
        assert added == 3 * budget
        counts = {
            row.action: (row.count, row.journaled)
            for row in UnauthenticatedEventCount.objects.all()
        }
        assert counts == {
            "security.csp_violation_reported": (200, budget),
            "security.csrf_rejected": (200, budget),
            "accounts.login_failed": (30, budget),
        }

        # The next window's first event journals one summary per kind of the closed window.
        traveller.shift(dt.timedelta(hours=1))
        anonymous.post(reverse("csp-report"), report, content_type="application/csp-report")
        summaries = JournalEntry.objects.filter(action="security.unauthenticated_events_counted")
        assert {entry.data["action"]: entry.data["count"] for entry in summaries} == {
            "security.csp_violation_reported": 200,
            "security.csrf_rejected": 200,
            "accounts.login_failed": 30,
        }
        assert all(entry.data["journaled_one_by_one"] == budget for entry in summaries)
        assert JournalEntry.objects.count() - before == 3 * budget + 3 + 1
        # A quiet window after that is summarised by the command (cron) instead.
        traveller.shift(dt.timedelta(hours=1))
        assert services.summarise_unauthenticated_events() == 0  # one event: journaled already


def test_s20_noise_about_made_up_usernames_never_hides_an_attack_on_a_real_account(
    db, reviewer, settings
):
    settings.PASSWORD_HASHERS = ["rodtrad.accounts.tests.test_login.CheapArgon2"]
    budget = settings.RODTRAD_UNAUTHENTICATED_EVENTS_PER_WINDOW
    with time_machine.travel(START, tick=False):
        # Junk first: failed sign-ins with made-up usernames use up the hour's budget.
        for n in range(30):
            post_login(Client(), f"gissning{n}", "fel lösenord", REMOTE_ADDR=f"10.6.{n}.1")
        # Then an attack on a real account: each failure and the lockout are journaled.
        for _ in range(3):
            post_login(Client(), "reviewer", "fel lösenord", REMOTE_ADDR="10.6.99.1")
        about_reviewer = JournalEntry.objects.filter(object_id=str(reviewer.pk))
        assert sorted(about_reviewer.values_list("action", flat=True)) == [
            "accounts.lockout_started",
            "accounts.login_failed",
            "accounts.login_failed",
            "accounts.login_failed",
        ]
        made_up = JournalEntry.objects.filter(
            action="accounts.login_failed", data__known_user=False
        )
        assert made_up.count() == budget
        # Hammering the locked account is noise again: counted, not journaled one by one.
        for _ in range(20):
            locked = post_login(Client(), "reviewer", "fel lösenord", REMOTE_ADDR="10.6.99.1")
            assert locked.status_code == 429
        assert about_reviewer.count() == 4
        counted = UnauthenticatedEventCount.objects.get(action="accounts.login_failed")
        assert counted.count == 30 + 3 + 20


def test_a_signed_in_users_csrf_failure_is_always_journaled_with_the_user(db, investigator):
    client = sign_in(Client(enforce_csrf_checks=True), investigator)
    for _ in range(15):
        assert client.post(reverse("accounts:logout")).status_code == 403
    entries = JournalEntry.objects.filter(action="security.csrf_rejected")
    assert entries.count() == 15 and all(entry.actor == investigator for entry in entries)
