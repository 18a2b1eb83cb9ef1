"""Hashing rules of the journal chain: canonical JSON, SHA-256, previous hash included."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
# Names the hashing rules below; a checkpoint carries it so that a later change of rules is
# noticed instead of being reported as tampering.
ALGORITHM = "sha256-canonical-json-v1"
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_username",
    "roles",
    "district",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "case_id",
    "data",
    "request_id",
    "client_ip",
    "channel",
    "prev_hash",
)


def canonical_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(fields: dict[str, Any]) -> str:
    """Sorted keys, no whitespace, UTF-8: the same bytes on every machine and database."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_fields(entry: Any) -> dict[str, Any]:
    """The hashed view of an entry (a JournalEntry or anything with the same attributes)."""
    fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
    fields["occurred_at"] = canonical_timestamp(entry.occurred_at)
    return fields


def compute_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


# --- Access events: sealed in batches into the journal chain ---------------------------------
#
# Access events are not chained one by one: they are written on every page view and in bulk for
# lists, and a chain would serialise every read behind one lock. Instead a seal (a journal
# entry, `journal.access_events_sealed`) records the count and a digest of every event in an id
# range; the journal chain and its signed checkpoints then protect the seal
# (docs/architecture.md, "Writes and the journal").
ACCESS_DIGEST_ALGORITHM = "sha256-json-array-lines-v1"
# The columns of a sealed access event, in the order of each line's JSON array.
ACCESS_EVENT_FIELDS = (
    "id",
    "occurred_at",
    "user_id",
    "username",
    "roles",
    "districts",
    "units",
    "action",
    "person_id",
    "case_id",
    "is_protected",
    "is_emergency",
    "emergency_access_id",
    "reason",
    "route",
    "request_id",
    "client_ip",
    "channel",
)
_OCCURRED_AT = ACCESS_EVENT_FIELDS.index("occurred_at")
_FLAGS = (ACCESS_EVENT_FIELDS.index("is_protected"), ACCESS_EVENT_FIELDS.index("is_emergency"))
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def access_event_line(row: tuple[Any, ...]) -> bytes:
    """One access event (its ACCESS_EVENT_FIELDS values, in order) as the bytes a seal's digest
    is computed over: a compact JSON array and a newline. An array in a fixed order rather
    than an object with sorted keys: the same bytes everywhere, at twice the speed (a day's
    events are digested at once)."""
    values = list(row)
    values[_OCCURRED_AT] = canonical_timestamp(values[_OCCURRED_AT])
    for index in _FLAGS:  # SQLite and PostgreSQL must give the same bytes
        values[index] = bool(values[index])
    return _ENCODE(values).encode("utf-8") + b"\n"
