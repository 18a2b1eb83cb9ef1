"""Session limits and the mandatory second factor (rodtrad/accounts/middleware.py): S07, S08."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from rodtrad.accounts import services
from rodtrad.accounts.models import Role, UserSession

START = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)


def _session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _is_gone(key: str) -> bool:
    return (
        not Session.objects.filter(session_key=key).exists()
        and not UserSession.objects.filter(session_key=key).exists()
    )


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )


def test_s07_idle_and_absolute_timeouts(db, investigator):
    with time_machine.travel(START, tick=False) as traveller:
        idle = sign_in(Client(), investigator)
        key = _session_key(idle)
        traveller.shift(dt.timedelta(minutes=29))
        assert idle.get(reverse("home")).status_code == 200  # 29 minutes idle is fine
        traveller.shift(dt.timedelta(minutes=31))
        expired = idle.get(reverse("home"))
        assert _sent_to_login(expired)
        assert _is_gone(key)
        login_page = idle.get(expired["Location"]).content.decode()
        assert "sessionen gick ut" in login_page

    with time_machine.travel(START, tick=False) as traveller:
        busy = sign_in(Client(), investigator)
        key = _session_key(busy)
        # Active all day: a request every 25 minutes for just under twelve hours.
        for _ in range(28):
            traveller.shift(dt.timedelta(minutes=25))
            assert busy.get(reverse("home")).status_code == 200
        traveller.shift(dt.timedelta(minutes=25))  # 12 h 5 min after sign-in
        assert _sent_to_login(busy.get(reverse("home")))
        assert _is_gone(key)


def test_an_expired_session_answers_the_api_with_401(db, investigator):
    with time_machine.travel(START, tick=False) as traveller:
        client = sign_in(Client(), investigator)
        session = client.session
        session["rodtrad_auth_at"] = START.timestamp() - 13 * 3600
        session.save()
        traveller.shift(dt.timedelta(minutes=1))
        response = client.get("/api/v1/openapi.json")
    assert response.status_code == 401
    assert response.json() == {"error": "session_expired"}


def test_s08_logout_deactivation_and_role_change_end_sessions(
    db, investigator, intake_worker, admin, manager, own_district
):
    # Logout: replaying the old cookie gets the login page.
    client = sign_in(Client(), investigator)
    old = _session_key(client)
    client.post(reverse("accounts:logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old
    assert _sent_to_login(replay.get(reverse("home")))
    assert _is_gone(old)

    # Deactivation: every session of the user (two browsers) ends at once.
    first, second = sign_in(Client(), investigator), sign_in(Client(), investigator)
    keys = [_session_key(first), _session_key(second)]
    services.deactivate_user(investigator, by=admin)
    assert all(_is_gone(key) for key in keys)
    assert _sent_to_login(first.get(reverse("home")))
    assert _sent_to_login(second.get(reverse("home")))

    # Role change: ending the district membership ends the session on the next request.
    client = sign_in(Client(), intake_worker)
    key = _session_key(client)
    services.end_membership(intake_worker.memberships.get(), by=admin)
    assert _is_gone(key)
    assert _sent_to_login(client.get(reverse("home")))

    # Adding a role is a role change too: for a case role, when it is approved (four eyes).
    client = sign_in(Client(), intake_worker)
    key = _session_key(client)
    proposal = services.propose_membership(
        intake_worker, by=admin, role=Role.INVESTIGATOR, district=own_district
    )
    assert not _is_gone(key)  # a proposal changes nothing yet
    services.approve_membership_proposal(proposal, by=manager)
    assert _is_gone(key)
    assert _sent_to_login(client.get(reverse("home")))


def test_other_users_keep_their_sessions_when_one_user_is_deactivated(
    db, investigator, intake_worker, admin
):
    other = sign_in(Client(), intake_worker)
    services.deactivate_user(investigator, by=admin)
    assert other.get(reverse("home")).status_code == 200


def test_a_forged_session_cookie_is_simply_anonymous(db):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    assert _sent_to_login(client.get(reverse("home")))


def test_the_second_factor_is_not_needed_when_mfa_is_switched_off(db, investigator, settings):
    settings.MFA_REQUIRED = False
    client = Client()
    client.force_login(investigator)
    assert client.get(reverse("home")).status_code == 200


def test_health_is_reachable_before_the_second_factor_but_pages_are_not(db, investigator):
    client = Client()
    client.force_login(investigator)
    assert client.get(reverse("health")).status_code == 200
    assert client.get(reverse("home"))["Location"] == reverse("accounts:otp-verify")


# --- A session that ends while a page is open (issue 6, §2) ---------------------------------

ENDED = (
    "Du har loggats ut. Det du skrivit finns kvar på sidan – logga in i en ny flik och spara igen."
)
HTMX = {"HTTP_HX_REQUEST": "true"}
FETCH_JSON = {"HTTP_ACCEPT": "application/json", "HTTP_SEC_FETCH_DEST": "empty"}


def _assert_status_text_not_a_page(response) -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == ENDED
    assert "Location" not in response


def test_s07_an_idle_session_answers_an_htmx_autosave_with_401_and_a_swedish_status(
    db, investigator
):
    with time_machine.travel(START, tick=False) as traveller:
        client = sign_in(Client(), investigator)
        key = _session_key(client)
        traveller.shift(dt.timedelta(minutes=31))
        response = client.post(reverse("home"), {"facts": "text"}, **HTMX)
    _assert_status_text_not_a_page(response)
    assert response["HX-Reswap"] == "none"
    assert _is_gone(key)  # the server-side session is gone all the same


def test_s07_the_absolute_limit_answers_fetch_with_401_json(db, investigator):
    with time_machine.travel(START, tick=False) as traveller:
        client = sign_in(Client(), investigator)
        session = client.session
        session["rodtrad_auth_at"] = START.timestamp() - 12 * 3600 - 1
        session.save()
        traveller.shift(dt.timedelta(seconds=1))
        response = client.get(reverse("accounts:session-status"), **FETCH_JSON)
    assert response.status_code == 401
    assert response.json() == {
        "error": "session_expired",
        "message": ENDED,
        "login_url": reverse("accounts:login"),
    }


def test_s07_an_ordinary_page_load_after_the_idle_limit_still_goes_to_the_login_page(
    db, investigator
):
    with time_machine.travel(START, tick=False) as traveller:
        client = sign_in(Client(), investigator)
        traveller.shift(dt.timedelta(minutes=31))
        assert _sent_to_login(client.get(reverse("home")))


def test_s08_a_session_ended_elsewhere_answers_scripts_with_401_and_pages_with_login(
    db, investigator
):
    client = sign_in(Client(), investigator)
    services.end_all_sessions(investigator)  # e.g. signed out in another browser
    _assert_status_text_not_a_page(client.post(reverse("home"), {}, **HTMX))
    xhr = client.get(reverse("home"), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    _assert_status_text_not_a_page(xhr)
    assert client.get(reverse("accounts:session-status"), **FETCH_JSON).status_code == 401
    assert _sent_to_login(client.get(reverse("home")))


def test_a_password_only_session_answers_scripts_with_401(db, investigator):
    client = Client()
    client.force_login(investigator)  # no second factor yet
    _assert_status_text_not_a_page(client.post(reverse("home"), {}, **HTMX))
    assert client.get(reverse("home"))["Location"] == reverse("accounts:otp-verify")


def test_every_signed_in_answer_says_how_long_the_session_has_left(db, investigator):
    with time_machine.travel(START, tick=False):
        response = sign_in(Client(), investigator).get(reverse("home"))
    assert response["X-Session-Seconds-Left"] == str(settings.RODTRAD_IDLE_TIMEOUT_SECONDS)
    body = response.content.decode()
    assert f'data-session-seconds-left="{settings.RODTRAD_IDLE_TIMEOUT_SECONDS}"' in body
    assert 'data-session-warn-seconds="120"' in body
    assert "Fortsätt vara inloggad" in body  # the warning's text, for the page's script


def test_asking_how_long_is_left_does_not_keep_the_session_alive(db, investigator):
    with time_machine.travel(START, tick=False) as traveller:
        client = sign_in(Client(), investigator)
        traveller.shift(dt.timedelta(minutes=28))
        status = client.get(reverse("accounts:session-status"), **FETCH_JSON)
        assert status.status_code == 200
        assert status.json()["seconds_left"] == 2 * 60
        assert status.json()["warn_seconds"] == 120
        traveller.shift(dt.timedelta(minutes=2, seconds=1))
        assert client.get(reverse("accounts:session-status"), **FETCH_JSON).status_code == 401


def test_s07_continuing_the_session_restarts_the_idle_clock_but_not_the_absolute_one(
    db, investigator
):
    with time_machine.travel(START, tick=False) as traveller:
        client = sign_in(Client(), investigator)
        traveller.shift(dt.timedelta(minutes=28))
        extended = client.post(reverse("accounts:session-extend"), **FETCH_JSON)
        assert extended.status_code == 200
        assert extended.json()["idle_seconds_left"] == 30 * 60
        assert extended.json()["absolute_seconds_left"] == 12 * 3600 - 28 * 60
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("accounts:session-extend")).status_code == 405


def test_the_session_status_hands_out_a_csrf_token_that_a_script_can_post_with(db, investigator):
    client = sign_in(Client(enforce_csrf_checks=True), investigator)
    stale = client.post(reverse("accounts:session-extend"), HTTP_X_CSRFTOKEN="x" * 64, **FETCH_JSON)
    # A stale token is a short text for a script (it fetches a new one), never a page.
    assert stale.status_code == 403
    assert stale["Content-Type"] == "text/plain; charset=utf-8"
    token = client.get(reverse("accounts:session-status"), **FETCH_JSON).json()["csrf_token"]
    fresh = client.post(reverse("accounts:session-extend"), HTTP_X_CSRFTOKEN=token, **FETCH_JSON)
    assert fresh.status_code == 200
