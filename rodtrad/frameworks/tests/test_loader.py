"""The file format: reading, checking and applying code list files."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from rodtrad.frameworks.loader import (
    DATA_DIR,
    CodeListFileError,
    apply_code_lists,
    parse_code_list_file,
    read_code_list_files,
)
from rodtrad.frameworks.models import Code, CodeList

GOOD = """
[list]
key = "{key}"
name = "Testlista"
edition = "1"
source = "Testdata"

[[codes]]
code = "sida"
label_sv = "Sida"

[[codes]]
code = "omrade"
label_sv = "Område"
parent = "sida"
valid_from = 2026-01-15
attributes = {{ violence = true }}
"""


def write(folder: Path, key: str, text: str | None = None) -> Path:
    path = folder / f"{key}.toml"
    path.write_text(text if text is not None else GOOD.format(key=key), encoding="utf-8")
    return path


def test_a_good_file_is_read_with_defaults_for_what_it_leaves_out(tmp_path):
    spec = parse_code_list_file(write(tmp_path, "test-list"))
    assert spec.key == "test-list"
    assert spec.is_editable_labels is True
    assert [c.code for c in spec.codes] == ["sida", "omrade"]
    assert [c.sort_order for c in spec.codes] == [10, 20]
    assert spec.codes[1].parent == "sida"
    assert spec.codes[1].valid_from == datetime.date(2026, 1, 15)
    assert spec.codes[1].attributes == {"violence": True}


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ('[list]\nkey = "bad"\nname = "x"\nedition = "1"\n', "list.source", "saknas"),
        (
            '[list]\nkey = "bad"\nname = "x"\nedition = "1"\nsource = "s"\n[[codes]]\ncode = "A"\n',
            'codes[0] ("A").label_sv',
            "saknas",
        ),
        (
            '[list]\nkey = "bad"\nname = "x"\nedition = "1"\nsource = "s"\n'
            '[[codes]]\ncode = "A"\nlabel_sv = "a"\nlable_en = "typo"\n',
            'codes[0] ("A").lable_en',
            "okänt fält",
        ),
        (
            '[list]\nkey = "bad"\nname = "x"\nedition = "1"\nsource = "s"\n'
            '[[codes]]\ncode = "A"\nlabel_sv = "a"\n[[codes]]\ncode = "A"\nlabel_sv = "b"\n',
            'codes[1] ("A").code',
            "finns redan",
        ),
        (
            '[list]\nkey = "bad"\nname = "x"\nedition = "1"\nsource = "s"\n'
            '[[codes]]\ncode = "A"\nlabel_sv = "a"\nparent = "B"\n',
            'codes[0] ("A").parent',
            "tidigare i filen",
        ),
        (
            '[list]\nkey = "bad"\nname = "x"\nedition = "1"\nsource = "s"\n'
            '[[codes]]\ncode = "A"\nlabel_sv = "a"\nsort_order = "1"\n',
            'codes[0] ("A").sort_order',
            "heltal",
        ),
        (
            '[list]\nkey = "bad"\nname = "x"\nedition = "1"\nsource = "s"\n'
            '[[codes]]\ncode = "A"\nlabel_sv = "a"\nvalid_from = 2026-02-01\n'
            "valid_to = 2026-01-01\n",
            'codes[0] ("A").valid_to',
            "före valid_from",
        ),
        (
            '[list]\nkey = "bad"\nname = "x"\nedition = "1"\nsource = "s"\n'
            '[[codes]]\ncode = "A"\nlabel_sv = "a"\nattributes = { since = 2026-01-01 }\n',
            'codes[0] ("A").attributes',
            "får bara innehålla",
        ),
        (
            '[list]\nkey = "other-name"\nname = "x"\nedition = "1"\nsource = "s"\n',
            "list.key",
            "filnamnet",
        ),
    ],
)
def test_a_malformed_file_names_the_file_and_the_key(tmp_path, text, where, message):
    with pytest.raises(CodeListFileError) as caught:
        parse_code_list_file(write(tmp_path, "bad", text))
    assert caught.value.filename == "bad.toml"
    assert caught.value.where == where
    assert message in caught.value.message
    assert str(caught.value).startswith(f"bad.toml: {where}: ")


def test_a_file_that_is_not_toml_names_the_file_and_the_line(tmp_path):
    with pytest.raises(CodeListFileError) as caught:
        parse_code_list_file(write(tmp_path, "bad", "[list\nkey = 1\n"))
    assert caught.value.filename == "bad.toml"
    assert "ogiltig TOML" in str(caught.value)
    assert "line 1" in str(caught.value)


def test_every_toml_file_in_the_directory_is_read_in_file_name_order(tmp_path):
    write(tmp_path, "zz-last")
    write(tmp_path, "aa-first")
    (tmp_path / "README.md").write_text("not a list", encoding="utf-8")
    assert [s.key for s in read_code_list_files(tmp_path)] == ["aa-first", "zz-last"]


def test_a_missing_directory_is_an_error_not_an_empty_load(tmp_path):
    with pytest.raises(CodeListFileError, match="mappen finns inte"):
        read_code_list_files(tmp_path / "nowhere")


def test_the_shipped_files_are_all_valid():
    specs = read_code_list_files(DATA_DIR)
    assert {s.key for s in specs} == {
        "bbic-2006-areas",
        "bbic-2018-areas",
        "report-reasons",
        "reporter-categories",
        "report-channels",
        "report-kinds",
        "risk-instruments",
        "legal-grounds",
        "intervention-catalogue",
        "open-care-problems",
    }


def test_no_image_or_other_licensed_asset_is_shipped_with_the_lists():
    suffixes = {p.suffix for p in DATA_DIR.iterdir()}
    assert suffixes <= {".toml", ".md"}


def test_applying_creates_lists_codes_and_parents_and_a_second_apply_changes_nothing(db, tmp_path):
    write(tmp_path, "test-list")
    specs = read_code_list_files(tmp_path)
    first = apply_code_lists(specs, code_list_model=CodeList, code_model=Code)
    assert (first.lists_created, first.codes_created) == (1, 2)
    area = Code.objects.get(code_list__key="test-list", code="omrade")
    assert area.parent.code == "sida"
    assert area.version == 1
    second = apply_code_lists(specs, code_list_model=CodeList, code_model=Code)
    assert (second.lists_created, second.lists_updated, second.lists_unchanged) == (0, 0, 1)
    assert (second.codes_created, second.codes_updated, second.codes_unchanged) == (0, 0, 2)
    area.refresh_from_db()
    assert area.version == 1


def test_applying_a_changed_file_updates_fields_nobody_edited_and_bumps_the_version(db, tmp_path):
    path = write(tmp_path, "test-list")
    apply_code_lists(read_code_list_files(tmp_path), code_list_model=CodeList, code_model=Code)
    path.write_text(
        GOOD.format(key="test-list").replace('label_sv = "Sida"', 'label_sv = "Ny sida"'),
        encoding="utf-8",
    )
    result = apply_code_lists(
        read_code_list_files(tmp_path), code_list_model=CodeList, code_model=Code
    )
    assert result.codes_updated == 1
    side = Code.objects.get(code_list__key="test-list", code="sida")
    assert (side.label_sv, side.version) == ("Ny sida", 2)


def test_a_code_missing_from_the_file_is_left_alone(db, tmp_path):
    path = write(tmp_path, "test-list")
    apply_code_lists(read_code_list_files(tmp_path), code_list_model=CodeList, code_model=Code)
    path.write_text(GOOD.format(key="test-list").split("[[codes]]")[0], encoding="utf-8")
    result = apply_code_lists(
        read_code_list_files(tmp_path), code_list_model=CodeList, code_model=Code
    )
    assert result.codes_not_in_file == 2
    assert Code.objects.filter(code_list__key="test-list").count() == 2
