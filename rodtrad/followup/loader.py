"""Loading the shipped instruments from `data/instruments.toml` (docs/followup-instruments.md).

Used by the data migration `0002_load_instruments.py` with the historical model: an instrument
whose code is missing is created; one that exists is never changed (the municipality may have
entered its wording). Every instrument is checked through `scoring.InstrumentSpec` before
anything is written.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from rodtrad.followup import scoring

DATA_FILE = Path(__file__).resolve().parent / "data" / "instruments.toml"
KINDS = {"rating_scale", "satisfaction"}


def read_instruments(path: Path = DATA_FILE) -> list[dict[str, Any]]:
    """The instruments of the file, checked; ValueError names the first wrong one."""
    with path.open("rb") as handle:
        rows: list[dict[str, Any]] = tomllib.load(handle).get("instruments", [])
    for row in rows:
        if row.get("kind") not in KINDS:
            raise ValueError(f"{path.name}: instrument {row.get('code')!r} has an unknown kind")
        scoring.InstrumentSpec(
            code=row["code"],
            items=tuple(item["code"] for item in row["items"]),
            min_item=row["min_item"],
            max_item=row["max_item"],
            decimals=row["decimals"],
            bands=tuple(
                scoring.ScaleBand(
                    min_age=band["min_age"],
                    max_age=band.get("max_age"),
                    clinical_cutoff=Decimal(band["clinical_cutoff"]),
                    reliable_change=Decimal(band["reliable_change"]),
                )
                for band in row.get("bands", [])
            ),
        )
    return rows


def apply_instruments(rows: list[dict[str, Any]], *, instrument_model: Any) -> int:
    """Create the instruments whose code is missing (in any edition); returns how many."""
    created = 0
    # The historical model of an older migration may not have every field of the file yet.
    fields = {field.name for field in instrument_model._meta.get_fields()}
    for row in rows:
        bands = [{"max_age": None, **band} for band in row.get("bands", [])]
        defaults = {
            "name": row["name"],
            "kind": row["kind"],
            "items": row["items"],
            "min_item": row["min_item"],
            "max_item": row["max_item"],
            "decimals": row["decimals"],
            "bands": bands,
            "edition": row.get("edition", "1"),
            "licence_note": row.get("licence_note", ""),
            "self_rating_min_age": row.get("self_rating_min_age"),
        }
        if instrument_model.objects.filter(code=row["code"]).exists():
            continue  # any edition of it: the municipality's, never changed here
        instrument_model.objects.create(
            code=row["code"], **{k: v for k, v in defaults.items() if k in fields}
        )
        created += 1
    return created
