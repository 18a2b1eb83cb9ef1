"""Writes on cases: responsibility and emergency access ("break the glass")."""

from __future__ import annotations

import datetime
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from rodtrad.accounts import access
from rodtrad.accounts.models import (
    OPEN_EMERGENCY_STATUSES,
    EmergencyAccess,
    EmergencyAccessStatus,
    Role,
)
from rodtrad.cases.models import Case, CaseStatus, DocumentStatus, SignableDocument
from rodtrad.journal.chain import canonical_json
from rodtrad.journal.services import record
from rodtrad.lib.versioning import StaleVersion, copy_fields, update_versioned
from rodtrad.people.identity import InvalidIdentityNumber, parse_identity_number

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rodtrad.accounts.models import User

MINIMUM_REASON_LENGTH = 20


class AlreadyInScope(Exception):
    """The user can already see the case; no emergency access is needed."""

    def __init__(self, case: Case) -> None:
        self.case = case


def assign_responsible(
    case: Case, *, by: User, responsible: User | None, expected_version: int
) -> Case:
    """Make a colleague responsible for the case (team manager of the case's district)."""
    with transaction.atomic():
        if not access.has_role(by, Role.TEAM_MANAGER) or not access.can(by, "edit_case", case):
            raise PermissionDenied
        if responsible is not None and not access.can(responsible, "edit_case", case):
            raise ValidationError(
                _("Den valda medarbetaren arbetar inte med ärenden i den här enheten.")
            )

        updated: Case = update_versioned(
            case, expected_version=expected_version, changes={"responsible": responsible}
        )
        record(
            "cases.responsible_assigned",
            by=by,
            obj=case,
            case_id=case.pk,
            person_id=case.child_id,
            district=case.district.code,
            data={"responsible_id": getattr(responsible, "pk", None)},
        )
        return updated


def _open_case_of(identity_number: str) -> Case | None:
    """The child's newest open case, in any district.

    The one sanctioned unscoped lookup: it only ever leads to a journaled, time-limited grant.
    """
    return (
        Case.objects.filter(child__identity_number=identity_number)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("child", "district")
        .order_by("-recorded_at")
        .first()
    )


def request_emergency_access(
    *, by: User, identity_number: str, reason: str
) -> EmergencyAccess | None:
    """Break the glass: read-only access to a child's open case outside the user's scope.

    Needs a reason. The grant lasts settings.RODTRAD_EMERGENCY_ACCESS_MINUTES and lands in
    the review list of the team managers of the case's district. For a child with protected
    personal data the grant waits for a team manager's approval (a second person).

    A number without an open case returns None (journaled as an attempt). The page answers
    every request alike, so that it tells nobody whether a child exists or is protected
    (S16); a grant that is active shows up among the user's grants.
    """
    if not access.can(by, "request_emergency_access"):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < MINIMUM_REASON_LENGTH:
        raise ValidationError(
            _("Skriv varför du behöver nödåtkomst (minst %(n)d tecken).")
            % {"n": MINIMUM_REASON_LENGTH},
            code="reason",
        )
    try:
        number = parse_identity_number(identity_number)
    except InvalidIdentityNumber as exc:
        raise ValidationError(str(exc), code="identity_number") from exc
    case = _open_case_of(number.value)
    if case is None:
        record("cases.emergency_access_not_found", by=by, data={})  # a miss is an attempt too
        return None
    if access.editable_cases(by).filter(pk=case.pk).exists():
        raise AlreadyInScope(case)
    with transaction.atomic():
        now = timezone.now()
        open_grant = _open_grant(by, case, now=now)
        if open_grant is not None:
            return _already_open(open_grant, by=by, case=case)
        needs_approval = case.child.is_protected
        try:
            with transaction.atomic():
                grant = EmergencyAccess.objects.create(
                    user=by,
                    case=case,
                    reason=reason,
                    status=EmergencyAccessStatus.PENDING
                    if needs_approval
                    else EmergencyAccessStatus.ACTIVE,
                    requested_at=now,
                    starts_at=None if needs_approval else now,
                    expires_at=None
                    if needs_approval
                    else now + timedelta(minutes=settings.RODTRAD_EMERGENCY_ACCESS_MINUTES),
                )
        except IntegrityError:
            # The same user's request in another tab committed its grant first.
            open_grant = _open_grant(by, case, now=now)
            if open_grant is None:
                raise
            return _already_open(open_grant, by=by, case=case)
        record(
            "cases.emergency_access_requested"
            if needs_approval
            else "cases.emergency_access_granted",
            by=by,
            obj=grant,
            case_id=case.pk,
            person_id=case.child_id,
            district=case.district.code,
            data={"needs_approval": needs_approval, "is_protected": case.child.is_protected},
        )
        return grant


def _already_open(grant: EmergencyAccess, *, by: User, case: Case) -> EmergencyAccess:
    """One open grant per user and case (a database constraint too): asking again gives the
    grant the user has, neither extended nor doubled, and the page answers as it always does
    (S16). The repeated request is journaled, as every attempt is."""
    record(
        "cases.emergency_access_already_open",
        by=by,
        obj=grant,
        case_id=case.pk,
        person_id=case.child_id,
        district=case.district.code,
        data={"status": grant.status},
    )
    return grant


def _open_grant(by: User, case: Case, *, now: datetime.datetime) -> EmergencyAccess | None:
    """The user's open grant to the case (active and unexpired, or waiting for approval), after
    marking the user's lapsed active grants to it as expired, so that the one-open-grant
    constraint lets a new one in (a partial index cannot know what time it is)."""
    mine = EmergencyAccess.objects.select_for_update().filter(user=by, case=case)
    mine.filter(status=EmergencyAccessStatus.ACTIVE, expires_at__lte=now).update(
        status=EmergencyAccessStatus.EXPIRED
    )
    return mine.filter(status__in=OPEN_EMERGENCY_STATUSES).first()


def current_emergency_accesses(user: User | AnonymousUser) -> QuerySet[EmergencyAccess]:
    """The user's own grants that are active now, newest first (the request page lists them)."""
    return (
        access.active_emergency_accesses(user)
        .select_related("case", "case__child", "case__district")
        .order_by("-starts_at")
    )


def reviewable_emergency_accesses(user: User | AnonymousUser) -> QuerySet[EmergencyAccess]:
    """Emergency grants to cases in the districts where the user is team manager."""
    districts = {
        m.district_id for m in access.active_memberships(user) if m.role == Role.TEAM_MANAGER
    }
    # Each grant checked by its case's key: the grants are few next to the district's cases,
    # which a join on the district made SQLite read first (docs/performance.md).
    of_districts = Case.objects.filter(pk=OuterRef("case_id"), district_id__in=districts)
    return EmergencyAccess.objects.filter(Exists(of_districts)).select_related(
        "user", "case", "case__district", "reviewed_by", "approved_by"
    )


def _reviewable(grant: EmergencyAccess, by: User) -> None:
    if not reviewable_emergency_accesses(by).filter(pk=grant.pk).exists():
        raise PermissionDenied
    if grant.user_id == by.pk:
        raise ValidationError(_("Du kan inte granska eller godkänna din egen nödåtkomst."))


def _decide_on_grant(
    grant: EmergencyAccess, *, by: User, action: str, pending_only: bool, changes: dict[str, Any]
) -> EmergencyAccess:
    """A team manager's decision on a grant: checked, written and journaled in one step."""
    with transaction.atomic():
        _reviewable(grant, by)
        if pending_only and grant.status != EmergencyAccessStatus.PENDING:
            raise ValidationError(_("Nödåtkomsten väntar inte på godkännande."))
        if not pending_only and grant.reviewed_at is not None:
            raise ValidationError(_("Nödåtkomsten är redan granskad."))
        EmergencyAccess.objects.filter(pk=grant.pk).update(**changes)
        record(
            action,
            by=by,
            obj=grant,
            case_id=grant.case_id,
            district=grant.case.district.code,
            data={"grantee_id": grant.user_id},
        )
        grant.refresh_from_db()
        return grant


def approve_emergency_access(grant: EmergencyAccess, *, by: User) -> EmergencyAccess:
    """A second person (team manager) opens a pending grant to a protected child's case."""
    now = timezone.now()
    return _decide_on_grant(
        grant,
        by=by,
        action="cases.emergency_access_approved",
        pending_only=True,
        changes={
            "status": EmergencyAccessStatus.ACTIVE,
            "approved_by": by,
            "starts_at": now,
            "expires_at": now + timedelta(minutes=settings.RODTRAD_EMERGENCY_ACCESS_MINUTES),
        },
    )


def reject_emergency_access(grant: EmergencyAccess, *, by: User, note: str) -> EmergencyAccess:
    """A team manager refuses a pending grant to a protected child's case."""
    return _decide_on_grant(
        grant,
        by=by,
        action="cases.emergency_access_rejected",
        pending_only=True,
        changes={
            "status": EmergencyAccessStatus.REJECTED,
            "reviewed_by": by,
            "reviewed_at": timezone.now(),
            "review_note": (note or "").strip(),
        },
    )


def review_emergency_access(grant: EmergencyAccess, *, by: User, note: str) -> EmergencyAccess:
    """The manager's follow-up of a used grant: was the access justified? Stored and journaled."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Skriv en kommentar om granskningen."), code="note")
    return _decide_on_grant(
        grant,
        by=by,
        action="cases.emergency_access_reviewed",
        pending_only=False,
        changes={"reviewed_by": by, "reviewed_at": timezone.now(), "review_note": note},
    )


# --- Documents as evidence: draft → autosave → sign (locks) → correction -------------------


class DocumentLocked(ValidationError):
    """A signed document cannot change; write a correction instead."""


# A concrete document kind (a pre-assessment, an area assessment, ...): the services hand back
# the kind they were given.
Doc = TypeVar("Doc", bound=SignableDocument)


def _document_action(document: SignableDocument, event: str) -> str:
    meta = document._meta
    return f"{meta.app_label}.{meta.model_name}_{event}"


def document_content(document: SignableDocument) -> dict[str, Any]:
    """The signed content as plain JSON values: event date plus the CONTENT_FIELDS."""
    content: dict[str, Any] = {"event_on": document.event_on.isoformat()}
    for name in document.CONTENT_FIELDS:
        value = getattr(document, name)
        if hasattr(value, "pk"):
            value = value.pk
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        content[name] = value
    return content


def _content_hash(document: SignableDocument) -> str:
    import hashlib

    return hashlib.sha256(canonical_json(document_content(document)).encode()).hexdigest()


def _require_editable_case(document: SignableDocument, by: User) -> None:
    if not access.can(by, "edit_case", document.case):
        raise PermissionDenied


def save_draft(document: Doc, *, by: User, expected_version: int, changes: dict[str, Any]) -> Doc:
    """Save (or autosave) a draft. Refused once signed; a stale version raises StaleVersion."""
    unknown = set(changes) - {"event_on", *document.CONTENT_FIELDS}
    if unknown:
        raise ValueError(f"not content fields: {sorted(unknown)}")
    with transaction.atomic():
        fresh = type(document)._base_manager.select_related("case__district").get(pk=document.pk)
        _require_editable_case(fresh, by)
        if fresh.status != DocumentStatus.DRAFT:
            raise DocumentLocked(
                _("Dokumentet är signerat och kan inte ändras. Skriv en rättelse i stället."),
                code="locked",
            )
        if not any(getattr(fresh, name) != value for name, value in changes.items()):
            return fresh  # nothing changed: no write, no journal entry
        updated: Doc = update_versioned(
            document, expected_version=expected_version, changes=changes
        )
        record(
            _document_action(document, "draft_saved"),
            by=by,
            obj=document,
            case_id=fresh.case_id,
            person_id=fresh.case.child_id,
            district=fresh.case.district.code,
            data={"fields": sorted(changes)},
        )
        return updated


def sign_document(document: Doc, *, by: User, expected_version: int) -> Doc:
    """Sign a draft: it is locked from now on and its content hash is kept."""
    with transaction.atomic():
        fresh = type(document)._base_manager.select_related("case__district").get(pk=document.pk)
        _require_editable_case(fresh, by)
        if fresh.status != DocumentStatus.DRAFT:
            raise DocumentLocked(_("Dokumentet är redan signerat."), code="locked")
        if fresh.version != expected_version:
            raise StaleVersion(current=fresh, changed_fields=[])
        signature = {
            "status": DocumentStatus.SIGNED,
            "signed_at": timezone.now(),
            "signed_by": by,
            "content_hash": _content_hash(fresh),
            "version": expected_version + 1,
        }
        signed = (
            type(document)
            ._base_manager.filter(
                pk=document.pk, version=expected_version, status=DocumentStatus.DRAFT
            )
            .update(**signature)
        )
        if signed != 1:
            raise StaleVersion(current=fresh, changed_fields=[])
        record(
            _document_action(document, "signed"),
            by=by,
            obj=document,
            case_id=fresh.case_id,
            person_id=fresh.case.child_id,
            district=fresh.case.district.code,
            data={"content_hash": signature["content_hash"]},
        )
        # The row as it is now, without reading it again: what was read under the lock plus
        # the signature just written.
        for name, value in signature.items():
            setattr(fresh, name, value)
        copy_fields(fresh, into=document)
        return document


def correct_document(document: Doc, *, by: User, reason: str) -> Doc:
    """Start a correction of a signed document: a new draft with the same content, pointing
    at the one it corrects, with the reason. The signed original stays as it was."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Skriv varför dokumentet behöver rättas."), code="reason")
    with transaction.atomic():
        _require_editable_case(document, by)
        if not document.is_signed:
            raise ValidationError(
                _("Ett utkast rättas genom att du ändrar det direkt."), code="reason"
            )
        if type(document)._default_manager.filter(corrects=document, status="draft").exists():
            raise ValidationError(
                _("Det finns redan en påbörjad rättelse av dokumentet."), code="reason"
            )
        copy = type(document)._base_manager.get(pk=document.pk)
        copy.pk = None
        copy._state.adding = True
        copy.status = "draft"
        copy.signed_at = None
        copy.signed_by = None
        copy.content_hash = ""
        copy.version = 1
        copy.author = by
        copy.corrects = document
        copy.correction_reason = reason
        copy.save()
        record(
            _document_action(document, "correction_started"),
            by=by,
            obj=copy,
            case_id=document.case_id,
            person_id=document.case.child_id,
            district=document.case.district.code,
            data={"corrects": document.pk},
        )
        return copy
