"""The deadlines of decisions and interventions, registered in `rodtrad.deadlines.registry`
(from `DecisionsConfig.ready`; docs/deadlines.md, docs/red-thread.md).

* Carrying out a decision (SoL 34:1): a granted intervention should start within three months
  of the decision; after that it is reported each quarter to IVO. Found from the interventions
  not started (the partial index on interventions not started serves the finder).
* The end of a follow-up (SoL 23:5): a case followed up under a 23 kap. decision must be
  closed at the latest six months after the investigation closed or the placement ended.
* A time-limited decision's review: a reminder, the date the decision set (no paragraph).
"""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.models import CaseStatus
from rodtrad.deadlines import registry, rules
from rodtrad.decisions.models import GRANTING_KINDS, Decision, DecisionKind, Intervention
from rodtrad.frameworks.queries import current_codes
from rodtrad.investigation.models import Investigation

DECISION_REVIEW = "decision_review"  # a reminder


def find_not_started(scope: registry.Scope) -> list[registry.Found]:
    rows = (
        Intervention.objects.filter(
            started_on__isnull=True,
            ended_on__isnull=True,
            decision__kind__in=list(GRANTING_KINDS),
        )
        .filter(scope.has_case())
        .order_by()
        .values("pk", "case_id", "decision__decided_on")
    )
    return [
        registry.Found(
            kind=rules.NOT_CARRIED_OUT,
            case_id=row["case_id"],
            object_id=row["pk"],
            counted_from=row["decision__decided_on"],
            deadline=rules.deadline_for(rules.NOT_CARRIED_OUT, row["decision__decided_on"]),
            ids={"intervention": row["pk"], "case": row["case_id"]},
        )
        for row in rows
    ]


def find_follow_up_ends(scope: registry.Scope) -> list[registry.Found]:
    """Cases followed up under a 23 kap. decision: six months from the investigation's close
    (23:1) or the last placement's end (23:2), whichever the newest decision's ground names."""
    cases = scope.open_case_ids([CaseStatus.FOLLOW_UP])
    newest: dict[int, tuple[int, str]] = {}  # case → (decision, legal ground)
    for pk, case_id, ground in (
        Decision.objects.filter(case_id__in=cases, kind=DecisionKind.FOLLOW_UP)
        .order_by("case_id", "-decided_on", "-pk")
        .values_list("pk", "case_id", "legal_ground")
    ):
        newest.setdefault(case_id, (pk, ground))
    if not newest:
        return []
    bases = {
        code.code: code.attributes.get("follow_up_basis", "investigation")
        for code in current_codes("legal-grounds")
    }
    placements = [
        code.code
        for code in current_codes("intervention-catalogue")
        if code.attributes.get("placement")
    ]
    closed = dict(
        Investigation.objects.filter(case_id__in=newest, closed_on__isnull=False)
        .values("case_id")
        .annotate(last=Max("closed_on"))
        .values_list("case_id", "last")
    )
    ended = dict(
        Intervention.objects.filter(
            case_id__in=newest, ended_on__isnull=False, catalogue_code__in=placements
        )
        .values("case_id")
        .annotate(last=Max("ended_on"))
        .values_list("case_id", "last")
    )
    found = []
    for case_id, (decision_id, ground) in newest.items():
        basis = bases.get(ground, "investigation")
        start = (ended if basis == "placement" else closed).get(case_id)
        if start is None:
            continue
        found.append(
            registry.Found(
                kind=rules.FOLLOW_UP,
                case_id=case_id,
                object_id=decision_id,
                counted_from=start,
                deadline=rules.deadline_for(rules.FOLLOW_UP, start),
                ids={"case": case_id},
            )
        )
    return found


def find_decision_reviews(scope: registry.Scope) -> list[registry.Found]:
    rows = (
        Decision.objects.filter(
            review_on__isnull=False,
            intervention__ended_on__isnull=True,
            replaced_by__isnull=True,
        )
        .filter(scope.has_case())
        .order_by()
        .values("pk", "case_id", "decided_on", "review_on")
    )
    found = []
    for row in rows:
        day = row["review_on"]
        assert day is not None  # filtered above
        found.append(
            registry.Found(
                kind=DECISION_REVIEW,
                case_id=row["case_id"],
                object_id=row["pk"],
                counted_from=row["decided_on"],
                deadline=rules.Deadline(rule=DECISION_REVIEW, due_strict=day, due=day),
                ids={"decision": row["pk"], "case": row["case_id"]},
            )
        )
    return found


NOT_STARTED = registry.DeadlineKind(
    key=rules.NOT_CARRIED_OUT,
    label=_("Insatsen ska påbörjas"),
    rule=rules.RULES[rules.NOT_CARRIED_OUT],
    action_route="decisions:intervention-detail",
    action_id="intervention",
    find=find_not_started,
)
FOLLOW_UP_ENDS = registry.DeadlineKind(
    key=rules.FOLLOW_UP,
    label=_("Uppföljningen ska avslutas"),
    rule=rules.RULES[rules.FOLLOW_UP],
    action_route="decisions:end-follow-up",
    action_id="case",
    find=find_follow_up_ends,
)
REVIEW = registry.DeadlineKind(
    key=DECISION_REVIEW,
    label=_("Beslutet omprövas"),
    rule=None,
    action_route="decisions:decision-detail",
    action_id="decision",
    find=find_decision_reviews,
)


def register() -> None:
    for kind in (NOT_STARTED, FOLLOW_UP_ENDS, REVIEW):
        registry.register(kind)
