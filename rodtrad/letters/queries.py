"""Reading documents and what a new one may be about and sent to (docs/letters.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from rodtrad.accounts import access
from rodtrad.cases.models import Case
from rodtrad.decisions.models import Decision
from rodtrad.frameworks.queries import code_labels
from rodtrad.intake.models import Report
from rodtrad.investigation.models import Investigation
from rodtrad.letters import content
from rodtrad.letters.models import DocumentKind, OutgoingDocument
from rodtrad.people.models import Person

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rodtrad.accounts.models import User

NO_SUBJECT = "none"


@dataclass(frozen=True)
class Subject:
    key: str  # "decision:12", "investigation:3", "report:7" or "none"
    label: str
    obj: Any


def get_document_for(user: User | AnonymousUser, pk: int | str | None) -> OutgoingDocument:
    """The document if the user may see its case; otherwise 404 (journaled as denied)."""
    number = access.parse_id(pk)
    document = (
        OutgoingDocument.objects.filter(pk=number, case__in=access.visible_cases(user).values("pk"))
        .select_related("case", "case__child", "case__district", "produced_by", "sent_by")
        .first()
        if number
        else None
    )
    if document is None:
        case_id = (
            OutgoingDocument.objects.filter(pk=number).values_list("case_id", flat=True).first()
            if number
            else None
        )
        raise access.not_found(user, case_id=case_id)
    return document


def protected_persons_in(document: OutgoingDocument) -> list[int]:
    """The persons whose protected data the stored document prints: the recipient with
    sekretessmarkering whose address a handler looked over twice, and every protected datum a
    named handler confirmed in the secrecy step."""
    ids = [
        int(finding["person_id"])
        for finding in document.secrecy_findings
        if finding.get("choice") == "confirm"
        and finding.get("person_id")
        and finding.get("kind") in ("protected_address", "protected_identity")
    ]
    if document.is_marking_confirmed and document.recipient_id:
        ids.append(document.recipient_id)
    return sorted(set(ids))


def get_document_content_for(user: User | AnonymousUser, pk: int | str | None) -> OutgoingDocument:
    """The document's printed content (HTML or PDF): as `get_document_for`, and only for who
    may see every protected datum it prints (S15); to others it does not exist (404, journaled
    as denied), as the protected address does not on the person's page."""
    document = get_document_for(user, pk)
    if not may_read_content(user, document):
        raise access.not_found(user, case_id=document.case_id)
    return document


def may_read_content(user: User | AnonymousUser, document: OutgoingDocument) -> bool:
    protected = protected_persons_in(document)
    if not protected:
        return True
    persons = Person.objects.filter(pk__in=protected)
    return all(access.may_see_protected_contact(user, person) for person in persons)


def documents_of_case(case: Case) -> QuerySet[OutgoingDocument]:
    return (
        OutgoingDocument.objects.filter(case=case)
        .select_related("produced_by", "sent_by")
        .defer("html", "pdf")
        .order_by("-produced_at", "-pk")
    )


def subjects(case: Case, kind: str) -> list[Subject]:
    """What a document of this kind may be about, in this case."""
    if kind == DocumentKind.DECISION:
        return [
            Subject(
                f"decision:{d.pk}",
                _("Beslut %(day)s – %(kind)s")
                % {"day": d.decided_on, "kind": d.get_kind_display()},
                d,
            )
            for d in Decision.objects.filter(case=case).order_by("-decided_on", "-pk")
        ]
    if kind in (DocumentKind.COMMUNICATION, DocumentKind.INVESTIGATION):
        return [
            Subject(
                f"investigation:{i.pk}",
                _("Utredningen som inleddes %(day)s") % {"day": i.opened_on},
                i,
            )
            for i in Investigation.objects.filter(case=case).order_by("-opened_on", "-pk")
        ]
    if kind == DocumentKind.REPORTER_ANSWER:
        labels = code_labels("reporter-categories")
        return [
            Subject(
                f"report:{r.pk}",
                _("Anmälan %(day)s från %(category)s")
                % {
                    "day": r.receipt_date,
                    "category": labels.get(r.reporter_category, r.reporter_category),
                },
                r,
            )
            for r in Report.objects.filter(children__case=case, is_mandatory_reporter=True)
            .distinct()
            .order_by("-received_at")
        ]
    return [Subject(NO_SUBJECT, _("Inget särskilt underlag"), None)]


def recipients(
    case: Case, kind: str, subject: Subject | None, *, on: date
) -> list[content.Recipient]:
    """Who a document of this kind may be sent to: chosen, never typed. The parties on the day
    (the guardians and parents with custody, the child from 15) and the child's legal
    representatives (ombud, särskild företrädare); for a 19:6 answer the
    reporter of the report; a printed investigation also to the committee."""
    if kind == DocumentKind.REPORTER_ANSWER:
        if subject is None or not isinstance(subject.obj, Report):
            return []
        return [content.reporter_recipient(subject.obj)]
    found = content.parties(case, on)
    seen = {r.key for r in found}
    found += [r for r in content.representatives(case, on) if r.key not in seen]
    if kind == DocumentKind.INVESTIGATION:
        found.append(content.committee_recipient())
    return found
