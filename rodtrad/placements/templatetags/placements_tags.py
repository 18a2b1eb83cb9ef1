"""The placement part of the intervention page (`decisions/intervention_detail.html` includes
`placements/includes/intervention_section.html` by name, so decisions imports nothing of
placements): the plans, the reviews, the custody-transfer considerations and their clocks,
from the same registry entries as "Mina frister"."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from rodtrad.accounts import access
from rodtrad.cases.models import DocumentStatus
from rodtrad.decisions.services import may_decide
from rodtrad.placements import deadlines, services
from rodtrad.placements.models import (
    CarePlan,
    CustodyTransferConsideration,
    ImplementationPlan,
    PlacementReview,
)

register = template.Library()


@register.inclusion_tag("placements/includes/placement_section.html", takes_context=True)
def placement_section(context: template.Context, intervention: Any) -> dict[str, Any]:
    """The intervention view has read it through access.py and written the access event; this
    only reads rows of that placement. Nothing for an intervention that is no placement."""
    if not services.is_placement(intervention):
        return {"is_placement": False}
    request = context.get("request")
    user = getattr(request, "user", None)
    emergency = context.get("emergency")
    today = timezone.localdate()
    clocks = []
    for deadline_kind in deadlines.KINDS:
        clock = deadline_kind.clocks_for_case(intervention.case, today=today).get(intervention.pk)
        if clock is not None:
            clocks.append((deadline_kind, clock))
    can_edit = (
        emergency is None
        and user is not None
        and intervention.is_open
        and access.can(user, "edit_case", intervention.case)
    )
    plans = []
    models: tuple[tuple[str, type[CarePlan] | type[ImplementationPlan]], ...] = (
        ("care-plan", CarePlan),
        ("implementation-plan", ImplementationPlan),
    )
    for kind, model in models:
        plan = services.current_plan(model, intervention)
        signed = (
            model._default_manager.filter(intervention=intervention, status=DocumentStatus.SIGNED)
            .order_by("-signed_at", "-pk")
            .first()
        )
        plans.append({"kind": kind, "model": model, "current": plan, "signed": signed})
    return {
        "is_placement": True,
        "intervention": intervention,
        "clocks": clocks,
        "plans": plans,
        "reviews": PlacementReview.objects.filter(intervention=intervention).order_by(
            "-held_on", "-pk"
        ),
        "custody": CustodyTransferConsideration.objects.filter(intervention=intervention).order_by(
            "-considered_on", "-pk"
        ),
        "is_foster_home": intervention.catalogue_code in services.foster_home_codes(),
        "can_edit": can_edit,
        "is_decider": can_edit and user is not None and may_decide(user, intervention.case),
    }
