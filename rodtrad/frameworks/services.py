"""Every write to code lists: loading the files and the administrator's edits (rule 1)."""

from __future__ import annotations

import datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rodtrad.accounts.access import can
from rodtrad.frameworks.loader import (
    CODE_PATTERN,
    CodeListFileError,
    LoadResult,
    apply_code_lists,
    read_code_list_files,
)
from rodtrad.frameworks.models import Code, CodeList
from rodtrad.journal.services import record
from rodtrad.lib.versioning import StaleVersion, update_versioned

if TYPE_CHECKING:
    from rodtrad.accounts.models import User

__all__ = [
    "KEEP",
    "CodeListFileError",
    "LoadResult",
    "StaleVersion",
    "add_code",
    "load_code_lists",
    "retire_code",
    "update_code",
]

LABEL_FIELDS = frozenset({"label_sv", "label_en"})


class Keep(Enum):
    """Default of `update_code`'s optional fields: leave the saved value as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


def _require_administrator(by: User) -> None:
    if not can(by, "administer_code_lists"):
        raise PermissionDenied


def _journal(action: str, *, by: User, code: Code, data: dict[str, Any]) -> None:
    record(
        action,
        by=by,
        obj=code,
        data={"code_list": code.code_list.key, "code": code.code, **data},
    )


def load_code_lists(*, by: User | None = None, directory: Path | str | None = None) -> LoadResult:
    """Load every code list file: create what is missing, never delete, keep local edits.

    `by=None` is the system (the management command); a user must be an administrator.
    """
    if by is not None:
        _require_administrator(by)
    specs = read_code_list_files(directory)  # raises CodeListFileError before any write
    with transaction.atomic():
        result = apply_code_lists(specs, code_list_model=CodeList, code_model=Code)
        record("frameworks.code_lists_loaded", by=by, data=result.as_data())
    return result


def _write_versioned(code: Code, version: int, changes: dict[str, Any]) -> Code:
    """Compare-and-set (rodtrad.lib.versioning); marks the fields as the administrator's."""
    edited = sorted(set(code.locally_edited_fields or []) | set(changes))
    update_versioned(
        code, expected_version=version, changes={**changes, "locally_edited_fields": edited}
    )
    return code


def update_code(
    *,
    code: Code,
    by: User,
    version: int,
    label_sv: str | Keep = KEEP,
    label_en: str | Keep = KEEP,
    description_sv: str | Keep = KEEP,
    valid_to: datetime.date | None | Keep = KEEP,
) -> Code:
    """Change a code's labels, explanation or end date; a stale `version` raises StaleVersion.

    Fields left out keep their saved value; `valid_to=None` makes the code current again.
    """
    _require_administrator(by)
    with transaction.atomic():
        current = Code.objects.select_related("code_list").get(pk=code.pk)
        given: dict[str, Any] = {
            "label_sv": label_sv,
            "label_en": label_en,
            "description_sv": description_sv,
            "valid_to": valid_to,
        }
        wanted: dict[str, Any] = {
            name: value.strip() if isinstance(value, str) else value
            for name, value in given.items()
            if value is not KEEP
        }
        changes = {k: v for k, v in wanted.items() if getattr(current, k) != v}
        errors: list[ValidationError] = []
        if "label_sv" in wanted and not wanted["label_sv"]:
            errors.append(ValidationError(_("Skriv en svensk benämning."), code="label_sv"))
        elif changes.keys() & LABEL_FIELDS and not current.code_list.is_editable_labels:
            errors.append(
                ValidationError(
                    _("Benämningarna i den här listan kommer från källan och får inte ändras här."),
                    code="label_sv",
                )
            )
        end = wanted.get("valid_to")
        if end is not None and current.valid_from is not None and end < current.valid_from:
            errors.append(
                ValidationError(_("Slutdatumet kan inte ligga före startdatumet."), code="valid_to")
            )
        if errors:
            raise ValidationError(errors)
        if not changes:
            return current  # nothing to write, so nothing can be overwritten
        code = _write_versioned(current, version, changes)
        _journal(
            "frameworks.code_updated",
            by=by,
            code=code,
            data={"fields": sorted(changes), "version": code.version},
        )
    return code


def add_code(
    *,
    code_list: CodeList,
    by: User,
    code: str,
    label_sv: str,
    label_en: str = "",
    description_sv: str = "",
    group: str = "",
    parent: Code | None = None,
    valid_from: datetime.date | None = None,
) -> Code:
    """Add a local code to a list; the loader never overwrites what the administrator set."""
    _require_administrator(by)
    code = code.strip()
    errors: list[ValidationError] = []
    if not CODE_PATTERN.match(code):
        errors.append(
            ValidationError(
                _(
                    "Koden får bara innehålla bokstäver a–z, siffror, punkt, understreck och "
                    "bindestreck (högst 60 tecken)."
                ),
                code="code",
            )
        )
    if not label_sv.strip():
        errors.append(ValidationError(_("Skriv en svensk benämning."), code="label_sv"))
    if parent is not None and parent.code_list_id != code_list.pk:
        errors.append(
            ValidationError(_("Den överordnade koden måste höra till samma lista."), code="parent")
        )
    with transaction.atomic():
        if Code.objects.filter(code_list=code_list, code=code).exists():
            errors.append(
                ValidationError(
                    _("Koden finns redan i listan. En avslutad kod kan inte återanvändas."),
                    code="code",
                )
            )
        if errors:
            raise ValidationError(errors)
        created = Code.objects.create(
            code_list=code_list,
            code=code,
            label_sv=label_sv.strip(),
            label_en=label_en.strip(),
            description_sv=description_sv.strip(),
            group=group.strip(),
            parent=parent,
            valid_from=valid_from or timezone.localdate(),
            sort_order=_next_sort_order(code_list),
            is_local=True,
            locally_edited_fields=sorted(
                {"label_sv", "label_en", "description_sv", "group", "parent", "valid_from"}
            ),
        )
        _journal("frameworks.code_added", by=by, code=created, data={"version": created.version})
    return created


def _next_sort_order(code_list: CodeList) -> int:
    last = code_list.codes.order_by("-sort_order").values_list("sort_order", flat=True).first()
    return (last or 0) + 10


def retire_code(*, code: Code, by: User, version: int) -> Code:
    """Retire a code from today: it leaves every choice but keeps its label on old records."""
    _require_administrator(by)
    today = timezone.localdate()
    with transaction.atomic():
        current = Code.objects.select_related("code_list").get(pk=code.pk)
        if current.valid_to is not None and current.valid_to <= today:
            raise ValidationError(_("Koden är redan avslutad."), code="valid_to")
        # A code that has not started yet ends the day it would have started.
        valid_to = max(today, current.valid_from) if current.valid_from else today
        code = _write_versioned(current, version, {"valid_to": valid_to})
        _journal(
            "frameworks.code_retired",
            by=by,
            code=code,
            data={"valid_to": valid_to.isoformat(), "version": code.version},
        )
    return code
