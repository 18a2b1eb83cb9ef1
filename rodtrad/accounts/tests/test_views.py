"""The second factor (TOTP): enrolment, verification, reuse, and the pages in between."""

from __future__ import annotations

import base64
import datetime as dt
import re

import time_machine
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from rodtrad.accounts import services
from rodtrad.accounts.tests.conftest import current_token, post_login
from rodtrad.journal.models import JournalEntry

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _password_only(user) -> Client:
    client = Client()
    assert post_login(client, user.username).status_code == 302
    return client


def _verify(client: Client, token: str):
    return client.post(reverse("accounts:otp-verify"), {"otp_token": token})


def test_s05_second_factor_required_and_tokens_not_reusable(db, investigator, totp_device):
    device = totp_device(investigator)
    with time_machine.travel(START, tick=False):
        client = _password_only(investigator)

        # A password-only session is sent to the second factor, and the API answers 401.
        page = client.get(reverse("home"))
        assert page.status_code == 302
        assert page["Location"] == reverse("accounts:otp-verify")
        api = client.get("/api/v1/openapi.json")
        assert api.status_code == 401
        assert api.json() == {"error": "second_factor_required"}

        token = current_token(device)
        verified = _verify(client, token)
        assert verified.status_code == 302
        assert verified["Location"] == reverse("home")
        assert client.get(reverse("home")).status_code == 200
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id

        # The same code, within its 30 seconds, in a second session: refused.
        second = _password_only(investigator)
        reused = _verify(second, token)
        assert reused.status_code == 200
        assert "har redan använts" in reused.content.decode()
        assert second.get(reverse("home")).status_code == 302

    assert JournalEntry.objects.filter(action="accounts.second_factor_verified").count() == 1
    failure = JournalEntry.objects.get(action="accounts.second_factor_failed")
    assert failure.actor == investigator
    assert failure.data == {"stage": "verify", "throttled": False}


def test_the_next_code_is_accepted_after_a_used_one(db, investigator, totp_device):
    device = totp_device(investigator)
    with time_machine.travel(START, tick=False) as traveller:
        assert _verify(_password_only(investigator), current_token(device)).status_code == 302
        traveller.shift(dt.timedelta(seconds=30))
        device.refresh_from_db()
        assert _verify(_password_only(investigator), current_token(device)).status_code == 302


def test_a_wrong_code_gives_a_swedish_error_and_is_journaled(db, investigator, totp_device):
    totp_device(investigator)
    client = _password_only(investigator)
    response = _verify(client, "000000")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Koden stämmer inte" in body
    assert 'aria-invalid="true"' in body
    assert JournalEntry.objects.filter(action="accounts.second_factor_failed").count() == 1


def test_a_malformed_code_is_a_form_error(db, investigator, totp_device):
    totp_device(investigator)
    response = _verify(_password_only(investigator), "12ab")
    assert "Koden består av sex siffror" in response.content.decode()


def test_repeated_wrong_codes_are_throttled(db, investigator, totp_device):
    device = totp_device(investigator)
    with time_machine.travel(START, tick=False):
        client = _password_only(investigator)
        _verify(client, "000000")
        # Within the throttle delay even the right code is refused.
        response = _verify(client, current_token(device))
    assert "För många felaktiga försök" in response.content.decode()
    assert JournalEntry.objects.filter(action="accounts.second_factor_failed").last().data == {
        "stage": "verify",
        "throttled": True,
    }


def test_a_user_without_a_device_is_sent_from_verify_to_setup(db, investigator):
    client = _password_only(investigator)
    response = client.get(reverse("accounts:otp-verify"))
    assert response["Location"] == reverse("accounts:otp-setup")


def test_setup_shows_a_csp_safe_qr_code_and_the_secret_and_confirms_with_a_code(db, investigator):
    client = _password_only(investigator)
    page = client.get(reverse("accounts:otp-setup"))
    assert page.status_code == 200
    body = page.content.decode()
    svg = re.search(r"<svg.*?</svg>", body, re.S).group()
    assert "style" not in svg
    assert "http" not in svg  # no external host, not even an XML namespace
    assert "<title>" in svg
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", body).group(1).replace(" ", "")
    assert len(secret) == 32
    # Reloading the page shows the same key, so a scanned code stays valid.
    again = client.get(reverse("accounts:otp-setup")).content.decode()
    assert secret in again.replace(" ", "")

    wrong = client.post(reverse("accounts:otp-setup"), {"otp_token": "000000"})
    assert wrong.status_code == 200
    device = TOTPDevice.objects.get(user=investigator, confirmed=False)
    assert base64.b32encode(device.bin_key).decode() == secret  # the key the page showed
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=5), tick=False):
        confirmed = client.post(reverse("accounts:otp-setup"), {"otp_token": current_token(device)})
    assert confirmed.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200
    assert JournalEntry.objects.filter(
        action="accounts.second_factor_enrolled", actor=investigator
    ).exists()


def test_s27_the_setup_page_writes_no_device_and_no_journal_entry_on_get(db, investigator):
    client = _password_only(investigator)
    entries = JournalEntry.objects.count()
    for _ in range(3):
        assert client.get(reverse("accounts:otp-setup")).status_code == 200
    assert not TOTPDevice.objects.filter(user=investigator).exists()
    assert JournalEntry.objects.count() == entries
    # The first posted code creates the device (a state change, so a POST).
    client.post(reverse("accounts:otp-setup"), {"otp_token": "000000"})
    assert TOTPDevice.objects.filter(user=investigator, confirmed=False).count() == 1
    assert JournalEntry.objects.filter(action="accounts.second_factor_enrollment_started").exists()


def test_setup_is_refused_to_a_password_only_session_of_a_user_with_a_device(
    db, investigator, totp_device
):
    # Otherwise a stolen password would be enough to enrol the thief's phone.
    totp_device(investigator)
    client = _password_only(investigator)
    response = client.get(reverse("accounts:otp-setup"))
    assert response["Location"] == reverse("accounts:otp-verify")
    assert TOTPDevice.objects.filter(user=investigator).count() == 1


def test_a_verified_user_is_sent_on_from_verify_and_setup(db, investigator, signed_in):
    client = signed_in(investigator)
    assert client.get(reverse("accounts:otp-verify"))["Location"] == reverse("home")
    assert client.get(reverse("accounts:otp-setup"))["Location"] == reverse("home")


def test_logout_deletes_the_server_side_session_and_refuses_get(db, investigator, signed_in):
    client = signed_in(investigator)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302
    assert JournalEntry.objects.filter(action="accounts.logout_succeeded").count() == 1


def test_a_new_password_from_the_administrator_does_not_skip_the_second_factor(
    db, investigator, admin, totp_device
):
    totp_device(investigator)
    services.set_password(investigator, by=admin, password="en helt ny och lång lösenfras")
    client = Client()
    response = post_login(client, "investigator", "en helt ny och lång lösenfras")
    assert response["Location"] == reverse("accounts:otp-verify")
    assert client.get(reverse("home"))["Location"] == reverse("accounts:otp-verify")
