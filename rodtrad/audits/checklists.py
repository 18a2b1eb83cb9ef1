"""Checklists as data: the TOML files in `rodtrad/audits/data/` (docs/internal-control.md).

A file is one edition of one checklist (`key`, `edition`, `name`, `[[items]]`). Loading creates
the editions that are missing and never changes a loaded one: a changed checklist is a new
edition (a new file, or `services.new_checklist_edition`), whose rows replace the old edition
as the current one, while programmes keep the edition they were created with. The functions
take the model classes, so that the data migration can pass its historical models.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rodtrad.audits.record_rules import RULES

DATA_DIR = Path(__file__).resolve().parent / "data"
KINDS = ("yes_no", "ordinal", "text")


class ChecklistFileError(ValueError):
    """A checklist file that cannot be loaded; nothing is written."""


@dataclass
class ItemSpec:
    key: str
    text: str
    kind: str
    group: str = ""
    help_text: str = ""
    levels: list[dict[str, str]] = field(default_factory=list)
    record_rule: str = ""


@dataclass
class ChecklistSpec:
    key: str
    edition: str
    name: str
    description: str
    source: str
    items: list[ItemSpec]


def check_items(items: list[ItemSpec], where: str) -> None:
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise ChecklistFileError(f"{where}: an item key is used twice")
    for item in items:
        if item.kind not in KINDS:
            raise ChecklistFileError(f"{where}: item {item.key}: unknown kind {item.kind!r}")
        if item.kind == "ordinal" and len(item.levels) < 2:
            raise ChecklistFileError(f"{where}: item {item.key}: a scale needs two levels")
        if item.kind != "ordinal" and item.levels:
            raise ChecklistFileError(f"{where}: item {item.key}: only scales have levels")
        if item.record_rule and (item.record_rule not in RULES or item.kind != "yes_no"):
            raise ChecklistFileError(f"{where}: item {item.key}: rule {item.record_rule!r}")


def read_checklist_files(directory: Path | None = None) -> list[ChecklistSpec]:
    specs = []
    for path in sorted((directory or DATA_DIR).glob("*.toml")):
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
        try:
            items = [ItemSpec(**item) for item in data["items"]]
            spec = ChecklistSpec(
                key=data["key"],
                edition=str(data["edition"]),
                name=data["name"],
                description=data.get("description", ""),
                source=data.get("source", ""),
                items=items,
            )
        except (KeyError, TypeError) as exc:
            raise ChecklistFileError(f"{path.name}: {exc}") from exc
        check_items(items, path.name)
        specs.append(spec)
    return specs


def create_edition(spec: ChecklistSpec, *, checklist_model: Any, item_model: Any) -> Any:
    """The edition's rows; the key's current edition (if any) is replaced by it."""
    previous = checklist_model.objects.filter(key=spec.key, is_current=True).first()
    if previous is not None:
        checklist_model.objects.filter(pk=previous.pk).update(is_current=False)
    checklist = checklist_model.objects.create(
        key=spec.key,
        edition=spec.edition,
        name=spec.name,
        description=spec.description,
        source=spec.source,
        replaces=previous,
        is_current=True,
    )
    item_model.objects.bulk_create(
        item_model(
            checklist=checklist,
            key=item.key,
            text=item.text,
            kind=item.kind,
            group=item.group,
            help_text=item.help_text,
            levels=item.levels,
            record_rule=item.record_rule,
            sort_order=position,
        )
        for position, item in enumerate(spec.items, start=1)
    )
    return checklist


def apply_checklists(
    specs: list[ChecklistSpec], *, checklist_model: Any, item_model: Any
) -> list[str]:
    """Create the editions not yet loaded; returns "key edition" of each one created."""
    created = []
    for spec in specs:
        if checklist_model.objects.filter(key=spec.key, edition=spec.edition).exists():
            continue
        create_edition(spec, checklist_model=checklist_model, item_model=item_model)
        created.append(f"{spec.key} {spec.edition}")
    return created
