"""The demo's documents (docs/letters.md): decision letters to each guardian, sent by post or
to the digital mailbox, and printed investigations for the committee, for a share of the cases
with a decision, protected families first. Produced through the services on the day the demo
is generated, with every secrecy finding redacted (the demo's team manager is no named handler)
and a recipient's sekretessmarkering confirmed. PDFs are slow, so the number is capped."""

from __future__ import annotations

import random

from rodtrad.accounts.models import District, User
from rodtrad.cases.models import Case
from rodtrad.decisions.models import Decision
from rodtrad.letters import services
from rodtrad.letters.models import Channel, OutgoingDocument
from rodtrad.people.models import ProtectionLevel
from rodtrad.people.queries import parties_of_child

# How many cases `rodtrad demo` gives documents (about three PDFs each); `generate()` alone
# makes none unless asked (the demo tests load it many times, and PDFs are slow).
CASES = 12


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
    chosen = sorted(
        latest.values(),
        key=lambda d: (d.case.child.protection_level == ProtectionLevel.NONE, rng.random()),
    )[:cases]
    produced = 0
    for decision in chosen:
        case = decision.case
        by = managers[case.district.code]
        for party in parties_of_child(case.child, on=decision.decided_on):
            letter = _produce(
                case,
                by=by,
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
