"""Writes: loading the files, and the administrator's edits, each journaled."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rodtrad.frameworks.loader import CodeListFileError
from rodtrad.frameworks.models import Code, CodeList
from rodtrad.frameworks.queries import code_label, current_codes
from rodtrad.frameworks.services import (
    StaleVersion,
    add_code,
    load_code_lists,
    retire_code,
    update_code,
)
from rodtrad.frameworks.tests.factories import CodeFactory, CodeListFactory
from rodtrad.journal.models import JournalEntry

LIST = """
[list]
key = "test-list"
name = "Testlista"
edition = "1"
source = "Testdata"

[[codes]]
code = "A"
label_sv = "Alfa"
group = "Första gruppen"

[[codes]]
code = "B"
label_sv = "Beta"
"""


def error_fields(error: ValidationError) -> set[str | None]:
    return {item.code for item in error.error_list}


def last_entry(action: str) -> JournalEntry:
    return JournalEntry.objects.filter(action=action).latest("seq")


def write_list(folder: Path, text: str = LIST) -> Path:
    path = folder / "test-list.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- load_code_lists ------------------------------------------------------------------------


def test_loading_the_shipped_files_twice_keeps_the_same_counts_and_journals_each_load(db):
    load_code_lists()
    counts = (CodeList.objects.count(), Code.objects.count())
    second = load_code_lists()
    assert (CodeList.objects.count(), Code.objects.count()) == counts
    assert counts[0] == 10
    assert (second.lists_created, second.lists_updated) == (0, 0)
    assert (second.codes_created, second.codes_updated) == (0, 0)
    assert second.codes_unchanged == counts[1]
    entries = JournalEntry.objects.filter(action="frameworks.code_lists_loaded")
    assert entries.count() == 2
    entry = entries.latest("seq")
    assert entry.actor is None
    assert entry.data["codes_unchanged"] == counts[1]
    assert entry.data["codes_created"] == 0
    assert "report-reasons" in entry.data["list_keys"]


def test_loading_a_new_list_creates_it_and_journals_the_counts(db, tmp_path):
    write_list(tmp_path)
    result = load_code_lists(directory=tmp_path)
    assert (result.lists_created, result.codes_created) == (1, 2)
    again = load_code_lists(directory=tmp_path)
    assert (again.codes_created, again.codes_unchanged) == (0, 2)
    assert Code.objects.filter(code_list__key="test-list").count() == 2
    entry = last_entry("frameworks.code_lists_loaded")
    assert entry.data["codes_unchanged"] == 2
    assert entry.data["list_keys"] == ["test-list"]


def test_a_malformed_file_raises_a_clear_error_and_nothing_is_loaded(db, tmp_path):
    write_list(tmp_path)
    (tmp_path / "z-broken.toml").write_text(
        '[list]\nkey = "z-broken"\nname = "x"\nedition = "1"\nsource = "s"\n'
        '[[codes]]\ncode = "A"\n',
        encoding="utf-8",
    )
    journal_before = JournalEntry.objects.count()
    with pytest.raises(CodeListFileError) as caught:
        load_code_lists(directory=tmp_path)
    assert str(caught.value) == 'z-broken.toml: codes[0] ("A").label_sv: fältet saknas'
    assert not CodeList.objects.filter(key__in=["test-list", "z-broken"]).exists()
    assert JournalEntry.objects.count() == journal_before


def test_an_administrator_may_load_but_another_role_may_not(db, tmp_path, admin, investigator):
    write_list(tmp_path)
    with pytest.raises(PermissionDenied):
        load_code_lists(by=investigator, directory=tmp_path)
    load_code_lists(by=admin, directory=tmp_path)
    assert last_entry("frameworks.code_lists_loaded").actor == admin


def test_an_administrators_edits_survive_a_reload_while_the_file_keeps_the_other_fields(
    db, tmp_path, admin
):
    path = write_list(tmp_path)
    load_code_lists(directory=tmp_path)
    code = Code.objects.get(code_list__key="test-list", code="A")
    update_code(code=code, by=admin, version=code.version, label_sv="Alfa (lokal)")
    path.write_text(
        LIST.replace('label_sv = "Alfa"', 'label_sv = "Alfa från filen"').replace(
            "Första gruppen", "Ny grupp"
        ),
        encoding="utf-8",
    )
    result = load_code_lists(directory=tmp_path)
    code.refresh_from_db()
    assert code.label_sv == "Alfa (lokal)"
    assert code.group == "Ny grupp"
    assert result.codes_kept_local == 1
    assert result.codes_updated == 1
    assert last_entry("frameworks.code_lists_loaded").data["codes_kept_local"] == 1


def test_a_code_the_administrator_retired_stays_retired_after_a_reload(db, tmp_path, admin):
    write_list(tmp_path)
    load_code_lists(directory=tmp_path)
    code = Code.objects.get(code_list__key="test-list", code="B")
    retire_code(code=code, by=admin, version=code.version)
    load_code_lists(directory=tmp_path)
    code.refresh_from_db()
    assert code.valid_to is not None
    assert "B" not in {c.code for c in current_codes("test-list")}


def test_a_code_added_by_the_administrator_is_left_alone_by_a_reload(db, tmp_path, admin):
    write_list(tmp_path)
    load_code_lists(directory=tmp_path)
    code_list = CodeList.objects.get(key="test-list")
    add_code(code_list=code_list, by=admin, code="Z", label_sv="Lokal kod")
    result = load_code_lists(directory=tmp_path)
    assert result.codes_not_in_file == 1
    assert code_label("test-list", "Z") == "Lokal kod"


# --- update_code ----------------------------------------------------------------------------


def test_updating_a_code_saves_bumps_the_version_marks_the_fields_and_journals(db, admin):
    code = CodeFactory(label_sv="Gammal")
    updated = update_code(
        code=code,
        by=admin,
        version=1,
        label_sv="Ny",
        label_en=code.label_en,
        description_sv="Förklaring",
    )
    assert (updated.label_sv, updated.description_sv, updated.version) == ("Ny", "Förklaring", 2)
    assert updated.locally_edited_fields == ["description_sv", "label_sv"]
    entry = last_entry("frameworks.code_updated")
    assert entry.actor == admin
    assert entry.object_id == str(code.pk)
    assert entry.data == {
        "code_list": code.code_list.key,
        "code": code.code,
        "fields": ["description_sv", "label_sv"],
        "version": 2,
    }


def test_updating_with_a_stale_version_is_a_conflict_and_changes_nothing(db, admin):
    code = CodeFactory(label_sv="Först")
    update_code(code=code, by=admin, version=1, label_sv="Andra", label_en=code.label_en)
    with pytest.raises(StaleVersion) as caught:
        update_code(code=code, by=admin, version=1, label_sv="Tredje", label_en=code.label_en)
    assert caught.value.current.label_sv == "Andra"
    code.refresh_from_db()
    assert (code.label_sv, code.version) == ("Andra", 2)
    assert JournalEntry.objects.filter(action="frameworks.code_updated").count() == 1


def test_labels_of_a_locked_list_cannot_be_changed_but_the_explanation_can(db, admin):
    code = CodeFactory(code_list=CodeListFactory(is_editable_labels=False), label_sv="Källa")
    with pytest.raises(ValidationError) as caught:
        update_code(code=code, by=admin, version=1, label_sv="Annat", label_en=code.label_en)
    assert error_fields(caught.value) == {"label_sv"}
    update_code(
        code=code,
        by=admin,
        version=1,
        label_sv="Källa",
        label_en=code.label_en,
        description_sv="Lokal förklaring",
    )
    code.refresh_from_db()
    assert (code.label_sv, code.description_sv) == ("Källa", "Lokal förklaring")
    assert last_entry("frameworks.code_updated").data["fields"] == ["description_sv"]


def test_an_empty_swedish_label_is_refused(db, admin):
    code = CodeFactory()
    with pytest.raises(ValidationError) as caught:
        update_code(code=code, by=admin, version=1, label_sv="  ", label_en=code.label_en)
    assert error_fields(caught.value) == {"label_sv"}
    assert not JournalEntry.objects.filter(action="frameworks.code_updated").exists()


def test_only_the_administrator_may_update_a_code(db, manager):
    code = CodeFactory()
    with pytest.raises(PermissionDenied):
        update_code(code=code, by=manager, version=1, label_sv="Nej")
    assert not JournalEntry.objects.filter(action="frameworks.code_updated").exists()


# --- add_code -------------------------------------------------------------------------------


def test_adding_a_code_makes_it_current_from_today_and_journals(db, admin):
    code_list = CodeListFactory()
    CodeFactory(code_list=code_list, sort_order=40)
    code = add_code(code_list=code_list, by=admin, code="Z", label_sv="Ny kod", group="Övrigt")
    assert code.valid_from == timezone.localdate()
    assert code.is_local
    assert code.sort_order == 50
    assert "label_sv" in code.locally_edited_fields
    assert code in current_codes(code_list.key)
    entry = last_entry("frameworks.code_added")
    assert entry.actor == admin
    assert entry.data == {"code_list": code_list.key, "code": "Z", "version": 1}


def test_a_code_that_already_exists_even_retired_cannot_be_added_again(db, admin):
    existing = CodeFactory(code="Q", valid_to=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError) as caught:
        add_code(code_list=existing.code_list, by=admin, code="Q", label_sv="Igen")
    assert error_fields(caught.value) == {"code"}
    assert not JournalEntry.objects.filter(action="frameworks.code_added").exists()


def test_a_code_with_spaces_is_refused(db, admin):
    with pytest.raises(ValidationError) as caught:
        add_code(code_list=CodeListFactory(), by=admin, code="två ord", label_sv="X")
    assert error_fields(caught.value) == {"code"}


def test_only_the_administrator_may_add_a_code(db, intake_worker):
    with pytest.raises(PermissionDenied):
        add_code(code_list=CodeListFactory(), by=intake_worker, code="Z", label_sv="X")
    assert not Code.objects.filter(code="Z").exists()


# --- retire_code ----------------------------------------------------------------------------


def test_retiring_a_code_ends_it_today_keeps_its_label_and_journals(db, admin):
    code = CodeFactory(label_sv="Gammal kod")
    retired = retire_code(code=code, by=admin, version=1)
    assert retired.valid_to == timezone.localdate()
    assert retired.version == 2
    assert "valid_to" in retired.locally_edited_fields
    assert Code.objects.filter(pk=code.pk).exists()
    assert code not in current_codes(code.code_list.key)
    assert code_label(code.code_list.key, code.code) == "Gammal kod"
    entry = last_entry("frameworks.code_retired")
    assert entry.actor == admin
    assert entry.data == {
        "code_list": code.code_list.key,
        "code": code.code,
        "valid_to": timezone.localdate().isoformat(),
        "version": 2,
    }


def test_retiring_an_already_retired_code_is_refused(db, admin):
    code = CodeFactory(valid_to=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        retire_code(code=code, by=admin, version=1)
    assert not JournalEntry.objects.filter(action="frameworks.code_retired").exists()


def test_retiring_with_a_stale_version_is_a_conflict(db, admin):
    code = CodeFactory()
    update_code(code=code, by=admin, version=1, label_sv="Ändrad", label_en=code.label_en)
    with pytest.raises(StaleVersion):
        retire_code(code=code, by=admin, version=1)
    code.refresh_from_db()
    assert code.valid_to is None


def test_only_the_administrator_may_retire_a_code(db, analyst):
    code = CodeFactory()
    with pytest.raises(PermissionDenied):
        retire_code(code=code, by=analyst, version=1)
    code.refresh_from_db()
    assert code.valid_to is None


def test_fields_left_out_of_an_update_keep_their_saved_value(db, admin):
    code = CodeFactory(label_sv="Svenska", label_en="English", description_sv="Förklaring")
    update_code(code=code, by=admin, version=1, description_sv="Ny förklaring")
    code.refresh_from_db()
    assert (code.label_sv, code.label_en, code.description_sv) == (
        "Svenska",
        "English",
        "Ny förklaring",
    )
    assert last_entry("frameworks.code_updated").data["fields"] == ["description_sv"]


def test_clearing_the_end_date_makes_a_retired_code_current_again(db, admin):
    code = CodeFactory(valid_to=datetime.date(2020, 1, 1))
    update_code(code=code, by=admin, version=1, valid_to=None)
    assert code in current_codes(code.code_list.key)
    assert last_entry("frameworks.code_updated").data["fields"] == ["valid_to"]
