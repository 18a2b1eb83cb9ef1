"""The investigation part of the case page (`cases/case_detail.html` includes it)."""

from __future__ import annotations

from typing import Any

from django import template

from rodtrad.investigation import queries
from rodtrad.investigation.models import Investigation

register = template.Library()


@register.inclusion_tag("investigation/includes/case_summary.html", takes_context=True)
def investigation_case_summary(context: template.Context, case: Any) -> dict[str, Any]:
    """Deadline, child participation and the child's view per area for each investigation.

    The case view has already checked access to `case` and written the access event; this
    only reads rows that belong to that case.
    """
    investigations = list(
        Investigation.objects.filter(case=case)
        .prefetch_related("extensions")
        .order_by("-opened_on", "-pk")
    )
    rows = [
        {
            "investigation": investigation,
            "participation": queries.child_participation(investigation),
            "needs": queries.active_needs(investigation).count(),
            "analysis": queries.current_analysis(investigation),
        }
        for investigation in investigations
    ]
    return {"rows": rows, "case": case, "emergency": context.get("emergency")}
