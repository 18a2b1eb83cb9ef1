"""The only door into the journal: record() for writes, record_access() for reads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict

from django.db import models, transaction
from django.utils import timezone

from rodtrad.journal.chain import (
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
    """An exported checkpoint, as written to the file that is kept outside the database."""

    seq: int
    hash: str
    exported_at: str
    algorithm: str


def export_checkpoint(*, by_label: str, by: Any = None) -> CheckpointData:
    """Store a Checkpoint of the current head (seq + hash) and return it for external keeping.

    `by_label` names who exported it (e.g. the operator's login on the server); the export is
    journaled in the same transaction, as the entry after the checkpoint.
    """
    with transaction.atomic():
        head, _created = JournalHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
        )
        checkpoint = Checkpoint.objects.create(seq=head.seq, hash=head.hash, exported_by=by_label)
        record("journal.checkpoint_exported", by=by, obj=checkpoint, data={"seq": head.seq})
    return CheckpointData(
        seq=checkpoint.seq,
        hash=checkpoint.hash,
        exported_at=canonical_timestamp(checkpoint.exported_at),
        algorithm=ALGORITHM,
    )


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
