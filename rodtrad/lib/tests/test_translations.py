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
