"""Reading the import files: CSV, UTF-8, comma-separated, a header row (docs/import-format.md).

Pure: no database. `read_rows` checks the header and yields each data row as a dict with its
line number; the `parse_*` helpers turn one value into a Python value or raise `BadValue` with
the Swedish message the error list shows. The services (services.py) collect every error of
every row, line and column, before anything is written.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
INTEGER_PATTERN = re.compile(r"\d+")
WHOLE_ROW = "-"  # the column named by an error about the whole row or file


class BadValue(ValueError):
    """A value that cannot be imported; the message is the Swedish text of the error list."""


@dataclass(frozen=True, order=True)
class RowError:
    """One error: its line in the file (the header is line 1), its column and what is wrong."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        # One error is one line, whatever the file holds (red-team finding: a quoted value
        # with a newline or terminal escape codes forged error lines).
        return _("rad %(line)s, kolumn %(column)s: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": without_control_characters(self.message)[:MESSAGE_LIMIT],
        }


MESSAGE_LIMIT = 300
SHOWN_LIMIT = 40


def without_control_characters(text: str) -> str:
    """Control characters (newlines, escape codes) written out as \\xNN, so that a value from
    the file cannot change what the terminal shows."""
    return "".join(
        f"\\x{ord(char):02x}" if unicodedata.category(char) in ("Cc", "Cf") else char
        for char in text
    )


def shown(value: str) -> str:
    """A value of the file as an error message quotes it: one line, at most 40 characters."""
    clean = without_control_characters(value)
    return clean if len(clean) <= SHOWN_LIMIT else clean[: SHOWN_LIMIT - 1] + "…"


class ImportFailed(ValidationError):
    """The file has errors: nothing was saved. `errors` holds every one, in file order."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors)
        super().__init__([str(error) for error in self.errors])


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


def read_rows(data: bytes, columns: tuple[str, ...], errors: list[RowError]) -> list[Row]:
    """The data rows of the file (values stripped), or none when the file cannot be read.

    The header must name exactly `columns`, in any order. A row with another number of fields
    than the header is an error of the whole row; blank lines are skipped.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        errors.append(RowError(1, WHOLE_ROW, _("Filen är inte skriven i UTF-8.")))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        errors.append(RowError(1, WHOLE_ROW, _("Filen är tom: den ska börja med en rubrikrad.")))
        return []
    except csv.Error as exc:
        errors.append(RowError(1, WHOLE_ROW, csv_problem(exc)))
        return []
    missing = [name for name in columns if name not in header]
    unknown = [name for name in header if name not in columns]
    for name in missing:
        errors.append(RowError(1, name, _("Kolumnen saknas i rubrikraden.")))
    for name in unknown:
        errors.append(
            RowError(
                1,
                name or WHOLE_ROW,
                _("Okänd kolumn. Filen ska ha kolumnerna %s.") % ",".join(columns),
            )
        )
    if len(set(header)) != len(header):
        errors.append(RowError(1, WHOLE_ROW, _("Rubrikraden nämner en kolumn två gånger.")))
    if missing or unknown or len(set(header)) != len(header):
        return []
    rows: list[Row] = []
    for line, fields in _records(reader, errors):
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        if len(fields) != len(header):
            errors.append(
                RowError(
                    line,
                    WHOLE_ROW,
                    _("Raden har %(found)s fält men rubrikraden %(expected)s.")
                    % {"found": len(fields), "expected": len(header)},
                )
            )
            continue
        rows.append(
            Row(line, {name: value.strip() for name, value in zip(header, fields, strict=True)})
        )
    return rows


def csv_problem(exc: csv.Error) -> str:
    """What the csv module's (English) error means, in Swedish."""
    text = str(exc)
    if "field larger than field limit" in text:
        return _(
            "Ett fält är längre än %(limit)s tecken. Ofta saknas ett avslutande citattecken "
            '(") tidigare på raden.'
        ) % {"limit": f"{csv.field_size_limit():,}".replace(",", " ")}
    if "unexpected end of data" in text or "EOF" in text:
        return _(
            'Filen slutar inne i ett fält inom citattecken: ett citattecken (") avslutas inte.'
        )
    if "new-line character" in text:
        return _("En radbrytning står inne i ett fält utan citattecken.")
    return _("Raden går inte att läsa som CSV (kommaseparerade värden).")


def _records(reader: Any, errors: list[RowError]) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted field may span lines). A record that
    cannot be read is an error of its own, and reading goes on with the next line, so that
    every error in the file is listed."""
    line = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(RowError(line, WHOLE_ROW, csv_problem(exc)))
            if reader.line_num < line:  # nothing more was consumed: the end of the file
                return
            line = reader.line_num + 1
            continue
        yield line, fields
        line = reader.line_num + 1


def parse_date(value: str) -> date:
    if not DATE_PATTERN.fullmatch(value):
        raise BadValue(_("Datumet ska skrivas ÅÅÅÅ-MM-DD, till exempel 2024-03-01."))
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadValue(_("Datumet finns inte i kalendern.")) from exc


def parse_integer(value: str, *, low: int, high: int) -> int:
    if not INTEGER_PATTERN.fullmatch(value):
        raise BadValue(_("Ange ett heltal utan tecken eller mellanslag."))
    number = int(value)
    if not low <= number <= high:
        raise BadValue(
            _("Talet ska vara mellan %(low)s och %(high)s.") % {"low": low, "high": high}
        )
    return number


def required(value: str) -> str:
    if not value:
        raise BadValue(_("Värdet saknas."))
    return value
