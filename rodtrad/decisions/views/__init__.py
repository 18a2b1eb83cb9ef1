"""Pages of the decisions and interventions (docs/red-thread.md), by topic. Thin: the services
decide, `handle_form` runs every form."""

from rodtrad.decisions.views.decisions import (
    close_without_decision,
    decision_create,
    decision_detail,
    notice_create,
)
from rodtrad.decisions.views.interventions import (
    intervention_detail,
    intervention_end,
    intervention_start,
)
from rodtrad.decisions.views.report import not_carried_out, not_carried_out_csv

__all__ = [
    "close_without_decision",
    "decision_create",
    "decision_detail",
    "intervention_detail",
    "intervention_end",
    "intervention_start",
    "not_carried_out",
    "not_carried_out_csv",
    "notice_create",
]
