"""Producing and sending documents (docs/letters.md).

Every function here is one transaction: the checks, the row and the journal entry commit
together or not at all. The case roles in scope (`access.can(by, "edit_case", case)`: the
case's handlers and the district's team managers) produce and send.

Producing a document:
1. the kind, its subject (a decision, an investigation, a report) and the recipient are
   chosen among what `letters.queries` offers, never typed;
2. the content is gathered (`letters.content`) and the secrecy check lists what it says about
   others (`letters.secrecy.findings`); the handler confirms or redacts each. Only a named
   handler of a protected person may confirm that person's data; a recipient with
   sekretessmarkering needs a second confirmation. Until then `SecrecyReviewNeeded` is raised
   and nothing is written;
3. the HTML and the PDF are rendered from the resolved content, and stored with their
   SHA-256, the template's version and the review; a document produced before for the same
   kind, subject and recipient is replaced by a new version (it stays in the record).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rodtrad.accounts import access
from rodtrad.cases.models import Case
from rodtrad.decisions import services as decisions
from rodtrad.decisions.models import Decision, NoticeChannel
from rodtrad.investigation import services as investigation_services
from rodtrad.journal.services import record
from rodtrad.letters import content, queries, rendering, rules, secrecy
from rodtrad.letters.mailbox import DeliveryFailed, get_mailbox
from rodtrad.letters.models import Channel, DocumentKind, OutgoingDocument
from rodtrad.lib.validation import FieldErrors
from rodtrad.people.models import Person
from rodtrad.people.queries import parties_of_child

if TYPE_CHECKING:
    from rodtrad.accounts.models import User

# How a sent decision letter counts as the decision's communication (decisions.DecisionNotice).
NOTICE_CHANNELS = {
    Channel.POST: NoticeChannel.LETTER,
    Channel.DIGITAL_MAILBOX: NoticeChannel.DIGITAL_MAILBOX,
    Channel.HANDED_OVER: NoticeChannel.IN_PERSON,
}


@dataclass
class SecrecyReviewNeeded(Exception):
    """The document says something about others that the handler has not decided on yet, or
    the recipient has sekretessmarkering and the second look is missing. Nothing was written."""

    findings: list[secrecy.Finding]
    unanswered: list[str]
    second_look: bool
    recipient_name: str
    problems: list[str]

    def __str__(self) -> str:
        return _("Sekretessprövningen är inte klar.")


def _journal(action: str, *, by: User, case: Case, obj: Any, data: dict[str, Any]) -> None:
    record(
        f"letters.{action}",
        by=by,
        obj=obj,
        case_id=case.pk,
        person_id=case.child_id,
        district=case.district.code,
        data=data,
    )


def _locked_case(case: Case, by: User) -> Case:
    fresh = Case.objects.select_for_update().select_related("district", "child").get(pk=case.pk)
    if not access.can(by, "edit_case", fresh):
        raise PermissionDenied
    return fresh


def _details(
    kind: str, details: dict[str, Any], today: date, errors: FieldErrors
) -> dict[str, Any]:
    """The handler's entries for the kind, checked; as the context uses them."""
    if kind == DocumentKind.COMMUNICATION:
        answer_by = details.get("answer_by")
        if not isinstance(answer_by, date):
            errors.add("answer_by", _("Skriv senast vilken dag mottagaren kan svara."))
        elif answer_by <= today:
            errors.add("answer_by", _("Sista dagen att svara måste vara efter i dag."))
        return {"answer_by": answer_by}
    if kind == DocumentKind.MEETING:
        meeting_on, at = details.get("meeting_on"), details.get("meeting_time")
        place = str(details.get("place") or "").strip()
        with_whom = str(details.get("with_whom") or "").strip()
        if not isinstance(meeting_on, date):
            errors.add("meeting_on", _("Skriv vilken dag mötet är."))
        elif meeting_on < today:
            errors.add("meeting_on", _("Mötet kan inte vara före i dag."))
        if not isinstance(at, time):
            errors.add("meeting_time", _("Skriv vilken tid mötet börjar."))
        if not place:
            errors.add("place", _("Skriv var mötet är."))
        if not with_whom:
            errors.add("with_whom", _("Skriv vem eller vilka mottagaren ska träffa."))
        return {
            "meeting_on": meeting_on,
            "meeting_time": at,
            "place": place,
            "with_whom": with_whom,
        }
    return {}


def _stored(details: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v.isoformat() if isinstance(v, date | time | datetime) else v for k, v in details.items()
    }


def _handler_name(by: User) -> str:
    return by.get_full_name() or by.username


@dataclass(frozen=True)
class _Composition:
    subject: queries.Subject
    recipient: content.Recipient
    checked: dict[str, Any]
    found: list[secrecy.Finding]
    resolved: dict[str, Any]


def _compose(
    case: Case,
    *,
    by: User,
    kind: str,
    subject_key: str,
    recipient_key: str,
    details: dict[str, Any] | None,
    choices: dict[str, str],
    marking_confirmed: bool,
) -> _Composition:
    """The checks, the content and the secrecy step, shared by producing and previewing:
    ValidationError for a bad choice, SecrecyReviewNeeded until the review is complete."""
    today = timezone.localdate()
    errors = FieldErrors()
    if kind not in DocumentKind.values:
        errors.add("kind", _("Välj vilket slags dokument det är."))
        errors.raise_any()
    subject = next((s for s in queries.subjects(case, kind) if s.key == subject_key), None)
    if subject is None:
        errors.add("subject", _("Välj vad dokumentet gäller."))
    recipient = next(
        (r for r in queries.recipients(case, kind, subject, on=today) if r.key == recipient_key),
        None,
    )
    if recipient is None:
        errors.add(
            "recipient",
            _(
                "Välj en mottagare bland ärendets parter (vårdnadshavare, barnet från 15 år) "
                "eller barnets ombud."
            ),
        )
    checked = _details(kind, details or {}, today, errors)
    errors.raise_any()
    assert subject is not None and recipient is not None
    context = content.context_for(
        kind, case, subject.obj, recipient, today=today, handler=_handler_name(by), details=checked
    )
    found = secrecy.findings(context, recipient.key)
    problems = []
    for finding in found:
        if choices.get(finding.key) == secrecy.Choice.CONFIRM and finding.person_id:
            person = Person.objects.get(pk=finding.person_id)
            if not access.may_see_protected_contact(by, person):
                # Only who may see the datum may judge that it can be given out.
                problems.append(
                    _(
                        "Bara en namngiven handläggare för personen kan godkänna att "
                        "uppgiften skrivs ut: %(what)s. Ta bort den, eller be en "
                        "namngiven handläggare skapa dokumentet."
                    )
                    % {"what": finding.label}
                )
    if (
        recipient.needs_second_look
        and marking_confirmed
        and recipient.person is not None
        and not access.may_see_protected_contact(by, recipient.person)
    ):
        # The address of a person with sekretessmarkering is shown only to a named handler
        # (S15, people/masking.py): nobody else may print it, or look it over a second time.
        problems.append(
            _(
                "Bara en namngiven handläggare för mottagaren kan skriva ut adressen till "
                "någon med sekretessmarkering. Be en namngiven handläggare skapa dokumentet."
            )
        )
    missing = secrecy.unanswered(found, choices)
    second_look = recipient.needs_second_look and not marking_confirmed
    if missing or second_look or problems:
        raise SecrecyReviewNeeded(
            findings=found,
            unanswered=[f.key for f in missing],
            second_look=recipient.needs_second_look,
            recipient_name=recipient.name,
            problems=problems,
        )
    return _Composition(
        subject=subject,
        recipient=recipient,
        checked=checked,
        found=found,
        resolved=secrecy.resolve(context, choices, recipient.key),
    )


@dataclass(frozen=True)
class Preview:
    html: str
    findings: list[secrecy.Finding]
    second_look: bool


def preview_document(
    case: Case,
    *,
    by: User,
    kind: str,
    subject_key: str,
    recipient_key: str,
    details: dict[str, Any] | None = None,
    choices: dict[str, str] | None = None,
    marking_confirmed: bool = False,
) -> Preview:
    """The document's HTML as it would be produced, after the same checks and secrecy step;
    nothing is written."""
    if not access.can(by, "edit_case", case):
        raise PermissionDenied
    composed = _compose(
        case,
        by=by,
        kind=kind,
        subject_key=subject_key,
        recipient_key=recipient_key,
        details=details,
        choices=dict(choices or {}),
        marking_confirmed=marking_confirmed,
    )
    return Preview(
        html=rendering.render_html(kind, composed.resolved),
        findings=composed.found,
        second_look=composed.recipient.needs_second_look,
    )


def produce_document(
    case: Case,
    *,
    by: User,
    kind: str,
    subject_key: str,
    recipient_key: str,
    details: dict[str, Any] | None = None,
    choices: dict[str, str] | None = None,
    marking_confirmed: bool = False,
) -> OutgoingDocument:
    """Produce one document for one recipient (see the module's steps)."""
    choices = dict(choices or {})
    with transaction.atomic():
        case = _locked_case(case, by)
        composed = _compose(
            case,
            by=by,
            kind=kind,
            subject_key=subject_key,
            recipient_key=recipient_key,
            details=details,
            choices=choices,
            marking_confirmed=marking_confirmed,
        )
        subject, recipient, checked = composed.subject, composed.recipient, composed.checked
        found, resolved = composed.found, composed.resolved
        html = rendering.render_html(kind, resolved)
        pdf = rendering.render_pdf(html)
        series = rules.series_key(kind, subject.key, recipient.key)
        previous = (
            OutgoingDocument.objects.filter(case=case, series_key=series)
            .order_by("-version")
            .first()
        )
        now = timezone.now()
        review = secrecy.Review(found=found, choices={f.key: choices[f.key] for f in found})
        document = OutgoingDocument.objects.create(
            case=case,
            kind=kind,
            decision=subject.obj if isinstance(subject.obj, Decision) else None,
            investigation=subject.obj
            if kind in (DocumentKind.COMMUNICATION, DocumentKind.INVESTIGATION)
            else None,
            report=subject.obj if kind == DocumentKind.REPORTER_ANSWER else None,
            recipient=recipient.person,
            recipient_key=recipient.key,
            series_key=series,
            recipient_name=recipient.name,
            recipient_address="\n".join(recipient.address),
            recipient_protection_level=recipient.protection_level,
            details=_stored(checked),
            template_name=rendering.template_name(kind),
            template_sha256=rendering.template_sha256(kind),
            html=html,
            pdf=pdf,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            version=previous.version + 1 if previous else 1,
            replaces=previous,
            secrecy_findings=review.as_json(),
            is_marking_confirmed=recipient.needs_second_look and marking_confirmed,
            secrecy_confirmed_by=by if found or recipient.needs_second_look else None,
            secrecy_confirmed_at=now if found or recipient.needs_second_look else None,
            produced_by=by,
            produced_at=now,
        )
        _journal(
            "document_produced",
            by=by,
            case=case,
            obj=document,
            data={
                "kind": kind,
                "subject": subject.key,
                "recipient": recipient.key,
                "version": document.version,
                "replaces_id": previous.pk if previous else None,
                "pdf_sha256": document.pdf_sha256,
                "template_sha256": document.template_sha256,
                # Keys and choices only: the labels name persons.
                "secrecy": [
                    {"key": f.key, "kind": str(f.kind), "choice": choices[f.key]} for f in found
                ],
                "marking_confirmed": document.is_marking_confirmed,
            },
        )
        return document


def send_document(document: OutgoingDocument, *, by: User, channel: str) -> OutgoingDocument:
    """Record that the document was sent (once): by post, to the digital mailbox (delivered
    here, through `letters.mailbox`) or handed over. Handed over, it was received the same
    day: a decision letter to a party is then the decision's communication to that party
    (decisions.services.record_notice), from which the appeal's three weeks are counted (FL
    44 §). By post or to the mailbox the day it is received is not known yet and is not
    presumed: `record_received` records it when it is (docs/letters.md, "Sending")."""
    with transaction.atomic():
        case = _locked_case(document.case, by)
        fresh = OutgoingDocument.objects.select_for_update().get(pk=document.pk)
        errors = FieldErrors()
        if channel not in Channel.values:
            errors.add("channel", _("Välj hur dokumentet skickades."))
        if OutgoingDocument.objects.filter(replaces=fresh).exists():
            errors.add(
                "__all__", _("Det finns en nyare version av dokumentet. Skicka den i stället.")
            )
        if fresh.is_sent:
            errors.add("__all__", _("Dokumentet är redan registrerat som skickat."))
        if channel == Channel.DIGITAL_MAILBOX and fresh.recipient_id is None:
            errors.add("channel", _("Bara ärendets parter har en digital brevlåda här."))
        errors.raise_any()
        # What the sending means in the record first (it may still be refused); the mailbox
        # last, so that a refusal leaves nothing delivered.
        today = timezone.localdate()
        handed_over = channel == Channel.HANDED_OVER
        notice_id = _notice(fresh, case, by=by, channel=channel, on=today) if handed_over else None
        communication_id = _communication(fresh, case, by=by, on=timezone.localdate())
        receipt: dict[str, Any] = {}
        if channel == Channel.DIGITAL_MAILBOX:
            try:
                receipt = get_mailbox().deliver(fresh).as_json()
            except DeliveryFailed as exc:
                raise ValidationError(
                    {
                        "channel": _(
                            "Den digitala brevlådan tog inte emot dokumentet. Försök igen "
                            "eller skicka med post."
                        )
                    }
                ) from exc
        OutgoingDocument.objects.filter(pk=fresh.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(),
            sent_by=by,
            channel=channel,
            receipt=receipt,
            received_on=today if handed_over else None,
        )
        fresh.refresh_from_db()
        _journal(
            "document_sent",
            by=by,
            case=case,
            obj=fresh,
            data={
                "channel": channel,
                "recipient": fresh.recipient_key,
                "receipt": receipt.get("reference", ""),
                "decision_notice_id": notice_id,
                "communication_id": communication_id,
            },
        )
        return fresh


def record_received(
    document: OutgoingDocument, *, by: User, received_on: date | None
) -> OutgoingDocument:
    """Record the day a sent document reached its recipient, when it becomes known (a
    delivery receipt, the party's own word, a returned acknowledgement): once, not before the
    day it was sent, not in the future. For a decision letter to a party it is the decision's
    communication to that party (decisions.services.record_notice), unless one is recorded
    already: the appeal's three weeks count from it (FL 44 §)."""
    with transaction.atomic():
        case = _locked_case(document.case, by)
        fresh = OutgoingDocument.objects.select_for_update().get(pk=document.pk)
        errors = FieldErrors()
        if fresh.sent_at is None:
            errors.add("__all__", _("Registrera först att dokumentet har skickats."))
        elif fresh.received_on is not None:
            errors.add("__all__", _("Det är redan registrerat när mottagaren fick dokumentet."))
        if not isinstance(received_on, date):
            errors.add("received_on", _("Ange vilken dag mottagaren fick dokumentet."))
        elif received_on > timezone.localdate():
            errors.add("received_on", _("Dagen kan inte vara efter i dag."))
        elif fresh.sent_at is not None and received_on < timezone.localdate(fresh.sent_at):
            errors.add("received_on", _("Dagen kan inte vara före den dag dokumentet skickades."))
        errors.raise_any()
        assert received_on is not None
        notice_id = _notice(fresh, case, by=by, channel=fresh.channel, on=received_on)
        OutgoingDocument.objects.filter(pk=fresh.pk, received_on__isnull=True).update(
            received_on=received_on
        )
        fresh.refresh_from_db()
        _journal(
            "document_received",
            by=by,
            case=case,
            obj=fresh,
            data={
                "received_on": received_on.isoformat(),
                "recipient": fresh.recipient_key,
                "decision_notice_id": notice_id,
            },
        )
        return fresh


def _notice(
    document: OutgoingDocument, case: Case, *, by: User, channel: str, on: date
) -> int | None:
    """The decision's communication to the recipient, when the letter is a decision letter to a
    party on the decision's day who has no recorded notice yet."""
    decision = document.decision
    if document.kind != DocumentKind.DECISION or decision is None or document.recipient is None:
        return None
    party_ids = {p.person.pk for p in parties_of_child(case.child, on=decision.decided_on)}
    if document.recipient_id not in party_ids:
        return None
    if decision.notices.filter(recipient_id=document.recipient_id).exists():
        return None
    notice = decisions.record_notice(
        decision,
        by=by,
        recipient=document.recipient,
        notified_on=on,
        channel=NOTICE_CHANNELS[Channel(channel)],
    )
    return notice.pk


def _communication(document: OutgoingDocument, case: Case, *, by: User, on: date) -> int | None:
    """A kommunicering letter sent to a party of an open investigation is the investigation's
    record of kommunicering (investigation.services.record_communication: the analysis must
    exist, the answer time is the letter's); the secrecy check was made when it was produced."""
    investigation = document.investigation
    if (
        document.kind != DocumentKind.COMMUNICATION
        or investigation is None
        or investigation.closed_on is not None
        or document.recipient is None
    ):
        return None
    party = next(
        (p for p in parties_of_child(case.child, on=on) if p.person.pk == document.recipient_id),
        None,
    )
    if party is None:
        return None
    communication = investigation_services.record_communication(
        investigation,
        by=by,
        subject=_("Utredningen kommunicerades med brev (dokument %(id)s).") % {"id": document.pk},
        recipient=document.recipient,
        relationship=party.relationship,
        sent_on=on,
        answer_by=date.fromisoformat(document.details["answer_by"]),
        is_secrecy_checked=True,
    )
    return communication.pk
