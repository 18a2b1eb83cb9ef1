"""A programme's results, and the comparison of two, as CSV, XLSX or PDF
(docs/internal-control.md, "Exports").

The numbers are those of the results page (`results.programme_results`, `results.compare`),
already through the statistics' small-cell suppression: a suppressed count, and the share and
interval computed from it, are written as `..` in every format (SCB's sign, as the statistics'
exports), never as a number. The files are written by the statistics' writers
(`stats.exports.csv_bytes`, `xlsx_bytes`, `pdf_bytes`), so both exports look and behave alike.

CSV: UTF-8, comma, decimal point, one row per item, district (or the total) and answer. Unlike
the statistics' CSV its **first line is the title and provenance** (one field: the programme,
the checklist edition, the seed, the data time, what `..` means), because the file holds
results of one sampled programme that mean nothing without them; the column keys follow on
the second line (`pandas.read_csv(path, skiprows=1)`).

PDF: aggregates only (no case, no person), so no secrecy header, as the statistics' PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rodtrad.audits.models import ReviewProgramme
from rodtrad.audits.results import ItemComparison, ItemResult, Share
from rodtrad.stats.exports import (
    CONTENT_TYPES,
    SUPPRESSED,
    ExportFile,
    FileFormat,
    XlsxValue,
    csv_bytes,
    pdf_bytes,
    xlsx_bytes,
)
from rodtrad.stats.suppression import DEFAULT_THRESHOLD

RESULT_KEYS = (
    "item_key",
    "question",
    "district",
    "answer",
    "count",
    "answers",
    "share_pct",
    "ci_low_pct",
    "ci_high_pct",
)
COMPARISON_KEYS = (
    "item_key",
    "question",
    "first_yes",
    "first_answers",
    "first_share_pct",
    "second_yes",
    "second_answers",
    "second_share_pct",
    "p_value",
    "test",
    "mark",
)


@dataclass(frozen=True)
class Numbers:
    """One share as written: each value a number, `..` (suppressed) or None (nothing to
    compute)."""

    count: int | str | None
    total: int | str | None
    percent: Decimal | str | None
    low: Decimal | str | None
    high: Decimal | str | None


def numbers(share: Share | None) -> Numbers:
    """A share of the results with suppression kept: a hidden count hides the share and the
    interval computed from it; a share of nothing (no answers) is empty."""
    if share is None:
        return Numbers(None, None, None, None, None)
    hidden = share.count is None or share.total is None
    empty: str | None = SUPPRESSED if hidden else None
    return Numbers(
        count=SUPPRESSED if share.count is None else share.count,
        total=SUPPRESSED if share.total is None else share.total,
        percent=share.percent if share.percent is not None and not hidden else empty,
        low=share.low_percent if share.low is not None and not hidden else empty,
        high=share.high_percent if share.high is not None and not hidden else empty,
    )


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _stamp(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _about(programme: ReviewProgramme) -> str:
    checklist = programme.checklist
    return _(
        "%(name)s: checklistan %(checklist)s, utgåva %(edition)s, slumptalsfrö %(seed)s, "
        "ärenden registrerade %(start)s–%(end)s"
    ) % {
        "name": programme.name,
        "checklist": checklist.name,
        "edition": checklist.edition,
        "seed": programme.seed,
        "start": programme.period_start.isoformat(),
        "end": programme.period_end.isoformat(),
    }


def _suppression_note() -> str:
    return _(
        "..: färre än %(n)s, eller dolt så att ett sådant tal inte kan räknas fram ur de andra."
    ) % {"n": DEFAULT_THRESHOLD}


def _file(stem: str, file_format: FileFormat, content: bytes) -> ExportFile:
    return ExportFile(
        name=f"{stem}.{file_format.value}",
        content_type=CONTENT_TYPES[file_format],
        content=content,
    )


# --- A programme's results ----------------------------------------------------------------------


def _result_rows(item_results: Sequence[ItemResult]) -> list[tuple[ItemResult, str, str, Numbers]]:
    """(item, district or total, answer, numbers) in the page's order."""
    rows = []
    for result in item_results:
        for n, (district, shares) in enumerate(result.rows):
            name = _("Totalt") if n == len(result.rows) - 1 else district
            for share in shares:
                rows.append((result, name, share.label, numbers(share)))
    return rows


def _result_notes(programme: ReviewProgramme, data_at: datetime) -> list[str]:
    return [
        _suppression_note(),
        _(
            "Varje ärende räknas en gång, med svaren från dess första granskare. ”Ej aktuellt” "
            "räknas inte. Intervallen är 95 % (Wilson)."
        ),
        _("Granskning %(about)s.") % {"about": _about(programme)},
        _("Stadsdelar: %(names)s.")
        % {"names": ", ".join(d.name for d in programme.districts.order_by("name"))},
        _("Uppgifter per %(at)s.") % {"at": _stamp(data_at)},
    ]


def results_file(
    programme: ReviewProgramme,
    item_results: Sequence[ItemResult],
    file_format: FileFormat,
    *,
    data_at: datetime,
) -> ExportFile:
    """The programme's results (per item, district and total, each answer's count and share
    with its interval) as a file in `file_format`."""
    stem = f"egenkontroll-{programme.pk}-resultat"
    with translation.override("sv"):
        title = _("Resultat: %(name)s") % {"name": programme.name}
        notes = _result_notes(programme, data_at)
        rows = _result_rows(item_results)
        if file_format is FileFormat.CSV:
            content = csv_bytes(
                [
                    [" ".join([title + ".", *notes])],
                    list(RESULT_KEYS),
                    *(
                        [
                            result.item.key,
                            result.item.text,
                            district,
                            answer,
                            *(_text(v) for v in (n.count, n.total, n.percent, n.low, n.high)),
                        ]
                        for result, district, answer, n in rows
                    ),
                ]
            )
        elif file_format is FileFormat.XLSX:
            content = xlsx_bytes(
                sheet_title=_("Resultat"),
                title=title,
                headings=[
                    _("Fråga"),
                    _("Stadsdel"),
                    _("Svar"),
                    _("Antal"),
                    _("Antal svar"),
                    _("Andel (%)"),
                    _("95 % KI, nedre (%)"),
                    _("95 % KI, övre (%)"),
                ],
                rows=[
                    [
                        result.item.text,
                        district,
                        answer,
                        *_xlsx((n.count, n.total, n.percent, n.low, n.high)),
                    ]
                    for result, district, answer, n in rows
                ],
                notes=notes,
                label_columns=3,
            )
        else:
            content = pdf_bytes(
                "audits/export_results_pdf.html",
                {
                    "title": title,
                    "notes": notes,
                    "items": [
                        {
                            "text": result.item.text,
                            "labels": [label for _value, label in result.categories],
                            "rows": [
                                (
                                    _("Totalt") if n == len(result.rows) - 1 else district,
                                    [numbers(share) for share in shares],
                                    numbers(shares[0]).total if shares else None,
                                )
                                for n, (district, shares) in enumerate(result.rows)
                            ],
                        }
                        for result in item_results
                    ],
                },
            )
    return _file(stem, file_format, content)


def _xlsx(values: Sequence[int | Decimal | str | None]) -> list[XlsxValue]:
    return list(values)


# --- The comparison of two programmes -------------------------------------------------------------


def _p_value(row: ItemComparison) -> float | None:
    return row.comparison.p_value if row.comparison is not None else None


def _test(row: ItemComparison) -> str:
    if row.comparison is not None:
        return _(row.comparison.test_name)
    return _(row.undefined) if row.undefined else ""


def _p_text(row: ItemComparison) -> str:
    p = _p_value(row)
    return "" if p is None else f"{p:.4g}"


def comparison_file(
    first: ReviewProgramme,
    second: ReviewProgramme,
    rows: Sequence[ItemComparison],
    file_format: FileFormat,
    *,
    data_at: datetime,
) -> ExportFile:
    """The share "Ja" of each yes/no item both checklists share, in each programme, and the
    test of the difference, as a file in `file_format`."""
    stem = f"egenkontroll-jamforelse-{first.pk}-{second.pk}"
    with translation.override("sv"):
        title = _("Jämförelse: %(first)s och %(second)s") % {
            "first": first.name,
            "second": second.name,
        }
        notes = [
            _suppression_note(),
            _(
                "Andel ja av svaren ja och nej, totalt. * p ≤ 0.05, ** p ≤ 0.005. Chitvåtest när "
                "alla förväntade antal är minst 5, annars Fishers exakta test. En andel som är "
                "dold testas inte."
            ),
            _("Första granskningen: %(about)s.") % {"about": _about(first)},
            _("Andra granskningen: %(about)s.") % {"about": _about(second)},
            _("Uppgifter per %(at)s.") % {"at": _stamp(data_at)},
        ]
        pairs = [(row, numbers(row.first), numbers(row.second)) for row in rows]
        if file_format is FileFormat.CSV:
            content = csv_bytes(
                [
                    [" ".join([title + ".", *notes])],
                    list(COMPARISON_KEYS),
                    *(
                        [
                            row.item_key,
                            row.shown_text(),
                            *(_text(v) for v in (a.count, a.total, a.percent)),
                            *(_text(v) for v in (b.count, b.total, b.percent)),
                            _p_text(row),
                            _test(row),
                            row.comparison.mark() if row.comparison is not None else "",
                        ]
                        for row, a, b in pairs
                    ),
                ]
            )
        elif file_format is FileFormat.XLSX:
            content = xlsx_bytes(
                sheet_title=_("Jämförelse"),
                title=title,
                headings=[
                    _("Fråga"),
                    *_program_headings(first),
                    *_program_headings(second),
                    _("p-värde"),
                    _("Test"),
                    _("Markering"),
                ],
                rows=[
                    [
                        row.shown_text(),
                        *_xlsx((a.count, a.total, a.percent)),
                        *_xlsx((b.count, b.total, b.percent)),
                        _p_value(row),
                        _test(row),
                        row.comparison.mark() if row.comparison is not None else "",
                    ]
                    for row, a, b in pairs
                ],
                notes=notes,
            )
        else:
            content = pdf_bytes(
                "audits/export_comparison_pdf.html",
                {
                    "title": title,
                    "notes": notes,
                    "first": first,
                    "second": second,
                    "rows": [
                        (
                            row,
                            [a, b],
                            _p_text(row),
                            _test(row),
                            row.comparison.mark() if row.comparison else "",
                        )
                        for row, a, b in pairs
                    ],
                },
            )
    return _file(stem, file_format, content)


def _program_headings(programme: ReviewProgramme) -> list[str]:
    return [
        _("%(name)s: antal ja") % {"name": programme.name},
        _("%(name)s: antal svar") % {"name": programme.name},
        _("%(name)s: andel ja (%%)") % {"name": programme.name},
    ]
