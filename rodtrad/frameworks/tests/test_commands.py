"""`manage.py load_code_lists`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rodtrad.frameworks.models import CodeList
from rodtrad.journal.models import JournalEntry


def test_the_command_loads_the_files_and_reports_the_counts(db):
    out = StringIO()
    call_command("load_code_lists", stdout=out)
    assert "10 listor: 0 nya" in out.getvalue()
    entry = JournalEntry.objects.filter(action="frameworks.code_lists_loaded").latest("seq")
    assert entry.actor is None


def test_the_command_stops_on_a_broken_file_and_loads_nothing(db, tmp_path):
    (tmp_path / "broken.toml").write_text('[list]\nkey = "broken"\n', encoding="utf-8")
    with pytest.raises(CommandError, match=r"Inget lästes in\. broken\.toml: list\.name"):
        call_command("load_code_lists", directory=str(tmp_path))
    assert not CodeList.objects.filter(key="broken").exists()
    assert not JournalEntry.objects.filter(action="frameworks.code_lists_loaded").exists()
