"""The decisions part of the case page (`cases/case_detail.html` includes it): the decisions
and the interventions they granted. The red thread (need → goal → intervention) is drawn by
the commissions app, which sees both (`commissions_tags.red_thread`)."""

from __future__ import annotations

from typing import Any

from django import template

from rodtrad.cases.models import CaseStatus
from rodtrad.decisions import queries, services
from rodtrad.frameworks.queries import code_labels

register = template.Library()


@register.inclusion_tag("decisions/includes/case_summary.html", takes_context=True)
def decisions_case_summary(context: template.Context, case: Any) -> dict[str, Any]:
    """The case view has already checked access to `case` and written the access event; this
    only reads rows that belong to that case."""
    request = context.get("request")
    user = getattr(request, "user", None)
    emergency = context.get("emergency")
    decisions = queries.decisions_of_case(case)
    labels = code_labels("intervention-catalogue")
    grounds = code_labels("legal-grounds")
    is_decider = emergency is None and user is not None and services.may_decide(user, case)
    return {
        "case": case,
        "rows": [
            {
                "decision": d,
                "ground": grounds.get(d.legal_ground, d.legal_ground),
                "intervention": getattr(d, "intervention", None),
                "label": labels.get(d.intervention.catalogue_code, "")
                if hasattr(d, "intervention")
                else "",
            }
            for d in decisions
        ],
        "is_decider": is_decider,
        "waits_for_decision": case.status == CaseStatus.PROPOSAL_AWAITING_DECISION,
    }
