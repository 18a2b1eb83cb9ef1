"""Reading commissions: the case roles through their cases, the provider through its units."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from rodtrad.accounts import access
from rodtrad.commissions.models import Commission, CommissionStatus, Goal
from rodtrad.commissions.services import provider_unit_ids, visible_commissions
from rodtrad.investigation.models import Need

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rodtrad.accounts.models import User


def _with_goals(queryset: QuerySet[Commission]) -> QuerySet[Commission]:
    return queryset.select_related(
        "case", "case__child", "case__district", "intervention", "provider_unit"
    ).prefetch_related(
        Prefetch(
            "goals",
            queryset=Goal.objects.prefetch_related(
                Prefetch("needs", queryset=Need.objects.order_by("pk"))
            ).order_by("pk"),
        )
    )


def get_commission_for(
    user: User | AnonymousUser, pk: int | str | None, *, for_edit: bool = False
) -> Commission:
    """The commission if the user may see it (edit: a case role in scope); otherwise 404."""
    number = access.parse_id(pk)
    if for_edit:
        queryset = Commission.objects.filter(case__in=access.editable_cases(user).values("pk"))
    else:
        queryset = visible_commissions(user)
    commission = _with_goals(queryset.filter(pk=number)).first() if number else None
    if commission is None:
        case_id = Commission.objects.filter(pk=number).values_list("case_id", flat=True).first()
        raise access.not_found(user, case_id=case_id)
    return commission


def get_goal_for(user: User | AnonymousUser, pk: int | str | None) -> Goal:
    """A goal of a commission the user may edit (the case roles in scope)."""
    number = access.parse_id(pk)
    goal = (
        Goal.objects.filter(
            pk=number, commission__case__in=access.editable_cases(user).values("pk")
        )
        .select_related("commission", "commission__case", "commission__case__child")
        .first()
        if number
        else None
    )
    if goal is None:
        case_id = (
            Goal.objects.filter(pk=number).values_list("commission__case_id", flat=True).first()
        )
        raise access.not_found(user, case_id=case_id)
    return goal


def inbox(user: User | AnonymousUser) -> list[Commission]:
    """The provider's commissions: sent (to accept) first, then accepted, newest first."""
    units = provider_unit_ids(user)
    rows = _with_goals(
        Commission.objects.filter(
            provider_unit_id__in=units,
            status__in=[CommissionStatus.SENT, CommissionStatus.ACCEPTED],
        )
    ).order_by("status", "-sent_at")
    return list(rows)


def commissions_of_intervention(intervention_id: int) -> list[Commission]:
    return list(
        _with_goals(Commission.objects.filter(intervention_id=intervention_id)).order_by("-pk")
    )
