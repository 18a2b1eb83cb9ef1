"""The commissions part of the intervention page, and the case page's red thread: each need →
its goals → the interventions serving it, naming every broken link (docs/red-thread.md)."""

from __future__ import annotations

from typing import Any

from django import template

from rodtrad.accounts import access
from rodtrad.commissions import queries
from rodtrad.commissions.models import CommissionStatus, Goal
from rodtrad.decisions.models import Decision
from rodtrad.decisions.services import case_needs
from rodtrad.frameworks.queries import code_labels

register = template.Library()


@register.inclusion_tag("commissions/includes/intervention_commissions.html", takes_context=True)
def commissions_for_intervention(context: template.Context, intervention: Any) -> dict[str, Any]:
    """The intervention page has checked access and written the access event."""
    request = context.get("request")
    user = getattr(request, "user", None)
    rows = queries.commissions_of_intervention(intervention.pk)
    return {
        "intervention": intervention,
        "rows": rows,
        "has_draft": any(c.status == CommissionStatus.DRAFT for c in rows),
        "can_create": user is not None
        and context.get("emergency") is None
        and intervention.is_open
        and access.can(user, "edit_case", intervention.case),
    }


@register.inclusion_tag("commissions/includes/red_thread.html")
def red_thread(case: Any) -> dict[str, Any]:
    """The case page has checked access and written the access event; this reads rows of that
    case only, in a fixed number of queries."""
    needs = case_needs(case)
    labels = code_labels("intervention-catalogue")
    decisions = list(
        Decision.objects.filter(case=case, intervention__isnull=False)
        .select_related("intervention")
        .prefetch_related("needs")
    )
    goals = list(
        Goal.objects.filter(commission__case=case)
        .exclude(commission__status=CommissionStatus.REPLACED)
        .select_related("commission")
        .prefetch_related("needs")
    )
    serving: dict[int, list[Any]] = {}
    unlinked = []
    for decision in decisions:
        linked = [need.pk for need in decision.needs.all()]
        for pk in linked:
            serving.setdefault(pk, []).append(decision.intervention)
        if not linked:
            unlinked.append(decision.intervention)
    goals_of: dict[int, list[Goal]] = {}
    for goal in goals:
        for need in goal.needs.all():
            goals_of.setdefault(need.pk, []).append(goal)

    def label(intervention: Any) -> tuple[Any, str]:
        return intervention, labels.get(intervention.catalogue_code, intervention.catalogue_code)

    rows: list[dict[str, Any]] = []
    broken = len(unlinked)
    for need in needs:
        interventions = serving.get(need.pk, [])
        need_goals = goals_of.get(need.pk, [])
        breaks = []
        if decisions and not interventions:
            breaks.append("no_intervention")
        if interventions and not need_goals:
            breaks.append("no_goal")
        broken += len(breaks)
        rows.append(
            {
                "need": need,
                "goals": need_goals,
                "interventions": [
                    (i, labels.get(i.catalogue_code, i.catalogue_code)) for i in interventions
                ],
                "breaks": breaks,
            }
        )
    return {
        "rows": rows,
        "decided": bool(decisions),
        "unlinked": [label(i) for i in unlinked],
        "broken": broken,
    }
