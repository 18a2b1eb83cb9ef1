"""Security checks on the code base itself and on rendering (S25, S29, S30)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import time_machine
from django.conf import settings
from django.db import connection
from django.template import Context, Template
from django.utils import timezone

from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.journal.models import JournalEntry
from rodtrad.journal.services import record
from rodtrad.people.tests.factories import PersonFactory

ROOT = Path(settings.BASE_DIR)
SOURCE_DIRS = ("rodtrad", "config", "templates")
XSS_PAYLOADS = (
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{ 7*7 }}",
)


def _files(pattern: str) -> list[Path]:
    found: list[Path] = []
    for directory in SOURCE_DIRS:
        found += [
            p
            for p in (ROOT / directory).rglob(pattern)
            if "migrations" not in p.parts and "tests" not in p.parts
        ]
    return found


def test_s29_no_template_turns_off_escaping() -> None:
    offenders = []
    for path in _files("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "|safe" in line or "autoescape off" in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders, f"escaping turned off in templates: {offenders}"


def test_s29_mark_safe_only_on_reviewed_generated_markup() -> None:
    """mark_safe is allowed only on markup we generate ourselves, marked `S29-reviewed`."""
    offenders = []
    for path in _files("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "mark_safe(" in line and "S29-reviewed" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders, f"unreviewed mark_safe: {offenders}"


def test_s29_payloads_in_names_are_escaped_on_pages_and_in_the_api(
    signed_in, manager, own_district
) -> None:
    client = signed_in(manager)
    for payload in XSS_PAYLOADS:
        child = PersonFactory(district=own_district, given_name=payload, family_name=payload)
        case = CaseFactory(child=child)
        for url in (f"/arenden/{case.pk}/", "/arenden/", f"/personer/{child.pk}/"):
            body = client.get(url).content.decode()
            if "<" in payload or '"' in payload:
                assert payload not in body, (url, payload)
            assert f'href="{payload}' not in body, (url, payload)
        api = client.get(f"/api/v1/cases/{case.pk}")
        assert api.json()["child"]["given_name"] == payload  # JSON carries data, not markup
        assert api["Content-Type"].startswith("application/json")


RAW_SQL = re.compile(
    r"\.raw\(|\.extra\(|RawSQL\(|execute\(\s*f[\"']|execute\([^)]*%\s*\(|\.format\("
)
REQUEST_KWARGS = re.compile(r"filter\(\*\*request\.|order_by\(\s*request\.")


def test_s30_no_sql_built_from_strings_and_no_filters_from_request_data() -> None:
    offenders = []
    for path in _files("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            sql_line = "execute(" in line or ".raw(" in line or "RawSQL(" in line
            if (sql_line and RAW_SQL.search(line)) or REQUEST_KWARGS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, f"dynamic SQL or request-driven filters: {offenders}"


def test_s25_timestamps_are_stored_in_utc_and_shown_in_stockholm_time(db) -> None:
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "Europe/Stockholm"
    moment = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        entry = record("test.clock_checked", by=None)
    stored = JournalEntry.objects.get(pk=entry.pk).occurred_at
    assert stored.utcoffset() is not None
    assert stored == moment
    with connection.cursor() as cursor:
        cursor.execute("SELECT occurred_at FROM journal_journalentry WHERE id = %s", [entry.pk])
        raw = cursor.fetchone()[0]
    raw_text = raw.isoformat() if hasattr(raw, "isoformat") else str(raw)
    assert raw_text.startswith("2026-07-01") and "10:00" in raw_text  # UTC on disk
    shown = Template("{{ moment|date:'H:i' }}").render(Context({"moment": stored}))
    assert shown == "12:00"  # CEST for the reader
    assert timezone.localtime(stored).tzinfo is not None


EXTERNAL_RESOURCE = re.compile(r"""(?:src|href|action|url\()\s*=?\s*["']?(?:https?:)?//""")


def test_no_page_loads_or_posts_anything_to_other_hosts() -> None:
    """No CDN, font service or analytics: nothing leaves the municipality's network."""
    offenders = []
    for pattern in ("*.html", "*.css", "*.js"):
        for directory in ("templates", "static", "rodtrad"):
            for path in (ROOT / directory).rglob(pattern):
                text = path.read_text(encoding="utf-8", errors="replace")
                if "django_htmx" in str(path):
                    continue
                for number, line in enumerate(text.splitlines(), 1):
                    if EXTERNAL_RESOURCE.search(line):
                        offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders, f"references to other hosts: {offenders}"
    csp = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert csp["default-src"] == ["'self'"]
    sources = [str(s) for key, values in csp.items() if key != "report-uri" for s in values]
    assert all("http" not in source for source in sources)


# --- The repository explains itself ----------------------------------------------------------

# Notes that live outside the repository, which someone who clones the project cannot read.
OUTSIDE_NOTES = re.compile(
    r"\b(?:DOMAIN|ARCHITECTURE|STYLE|SECURITY)\.md\b|\bARCHITECTURE rule\b|/work/shared|/work/main"
)
DOCS_REFERENCE = re.compile(r"\bdocs/([\w./-]+\.md)\b")


def _tracked_text_files() -> list[Path]:
    import subprocess

    listed = subprocess.run(
        ["git", "ls-files", "*.py", "*.html", "*.md", "*.toml", "*.js", "*.css", "Makefile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def test_no_file_cites_notes_that_are_not_in_the_repository():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _tracked_text_files()
        if path != Path(__file__)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if OUTSIDE_NOTES.search(line)
    ]
    assert found == []


def test_every_docs_reference_names_a_file_that_exists():
    missing = {
        f"{path.relative_to(ROOT)}: docs/{name}"
        for path in _tracked_text_files()
        for name in DOCS_REFERENCE.findall(path.read_text(encoding="utf-8"))
        if not (ROOT / "docs" / name).is_file()
    }
    assert missing == set()
