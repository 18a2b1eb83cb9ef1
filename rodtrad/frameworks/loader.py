"""Code list files: read and check the TOML files in `data/`, then apply them to the database.

This module imports no models. `apply_code_lists()` takes the model classes as arguments so that
data migration 0002 can run it with historical models (`apps.get_model`) and `services.py` with
the real ones; fields a historical model does not have yet are skipped.

File format (one list per file, named `<key>.toml`; see `data/README.md`)::

    [list]
    key = "report-channels"        # slug, the same as the file name
    name = "Kanaler för aktualisering"
    edition = "2026.1"             # the list's own version string
    source = "Where the list comes from"
    description = "..."            # optional
    is_editable_labels = true      # optional, default true
    valid_from = 2016-01-01        # optional TOML dates; valid_to is the first day not in use
    valid_to = 2026-01-01

    [[codes]]
    code = "telefon"               # required, unique in the list
    label_sv = "Telefon"           # required
    label_en = "Telephone"         # optional, and so is everything below
    description_sv = "..."
    group = "..."
    parent = "some-earlier-code"   # a code earlier in the same file
    sort_order = 10                # default: position in the file × 10
    valid_from = 2026-01-15
    valid_to = 2027-01-01
    is_uncertain = true
    uncertainty_note = "..."
    attributes = { violence = true }

Ownership, decided here: the file owns every field of a list and of its codes, *except* the
fields named in a code's `locally_edited_fields`. The administrator's services
(`update_code`, `add_code`, `retire_code`) add the fields they change to that list, and the
loader never overwrites them, however the file changes later. A code the file no longer
mentions is left alone (the administrator may retire it); nothing is ever deleted. A list or
code whose file values are unchanged is not written at all, so loading twice changes nothing.

A file that cannot be read or checked raises `CodeListFileError` naming the file and the key;
every file is checked before anything is written, and the caller runs the writes in one
transaction, so a bad file loads nothing.
"""

from __future__ import annotations

import datetime
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

DATA_DIR = Path(__file__).resolve().parent / "data"

KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$")

# field name -> (type, required, max length for text)
LIST_FIELDS: dict[str, tuple[type, bool, int | None]] = {
    "key": (str, True, 80),
    "name": (str, True, 200),
    "edition": (str, True, 40),
    "source": (str, True, None),
    "description": (str, False, None),
    "is_editable_labels": (bool, False, None),
    "valid_from": (datetime.date, False, None),
    "valid_to": (datetime.date, False, None),
}
CODE_FIELDS: dict[str, tuple[type, bool, int | None]] = {
    "code": (str, True, 60),
    "label_sv": (str, True, 200),
    "label_en": (str, False, 200),
    "description_sv": (str, False, None),
    "group": (str, False, 120),
    "parent": (str, False, 60),
    "sort_order": (int, False, None),
    "valid_from": (datetime.date, False, None),
    "valid_to": (datetime.date, False, None),
    "is_uncertain": (bool, False, None),
    "uncertainty_note": (str, False, None),
    "attributes": (dict, False, None),
}
TYPE_NAMES = {
    str: "text",
    bool: "true eller false",
    int: "ett heltal",
    datetime.date: "ett datum (ÅÅÅÅ-MM-DD)",
    dict: "en tabell",
}


class CodeListFileError(ValueError):
    """A code list file that cannot be read or does not follow the format."""

    def __init__(self, filename: str, where: str, message: str) -> None:
        self.filename = filename
        self.where = where
        self.message = message
        super().__init__(f"{filename}: {where}: {message}" if where else f"{filename}: {message}")


@dataclass(frozen=True)
class CodeSpec:
    """One code as the file describes it."""

    code: str
    label_sv: str
    label_en: str = ""
    description_sv: str = ""
    group: str = ""
    parent: str | None = None
    sort_order: int = 0
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    is_uncertain: bool = False
    uncertainty_note: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """Model field values owned by the file (without `code` and `parent`)."""
        values = asdict(self)
        values.pop("code")
        values.pop("parent")
        return values


@dataclass(frozen=True)
class CodeListSpec:
    """One list file, checked."""

    filename: str
    key: str
    name: str
    edition: str
    source: str
    description: str = ""
    is_editable_labels: bool = True
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    codes: tuple[CodeSpec, ...] = ()

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "edition": self.edition,
            "source": self.source,
            "description": self.description,
            "is_editable_labels": self.is_editable_labels,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
        }


@dataclass
class LoadResult:
    """What one load did; the counts go into the journal entry."""

    lists_created: int = 0
    lists_updated: int = 0
    lists_unchanged: int = 0
    codes_created: int = 0
    codes_updated: int = 0
    codes_unchanged: int = 0
    # Codes where the file differs from a field the administrator has edited (kept as edited).
    codes_kept_local: int = 0
    # Codes in the database that the file does not mention (left alone).
    codes_not_in_file: int = 0
    list_keys: list[str] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        return asdict(self)


# --- Reading and checking -------------------------------------------------------------------


def _is_json_value(value: Any) -> bool:
    if value is None or isinstance(value, str | bool | int | float):
        return True
    if isinstance(value, list):
        return all(_is_json_value(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json_value(v) for k, v in value.items())
    return False


def _check_table(
    filename: str,
    where: str,
    table: Any,
    fields: dict[str, tuple[type, bool, int | None]],
) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise CodeListFileError(filename, where, _("ska vara en tabell"))
    for name in table:
        if name not in fields:
            raise CodeListFileError(filename, f"{where}.{name}", _("okänt fält"))
    checked: dict[str, Any] = {}
    for name, (kind, required, max_length) in fields.items():
        place = f"{where}.{name}"
        if name not in table:
            if required:
                raise CodeListFileError(filename, place, _("fältet saknas"))
            continue
        value = table[name]
        wrong_type = not isinstance(value, kind)
        if kind is int and isinstance(value, bool):
            wrong_type = True
        if kind is datetime.date and isinstance(value, datetime.datetime):
            wrong_type = True
        if wrong_type:
            raise CodeListFileError(
                filename, place, _("ska vara %(kind)s") % {"kind": TYPE_NAMES[kind]}
            )
        if kind is str:
            value = value.strip()
            if required and not value:
                raise CodeListFileError(filename, place, _("får inte vara tomt"))
            if max_length is not None and len(value) > max_length:
                raise CodeListFileError(
                    filename,
                    place,
                    _("får vara högst %(count)d tecken") % {"count": max_length},
                )
        if kind is dict and not _is_json_value(value):
            raise CodeListFileError(
                filename, place, _("får bara innehålla text, tal, sant/falskt, listor och tabeller")
            )
        checked[name] = value
    start, end = checked.get("valid_from"), checked.get("valid_to")
    if start is not None and end is not None and end < start:
        raise CodeListFileError(filename, f"{where}.valid_to", _("ligger före valid_from"))
    return checked


def parse_code_list_file(path: Path) -> CodeListSpec:
    """Read and check one file; raise CodeListFileError naming the file and the key."""
    filename = path.name
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise CodeListFileError(
            filename, "", _("ogiltig TOML: %(error)s") % {"error": exc}
        ) from exc
    except OSError as exc:
        raise CodeListFileError(
            filename, "", _("filen kan inte läsas: %(error)s") % {"error": exc.strerror}
        ) from exc
    for name in data:
        if name not in {"list", "codes"}:
            raise CodeListFileError(filename, name, _("okänt fält; bara [list] och [[codes]]"))
    if "list" not in data:
        raise CodeListFileError(filename, "list", _("tabellen [list] saknas"))
    meta = _check_table(filename, "list", data["list"], LIST_FIELDS)
    if not KEY_PATTERN.match(meta["key"]):
        raise CodeListFileError(
            filename, "list.key", _("ska bestå av små bokstäver a–z, siffror och bindestreck")
        )
    if meta["key"] != path.stem:
        raise CodeListFileError(
            filename, "list.key", _("ska vara samma som filnamnet (%(stem)s)") % {"stem": path.stem}
        )
    raw_codes = data.get("codes", [])
    if not isinstance(raw_codes, list):
        raise CodeListFileError(filename, "codes", _("ska vara en lista av [[codes]]"))
    codes: list[CodeSpec] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_codes):
        label = raw.get("code") if isinstance(raw, dict) else None
        where = f'codes[{index}] ("{label}")' if isinstance(label, str) else f"codes[{index}]"
        checked = _check_table(filename, where, raw, CODE_FIELDS)
        code = checked["code"]
        if not CODE_PATTERN.match(code):
            raise CodeListFileError(
                filename,
                f"{where}.code",
                _("får bara innehålla bokstäver a–z, siffror, punkt, understreck och bindestreck"),
            )
        if code in seen:
            raise CodeListFileError(filename, f"{where}.code", _("koden finns redan i filen"))
        parent = checked.get("parent")
        if parent is not None and parent not in seen:
            raise CodeListFileError(
                filename,
                f"{where}.parent",
                _("okänd överordnad kod %(parent)s; den måste stå tidigare i filen")
                % {"parent": parent},
            )
        seen.add(code)
        checked.setdefault("sort_order", (index + 1) * 10)
        codes.append(CodeSpec(**checked))
    return CodeListSpec(filename=filename, codes=tuple(codes), **meta)


def read_code_list_files(directory: Path | str | None = None) -> list[CodeListSpec]:
    """Every `*.toml` file in the directory, checked, in file-name order."""
    folder = Path(directory) if directory is not None else DATA_DIR
    if not folder.is_dir():
        raise CodeListFileError(str(folder), "", _("mappen finns inte"))
    # Keys are unique because each must equal its file name (parse_code_list_file).
    return [parse_code_list_file(path) for path in sorted(folder.glob("*.toml"))]


# --- Applying -------------------------------------------------------------------------------


def _field_names(model: Any) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def apply_code_lists(
    specs: list[CodeListSpec], *, code_list_model: Any, code_model: Any
) -> LoadResult:
    """Create missing lists and codes, update file-owned fields; call inside a transaction."""
    result = LoadResult()
    list_fields = _field_names(code_list_model)
    code_fields = _field_names(code_model)
    for spec in specs:
        result.list_keys.append(spec.key)
        values = {k: v for k, v in spec.values().items() if k in list_fields}
        code_list = code_list_model.objects.filter(key=spec.key).first()
        if code_list is None:
            code_list = code_list_model.objects.create(key=spec.key, **values)
            result.lists_created += 1
        else:
            changed = [k for k, v in values.items() if getattr(code_list, k) != v]
            if changed:
                for name in changed:
                    setattr(code_list, name, values[name])
                code_list.version += 1
                code_list.save()
                result.lists_updated += 1
            else:
                result.lists_unchanged += 1
        _apply_codes(spec, code_list, code_model, code_fields, result)
    return result


def _apply_codes(
    spec: CodeListSpec, code_list: Any, code_model: Any, code_fields: set[str], result: LoadResult
) -> None:
    by_code = {c.code: c for c in code_model.objects.filter(code_list=code_list)}
    in_file = set()
    for code_spec in spec.codes:
        in_file.add(code_spec.code)
        values = {k: v for k, v in code_spec.values().items() if k in code_fields}
        values["parent"] = by_code[code_spec.parent] if code_spec.parent else None
        existing = by_code.get(code_spec.code)
        if existing is None:
            by_code[code_spec.code] = code_model.objects.create(
                code_list=code_list, code=code_spec.code, **values
            )
            result.codes_created += 1
            continue
        edited = set(getattr(existing, "locally_edited_fields", None) or [])
        changed, kept = [], False
        for name, value in values.items():
            current = existing.parent_id if name == "parent" else getattr(existing, name)
            wanted = value.pk if name == "parent" and value is not None else value
            if current == wanted:
                continue
            if name in edited:
                kept = True
                continue
            setattr(existing, name, value)
            changed.append(name)
        if changed:
            existing.version += 1
            existing.save()
            result.codes_updated += 1
        else:
            result.codes_unchanged += 1
        if kept:
            result.codes_kept_local += 1
    result.codes_not_in_file += len(set(by_code) - in_file)
