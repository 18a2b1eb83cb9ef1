"""The commissions part of the intervention page. The case page's red thread is drawn by the
follow-up app, which sees needs, goals, interventions and outcomes (followup_tags.red_thread)."""

from __future__ import annotations

from typing import Any

from django import template

from rodtrad.accounts import access
from rodtrad.commissions import queries
from rodtrad.commissions.models import CommissionStatus

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
