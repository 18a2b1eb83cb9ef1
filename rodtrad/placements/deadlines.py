"""The placement deadlines, registered in `rodtrad.deadlines.registry` (from
`PlacementsConfig.ready`); docs/deadlines.md, "Placements".

Every finder starts from the open placements: interventions not ended (the partial index
`intervention_open_by_case`), started, whose catalogue code is a placement, in the scope's
open cases (the case indexes by status, as the intake finders use). One query per kind,
whatever the number of rows.

* Övervägande (SoL 22:13, LVU 13 §): six months after the start, then after the last review.
* Vårdnadsöverflyttning (SoL 22:14, LVU 13 c §): familjehem placements only; two years after
  the start, then a year after the last consideration.
* Revidering av vårdplan (SoL 9:13): two years after the start, until a revision of the care
  plan is signed.
* Vårdplan och genomförandeplan (a reminder, no paragraph sets the day):
  `RODTRAD_PLACEMENT_PLANS_DAYS` (30) days after the start, while either plan is not signed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.models import CaseStatus, DocumentStatus
from rodtrad.deadlines import registry, rules
from rodtrad.decisions.models import Intervention
from rodtrad.placements import services
from rodtrad.placements.models import CarePlan, ImplementationPlan

PLACEMENT_PLANS = "placement_plans"
# On a closed case no clock runs (docs/deadlines.md, "Open work only").
OPEN_STATUSES = [status for status in CaseStatus.values if status != CaseStatus.CLOSED]


def open_placements(scope: registry.Scope, *, foster_home: bool = False) -> QuerySet[Intervention]:
    return (
        Intervention.objects.filter(
            ended_on__isnull=True,
            started_on__isnull=False,
            catalogue_code__in=services.placement_code_query(foster_home=foster_home),
        )
        .filter(case_id__in=scope.open_case_ids(OPEN_STATUSES))
        .order_by()
    )


def _found(
    kind: str, row: dict[str, Any], counted_from: Any, deadline: rules.Deadline
) -> registry.Found:
    return registry.Found(
        kind=kind,
        case_id=row["case_id"],
        object_id=row["pk"],
        counted_from=counted_from,
        deadline=deadline,
        ids={"intervention": row["pk"], "case": row["case_id"]},
    )


def find_reviews(scope: registry.Scope) -> list[registry.Found]:
    rows = (
        open_placements(scope)
        .annotate(last_review=Max("placement_reviews__held_on"))
        .values("pk", "case_id", "started_on", "last_review")
    )
    found = []
    for row in rows:
        deadline = rules.placement_review_deadline(row["started_on"], row["last_review"])
        last, started_on = row["last_review"], row["started_on"]
        counted_from = last if last is not None and last >= started_on else started_on
        found.append(_found(rules.PLACEMENT_REVIEW, row, counted_from, deadline))
    return found


def find_custody_transfers(scope: registry.Scope) -> list[registry.Found]:
    rows = (
        open_placements(scope, foster_home=True)
        .annotate(last=Max("custody_considerations__considered_on"))
        .values("pk", "case_id", "started_on", "last")
    )
    found = []
    for row in rows:
        deadline = rules.custody_transfer_deadline(row["started_on"], row["last"])
        counted_from = (
            row["started_on"] if deadline.rule == rules.CUSTODY_TRANSFER_FIRST else row["last"]
        )
        found.append(_found(CUSTODY_TRANSFER, row, counted_from, deadline))
    return found


def _signed(model: type[Any], **extra: Any) -> Exists:
    return Exists(
        model.objects.filter(intervention_id=OuterRef("pk"), status=DocumentStatus.SIGNED, **extra)
    )


def find_care_plan_revisions(scope: registry.Scope) -> list[registry.Found]:
    rows = (
        open_placements(scope)
        .annotate(is_revised=_signed(CarePlan, revises__isnull=False))
        .filter(is_revised=False)
        .values("pk", "case_id", "started_on")
    )
    return [
        _found(
            rules.CARE_PLAN_REVISION,
            row,
            row["started_on"],
            rules.deadline_for(rules.CARE_PLAN_REVISION, row["started_on"]),
        )
        for row in rows
    ]


def find_missing_plans(scope: registry.Scope) -> list[registry.Found]:
    rows = (
        open_placements(scope)
        .annotate(has_care=_signed(CarePlan), has_implementation=_signed(ImplementationPlan))
        .values("pk", "case_id", "started_on", "has_care", "has_implementation")
    )
    days = settings.RODTRAD_PLACEMENT_PLANS_DAYS
    found = []
    for row in rows:
        if row["has_care"] and row["has_implementation"]:
            continue
        day = rules.add_days(row["started_on"], days)
        found.append(
            _found(
                PLACEMENT_PLANS,
                row,
                row["started_on"],
                rules.Deadline(rule=PLACEMENT_PLANS, due_strict=day, due=day),
            )
        )
    return found


# One registry key for the custody transfer; its rule is the yearly one (the first, after two
# years, has the same paragraph; the finder picks the period).
CUSTODY_TRANSFER = rules.CUSTODY_TRANSFER


def _kind(
    key: str,
    label: Any,
    rule: rules.DeadlineRule | None,
    find: Callable[[registry.Scope], list[registry.Found]],
) -> registry.DeadlineKind:
    return registry.DeadlineKind(
        key=key,
        label=label,
        rule=rule,
        action_route="decisions:intervention-detail",
        action_id="intervention",
        find=find,
    )


REVIEW = _kind(
    rules.PLACEMENT_REVIEW, _("Övervägande"), rules.RULES[rules.PLACEMENT_REVIEW], find_reviews
)
CUSTODY = _kind(
    CUSTODY_TRANSFER,
    _("Vårdnadsöverflyttning"),
    rules.RULES[rules.CUSTODY_TRANSFER],
    find_custody_transfers,
)
CARE_PLAN_REVISION = _kind(
    rules.CARE_PLAN_REVISION,
    _("Revidering av vårdplan"),
    rules.RULES[rules.CARE_PLAN_REVISION],
    find_care_plan_revisions,
)
MISSING_PLANS = _kind(PLACEMENT_PLANS, _("Vårdplan och genomförandeplan"), None, find_missing_plans)
KINDS = (REVIEW, CUSTODY, CARE_PLAN_REVISION, MISSING_PLANS)


def register() -> None:
    for kind in KINDS:
        registry.register(kind)
