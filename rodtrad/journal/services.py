"""The only door into the journal: record() for writes, record_access() for reads."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from rodtrad.journal import checkpoints, readers, seals
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

if TYPE_CHECKING:
    from rodtrad.accounts.models import EmergencyAccess, User
    from rodtrad.cases.models import Case
    from rodtrad.people.models import Person


def _actor_details(by: User | None) -> tuple[User | None, str, str]:
    if by is None or not getattr(by, "is_authenticated", False):
        return None, "", ""
    return by, by.get_username(), ",".join(sorted(readers.scope().active_roles(by)))


def _identity(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


_READ_HEAD = 'SELECT seq, hash FROM "journal_journalhead" WHERE id = 1'
_LOCK_HEAD = _READ_HEAD + " FOR UPDATE"  # SQLite locks the whole file on writing instead
_MOVE_HEAD = 'UPDATE "journal_journalhead" SET seq = %s, hash = %s WHERE id = 1'


def lock_head() -> tuple[int, str]:
    """The chain's newest (seq, hash), locked until the transaction ends; every append and
    every checkpoint goes through here. Plain SQL: it runs on every write (about a third of
    an append's time went to building these two ORM queries)."""
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_HEAD if connection.features.has_select_for_update else _READ_HEAD, [])
        row = cursor.fetchone()
    if row is None:  # the first append of a new database
        head, _created = JournalHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
        )
        return head.seq, head.hash
    return int(row[0]), str(row[1])


def move_head(seq: int, hash: str) -> None:
    """Point the head at the newest entry (after `lock_head`, in the same transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(_MOVE_HEAD, [seq, hash])


def record(
    action: str,
    *,
    by: User | None,
    obj: models.Model | None = None,
    person_id: int | None = None,
    case_id: int | None = None,
    district: str = "",
    data: dict[str, Any] | None = None,
) -> JournalEntry:
    """Append one hash-chained entry; call inside the service's own transaction.

    `by=None` is the system or the command line (the entry names no actor)."""
    actor, username, roles = _actor_details(by)
    object_type, object_id = _identity(obj)
    ctx = request_context.current()
    # No savepoint of its own: an entry is written inside the service's transaction, and if
    # appending fails the whole change must fail with it (the service's savepoint, or the
    # outermost transaction, rolls it back). Two statements fewer on every write.
    with transaction.atomic(savepoint=False):
        head_seq, head_hash = lock_head()
        entry = JournalEntry(
            seq=head_seq + 1,
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
            prev_hash=head_hash,
        )
        entry.hash = compute_hash(entry_fields(entry))
        _insert(entry)
        move_head(entry.seq, entry.hash)
    return entry


_INSERT_FIELDS = [f for f in JournalEntry._meta.concrete_fields if not f.primary_key]


@cache
def _insert_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    return "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(
        quote(JournalEntry._meta.db_table),
        ", ".join(quote(f.column) for f in _INSERT_FIELDS),
        ", ".join(["%s"] * len(_INSERT_FIELDS)),
        quote(JournalEntry._meta.pk.column),
    )


def _insert(entry: JournalEntry) -> None:
    """INSERT one entry with a statement written once: every write of the product appends an
    entry, and the ORM's insert compiler (signals, field lists, SQL built anew each time) was
    about half of an append. Values are prepared by the fields themselves, as save() does."""
    if not connection.features.can_return_columns_from_insert:
        entry.save()
        return
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in _INSERT_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor), values)
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = connection.alias


class ReaderScope:
    """What the journal needs to know about a reader, worked out once per request.

    The memberships (roles, districts, units on every event) and the reader's active emergency
    grants are read once; only when a grant exists are the grant's cases and persons compared
    with the reader's own scope (a case or person seen through the own scope is not an
    emergency read). So a request costs one query for grants whatever the number of events,
    and an ordinary reader (no grant) never more. It also remembers which subjects already have
    an access event in this request (`record_access_once`).
    """

    def __init__(self, user: User) -> None:
        access = readers.scope()
        self.user = user
        # (role, district code, unit code) of each membership valid today, for every event.
        self.memberships: list[tuple[str, str | None, str | None]] = []
        self.grants_by_case: dict[int, EmergencyAccess] = {}
        if user is not None and getattr(user, "is_authenticated", False):
            self.memberships = [
                (
                    m.role,
                    m.district.code if m.district else None,
                    m.unit.code if m.unit else None,
                )
                for m in access.active_memberships(user)
            ]
            # Plain rows and an EXISTS first: this runs on every page view (bench/
            # access_event_write.py), and almost nobody holds a grant.
            grants = access.active_emergency_accesses(user)
            if grants.exists():
                self.grants_by_case = {
                    grant.case_id: grant
                    for grant in grants.select_related("case").order_by("expires_at")
                }
        roles = sorted({role for role, _district, _unit in self.memberships})
        self.roles = ",".join(roles)
        self.districts = ",".join(sorted({d for _role, d, _unit in self.memberships if d}))
        self.units = ",".join(sorted({u for _role, _district, u in self.memberships if u}))
        self._own_case_ids: set[int] | None = None
        self._grants_by_person: dict[int, EmergencyAccess] | None = None
        self.recorded: set[tuple[int | None, int | None]] = set()

    def grant_for_case(self, case_id: int | None) -> EmergencyAccess | None:
        """The grant through which the reader sees this case, if that is the only way."""
        if case_id is None or case_id not in self.grants_by_case:
            return None
        if self._own_case_ids is None:
            self._own_case_ids = set(
                readers.scope()
                .editable_cases(self.user)
                .filter(pk__in=list(self.grants_by_case))
                .values_list("pk", flat=True)
            )
        return None if case_id in self._own_case_ids else self.grants_by_case[case_id]

    def grant_for_person(self, person_id: int | None) -> EmergencyAccess | None:
        """The grant through which the reader sees this person (the grant case's child or one
        of the child's related persons), if that is the only way."""
        if person_id is None or not self.grants_by_case:
            return None
        if self._grants_by_person is None:
            self._grants_by_person = self._persons_seen_only_through_grants()
        return self._grants_by_person.get(person_id)

    def _persons_seen_only_through_grants(self) -> dict[int, EmergencyAccess]:
        Relationship = apps.get_model("people", "Relationship")
        by_child = {
            grant.case.child_id: grant
            for grant in self.grants_by_case.values()
            if self.grant_for_case(grant.case_id) is not None
        }
        candidates = dict(by_child)
        related = Relationship._default_manager.filter(child_id__in=list(by_child)).values_list(
            "child_id", "other_id"
        )
        for child_id, other_id in related:
            candidates.setdefault(other_id, by_child[child_id])
        own = set(
            readers.scope()
            .visible_persons(self.user, include_emergency=False)
            .filter(pk__in=list(candidates))
            .values_list("pk", flat=True)
        )
        return {pk: grant for pk, grant in candidates.items() if pk not in own}


# One ReaderScope per request and reader; outside a request every call gets a fresh one
# (request_context.current() then has a new request id each time), so nothing goes stale.
_reader_scope: ContextVar[tuple[str, int | None, ReaderScope] | None] = ContextVar(
    "rodtrad_reader_scope", default=None
)


def reader_scope(by: User) -> ReaderScope:
    """The reader's scope for the current request (made on first use)."""
    request_id = request_context.current().request_id
    user_key = getattr(by, "pk", None)
    cached = _reader_scope.get()
    if cached is not None and cached[0] == request_id and cached[1] == user_key:
        return cached[2]
    scope = ReaderScope(by)
    _reader_scope.set((request_id, user_key, scope))
    return scope


def _access_event(
    *,
    by: User,
    scope: ReaderScope,
    action: str,
    person: Person | None,
    case: Case | None,
    route: str,
    emergency_access: EmergencyAccess | None,
    reason: str = "",
) -> AccessEvent:
    ctx = request_context.current()
    if person is None and case is not None:
        person = case.child
    person_id = person.pk if person is not None else None
    case_id = case.pk if case is not None else None
    if emergency_access is None:
        emergency_access = (
            scope.grant_for_case(case_id) if case is not None else scope.grant_for_person(person_id)
        )
    scope.recorded.add((case_id, person_id))
    return AccessEvent(
        occurred_at=timezone.now(),
        user=by,
        username=by.get_username(),
        roles=scope.roles,
        districts=scope.districts,
        units=scope.units,
        action=action,
        person_id=person_id,
        case_id=case_id,
        is_protected=person is not None and person.is_protected,
        is_emergency=emergency_access is not None,
        emergency_access_id=emergency_access.pk if emergency_access is not None else None,
        reason=emergency_access.reason if emergency_access is not None else reason,
        route=route or ctx.route,
        request_id=ctx.request_id,
        client_ip=ctx.client_ip or "",
        channel=ctx.channel,
    )


def record_access(
    *,
    by: User,
    action: str = AccessAction.VIEWED,
    person: Person | None = None,
    case: Case | None = None,
    route: str = "",
    emergency_access: EmergencyAccess | None = None,
    reason: str = "",
) -> AccessEvent:
    """Write one AccessEvent for a page or response that showed a person or a case.

    A read through an emergency grant carries the grant (id, flag, reason) whether or not the
    caller passes it: the journal works it out (ReaderScope). Otherwise `reason` says on what
    ground the reader saw it, where that is not their scope (an internal review names its
    programme: docs/internal-control.md).
    """
    event = _access_event(
        by=by,
        scope=reader_scope(by),
        action=action,
        person=person,
        case=case,
        route=route,
        emergency_access=emergency_access,
        reason=reason,
    )
    event.save()
    return event


def record_access_once(
    *,
    by: User,
    action: str = AccessAction.VIEWED,
    person: Person | None = None,
    case: Case | None = None,
    route: str = "",
) -> AccessEvent | None:
    """record_access, unless this request already wrote an event for the same case or person.

    For shared helpers (the conflict page) that cannot know whether the view already did.
    """
    person_id = getattr(person if person is not None else getattr(case, "child", None), "pk", None)
    if (getattr(case, "pk", None), person_id) in reader_scope(by).recorded:
        return None
    return record_access(by=by, action=action, person=person, case=case, route=route)


def subjects_of(obj: models.Model, *, by: User) -> tuple[list[Case], list[Person]]:
    """The cases and persons a page about `obj` shows: a case, a person, or a row that belongs
    to a case (a document, investigation, need, communication), or to a report (the report's
    children's cases that `by` may see)."""
    if isinstance(obj, apps.get_model("cases", "Case")):
        return [obj], []
    if isinstance(obj, apps.get_model("people", "Person")):
        return [], [obj]
    for path in ("case", "investigation"):
        owner = getattr(obj, path, None)
        if owner is not None:
            return subjects_of(owner, by=by)
    report = getattr(obj, "report", None)
    if report is not None and hasattr(report, "children"):
        case_ids = report.children.values("case_id")
        return list(readers.scope().visible_cases(by).filter(pk__in=case_ids).order_by("pk")), []
    return [], []


def record_accesses(
    *,
    by: User,
    cases: Iterable[Case] = (),
    persons: Iterable[Person] = (),
    action: str,
    route: str,
) -> int:
    """One AccessEvent per case or person shown in a list, written in one INSERT."""
    scope = reader_scope(by)
    events = [
        _access_event(
            by=by,
            scope=scope,
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
            scope=scope,
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


def export_checkpoint(*, by_label: str, by: User | None = None) -> CheckpointData:
    """Store a Checkpoint of the current head (seq + hash) and return it signed, for keeping
    outside the database (checkpoints.py).

    `by_label` names who exported it (e.g. the operator's login on the server); the export is
    journaled in the same transaction, as the entry after the checkpoint. The signing key is
    created on first use, before anything is written.
    """
    key = checkpoints.signing_key(create=True)
    with transaction.atomic():
        head_seq, head_hash = lock_head()
        checkpoint = Checkpoint.objects.create(seq=head_seq, hash=head_hash, exported_by=by_label)
        record("journal.checkpoint_exported", by=by, obj=checkpoint, data={"seq": head_seq})
    payload = {
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "exported_at": canonical_timestamp(checkpoint.exported_at),
        "algorithm": ALGORITHM,
    }
    return cast(CheckpointData, checkpoints.sign(payload, key))


_SEAL_ATTEMPTS = 3


def seal_access_events(
    *, by: User | None = None, margin: timedelta | None = None
) -> JournalEntry | None:
    """Seal the access events written since the last seal: count and digest as a journal entry.

    The digest is computed outside any lock (a day of events can take seconds); the entry is
    then appended only if no other seal was written meanwhile (else the work is redone).
    Returns None when there is nothing new to seal.
    """
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
            lock_head()
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


def write_checkpoint(*, by_label: str, by: User | None = None) -> WrittenCheckpoint:
    """Seal new access events, export a signed checkpoint, and store it in the checkpoint
    folder: the daily task and `rodtrad export-checkpoint` both do exactly this."""
    seal = seal_access_events(by=by)
    data = export_checkpoint(by_label=by_label, by=by)
    path = checkpoints.store(dict(data))
    return WrittenCheckpoint(seal=seal, data=data, path=path)


# people.ProtectionLevel.NONE by its value: the journal is below people in the layers and
# reaches people's models only by their labels (docs/architecture.md, "Layers").
UNPROTECTED = "none"


@dataclass(frozen=True)
class DeniedSubject:
    """What a refused lookup aimed at, as far as it exists: the case and the person (the
    case's child), and whether that person is protected."""

    case_id: int | None = None
    person_id: int | None = None
    is_protected: bool = False


def denied_subjects(
    *,
    case_id: int | None = None,
    person_id: int | None = None,
    report_id: int | None = None,
    report_child_id: int | None = None,
) -> list[DeniedSubject]:
    """The subjects of a refused lookup (S19: log review sees whose case was tried; S15: the
    flag when the person is protected). One indexed query whether or not the id exists: the
    404 the user gets does not depend on it, and the time it takes hardly does. A report
    names each of its children (one subject each); an id that does not exist names only
    itself (a case or person id) or nothing (a report)."""
    Case = apps.get_model("cases", "Case")
    Person = apps.get_model("people", "Person")
    ReportChild = apps.get_model("intake", "ReportChild")

    def protected(level: str | None) -> bool:
        return level is not None and level != UNPROTECTED

    if person_id is not None:
        level = Person._default_manager.filter(pk=person_id).values_list(
            "protection_level", flat=True
        )
        return [DeniedSubject(person_id=person_id, is_protected=protected(level.first()))]
    if case_id is not None:
        found = Case._default_manager.filter(pk=case_id).values_list(
            "child_id", "child__protection_level"
        )
        child = found.first()
        if child is None:
            return [DeniedSubject(case_id=case_id)]
        return [DeniedSubject(case_id, child[0], protected(child[1]))]
    if report_id is not None:
        rows = ReportChild._default_manager.filter(report_id=report_id)
    elif report_child_id is not None:
        rows = ReportChild._default_manager.filter(pk=report_child_id)
    else:
        return [DeniedSubject()]
    subjects = [
        DeniedSubject(case, child, protected(level))
        for case, child, level in rows.order_by("pk").values_list(
            "case_id", "child_id", "child__protection_level"
        )
    ]
    return subjects or [DeniedSubject()]


def record_access_denied(
    *,
    by: User,
    action: str,
    case_id: int | None = None,
    person_id: int | None = None,
    report_id: int | None = None,
    report_child_id: int | None = None,
) -> list[AccessEvent]:
    """Write the `denied` access events for a lookup outside the user's scope (S11, S19): the
    route that was tried (the request's), and where the object exists its case and person,
    flagged `is_protected` when the person is protected (S15). A report gives one event per
    child."""
    ctx = request_context.current()
    events = [
        AccessEvent(
            occurred_at=timezone.now(),
            user=by,
            username=by.get_username(),
            action=action,
            case_id=subject.case_id,
            person_id=subject.person_id,
            is_protected=subject.is_protected,
            route=ctx.route,
            request_id=ctx.request_id,
            client_ip=ctx.client_ip or "",
            channel=ctx.channel,
        )
        for subject in denied_subjects(
            case_id=case_id,
            person_id=person_id,
            report_id=report_id,
            report_child_id=report_child_id,
        )
    ]
    if len(events) == 1:
        events[0].save()
    else:
        AccessEvent.objects.bulk_create(events)
    return events
