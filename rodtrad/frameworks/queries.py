"""Reads of code lists: what may be chosen on a day, and what an old code was called.

Other apps store the code string (e.g. "I", "halsa") and read through these functions; they
never filter `Code` themselves, so the validity rules live in one place.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from rodtrad.frameworks.models import Code, CodeList, valid_on


class UnknownCodeList(LookupError):
    """No code list has this key (a programming error, not a user error)."""


# Keys of lists seen to exist. A list is never deleted (services.py has no delete, the loader
# never deletes), so once seen it stays: current_codes() runs on most writes and pages, and
# the existence query was a third of its cost.
_known_lists: set[str] = set()


def _code_list_exists(list_key: str) -> None:
    if list_key in _known_lists:
        return
    if not CodeList.objects.filter(key=list_key).exists():
        raise UnknownCodeList(list_key)
    _known_lists.add(list_key)


def current_codes(list_key: str, on: datetime.date | None = None) -> QuerySet[Code]:
    """Codes that may be chosen on `on` (default today): the list and the code both valid.

    Ordered for display (sort order, then code). Sides and areas of a triangle list are both
    returned; filter on `parent` for one level.
    """
    day = on or timezone.localdate()
    _code_list_exists(list_key)
    return (
        Code.objects.filter(code_list__key=list_key)
        .filter(valid_on(day))
        .filter(valid_on(day, prefix="code_list__"))
        .select_related("parent")
        .order_by("sort_order", "code")
    )


def get_code(list_key: str, code: str) -> Code | None:
    """The code, current or retired, or None when the list does not have it."""
    found = Code.objects.filter(code_list__key=list_key, code=code).first()
    if found is None:
        _code_list_exists(list_key)
    return found


def _pick_label(label_sv: str, label_en: str) -> str:
    if (get_language() or "").startswith("en") and label_en:
        return label_en
    return label_sv


def code_label(list_key: str, code: str) -> str:
    """The label of a code in the active language, also for a retired code.

    A code the list does not know is shown as itself, so an old record never breaks a page.
    """
    row = (
        Code.objects.filter(code_list__key=list_key, code=code)
        .values_list("label_sv", "label_en")
        .first()
    )
    if row is None:
        _code_list_exists(list_key)
        return code
    return _pick_label(*row)


def code_labels(list_key: str) -> dict[str, str]:
    """Every code of a list (current and retired) with its label: one query for a table."""
    rows = Code.objects.filter(code_list__key=list_key).values_list("code", "label_sv", "label_en")
    labels = {code: _pick_label(sv, en) for code, sv, en in rows}
    if not labels:
        _code_list_exists(list_key)
    return labels


def code_lists_with_counts(on: datetime.date | None = None) -> QuerySet[CodeList]:
    """All lists, each annotated with `current_count` and `retired_count` on the day."""
    day = on or timezone.localdate()
    return CodeList.objects.annotate(
        current_count=Count("codes", filter=valid_on(day, prefix="codes__")),
        retired_count=Count("codes", filter=Q(codes__valid_to__lte=day)),
        total_count=Count("codes"),
    ).order_by("name")


def codes_for_administration(code_list: CodeList) -> QuerySet[Code]:
    """Every code of a list, retired ones included, in display order."""
    return code_list.codes.select_related("parent").order_by("sort_order", "code")
