"""What each kind of document says: the content context its template renders
(docs/letters.md). Data about others than the recipient that may be secret are put in as
`secrecy.Sensitive` values (and free texts as `secrecy.Passage`), so that the secrecy check
works on the content, not on the rendered text.

The context holds plain strings, dates, lists and dicts: the template never reads a model, so
nothing reaches the paper that was not gathered (and checked) here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from rodtrad.cases.models import Case, DocumentStatus
from rodtrad.decisions.models import Decision, DecisionLevel
from rodtrad.frameworks.queries import code_label, code_labels
from rodtrad.intake.models import Decision as PreAssessmentDecision
from rodtrad.intake.models import PreAssessment, Report
from rodtrad.investigation.models import (
    Analysis,
    AreaAssessment,
    Contact,
    Investigation,
    InvestigationPlan,
    RiskAssessment,
    Severity,
)
from rodtrad.letters import rules
from rodtrad.letters.models import DocumentKind
from rodtrad.letters.secrecy import FindingKind, Passage, SecretWord, Sensitive, passage
from rodtrad.people.identity import parse_identity_number
from rodtrad.people.models import Person, ProtectionLevel, Relationship, RelationshipKind
from rodtrad.people.queries import network_of, parties_of_child, siblings_of

LEVEL_LABELS = dict(ProtectionLevel.choices)


@dataclass(frozen=True)
class Recipient:
    """One possible recipient: a person of the case, the reporter (19:6) or the committee."""

    key: str
    name: str
    capacity: str
    protection_level: str = rules.NONE
    person: Person | None = None
    address: tuple[str, ...] = ()

    @property
    def is_forwarded(self) -> bool:
        return rules.is_forwarded(self.protection_level)

    @property
    def needs_second_look(self) -> bool:
        return rules.needs_second_look(self.protection_level)


def forwarding_lines() -> list[str]:
    return list(settings.RODTRAD_TAX_AGENCY_FORWARDING)


def person_recipient(person: Person, capacity: str) -> Recipient:
    return Recipient(
        key=f"person:{person.pk}",
        name=rules.full_name(person),
        capacity=capacity,
        protection_level=person.protection_level,
        person=person,
        address=tuple(rules.address_lines(person, forwarding=forwarding_lines())),
    )


def reporter_recipient(report: Report) -> Recipient:
    return Recipient(
        key=f"reporter:{report.pk}",
        name=report.reporter_name or _("Anmälaren"),
        capacity=_("Anmälare"),
        address=tuple(line for line in report.reporter_contact.splitlines() if line.strip()),
    )


def committee_recipient() -> Recipient:
    return Recipient(
        key="committee",
        name=settings.RODTRAD_MUNICIPALITY_COMMITTEE,
        capacity=_("Nämnden (för beslut)"),
        address=tuple(settings.RODTRAD_MUNICIPALITY_ADDRESS),
    )


def parties(case: Case, on: date) -> list[Recipient]:
    """The parties on the day: the guardians (and parents with custody), the child from 15."""
    return [person_recipient(p.person, p.kind_label) for p in parties_of_child(case.child, on=on)]


def representatives(case: Case, on: date) -> list[Recipient]:
    """The child's legal representatives on the day (ombud, offentligt biträde, särskild
    företrädare för barn): not parties, but a letter may go to them too; their address follows
    their protection level like anyone's."""
    rows = (
        Relationship.objects.filter(
            child=case.child, kind=RelationshipKind.LEGAL_REPRESENTATIVE, valid_from__lte=on
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("other")
        .order_by("pk")
    )
    return [person_recipient(r.other, r.get_kind_display()) for r in rows]


# --- Others' data ---------------------------------------------------------------------------


def _whereabouts(person: Person, capacity: str) -> Sensitive:
    level = LEVEL_LABELS.get(person.protection_level, person.protection_level)
    lines = rules.address_lines(person, forwarding=forwarding_lines())
    return Sensitive(
        key=f"address:person:{person.pk}",
        kind=FindingKind.PROTECTED_ADDRESS,
        value=", ".join(lines),
        about=f"person:{person.pk}",
        label=_("Adressuppgifter för %(name)s, %(capacity)s (%(level)s)")
        % {"name": rules.full_name(person), "capacity": capacity, "level": level},
        person_id=person.pk,
    )


def name_of(person: Person, capacity: str) -> str | Sensitive:
    """A person's name; under fingerade personuppgifter the name is itself a secret."""
    if person.protection_level != ProtectionLevel.FICTITIOUS_IDENTITY:
        return rules.full_name(person)
    return Sensitive(
        key=f"identity:person:{person.pk}",
        kind=FindingKind.PROTECTED_IDENTITY,
        value=rules.full_name(person),
        about=f"person:{person.pk}",
        label=_("Namnet på %(capacity)s med fingerade personuppgifter") % {"capacity": capacity},
        person_id=person.pk,
    )


def address_of(person: Person, capacity: str) -> str | Sensitive:
    if person.protection_level == ProtectionLevel.NONE:
        return ", ".join(rules.address_lines(person, forwarding=forwarding_lines()))
    return _whereabouts(person, capacity)


def secret_words(child: Person) -> list[SecretWord]:
    """The street addresses of the protected persons around the child (and the child), to find
    in free text. Skyddad folkbokföring and fingerade personuppgifter have no address stored;
    sekretessmarkering keeps it."""
    around = Person.objects.filter(network_of(child)) | Person.objects.filter(pk=child.pk)
    words = []
    for person in around.exclude(protection_level=ProtectionLevel.NONE).exclude(street_address=""):
        words.append(SecretWord(person.street_address, _whereabouts(person, _("närstående"))))
    return words


def reporter_of(report: Report, labels: dict[str, str]) -> dict[str, Any]:
    category = labels.get(report.reporter_category, report.reporter_category)
    name: str | Sensitive = report.reporter_name
    if report.reporter_name and report.is_reporter_identity_protected:
        name = Sensitive(
            key=f"reporter:report:{report.pk}",
            kind=FindingKind.REPORTER_IDENTITY,
            value=report.reporter_name,
            about=f"reporter:{report.pk}",
            label=_("Anmälarens identitet (skyddad enligt OSL 26 kap. 5 §), anmälan %(day)s")
            % {"day": report.receipt_date.isoformat()},
        )
    return {"received_on": report.receipt_date, "category": category, "name": name}


def reports_of(case: Case) -> list[Report]:
    return list(Report.objects.filter(children__case=case).distinct().order_by("received_at"))


# --- Common -----------------------------------------------------------------------------------


def municipality() -> dict[str, Any]:
    return {
        "name": settings.RODTRAD_MUNICIPALITY_NAME,
        "committee": settings.RODTRAD_MUNICIPALITY_COMMITTEE,
        "address": list(settings.RODTRAD_MUNICIPALITY_ADDRESS),
        "phone": settings.RODTRAD_MUNICIPALITY_PHONE,
        "email": settings.RODTRAD_MUNICIPALITY_EMAIL,
    }


def _identity(person: Person) -> str:
    if not person.identity_number:
        return ""
    try:
        return parse_identity_number(person.identity_number).display
    except ValueError:
        return person.identity_number


def _common(case: Case, recipient: Recipient, *, today: date, handler: str) -> dict[str, Any]:
    return {
        "municipality": municipality(),
        "today": today,
        "case_number": case.pk,
        "child": {
            "name": name_of(case.child, _("barnet"))
            if recipient.person != case.child
            else rules.full_name(case.child),
            # A reporter (19:6) is told whether an investigation was opened, nothing more.
            "identity_number": ""
            if recipient.key.startswith("reporter:")
            else _identity(case.child),
        },
        "recipient": {
            "name": recipient.name,
            "address": list(recipient.address),
            "is_forwarded": recipient.is_forwarded,
        },
        "handler": handler,
    }


def _copies(case: Case, recipient: Recipient, on: date) -> list[dict[str, Any]]:
    """The other parties the same letter goes to, as the letter names them."""
    return [
        {
            "name": name_of(p.person, p.kind_label),
            "capacity": p.kind_label,
            "address": address_of(p.person, p.kind_label),
        }
        for p in parties_of_child(case.child, on=on)
        if f"person:{p.person.pk}" != recipient.key
    ]


def _signed(queryset: Any) -> Any:
    # The signed documents that no signed correction has replaced.
    signed = DocumentStatus.SIGNED
    return queryset.filter(status=signed).exclude(corrections__status=signed)


def _text(value: str, secrets: Iterable[SecretWord]) -> Passage:
    return passage(value, secrets)


# --- The kinds -------------------------------------------------------------------------------


def decision_context(
    case: Case, decision: Decision, recipient: Recipient, *, today: date, handler: str
) -> dict[str, Any]:
    secrets = secret_words(case.child)
    intervention = getattr(decision, "intervention", None)
    return {
        **_common(case, recipient, today=today, handler=handler),
        "title": _("Beslut"),
        "decision": {
            "kind": decision.get_kind_display(),
            "legal_ground": code_label("legal-grounds", decision.legal_ground),
            "level": decision.get_level_display(),
            "by_committee": decision.level != DecisionLevel.DELEGATE,
            "minutes_reference": decision.minutes_reference,
            "decided_on": decision.decided_on,
            "reasons": _text(decision.reasons, secrets),
            "effective_from": decision.effective_from,
            "effective_to": decision.effective_to,
            "review_on": decision.review_on,
            "appealable": decision.appealable,
            "intervention": code_label("intervention-catalogue", intervention.catalogue_code)
            if intervention
            else "",
            "provider": (
                str(intervention.provider_unit)
                if intervention.provider_unit_id
                else intervention.external_provider
            )
            if intervention
            else "",
            "decided_by": decision.decided_by.get_full_name() or decision.decided_by.username,
        },
        "copies": _copies(case, recipient, decision.decided_on),
    }


def _parts_of(investigation: Investigation) -> list[dict[str, Any]]:
    """The signed parts of the investigation, by title and date (what the party may read)."""
    areas = code_labels(
        InvestigationPlan.objects.filter(investigation=investigation)
        .values_list("framework", flat=True)
        .first()
        or "bbic-2018"
    )
    parts: list[dict[str, Any]] = []
    for plan in _signed(InvestigationPlan.objects.filter(investigation=investigation)):
        parts.append({"title": _("Utredningsplan"), "on": plan.event_on})
    for area in _signed(AreaAssessment.objects.filter(investigation=investigation)):
        parts.append({"title": areas.get(area.area, area.area), "on": area.event_on})
    for risk in _signed(RiskAssessment.objects.filter(investigation=investigation)):
        parts.append(
            {
                "title": _("Riskbedömning (%(method)s)") % {"method": risk.instrument},
                "on": risk.event_on,
            }
        )
    for analysis in _signed(Analysis.objects.filter(investigation=investigation)):
        parts.append({"title": _("Analys och bedömning"), "on": analysis.event_on})
    contacts = Contact.objects.filter(investigation=investigation).count()
    if contacts:
        parts.append(
            {
                "title": _("Anteckningar från %(n)s samtal och kontakter") % {"n": contacts},
                "on": None,
            }
        )
    return parts


def communication_context(
    case: Case,
    investigation: Investigation,
    recipient: Recipient,
    *,
    today: date,
    handler: str,
    answer_by: date | None,
) -> dict[str, Any]:
    labels = code_labels("reporter-categories")
    return {
        **_common(case, recipient, today=today, handler=handler),
        "title": _("Du får läsa och lämna synpunkter"),
        "investigation": {"opened_on": investigation.opened_on},
        "reports": [reporter_of(r, labels) for r in reports_of(case)],
        "parts": _parts_of(investigation),
        "answer_by": answer_by,
        "copies": _copies(case, recipient, today),
    }


class ReporterAnswer:
    NOT_DECIDED = "not_decided"
    NOT_OPENED = "not_opened"
    OPENED = "opened"
    ONGOING = "ongoing"


def reporter_answer(case: Case, report: Report) -> str:
    """Only whether an investigation was opened, is ongoing or was not opened (SoL 19:6)."""
    investigation = (
        Investigation.objects.filter(case=case, opened_on__gte=report.receipt_date)
        .order_by("opened_on")
        .first()
        or Investigation.objects.filter(case=case, closed_on__isnull=True).first()
    )
    if investigation is not None:
        return ReporterAnswer.ONGOING if investigation.closed_on is None else ReporterAnswer.OPENED
    pre = PreAssessment.objects.filter(case=case, status=DocumentStatus.SIGNED).first()
    if pre is not None and pre.decision == PreAssessmentDecision.NOT_OPEN:
        return ReporterAnswer.NOT_OPENED
    return ReporterAnswer.NOT_DECIDED


def reporter_answer_context(
    case: Case, report: Report, recipient: Recipient, *, today: date, handler: str
) -> dict[str, Any]:
    context = _common(case, recipient, today=today, handler=handler)
    return {
        **context,
        "title": _("Svar på din fråga om din anmälan"),
        "report": {"received_on": report.receipt_date},
        "answer": reporter_answer(case, report),
    }


def meeting_context(
    case: Case, recipient: Recipient, *, today: date, handler: str, details: dict[str, Any]
) -> dict[str, Any]:
    return {
        **_common(case, recipient, today=today, handler=handler),
        "title": _("Kallelse till möte"),
        "meeting": details,
    }


def _network(case: Case, secrets: list[SecretWord]) -> dict[str, Any]:
    relatives = []
    for rel in Relationship.objects.filter(child=case.child, valid_to__isnull=True).select_related(
        "other"
    ):
        capacity = rel.get_kind_display()
        relatives.append(
            {
                "name": name_of(rel.other, capacity),
                "capacity": capacity,
                "address": address_of(rel.other, capacity),
            }
        )
    siblings = []
    sibling_persons = Person.objects.filter(siblings_of(case.child)).exclude(
        pk__in=Relationship.objects.filter(child=case.child, valid_to__isnull=True).values(
            "other_id"
        )
    )
    for sibling in sibling_persons:
        capacity = _("syskon")
        # Only the district's own cases: what the handler may see (a case elsewhere is not
        # named, not even to ask about it).
        own_cases = list(
            Case.objects.filter(child=sibling, district_id=case.district_id).order_by(
                "-recorded_at"
            )[:1]
        )
        case_note: str | Sensitive = ""
        if own_cases:
            case_note = Sensitive(
                key=f"sibling_case:person:{sibling.pk}",
                kind=FindingKind.SIBLING_CASE,
                value=_("Har ett eget ärende hos socialtjänsten (%(status)s).")
                % {"status": own_cases[0].get_status_display()},
                about=f"person:{sibling.pk}",
                label=_("Att %(name)s (syskon) har ett eget ärende")
                % {"name": rules.full_name(sibling)},
            )
        # Another child's information: a finding for every sibling the document names, the
        # same whether or not the sibling has a case of their own, here or in another district
        # (the finding says nothing about such a case; see docs/letters.md, "Secrecy").
        name = name_of(sibling, capacity)
        if not isinstance(name, Sensitive):
            name = Sensitive(
                key=f"other_child:person:{sibling.pk}",
                kind=FindingKind.OTHER_CHILD,
                value=name,
                about=f"person:{sibling.pk}",
                label=_("Uppgifter om %(name)s (syskon, ett annat barn)") % {"name": name},
                person_id=sibling.pk if sibling.protection_level != ProtectionLevel.NONE else None,
            )
        siblings.append(
            {
                "name": name,
                "address": address_of(sibling, capacity)
                if sibling.protection_level != ProtectionLevel.NONE
                else "",
                "case_note": case_note,
            }
        )
    return {"relatives": relatives, "siblings": siblings}


def investigation_context(
    case: Case, investigation: Investigation, recipient: Recipient, *, today: date, handler: str
) -> dict[str, Any]:
    secrets = secret_words(case.child)
    labels = code_labels("reporter-categories")
    plan = _signed(InvestigationPlan.objects.filter(investigation=investigation)).first()
    framework = plan.framework if plan else "bbic-2018"
    areas = code_labels(framework)
    severity = dict(Severity.choices)
    return {
        **_common(case, recipient, today=today, handler=handler),
        "title": _("Utredning enligt SoL"),
        "investigation": {
            "opened_on": investigation.opened_on,
            "closed_on": investigation.closed_on,
        },
        "reports": [reporter_of(r, labels) for r in reports_of(case)],
        "network": _network(case, secrets),
        "plan": {
            "questions": _text(plan.questions, secrets),
            "planned_contacts": _text(plan.planned_contacts, secrets),
            "child_meeting": _text(plan.child_meeting, secrets),
            "time_plan": _text(plan.time_plan, secrets),
            "on": plan.event_on,
        }
        if plan
        else None,
        "areas": [
            {
                "title": areas.get(a.area, a.area),
                "on": a.event_on,
                "facts": _text(a.facts, secrets),
                "child_view": _text(a.child_view, secrets),
                "guardians_view": _text(a.guardians_view, secrets),
                "risk_factors": _text(a.risk_factors, secrets),
                "protective_factors": _text(a.protective_factors, secrets),
            }
            for a in _signed(AreaAssessment.objects.filter(investigation=investigation))
        ],
        "contacts": [
            {"kind": c.get_kind_display(), "on": c.event_on, "summary": _text(c.summary, secrets)}
            for c in Contact.objects.filter(investigation=investigation).order_by("event_on", "pk")
        ],
        "risks": [
            {
                "instrument": r.instrument,
                "on": r.event_on,
                "judgement": r.get_judgement_display(),
                "safety_plan": _text(r.safety_plan, secrets),
            }
            for r in _signed(RiskAssessment.objects.filter(investigation=investigation))
        ],
        "needs": [
            {
                "area": areas.get(n.area, n.area),
                "description": _text(n.description, secrets),
                "severity": severity.get(n.severity, n.severity),
                "child_view": _text(n.child_view, secrets),
            }
            for n in investigation.needs.all()
        ],
        "analysis": [
            {"on": a.event_on, "text": _text(a.text, secrets)}
            for a in _signed(Analysis.objects.filter(investigation=investigation))
        ],
        "proposal": [
            {"area": areas.get(n.area, n.area), "description": _text(n.description, secrets)}
            for n in investigation.proposed_needs.all()
        ],
    }


def context_for(
    kind: str,
    case: Case,
    subject: Any,
    recipient: Recipient,
    *,
    today: date,
    handler: str,
    details: dict[str, Any],
) -> dict[str, Any]:
    if kind == DocumentKind.DECISION:
        return decision_context(case, subject, recipient, today=today, handler=handler)
    if kind == DocumentKind.COMMUNICATION:
        return communication_context(
            case,
            subject,
            recipient,
            today=today,
            handler=handler,
            answer_by=details.get("answer_by"),
        )
    if kind == DocumentKind.REPORTER_ANSWER:
        return reporter_answer_context(case, subject, recipient, today=today, handler=handler)
    if kind == DocumentKind.MEETING:
        return meeting_context(case, recipient, today=today, handler=handler, details=details)
    return investigation_context(case, subject, recipient, today=today, handler=handler)
