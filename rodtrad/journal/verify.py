"""Verify the journal: recompute every hash, follow every link, and name the first broken entry.

Entries are read in seq order in keyset-paged chunks (`seq > last ORDER BY seq LIMIT n`), so
memory stays constant and no long transaction or server-side cursor is held on a table that
grows by millions of rows a year. Appends only ever add at the end, so paging is safe while
the application keeps writing.

A checkpoint (seq + hash, exported earlier and kept outside the database) adds what the chain
cannot prove by itself: that the entry at that seq still has that hash, and that the journal has
not lost its tail (docs/security-checks.md §0 point 4, S22).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from django.utils.translation import gettext as _

from rodtrad.journal.chain import ALGORITHM, GENESIS_HASH, HASHED_FIELDS, compute_hash, entry_fields
from rodtrad.journal.models import JournalEntry, JournalHead

DEFAULT_CHUNK_SIZE = 2000
# How far back the search for a moved entry's rightful place may walk (only after a break).
_MAX_HOME_WALK = 32
_HASH_PATTERN = re.compile(r"[0-9a-f]{64}")
_COLUMNS = (*HASHED_FIELDS, "hash")

# A row from values_list(..., named=True): the hashed fields plus `hash`, as attributes.
_Row = Any


class BreakReason(StrEnum):
    """Why an entry breaks the chain (stable codes for scripts; `ChainBreak.detail` explains)."""

    HASH_MISMATCH = "hash_mismatch"  # the entry's content does not give its stored hash
    BROKEN_LINK = "broken_link"  # prev_hash is not the hash of the entry before
    MISSING = "missing"  # a seq is missing (gap, or the tail is gone while the head says more)
    OUT_OF_ORDER = "out_of_order"  # the entry belongs at another seq (moved or swapped)
    HEAD_MISMATCH = "head_mismatch"  # JournalHead does not match the last entry
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"  # the entry at the checkpoint's seq differs
    TRUNCATED = "truncated"  # the journal ends before the checkpoint's seq


@dataclass(frozen=True)
class ChainBreak:
    """The first broken entry: its seq, why, and one Swedish sentence for people."""

    seq: int
    reason: BreakReason
    detail: str


class CheckpointLike(Protocol):
    """Anything with a seq and a hash: a ChainCheckpoint read from a file, or a Checkpoint row."""

    @property
    def seq(self) -> int: ...

    @property
    def hash(self) -> str: ...


@dataclass(frozen=True)
class ChainCheckpoint:
    """A checkpoint as exported by `export_checkpoint` and read back by `load_checkpoint`."""

    seq: int
    hash: str
    algorithm: str = ALGORITHM
    exported_at: str = ""


class CheckpointFormatError(ValueError):
    """The checkpoint text is not a checkpoint this version can verify against."""


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of `verify_chain`.

    `entries` counts the entries found intact (all of them when `ok`); `head_seq`/`head_hash`
    name the last intact entry (0 and the genesis hash for an empty journal).
    """

    entries: int
    head_seq: int
    head_hash: str
    broken: ChainBreak | None = None
    checkpoint_seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


def load_checkpoint(text: str) -> ChainCheckpoint:
    """Parse an exported checkpoint (JSON); raise CheckpointFormatError when it is unusable."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CheckpointFormatError(_("filen är inte giltig JSON")) from exc
    if not isinstance(raw, dict):
        raise CheckpointFormatError(_("filen innehåller inget JSON-objekt"))
    seq = raw.get("seq")
    hash_value = raw.get("hash")
    algorithm = raw.get("algorithm")
    exported_at = raw.get("exported_at", "")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
        raise CheckpointFormatError(_("fältet seq saknas eller är inte ett heltal ≥ 0"))
    if not isinstance(hash_value, str) or not _HASH_PATTERN.fullmatch(hash_value):
        raise CheckpointFormatError(_("fältet hash saknas eller är inte 64 hexadecimala tecken"))
    if algorithm != ALGORITHM:
        raise CheckpointFormatError(
            _("okänd algoritm %(algorithm)s (väntade %(expected)s)")
            % {"algorithm": algorithm, "expected": ALGORITHM}
        )
    return ChainCheckpoint(
        seq=seq,
        hash=hash_value,
        algorithm=algorithm,
        exported_at=exported_at if isinstance(exported_at, str) else "",
    )


def verify_chain(
    *, checkpoint: CheckpointLike | None = None, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> VerifyResult:
    """Recompute the chain in seq order and report the first broken entry, if any."""
    head_before = _head()
    expected_seq = 1
    prev_hash = GENESIS_HASH
    hashes_to_remember = {checkpoint.seq} if checkpoint is not None else set()
    if head_before is not None:
        hashes_to_remember.add(head_before[0])
    remembered: dict[int, str] = {}

    def result(broken: ChainBreak | None = None) -> VerifyResult:
        return VerifyResult(
            entries=expected_seq - 1,
            head_seq=expected_seq - 1,
            head_hash=prev_hash,
            broken=broken,
            checkpoint_seq=checkpoint.seq if checkpoint is not None else None,
        )

    for row in _rows_in_seq_order(chunk_size):
        broken = _check_row(row, expected_seq=expected_seq, prev_hash=prev_hash)
        if (
            broken is None
            and checkpoint is not None
            and row.seq == checkpoint.seq
            and row.hash != checkpoint.hash
        ):
            broken = ChainBreak(
                row.seq,
                BreakReason.CHECKPOINT_MISMATCH,
                _(
                    "posten har en annan hash än i kontrollpunkten; journalen har skrivits "
                    "om fram till och med denna post"
                ),
            )
        if broken is not None:
            return result(broken)
        if row.seq in hashes_to_remember:
            remembered[row.seq] = row.hash
        prev_hash = row.hash
        expected_seq += 1

    last_seq = expected_seq - 1
    candidates = [
        _check_head(head_before, _head(), last_seq=last_seq, seen=remembered),
        _check_truncation(checkpoint, last_seq=last_seq),
    ]
    breaks = [b for b in candidates if b is not None]
    if breaks:
        return result(min(breaks, key=lambda b: b.seq))
    return result()


def _head() -> tuple[int, str] | None:
    return JournalHead.objects.filter(pk=1).values_list("seq", "hash").first()


def _rows_in_seq_order(chunk_size: int) -> Iterator[_Row]:
    # The first page has no lower bound, so rows with seq <= 0 are seen (and reported) too.
    last_seq: int | None = None
    while True:
        rows = JournalEntry.objects.order_by("seq")
        if last_seq is not None:
            rows = rows.filter(seq__gt=last_seq)
        chunk = list(rows.values_list(*_COLUMNS, named=True)[:chunk_size])
        yield from chunk
        if len(chunk) < chunk_size:
            return
        last_seq = chunk[-1].seq


def _check_row(row: _Row, *, expected_seq: int, prev_hash: str) -> ChainBreak | None:
    if row.seq > expected_seq:
        return ChainBreak(
            expected_seq,
            BreakReason.MISSING,
            _("posten saknas (nästa befintliga post är #%(next)d)") % {"next": row.seq},
        )
    if row.seq < expected_seq:
        return ChainBreak(
            row.seq,
            BreakReason.OUT_OF_ORDER,
            _("postens nummer hör inte till kedjan (väntade #%(expected)d)")
            % {"expected": expected_seq},
        )
    if compute_hash(entry_fields(row)) != row.hash:
        home = _home_seq(row, depth=0)
        if home is not None and home != row.seq:
            return ChainBreak(
                row.seq,
                BreakReason.OUT_OF_ORDER,
                _("posten hör hemma vid #%(home)d; poster har flyttats eller bytt plats")
                % {"home": home},
            )
        return ChainBreak(
            row.seq,
            BreakReason.HASH_MISMATCH,
            _("innehållet stämmer inte med postens hash; posten har ändrats"),
        )
    if row.prev_hash != prev_hash:
        if expected_seq == 1:
            detail = _("första posten pekar inte på kedjans startvärde")
        else:
            detail = _(
                "posten pekar inte på hashen för post #%(previous)d; den posten har ändrats "
                "och fått ny hash, eller bytts ut"
            ) % {"previous": expected_seq - 1}
        return ChainBreak(row.seq, BreakReason.BROKEN_LINK, detail)
    return None


def _home_seq(row: _Row, *, depth: int) -> int | None:
    """The seq at which this row's stored hash is right, found through its prev_hash link.

    Only called after a hash mismatch, to tell a moved or swapped entry from a changed one.
    The predecessor's place is its own seq if it verifies there, or else found the same way.
    """
    if row.prev_hash == GENESIS_HASH:
        candidate = 1
    else:
        predecessor = (
            JournalEntry.objects.filter(hash=row.prev_hash)
            .values_list(*_COLUMNS, named=True)
            .first()
        )
        if predecessor is None:
            return None
        if compute_hash(entry_fields(predecessor)) == predecessor.hash:
            predecessor_home: int | None = predecessor.seq
        elif depth < _MAX_HOME_WALK:
            predecessor_home = _home_seq(predecessor, depth=depth + 1)
        else:
            predecessor_home = None
        if predecessor_home is None:
            return None
        candidate = predecessor_home + 1
    if compute_hash(entry_fields(row._replace(seq=candidate))) == row.hash:
        return candidate
    return None


def _check_head(
    before: tuple[int, str] | None,
    after: tuple[int, str] | None,
    *,
    last_seq: int,
    seen: dict[int, str],
) -> ChainBreak | None:
    """Compare JournalHead with the chain as read.

    If the head did not move while we read, nothing was appended meanwhile and the head must
    name the last entry exactly. If it moved, entries after the first head are new appends
    (already verified as part of the chain); only the first head is held to account.
    """
    if before is None or after is None:
        if last_seq == 0:
            return None
        return ChainBreak(last_seq, BreakReason.HEAD_MISMATCH, _("huvudraden (JournalHead) saknas"))
    head_seq, head_hash = before
    if head_seq > last_seq:
        return ChainBreak(
            last_seq + 1,
            BreakReason.MISSING,
            _(
                "posten saknas: huvudraden anger %(head)d poster men journalen slutar vid "
                "#%(last)d; slutet har tagits bort"
            )
            % {"head": head_seq, "last": last_seq},
        )
    expected_hash = GENESIS_HASH if head_seq == 0 else seen.get(head_seq, "")
    if head_hash != expected_hash:
        return ChainBreak(
            max(head_seq, 1),
            BreakReason.HEAD_MISMATCH,
            _("huvudraden (JournalHead) har en annan hash än posten"),
        )
    if before == after and last_seq > head_seq:
        return ChainBreak(
            head_seq + 1,
            BreakReason.HEAD_MISMATCH,
            _(
                "posten ligger efter huvudraden (JournalHead) och har inte lagts till "
                "genom record()"
            ),
        )
    return None


def _check_truncation(checkpoint: CheckpointLike | None, *, last_seq: int) -> ChainBreak | None:
    if checkpoint is None or checkpoint.seq <= last_seq:
        return None
    return ChainBreak(
        last_seq + 1,
        BreakReason.TRUNCATED,
        _(
            "posten saknas: kontrollpunkten anger minst %(checkpoint)d poster men journalen "
            "slutar vid #%(last)d; slutet har tagits bort"
        )
        % {"checkpoint": checkpoint.seq, "last": last_seq},
    )
