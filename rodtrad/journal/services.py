"""The only door into the journal: record() for writes, record_access() for reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypedDict, cast

from django.db import models, transaction
from django.utils import timezone

from rodtrad.journal.chain import (
    ACCESS_DIGEST_ALGORITHM,
    ALGORITHM,
    GENESIS_HASH,
    canonical_timestamp,
    compute_hash,
    entry_fields,
)
from rodtrad.journal.models import (
    AccessAction,
    AccessEvent,
    Checkpoint,
    JournalEntry,
    JournalHead,
)
from rodtrad.lib import request_context


def _actor_details(by: Any) -> tuple[Any, str, str]:
    if by is None or not getattr(by, "is_authenticated", False):
        return None, "", ""
    from rodtrad.accounts.access import active_roles

    return by, by.get_username(), ",".join(sorted(active_roles(by)))


def _identity(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def record(
    action: str,
    *,
    by: Any,
    obj: models.Model | None = None,
    person_id: int | None = None,
    case_id: int | None = None,
    district: str = "",
    data: dict[str, Any] | None = None,
) -> JournalEntry:
    """Append one hash-chained entry; call inside the service's own transaction."""
    actor, username, roles = _actor_details(by)
    object_type, object_id = _identity(obj)
    ctx = request_context.current()
    with transaction.atomic():
        head, _created = JournalHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
        )
        entry = JournalEntry(
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            actor=actor,
            actor_username=username,
            roles=roles,
            district=district,
            action=action,
            object_type=object_type,
            object_id=object_id,
            person_id=person_id,
            case_id=case_id,
            data=data or {},
            request_id=ctx.request_id,
            client_ip=ctx.client_ip or "",
            channel=ctx.channel,
            prev_hash=head.hash,
        )
        entry.hash = compute_hash(entry_fields(entry))
        entry.save()
        JournalHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def _access_event(
    *,
    by: Any,
    memberships: list[Any],
    action: str,
    person: Any,
    case: Any,
    route: str,
    emergency_access: Any,
) -> AccessEvent:
    ctx = request_context.current()
    if person is None and case is not None:
        person = case.child
    return AccessEvent(
        occurred_at=timezone.now(),
        user=by,
        username=by.get_username() if by is not None else "",
        roles=",".join(sorted({m.role for m in memberships})),
        districts=",".join(sorted({m.district.code for m in memberships if m.district})),
        units=",".join(sorted({m.unit.code for m in memberships if m.unit})),
        action=action,
        person_id=getattr(person, "pk", None),
        case_id=getattr(case, "pk", None),
        is_protected=bool(getattr(person, "is_protected", False)),
        is_emergency=emergency_access is not None,
        emergency_access_id=getattr(emergency_access, "pk", None),
        reason=getattr(emergency_access, "reason", ""),
        route=route,
        request_id=ctx.request_id,
        client_ip=ctx.client_ip or "",
        channel=ctx.channel,
    )


def _memberships(by: Any) -> list[Any]:
    from rodtrad.accounts.access import active_memberships

    return list(active_memberships(by)) if by is not None else []


def record_access(
    *,
    by: Any,
    action: str = AccessAction.VIEWED,
    person: Any = None,
    case: Any = None,
    route: str = "",
    emergency_access: Any = None,
) -> AccessEvent:
    """Write one AccessEvent for a page or response that showed a person or a case."""
    event = _access_event(
        by=by,
        memberships=_memberships(by),
        action=action,
        person=person,
        case=case,
        route=route,
        emergency_access=emergency_access,
    )
    event.save()
    return event


def record_accesses(
    *, by: Any, cases: Iterable[Any] = (), persons: Iterable[Any] = (), action: str, route: str
) -> int:
    """One AccessEvent per case or person shown in a list, written in one INSERT."""
    memberships = _memberships(by)
    events = [
        _access_event(
            by=by,
            memberships=memberships,
            action=action,
            person=None,
            case=case,
            route=route,
            emergency_access=None,
        )
        for case in cases
    ] + [
        _access_event(
            by=by,
            memberships=memberships,
            action=action,
            person=person,
            case=None,
            route=route,
            emergency_access=None,
        )
        for person in persons
    ]
    AccessEvent.objects.bulk_create(events, batch_size=500)
    return len(events)


class CheckpointData(TypedDict):
    """A signed checkpoint, as written to the file that is kept outside the database."""

    seq: int
    hash: str
    exported_at: str
    algorithm: str
    signature_algorithm: str
    key_id: str
    signature: str


def export_checkpoint(*, by_label: str, by: Any = None) -> CheckpointData:
    """Store a Checkpoint of the current head (seq + hash) and return it signed, for keeping
    outside the database (checkpoints.py).

    `by_label` names who exported it (e.g. the operator's login on the server); the export is
    journaled in the same transaction, as the entry after the checkpoint. The signing key is
    created on first use, before anything is written.
    """
    from rodtrad.journal import checkpoints

    key = checkpoints.signing_key(create=True)
    with transaction.atomic():
        head, _created = JournalHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
        )
        checkpoint = Checkpoint.objects.create(seq=head.seq, hash=head.hash, exported_by=by_label)
        record("journal.checkpoint_exported", by=by, obj=checkpoint, data={"seq": head.seq})
    payload = {
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "exported_at": canonical_timestamp(checkpoint.exported_at),
        "algorithm": ALGORITHM,
    }
    return cast(CheckpointData, checkpoints.sign(payload, key))


_SEAL_ATTEMPTS = 3


def seal_access_events(*, by: Any = None, margin: timedelta | None = None) -> JournalEntry | None:
    """Seal the access events written since the last seal: count and digest as a journal entry.

    The digest is computed outside any lock (a day of events can take seconds); the entry is
    then appended only if no other seal was written meanwhile (else the work is redone).
    Returns None when there is nothing new to seal.
    """
    from rodtrad.journal import seals

    if margin is None:
        margin = seals.DEFAULT_MARGIN
    for _attempt in range(_SEAL_ATTEMPTS):
        after_id = seals.last_sealed_id()
        last_id = seals.sealable_upto(after_id=after_id, margin=margin)
        if last_id <= after_id:
            return None
        count, digest = seals.digest_access_events(after_id, last_id)
        with transaction.atomic():
            # The head lock serialises sealers as it serialises every append.
            JournalHead.objects.select_for_update().get_or_create(
                pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
            )
            if seals.last_sealed_id() != after_id:
                continue
            return record(
                seals.SEAL_ACTION,
                by=by,
                data={
                    "after_id": after_id,
                    "last_id": last_id,
                    "count": count,
                    "digest": digest,
                    "algorithm": ACCESS_DIGEST_ALGORITHM,
                },
            )
    raise RuntimeError("access events could not be sealed: other seals kept being written")


@dataclass(frozen=True)
class WrittenCheckpoint:
    """What `write_checkpoint` did: the seal (if there was anything to seal), the signed
    checkpoint, and the file it was stored in."""

    seal: JournalEntry | None
    data: CheckpointData
    path: Path


def write_checkpoint(*, by_label: str, by: Any = None) -> WrittenCheckpoint:
    """Seal new access events, export a signed checkpoint, and store it in the checkpoint
    folder: the daily task and `rodtrad export-checkpoint` both do exactly this."""
    from rodtrad.journal import checkpoints

    seal = seal_access_events(by=by)
    data = export_checkpoint(by_label=by_label, by=by)
    path = checkpoints.store(dict(data))
    return WrittenCheckpoint(seal=seal, data=data, path=path)


def record_access_denied(
    *, by: Any, action: str, case_id: int | None = None, person_id: int | None = None
) -> AccessEvent:
    """Write the `denied` access event for a lookup outside the user's scope (S11)."""
    ctx = request_context.current()
    return AccessEvent.objects.create(
        occurred_at=timezone.now(),
        user=by,
        username=by.get_username(),
        action=action,
        case_id=case_id,
        person_id=person_id,
        request_id=ctx.request_id,
        client_ip=ctx.client_ip or "",
        channel=ctx.channel,
    )
