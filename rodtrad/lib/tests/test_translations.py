"""English is the second language: the catalogue is complete and compiled."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "rodtrad" / "locale" / "en" / "LC_MESSAGES"
EMPTY_MSGSTR = re.compile(r'^msgstr(\[\d\])? ""\n(?!")', re.MULTILINE)


def test_every_swedish_text_has_an_english_translation() -> None:
    po = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]  # the first block is the header
    untranslated = [e for e in entries if EMPTY_MSGSTR.search(e + "\n")]
    assert not untranslated, untranslated[:5]
    assert "#, fuzzy" not in po


def test_the_compiled_catalogue_is_shipped_and_used() -> None:
    po, mo = CATALOGUE / "django.po", CATALOGUE / "django.mo"
    assert mo.exists()
    assert mo.stat().st_size > 10_000
    with translation.override("en"):
        assert translation.gettext("Logga in") == "Sign in"
        assert translation.gettext("Förhandsbedömning") == "Pre-assessment"
    assert po.read_text(encoding="utf-8").count("msgid") > 500


def test_the_login_page_speaks_english_when_english_is_chosen(db) -> None:
    client = Client()
    client.post("/language/", {"language": "en", "next": "/konto/logga-in/"})
    body = client.get("/konto/logga-in/").content.decode()
    assert '<html lang="en">' in body
    assert "Sign in" in body


def test_swedish_is_the_default_whatever_the_browser_asks_for(db) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    response = client.get("/konto/logga-in/")
    body = response.content.decode()
    assert '<html lang="sv">' in body
    assert "Logga in" in body
    assert response["Content-Language"] == "sv"


def test_english_comes_only_from_the_users_own_choice(db) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="sv")
    client.post("/language/", {"language": "en", "next": "/konto/logga-in/"})
    assert '<html lang="en">' in client.get("/konto/logga-in/").content.decode()
    # Choosing Swedish again wins over a browser that asks for English.
    english_browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    english_browser.post("/language/", {"language": "sv", "next": "/konto/logga-in/"})
    assert '<html lang="sv">' in english_browser.get("/konto/logga-in/").content.decode()


def test_an_unknown_language_cookie_falls_back_to_swedish(db) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert '<html lang="sv">' in client.get("/konto/logga-in/").content.decode()
