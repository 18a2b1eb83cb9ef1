"""The commissions part of the intervention page, and the case page's red thread: each need →
its goals → the interventions serving it, naming every broken link (docs/red-thread.md)."""

from __future__ import annotations

from typing import Any

from django import template

from rodtrad.accounts import access
from rodtrad.commissions import queries
from rodtrad.commissions.models import CommissionStatus
from rodtrad.commissions.thread import thread_of
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
    thread = thread_of(case)
    labels = code_labels("intervention-catalogue")

    def label(intervention: Any) -> tuple[Any, str]:
        return intervention, labels.get(intervention.catalogue_code, intervention.catalogue_code)

    return {
        "rows": [
            {
                "need": link.need,
                "goals": link.goals,
                "interventions": [label(i) for i in link.interventions],
                "breaks": link.breaks,
            }
            for link in thread.links
        ],
        "decided": thread.decided,
        "unlinked": [label(i) for i in thread.unlinked],
        "broken": thread.broken,
    }
