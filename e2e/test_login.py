"""Signing in and out as a demo user, the language switch, and the skip link, in Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from rodtrad.demo.users import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

INVESTIGATOR = "utredare"


def sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()


def switch_language(page: Any, code: str) -> None:
    # By id and type, not by label: the label itself changes with the language.
    page.locator("#language-select").select_option(code)
    page.locator("form.language-form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def test_investigator_signs_in_sees_the_overview_switches_language_and_signs_out(page):
    sign_in(page, INVESTIGATOR, DEMO_PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_text("Demoläge")).to_be_visible()

    switch_language(page, "en")
    expect(page.locator("#language-select")).to_have_value("en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    page.goto("/")  # the choice is kept for the next page, not just the redirect
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    switch_language(page, "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt")

    page.get_by_role("button", name="Logga ut").click()
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    # Signed out for real: the overview sends us back to the login page.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/konto/logga-in/"))


def test_wrong_password_shows_a_swedish_error_and_keeps_the_user_out(page):
    sign_in(page, INVESTIGATOR, "fel lösenord helt enkelt")

    error = page.get_by_role("alert")
    expect(error).to_be_visible()
    expect(error).to_contain_text("lösenord")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    expect(page.get_by_label("Användarnamn")).to_have_attribute("aria-invalid", "true")


def test_tab_from_the_top_reaches_the_skip_link_first_and_it_moves_focus_to_main(page):
    sign_in(page, INVESTIGATOR, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Översikt")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # visible once focused, for sighted keyboard users

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
