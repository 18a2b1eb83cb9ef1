"""A published dashboard table as a file: CSV, XLSX or PDF (docs/statistics.md, "Export").

What is exported is the table that the page shows under its chart (the chart's data table),
already suppressed in the query layer (`indicators.PublishedTable`): every format writes a
suppressed number as `..` (SCB's sign for a number that is not published) and nothing where
there is nothing to compute. The same functions turn a table into the JSON a snapshot keeps
and back, so that a snapshot is shown and exported from its frozen numbers, never recomputed.

PDF: an aggregate table holds no personal data, so the PDF carries no secrecy header (unlike
a letter, docs/letters.md); it names the municipality, the table, the year, the districts,
the indicator's version, the data timestamp and the suppression threshold. It is rendered with
the letters' WeasyPrint setup (`letters.rendering.render_pdf`: tagged, fonts embedded, no
network), which also makes it PDF/A-2b although that is not required here.
"""

from __future__ import annotations

import csv
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from io import BytesIO, StringIO
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rodtrad.stats.indicators import (
    SUPPRESSED_CSV,
    Bar,
    Cell,
    Column,
    PublishedTable,
    StrOrPromise,
)

SUPPRESSED = SUPPRESSED_CSV  # ".." in every format


class FileFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


FORMAT_LABELS: dict[FileFormat, StrOrPromise] = {
    FileFormat.CSV: gettext_lazy("CSV (kalkylprogram, statistikprogram)"),
    FileFormat.XLSX: gettext_lazy("Excel (XLSX)"),
    FileFormat.PDF: gettext_lazy("PDF (för utskrift och nämnden)"),
}

CONTENT_TYPES: dict[FileFormat, str] = {
    FileFormat.CSV: "text/csv; charset=utf-8",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.PDF: "application/pdf",
}


@dataclass(frozen=True)
class ExportFile:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Provenance:
    """What the file says about where its numbers come from."""

    districts: Sequence[str]  # district names
    data_at: datetime  # when the numbers were computed (a snapshot's frozen time)
    snapshot: int | None = None


def cell_text(cell: Cell) -> str:
    if cell.suppressed:
        return SUPPRESSED
    return "" if cell.value is None else str(cell.value)


def _xlsx_value(cell: Cell) -> int | Decimal | str | None:
    if cell.suppressed:
        return SUPPRESSED
    return cell.value


def render(table: PublishedTable, file_format: FileFormat, provenance: Provenance) -> ExportFile:
    """The table as a file in `file_format`."""
    stem = f"statistik-{table.indicator}-{table.year}"
    if provenance.snapshot is not None:
        stem += f"-ogonblicksbild-{provenance.snapshot}"
    name = f"{stem}.{file_format.value}"
    if file_format is FileFormat.CSV:
        content = _csv(table)
    elif file_format is FileFormat.XLSX:
        content = _xlsx(table, provenance)
    else:
        content = _pdf(table, provenance)
    return ExportFile(name=name, content_type=CONTENT_TYPES[file_format], content=content)


def _csv(table: PublishedTable) -> bytes:
    """UTF-8, comma, header of column keys, decimal point (docs/statistics.md, "Export")."""
    return csv_bytes(table.csv_lines())


def _xlsx(table: PublishedTable, provenance: Provenance) -> bytes:
    """One sheet: a title line, the Swedish headings, the rows (numbers as numbers, `..` as
    text), then the footnote and the provenance."""
    with translation.override("sv"):
        return xlsx_bytes(
            sheet_title=str(table.indicator),
            title=f"{table.title} {table.year}",
            headings=[str(table.row_heading), *(str(column.label) for column in table.columns)],
            rows=[[label, *(_xlsx_value(cell) for cell in cells)] for label, cells in table.rows],
            notes=_notes(table, provenance),
        )


# --- The file formats, for any aggregate table (the internal control's exports use them too) ---

XlsxValue = int | float | Decimal | str | None


def csv_bytes(lines: Iterable[Sequence[object]]) -> bytes:
    """UTF-8, comma-separated, one line per row, a newline (LF) after each."""
    buffer = StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    return buffer.getvalue().encode()


def xlsx_bytes(
    *,
    sheet_title: str,
    title: str,
    headings: Sequence[str],
    rows: Iterable[Sequence[XlsxValue]],
    notes: Sequence[str],
    label_columns: int = 1,
) -> bytes:
    """One sheet: the title line (bold), the headings (bold), the rows as given (numbers as
    numbers, `..` as text), an empty line and the notes. The first `label_columns` columns
    and the two top lines stay in view when scrolling."""
    from openpyxl import Workbook  # loaded when a workbook is made
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(headings))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    sheet.append([])
    for line in notes:
        sheet.append([line])
    sheet.freeze_panes = f"{get_column_letter(label_columns + 1)}3"
    sheet.column_dimensions["A"].width = 28
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def pdf_bytes(template: str, context: dict[str, Any]) -> bytes:
    """`template` rendered in Swedish with the letters' fonts and the municipality's name, as
    a PDF (letters.rendering.render_pdf: tagged, fonts embedded, no network)."""
    from rodtrad.letters.rendering import font_face, render_pdf

    with translation.override("sv"):
        html = render_to_string(
            template,
            {
                **context,
                "font": font_face(),
                "municipality": settings.RODTRAD_MUNICIPALITY_NAME,
            },
        )
    return render_pdf(html)


def _notes(table: PublishedTable, provenance: Provenance) -> list[str]:
    local = timezone.localtime(provenance.data_at)
    notes = [
        _("..: färre än %(n)s, eller dolt så att ett sådant tal inte kan räknas fram ur de andra.")
        % {"n": table.threshold},
        _("Indikator %(code)s, version %(version)s.")
        % {"code": table.indicator, "version": table.version},
        _("Stadsdelar: %(names)s.") % {"names": ", ".join(provenance.districts)},
        _("Uppgifter per %(at)s.") % {"at": local.strftime("%Y-%m-%d %H:%M")},
    ]
    if provenance.snapshot is not None:
        notes.append(_("Ögonblicksbild %(n)s.") % {"n": provenance.snapshot})
    return notes


def _pdf(table: PublishedTable, provenance: Provenance) -> bytes:
    with translation.override("sv"):
        notes = _notes(table, provenance)
    return pdf_bytes(
        "stats/export_pdf.html",
        {
            "table": table,
            "rows": [(label, [cell_text(c) for c in cells]) for label, cells in table.rows],
            "notes": notes,
        },
    )


# --- A table as JSON (a snapshot's frozen numbers) and back ----------------------------------


def _json_value(value: int | Decimal | None) -> int | str | None:
    """Decimals as strings, so that 12.50 stays 12.50 and nothing passes through a float."""
    return str(value) if isinstance(value, Decimal) else value


def _from_json_value(value: int | str | None) -> int | Decimal | None:
    return Decimal(value) if isinstance(value, str) else value


def _json_cell(cell: Cell) -> dict[str, Any]:
    # A suppressed cell has no value to keep: only the flag.
    return {"s": True} if cell.suppressed else {"v": _json_value(cell.value)}


def _cell(data: dict[str, Any]) -> Cell:
    if data.get("s"):
        return Cell(None, suppressed=True)
    return Cell(_from_json_value(data.get("v")))


def table_to_json(table: PublishedTable) -> dict[str, Any]:
    """The published table with its labels as shown (in Swedish), for a snapshot."""
    with translation.override("sv"):
        return {
            "indicator": table.indicator,
            "version": table.version,
            "year": table.year,
            "title": str(table.title),
            "row_heading": str(table.row_heading),
            "row_key": table.row_key,
            "columns": [
                {"key": c.key, "label": str(c.label), "is_share": c.is_share} for c in table.columns
            ],
            "rows": [[label, [_json_cell(cell) for cell in cells]] for label, cells in table.rows],
            "threshold": table.threshold,
            "chart_title": str(table.chart_title),
            "chart_is_share": table.chart_is_share,
            "bars": [[bar.label, _json_cell(bar.cell)] for bar in table.bars],
        }


def table_from_json(data: dict[str, Any]) -> PublishedTable:
    return PublishedTable(
        indicator=data["indicator"],
        version=data["version"],
        year=data["year"],
        title=data["title"],
        row_heading=data["row_heading"],
        row_key=data["row_key"],
        columns=tuple(
            Column(c["key"], c["label"], is_share=c["is_share"]) for c in data["columns"]
        ),
        rows=tuple((label, tuple(_cell(c) for c in cells)) for label, cells in data["rows"]),
        threshold=data["threshold"],
        chart_title=data["chart_title"],
        chart_is_share=data["chart_is_share"],
        bars=tuple(Bar(label, _cell(cell)) for label, cell in data["bars"]),
    )
