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
