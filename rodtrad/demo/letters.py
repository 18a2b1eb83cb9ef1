"""The demo's documents (docs/letters.md): decision letters to each guardian, sent by post or
to the digital mailbox, and printed investigations for the committee, for a share of the cases
with a decision, protected families first. Produced through the services on the day the demo
is generated, with every secrecy finding redacted (the demo's team manager is no named handler);
a letter to a recipient with sekretessmarkering is written by a named handler of theirs, or
not at all. PDFs are slow, so the number is capped.

Besides the demo's wholly protected families, one family gets a parent with skyddad
folkbokföring and one a sibling with sekretessmarkering (and an address that must not be
printed), through the people services, before their documents are produced."""

from __future__ import annotations

import random
from typing import Any

from rodtrad.accounts import access
from rodtrad.accounts.models import District, User
from rodtrad.cases.models import Case
from rodtrad.decisions.models import Decision
from rodtrad.letters import services
from rodtrad.letters.models import Channel, OutgoingDocument
from rodtrad.people import services as people
from rodtrad.people.models import Person, ProtectionLevel
from rodtrad.people.queries import parties_of_child, siblings_of

# How many cases `rodtrad demo` gives documents (two or three PDFs each); `generate()` alone
# makes none unless asked (the demo tests load it many times, and PDFs are slow).
CASES = 2
# The address a sibling with sekretessmarkering moved to: it must never be printed.
SIBLING_STREET = "Skyddsvägen 12"


def _guardians(case: Case, on: Any) -> list[Any]:
    return [p.person for p in parties_of_child(case.child, on=on) if p.relationship is not None]


def _protect_one_parent(decisions: list[Decision], managers: dict[str, User]) -> Decision | None:
    """A family where only one parent is protected: the first guardian of a decided case with
    two guardians, none protected, is given skyddad folkbokföring (through the service, which
    empties the address on file; post goes through Skatteverket)."""
    for decision in decisions:
        case = decision.case
        guardians = _guardians(case, decision.decided_on)
        if (
            decision.investigation_id is not None
            and case.child.protection_level == ProtectionLevel.NONE
            and len(guardians) == 2
            and all(g.protection_level == ProtectionLevel.NONE for g in guardians)
        ):
            parent = guardians[0]
            people.set_protection_level(
                parent,
                by=managers[case.district.code],
                level=ProtectionLevel.PROTECTED_REGISTRATION,
                expected_version=parent.version,
            )
            return decision
    return None


def _protect_a_sibling(
    decisions: list[Decision], managers: dict[str, User], *, besides: Decision | None
) -> Decision | None:
    """A family where a sibling is protected: a sibling of the child of a decided case with an
    investigation moved (`SIBLING_STREET`) and has sekretessmarkering; the case's printed
    investigation names the sibling, and the address must not be printed."""
    for decision in decisions:
        case = decision.case
        if decision == besides or decision.investigation_id is None:
            continue
        if case.child.protection_level != ProtectionLevel.NONE:
            continue
        sibling = (
            Person.objects.filter(siblings_of(case.child), district=case.district)
            .filter(protection_level=ProtectionLevel.NONE)
            .order_by("pk")
            .first()
        )
        if sibling is None:
            continue
        by = managers[case.district.code]
        people.update_person(
            sibling,
            by=by,
            expected_version=sibling.version,
            changes={"street_address": SIBLING_STREET, "postal_code": "16871", "city": "Bromma"},
        )
        sibling.refresh_from_db()
        people.set_protection_level(
            sibling,
            by=by,
            level=ProtectionLevel.CONFIDENTIALITY_MARKING,
            expected_version=sibling.version,
        )
        return decision
    return None


def _produce(
    case: Case, *, by: User, kind: str, subject_key: str, recipient_key: str
) -> OutgoingDocument:
    try:
        return services.produce_document(
            case, by=by, kind=kind, subject_key=subject_key, recipient_key=recipient_key
        )
    except services.SecrecyReviewNeeded as stopped:
        return services.produce_document(
            case,
            by=by,
            kind=kind,
            subject_key=subject_key,
            recipient_key=recipient_key,
            choices={f.key: "redact" for f in stopped.findings},
            marking_confirmed=True,
        )


def _named_handler(person: Person, case: Case) -> User | None:
    """Only a named handler of a recipient with sekretessmarkering may print the address (S15):
    the handler writes that letter, or there is none in the demo."""
    return next(
        (user for user in person.handlers.all() if access.can(user, "edit_case", case)), None
    )


def generate_letters(
    *, seed: int, managers: dict[str, User], districts: dict[str, District], cases: int
) -> int:
    """Returns the number of documents produced."""
    if cases <= 0:
        return 0
    rng = random.Random(seed)
    decisions = list(
        Decision.objects.filter(replaced_by__isnull=True, case__district__in=districts.values())
        .select_related("case", "case__child", "case__district")
        .order_by("pk")
    )
    latest = {d.case_id: d for d in decisions}  # the case's newest decision
    ordered = sorted(
        latest.values(),
        key=lambda d: (d.case.child.protection_level == ProtectionLevel.NONE, rng.random()),
    )
    # One family where a parent, and one where a sibling, is protected (the rest of the
    # demo protects whole families), first among the cases with documents.
    parent_case = _protect_one_parent(ordered, managers)
    sibling_case = _protect_a_sibling(ordered, managers, besides=parent_case)
    special = [d for d in (parent_case, sibling_case) if d is not None]
    chosen = (special + [d for d in ordered if d not in special])[:cases]
    produced = 0
    for decision in chosen:
        case = decision.case
        by = managers[case.district.code]
        for party in parties_of_child(case.child, on=decision.decided_on):
            producer = (
                _named_handler(party.person, case)
                if party.person.protection_level == ProtectionLevel.CONFIDENTIALITY_MARKING
                else by
            )
            if producer is None:
                continue
            letter = _produce(
                case,
                by=producer,
                kind="decision",
                subject_key=f"decision:{decision.pk}",
                recipient_key=f"person:{party.person.pk}",
            )
            channel = rng.choice([Channel.POST, Channel.DIGITAL_MAILBOX])
            services.send_document(letter, by=by, channel=channel)
            produced += 1
        if decision.investigation_id is not None:
            _produce(
                case,
                by=by,
                kind="investigation",
                subject_key=f"investigation:{decision.investigation_id}",
                recipient_key="committee",
            )
            produced += 1
    return produced
