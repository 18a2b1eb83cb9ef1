"""Seals over access events: which rows a seal may cover, its digest, and checking old seals.

Access events are written on every page view and in bulk for lists, so they are not chained
row by row (that would serialise every read behind one lock). A seal is a journal entry
(`journal.access_events_sealed`) holding the count and a SHA-256 digest of every access event
in an id range `(after_id, last_id]`; consecutive seals cover consecutive ranges. The journal's
hash chain and its signed checkpoints then make the seal itself evidence. Seals are written by
the checkpoint task and `rodtrad export-checkpoint` (services.seal_access_events); events newer
than the last seal are not yet tamper-evident (docs/architecture.md, "Writes and the journal").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from rodtrad.journal.chain import ACCESS_DIGEST_ALGORITHM, ACCESS_EVENT_FIELDS, access_event_line
from rodtrad.journal.models import AccessEvent, JournalEntry

SEAL_ACTION = "journal.access_events_sealed"
DEFAULT_CHUNK_SIZE = 5000
# How far before now a seal stops (see sealable_upto): far longer than any page view's
# transaction, and than the clock difference between application servers.
DEFAULT_MARGIN = timedelta(seconds=60)


def last_sealed_id() -> int:
    """The last access-event id covered by a seal (0 before the first seal)."""
    data = (
        JournalEntry.objects.filter(action=SEAL_ACTION)
        .order_by("-seq")
        .values_list("data", flat=True)
        .first()
    )
    return int(data["last_id"]) if data else 0


def sealable_upto(*, after_id: int, margin: timedelta) -> int:
    """The highest access-event id a seal written now may cover.

    A seal must never cover an id whose row is not yet committed: it would be missing from the
    digest now and present later (a false alarm). SQLite hands out ids under its single write
    lock, so committed ids never have an uncommitted one below them. PostgreSQL draws ids from a
    sequence before commit, so the seal stops `margin` before now and before the start of any
    transaction still running with writes (same database role: pg_stat_activity shows them).
    """
    cutoff = timezone.now() - margin
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT min(xact_start) FROM pg_stat_activity "
                "WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
            )
            oldest = cursor.fetchone()[0]
        if oldest is not None:
            cutoff = min(cutoff, oldest - margin)
    newest = (
        AccessEvent.objects.filter(id__gt=after_id, occurred_at__lt=cutoff)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    return newest if newest is not None else after_id


def digest_access_events(
    after_id: int, last_id: int, *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> tuple[int, str]:
    """Count and SHA-256 digest of the access events with after_id < id <= last_id, in id order.

    Read in keyset-paged chunks: constant memory, no long transaction.
    """
    digest = hashlib.sha256()
    count = 0
    position = after_id
    while True:
        chunk = list(
            AccessEvent.objects.filter(id__gt=position, id__lte=last_id)
            .order_by("id")
            .values_list(*ACCESS_EVENT_FIELDS)[:chunk_size]
        )
        digest.update(b"".join(map(access_event_line, chunk)))
        count += len(chunk)
        if len(chunk) < chunk_size:
            return count, digest.hexdigest()
        position = chunk[-1][0]  # id is the first field


@dataclass(frozen=True)
class SealBreak:
    """The first seal whose access events no longer match: where, and one Swedish sentence."""

    seq: int  # the journal entry holding the seal
    after_id: int
    last_id: int
    detail: str


@dataclass(frozen=True)
class SealResult:
    """The outcome of `verify_seals`."""

    seals: int
    sealed_events: int
    unsealed_events: int
    broken: SealBreak | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_seals(*, chunk_size: int = DEFAULT_CHUNK_SIZE) -> SealResult:
    """Recompute every seal's digest; name the first seal whose events were changed."""
    seals = 0
    sealed = 0
    previous_last_id = 0
    entries = (
        JournalEntry.objects.filter(action=SEAL_ACTION).order_by("seq").values_list("seq", "data")
    )
    for seq, data in entries.iterator(chunk_size=500):
        broken = _check_seal(seq, data, previous_last_id, chunk_size)
        if broken is not None:
            return SealResult(seals, sealed, _unsealed(previous_last_id), broken)
        seals += 1
        sealed += int(data["count"])
        previous_last_id = int(data["last_id"])
    return SealResult(seals, sealed, _unsealed(previous_last_id))


def _unsealed(last_id: int) -> int:
    return AccessEvent.objects.filter(id__gt=last_id).count()


def _check_seal(seq: int, data: Any, previous_last_id: int, chunk_size: int) -> SealBreak | None:
    try:
        after_id, last_id = int(data["after_id"]), int(data["last_id"])
        count, digest = int(data["count"]), str(data["digest"])
        algorithm = data["algorithm"]
    except (KeyError, TypeError, ValueError):
        return SealBreak(seq, 0, 0, _("förseglingen saknar uppgifter eller har fel format"))
    if algorithm != ACCESS_DIGEST_ALGORITHM:
        return SealBreak(
            seq,
            after_id,
            last_id,
            _("okänd algoritm %(algorithm)s") % {"algorithm": algorithm},
        )
    if after_id != previous_last_id:
        return SealBreak(
            seq,
            after_id,
            last_id,
            _("förseglingen börjar efter #%(after)d men föregående slutade vid #%(previous)d")
            % {"after": after_id, "previous": previous_last_id},
        )
    found, found_digest = digest_access_events(after_id, last_id, chunk_size=chunk_size)
    if found != count:
        return SealBreak(
            seq,
            after_id,
            last_id,
            _(
                "%(found)d åtkomsthändelser finns nu, %(count)d när de förseglades; "
                "händelser har tagits bort eller lagts till"
            )
            % {"found": found, "count": count},
        )
    if found_digest != digest:
        return SealBreak(
            seq,
            after_id,
            last_id,
            _("åtkomsthändelser i intervallet har ändrats sedan de förseglades"),
        )
    return None
