"""Many rows of one model in few statements, with the new ids read back (`RETURNING id`).

Django's `bulk_create` spends most of its time preparing each value of each object (a call
chain per field per row); for the historical import (rodtrad/stats/services.py, 100 000
reports and about ten rows each) that was four fifths of the time, and building the model
objects most of the rest. `insert_rows` takes plain tuples, chooses each field's conversion
once, sends multi-row INSERTs and returns the ids the database gives, in order. Ids come
from the table's own sequence, so it is safe beside a running application (unlike
rodtrad/demo/scale.py's `_insert`, which counts ids on from the largest and must run alone).

What it does not do: no signals, no `save()`, no model validation, no many-to-many, no
multi-table inheritance; the database's constraints still apply. Needs `RETURNING`
(SQLite 3.35+, PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

# SQLite's oldest limit on parameters in one statement (newer builds allow more).
MAX_PARAMETERS = 999


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """How a value of this field goes to the database, chosen once per field."""
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return lambda value: value


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """INSERT plain rows (values in the order of `columns`, field attnames such as
    `case_id`) and return their new ids in the same order, without making model objects.

    Every other concrete field gets its default (`auto_now`/`auto_now_add`: the current
    time). For the largest imports: building a model object costs more than inserting it.
    """
    if not rows:
        return []
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    by_name = {field.attname: field for field in meta.concrete_fields if field is not pk}
    fields = [by_name[name] for name in columns]
    now = timezone.now()
    filled: list[tuple[models.Field[Any, Any], Any]] = []
    for name, field in by_name.items():
        if name in columns:
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        filled.append((field, now if auto else field.get_default()))
    converters = [_converter(field) for field in fields]
    constant = [_converter(field)(value) for field, value in filled]
    all_fields = fields + [field for field, _value in filled]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in all_fields)
    placeholders = "(" + ", ".join(["%s"] * len(all_fields)) + ")"
    per_statement = max(1, MAX_PARAMETERS // len(all_fields))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list[Any] = []
            for row in chunk:
                params.extend(
                    convert(value) for convert, value in zip(converters, row, strict=True)
                )
                params.extend(constant)
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES "
                + ", ".join([placeholders] * len(chunk))
                + f" RETURNING {quote(pk.column)}",
                params,
            )
            # Sorted: the ids of one INSERT grow in the order of its VALUES (a rowid or a
            # sequence), while the order RETURNING lists them in is not promised (SQLite).
            new = sorted(value for (value,) in cursor.fetchall())
            if len(new) != len(chunk):
                raise RuntimeError(f"{meta.label}: {len(chunk)} rows sent, {len(new)} ids back")
            ids.extend(new)
    return ids
