"""Reading decisions and interventions, always through the cases the reader may see."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from rodtrad.accounts import access
from rodtrad.cases.models import Case
from rodtrad.deadlines import rules
from rodtrad.decisions.models import GRANTING_KINDS, Decision, DecisionNotice, Intervention

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rodtrad.accounts.models import User

# SoL 34 kap. 1 §: a granted decision not carried out within three months is reported.
NOT_CARRIED_OUT_MONTHS = 3


def get_decision_for(user: User | AnonymousUser, pk: int | str | None) -> Decision:
    number = access.parse_id(pk)
    decision = (
        Decision.objects.filter(pk=number, case__in=access.visible_cases(user).values("pk"))
        .select_related("case", "case__child", "case__district", "decided_by", "replaces")
        .first()
        if number
        else None
    )
    if decision is None:
        case_id = Decision.objects.filter(pk=number).values_list("case_id", flat=True).first()
        raise access.not_found(user, case_id=case_id)
    return decision


def get_intervention_for(
    user: User | AnonymousUser, pk: int | str | None, *, for_edit: bool = False
) -> Intervention:
    number = access.parse_id(pk)
    cases = access.editable_cases(user) if for_edit else access.visible_cases(user)
    intervention = (
        Intervention.objects.filter(pk=number, case__in=cases.values("pk"))
        .select_related("case", "case__child", "case__district", "decision", "provider_unit")
        .first()
        if number
        else None
    )
    if intervention is None:
        case_id = Intervention.objects.filter(pk=number).values_list("case_id", flat=True).first()
        raise access.not_found(user, case_id=case_id)
    return intervention


def decisions_of_case(case: Case) -> list[Decision]:
    """The case's decisions, newest first, with their needs, notices and intervention."""
    return list(
        Decision.objects.filter(case=case)
        .select_related("decided_by", "intervention", "intervention__provider_unit")
        .prefetch_related(
            "needs",
            "replaced_by",
            Prefetch("notices", queryset=DecisionNotice.objects.select_related("recipient")),
        )
        .order_by("-decided_on", "-pk")
    )


def not_carried_out_since(today: date) -> date:
    """Decisions made on or before this day and still not carried out are reported."""
    return rules.add_months(today, -NOT_CARRIED_OUT_MONTHS)


def not_carried_out(user: User | AnonymousUser, today: date) -> QuerySet[Intervention]:
    """Granted interventions not started within three months of the decision (SoL 34:1), in
    the cases the reader may see, through the partial index on interventions not started."""
    return (
        Intervention.objects.filter(
            started_on__isnull=True,
            ended_on__isnull=True,
            decision__kind__in=list(GRANTING_KINDS),
            decision__decided_on__lte=not_carried_out_since(today),
            case__in=access.visible_cases(user).values("pk"),
        )
        .select_related("decision", "case", "case__child", "case__district")
        .order_by("decision__decided_on", "pk")
    )
