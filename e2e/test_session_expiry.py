"""A session that ends while the user is writing loses nothing (issue 6, §2), in Chromium.

The investigator writes a risk assessment's safety plan (autosaved). The session then expires
on the server (its last activity is moved back 31 minutes through manage.py, as if the user
had been away), the user types on, and the autosave gets 401 and a Swedish status line, not a
login form inside the page. After signing in again in a second tab the user clicks Save in the
first, and every character typed, before and after the expiry, is in the database.

A second journey: two minutes before the idle limit the page warns in a dialog, keyboard
first, and "Fortsätt vara inloggad" keeps the session. The browser's clock is Playwright's
(fast-forwarded); the server's idle clock is moved back through manage.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.accessibility import check_accessibility
from e2e.test_login import sign_in
from rodtrad.demo.users import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

USERNAME = "utredare"
ENDED = (
    "Du har loggats ut. Det du skrivit finns kvar på sidan – logga in i en ny flik och spara igen."
)

# A fresh draft risk assessment on an open Bromma investigation the demo investigator works on
# (one without an unsigned risk assessment: only one may wait at a time).
DRAFT_QUERY = """
import json
from django.utils import timezone
from rodtrad.accounts.access import editable_cases
from rodtrad.accounts.models import User
from rodtrad.investigation import services
from rodtrad.investigation.models import Investigation, RiskAssessment
user = User.objects.get(username="utredare")
# One unsigned risk assessment at a time: each test takes an investigation without one.
drafts = RiskAssessment.objects.filter(status="draft").values("investigation_id")
investigation = (
    Investigation.objects.filter(
        case__in=editable_cases(user), case__status="investigation", closed_on__isnull=True,
        opened_on__lte=timezone.localdate(),
    )
    .exclude(pk__in=drafts)
    .order_by("-opened_on", "pk")
    .first()
)
document = services.create_risk_assessment(
    investigation, by=user, event_on=timezone.localdate(), instrument="Egen strukturerad bedömning"
)
print(json.dumps({"pk": document.pk}))
"""

# Move the idle clock of every session the user holds back by SECONDS (as if nothing had been
# done for that long); prints how many sessions were moved.
SHIFT_QUERY = """
import json
from django.contrib.sessions.backends.db import SessionStore
from rodtrad.accounts.models import UserSession
moved = 0
keys = UserSession.objects.filter(user__username=USERNAME).values_list("session_key", flat=True)
for key in keys:
    store = SessionStore(session_key=key)
    if not store.exists(key):
        continue
    last_seen = store.get("rodtrad_last_seen")
    if last_seen is None:
        continue
    store["rodtrad_last_seen"] = last_seen - SECONDS
    store.save()
    moved += 1
print(json.dumps(moved))
"""

SAFETY_PLAN_QUERY = """
import json
from rodtrad.investigation.models import RiskAssessment
print(json.dumps(RiskAssessment.objects.get(pk=PK).safety_plan))
"""


def new_draft(e2e_database: Any) -> int:
    pk: int = e2e_database.query(DRAFT_QUERY)["pk"]
    return pk


def move_idle_clock_back(e2e_database: Any, seconds: int) -> None:
    code = SHIFT_QUERY.replace("USERNAME", repr(USERNAME)).replace("SECONDS", str(seconds))
    assert e2e_database.query(code) >= 1


def saved_safety_plan(e2e_database: Any, pk: int) -> str:
    text: str = e2e_database.query(SAFETY_PLAN_QUERY.replace("PK", str(pk)))
    return text


def safety_plan(page: Any) -> Any:
    return page.get_by_label(re.compile(r"^Säkerhetsplan"))


def test_text_typed_after_the_session_expired_is_saved_after_signing_in_in_another_tab(
    page, context, e2e_database
):
    pk = new_draft(e2e_database)
    sign_in(page, USERNAME, DEMO_PASSWORD)
    page.goto(f"/utredningar/riskbedomningar/{pk}/")
    status = page.locator("#autosave-status")
    plan = safety_plan(page)

    before = "Mormor hämtar barnen efter skolan."
    plan.fill(before)
    expect(status).to_contain_text(re.compile(r"Utkast sparat \d\d:\d\d"))

    # Away for 31 minutes: the server ends the session at the next request.
    move_idle_clock_back(e2e_database, 31 * 60)
    after = " Mamma ringer 112 vid hot – åäö ÅÄÖ é «citat» & <tecken>."
    plan.press("End")
    plan.press_sequentially(after)
    expect(status).to_contain_text(ENDED)
    # The autosave's answer was not swapped into the page: no login form, nothing lost.
    expect(page.get_by_label("Lösenord")).to_have_count(0)
    expect(page.get_by_role("button", name="Logga in")).to_have_count(0)
    expect(plan).to_have_value(before + after)
    expect(page.get_by_role("link", name="Logga in i en ny flik").first).to_be_visible()

    # Still signed out: the next keystroke is kept and the status says so.
    more = " Ny bedömning om fyra veckor."
    plan.press_sequentially(more)
    expect(status).to_contain_text("Du är fortfarande utloggad")
    expect(plan).to_have_value(before + after + more)
    assert saved_safety_plan(e2e_database, pk) == before

    # Sign in again in a second tab (this rotates the CSRF token) ...
    second = context.new_page()
    sign_in(second, USERNAME, DEMO_PASSWORD)
    expect(second.get_by_role("heading", level=1)).to_have_text("Översikt")
    second.close()

    # ... and save in the first: every character is there.
    page.get_by_role("button", name="Spara utkast").click()
    expect(page).to_have_url(re.compile(rf"/utredningar/riskbedomningar/{pk}/"))
    expect(safety_plan(page)).to_have_value(before + after + more)
    assert saved_safety_plan(e2e_database, pk) == before + after + more


def test_the_page_warns_before_the_idle_limit_and_the_user_stays_signed_in(page, e2e_database):
    pk = new_draft(e2e_database)
    page.clock.install()
    sign_in(page, USERNAME, DEMO_PASSWORD)
    page.goto(f"/utredningar/riskbedomningar/{pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Riskbedömning")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_count(0)

    # 28½ minutes without a request: the server has 90 seconds left, and so has the page.
    move_idle_clock_back(e2e_database, 28 * 60 + 30)
    page.clock.fast_forward("28:05")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Du loggas snart ut")
    keep = dialog.get_by_role("button", name="Fortsätt vara inloggad")
    expect(keep).to_be_focused()  # keyboard users land on the button
    check_accessibility(page)
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)
    expect(page.locator("#session-notice")).to_have_text("Du är fortfarande inloggad.")

    # The idle clock restarted on the server: the session is there well after the old limit.
    state = page.evaluate(
        """async () => {
            const headers = {Accept: "application/json"};
            const response = await fetch("/konto/sessionen/", {headers});
            return {status: response.status, body: await response.json()};
        }"""
    )
    assert state["status"] == 200
    assert state["body"]["idle_seconds_left"] > 29 * 60
    page.goto(f"/utredningar/riskbedomningar/{pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Riskbedömning")


def test_a_signed_out_user_who_does_nothing_is_told_in_a_dialog(page, e2e_database):
    pk = new_draft(e2e_database)
    page.clock.install()
    sign_in(page, USERNAME, DEMO_PASSWORD)
    page.goto(f"/utredningar/riskbedomningar/{pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Riskbedömning")
    move_idle_clock_back(e2e_database, 31 * 60)
    page.clock.fast_forward("31:00")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Du har loggats ut")
    expect(dialog).to_contain_text(ENDED)
    login = dialog.get_by_role("link", name="Logga in i en ny flik")
    expect(login).to_have_attribute("target", "_blank")
    check_accessibility(page)
    dialog.get_by_role("button", name="Stäng").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#autosave-status")).to_contain_text(ENDED)
