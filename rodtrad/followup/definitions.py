"""Checking an instrument the administrator defines on a page: a new instrument or a new
edition of one (docs/followup-instruments.md, "New instruments and editions").

Pure checks, no writes: `checked_definition` takes what the form parsed and returns the
instrument's fields as the model stores them, or adds one Swedish message per wrong field to
`errors` (keyed by the form's field names, `item_code_<n>`, `band_min_age_<n>`, …). The service
(`services.create_instrument`, `services.create_edition`) decides and writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from rodtrad.followup import scoring
from rodtrad.followup.models import InstrumentKind
from rodtrad.lib.validation import FieldErrors

ITEM_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
# The limits a page accepts: generous for rating scales and questionnaires, small enough that a
# typo (1000 for 10) is caught.
ITEM_VALUE_RANGE = (0, 100)
MAX_DECIMALS = 2
MAX_AGE = 120
MAX_SELF_RATING_AGE = 18


def item_code_field(row: int) -> str:
    return f"item_code_{row}"


def item_label_field(row: int) -> str:
    return f"item_label_{row}"


def band_field(name: str, row: int) -> str:
    """`name`: min_age, max_age, clinical_cutoff or reliable_change."""
    return f"band_{name}_{row}"


@dataclass(frozen=True)
class ItemInput:
    """One filled-in item row of the form (`row` is its number on the page, from 1)."""

    row: int
    code: str
    label: str


@dataclass(frozen=True)
class BandInput:
    """One filled-in age band row of the form; None: the field was left empty."""

    row: int
    min_age: int | None
    max_age: int | None
    clinical_cutoff: Decimal | None
    reliable_change: Decimal | None


@dataclass(frozen=True)
class Definition:
    """What defines an instrument's edition (everything but its code and edition)."""

    name: str
    kind: str
    items: Sequence[ItemInput]
    min_item: int | None
    max_item: int | None
    decimals: int | None
    bands: Sequence[BandInput]
    self_rating_min_age: int | None
    licence_note: str


def checked_definition(definition: Definition, errors: FieldErrors) -> dict[str, Any]:
    """The model's fields for the definition; every problem is added to `errors` (and the
    returned fields are then not to be used)."""
    name = definition.name.strip()
    if not name:
        errors.add("name", _("Skriv formulärets namn."))
    kind = definition.kind
    if kind not in InstrumentKind.values:
        errors.add("kind", _("Välj vilket slags formulär det är."))
    items = _checked_items(definition.items, errors)
    low, high = ITEM_VALUE_RANGE
    min_item, max_item, decimals = definition.min_item, definition.max_item, definition.decimals
    for field, value in (("min_item", min_item), ("max_item", max_item)):
        if value is None:
            errors.add(field, _("Ange ett heltal."))
        elif not low <= value <= high:
            errors.add(
                field,
                _("Värdet måste vara mellan %(min)s och %(max)s.")
                % {
                    "min": low,
                    "max": high,
                },
            )
    if min_item is not None and max_item is not None and max_item <= min_item:
        errors.add("max_item", _("Det högsta värdet måste vara större än det lägsta."))
    if decimals is None or not 0 <= decimals <= MAX_DECIMALS:
        errors.add("decimals", _("Ange 0, 1 eller 2 decimaler."))
    elif kind == InstrumentKind.SATISFACTION and decimals != 0:
        errors.add("decimals", _("En nöjdhetsenkät besvaras med heltal: ange 0 decimaler."))
    youngest = definition.self_rating_min_age
    if youngest is not None and not 0 <= youngest <= MAX_SELF_RATING_AGE:
        errors.add(
            "self_rating_min_age",
            _("Åldern måste vara mellan 0 och %(max)s år.") % {"max": MAX_SELF_RATING_AGE},
        )
    bands: list[dict[str, Any]] = []
    if kind == InstrumentKind.SATISFACTION:
        for band in definition.bands:
            errors.add(
                band_field("min_age", band.row),
                _("En nöjdhetsenkät har inga åldersband: lämna raden tom."),
            )
    elif "min_item" not in errors and "max_item" not in errors and items:
        assert min_item is not None and max_item is not None
        total_range = (Decimal(min_item * len(items)), Decimal(max_item * len(items)))
        bands = _checked_bands(definition.bands, total_range, errors)
    if errors:
        return {}
    assert min_item is not None and max_item is not None and decimals is not None
    # The scoring's own check, as the data file's loader does (a wrong configuration there is a
    # programming error: everything it refuses has been named above).
    scoring.InstrumentSpec(
        code="new",
        items=tuple(item["code"] for item in items),
        min_item=min_item,
        max_item=max_item,
        decimals=decimals,
        bands=tuple(
            scoring.ScaleBand(
                min_age=band["min_age"],
                max_age=band["max_age"],
                clinical_cutoff=Decimal(band["clinical_cutoff"]),
                reliable_change=Decimal(band["reliable_change"]),
            )
            for band in bands
        ),
    )
    return {
        "name": name,
        "kind": kind,
        "items": items,
        "min_item": min_item,
        "max_item": max_item,
        "decimals": decimals,
        "bands": bands,
        "self_rating_min_age": youngest,
        "licence_note": definition.licence_note.strip(),
    }


def _checked_items(rows: Sequence[ItemInput], errors: FieldErrors) -> list[dict[str, str]]:
    if not rows:
        errors.add(item_code_field(1), _("Ange minst en fråga."))
        return []
    items: list[dict[str, str]] = []
    seen: set[str] = set()
    for row in rows:
        code, label = row.code.strip(), row.label.strip()
        if not code:
            errors.add(item_code_field(row.row), _("Ange frågans kod."))
        elif not ITEM_CODE.match(code):
            errors.add(
                item_code_field(row.row),
                _("Koden får ha små bokstäver a–z, siffror, - och _ (högst 40 tecken)."),
            )
        elif code in seen:
            errors.add(item_code_field(row.row), _("Två frågor kan inte ha samma kod."))
        seen.add(code)
        if not label:
            errors.add(item_label_field(row.row), _("Skriv frågans text."))
        items.append({"code": code, "label": label})
    return items


def _checked_bands(
    rows: Sequence[BandInput], total_range: tuple[Decimal, Decimal], errors: FieldErrors
) -> list[dict[str, Any]]:
    bands: list[dict[str, Any]] = []
    checked: list[BandInput] = []
    low, high = total_range
    for band in rows:
        ok = True
        if band.min_age is None:
            errors.add(band_field("min_age", band.row), _("Ange den lägsta åldern."))
            ok = False
        elif not 0 <= band.min_age <= MAX_AGE:
            errors.add(band_field("min_age", band.row), _("Ange en ålder från 0 till 120 år."))
            ok = False
        if band.max_age is not None and (
            not 0 <= band.max_age <= MAX_AGE
            or (band.min_age is not None and band.max_age < band.min_age)
        ):
            errors.add(
                band_field("max_age", band.row),
                _("Den högsta åldern kan inte vara lägre än den lägsta (eller över 120 år)."),
            )
            ok = False
        cutoff, change = band.clinical_cutoff, band.reliable_change
        if cutoff is None:
            errors.add(band_field("clinical_cutoff", band.row), _("Ange gränsvärdet."))
            ok = False
        elif not low <= cutoff <= high:
            errors.add(
                band_field("clinical_cutoff", band.row),
                _("Gränsvärdet måste ligga inom summans skala, %(min)s–%(max)s.")
                % {"min": low, "max": high},
            )
            ok = False
        if change is None:
            errors.add(band_field("reliable_change", band.row), _("Ange tydlig förändring."))
            ok = False
        elif not Decimal(0) < change <= high - low:
            errors.add(
                band_field("reliable_change", band.row),
                _("Tydlig förändring måste vara större än 0 och högst %(max)s.")
                % {"max": high - low},
            )
            ok = False
        if not ok:
            continue
        for other in checked:
            if _overlap(band, other):
                errors.add(
                    band_field("min_age", band.row),
                    _("Åldersbandet överlappar åldersbandet på rad %(row)s.") % {"row": other.row},
                )
                break
        checked.append(band)
        bands.append(
            {
                "min_age": band.min_age,
                "max_age": band.max_age,
                "clinical_cutoff": str(cutoff),
                "reliable_change": str(change),
            }
        )
    return sorted(bands, key=lambda band: band["min_age"])


def _overlap(one: BandInput, other: BandInput) -> bool:
    assert one.min_age is not None and other.min_age is not None
    one_max = MAX_AGE if one.max_age is None else one.max_age
    other_max = MAX_AGE if other.max_age is None else other.max_age
    return one.min_age <= other_max and other.min_age <= one_max
