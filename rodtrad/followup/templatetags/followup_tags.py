"""The "Skattningar" section of the intervention page (`decisions/intervention_detail.html`
includes `followup/intervention_section.html` by name, so decisions imports nothing of
followup)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse

from rodtrad.accounts import access
from rodtrad.followup import charts, queries, services

register = template.Library()


def chart_of(series: queries.Series) -> charts.LineChart | None:
    """The line chart of a rating-scale series, on the instrument's whole range."""
    if not series.is_rating_scale:
        return None
    spec = series.instrument.spec()
    return charts.line_chart(
        [(m.session_number, m.total) for m in series.measurements if m.total is not None],
        y_min=spec.min_total,
        y_max=spec.max_total,
        cutoff=series.band.clinical_cutoff if series.band else None,
        y_step=Decimal(spec.max_total - spec.min_total) / 4,
    )


@register.inclusion_tag("followup/includes/measurements.html", takes_context=True)
def intervention_measurements(context: template.Context, intervention: Any) -> dict[str, Any]:
    """The intervention view has checked access to its case and written the access event;
    this reads only the intervention's own ratings."""
    request = context.get("request")
    user = getattr(request, "user", None)
    series = queries.series_of(intervention)
    may_edit = user is not None and access.can(user, "edit_case", intervention.case)
    return {
        "intervention": intervention,
        "series_list": [{"series": s, "chart": chart_of(s)} for s in series],
        "can_record": may_edit and services.recording_problem(intervention) is None,
        "recording_problem": services.recording_problem(intervention) if may_edit else None,
        "warning_session": queries.warning_session(),
        "create_url": reverse("followup:measurement-create", args=[intervention.pk]),
    }


@register.inclusion_tag("followup/includes/measurements.html", takes_context=True)
def commission_measurements(context: template.Context, commission: Any) -> dict[str, Any]:
    """The ratings of the commission's intervention on the commission page: the provider sees
    its sessions' series, the classification and the early warning, and records ratings
    there (the commission page has checked access and written the access event)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    intervention = commission.intervention
    series = queries.series_of(intervention)
    rates = user is not None and services.rates_for(user, intervention)
    return {
        "intervention": intervention,
        "series_list": [{"series": s, "chart": chart_of(s)} for s in series],
        "can_record": rates and services.recording_problem(intervention) is None,
        "recording_problem": services.recording_problem(intervention) if rates else None,
        "warning_session": queries.warning_session(),
        "create_url": reverse("followup:commission-measurement-create", args=[commission.pk]),
    }


@register.inclusion_tag("followup/includes/commission_follow_ups.html", takes_context=True)
def commission_follow_ups(context: template.Context, commission: Any) -> dict[str, Any]:
    """The commission page's follow-ups: each goal's level at each follow-up and the T-score,
    a table (the commission page has checked access and written the access event)."""
    from rodtrad.followup import services as follow_ups
    from rodtrad.followup.models import FollowUp

    request = context.get("request")
    user = getattr(request, "user", None)
    rows = list(
        FollowUp.objects.filter(commission=commission)
        .prefetch_related("ratings")
        .order_by("held_on", "pk")
    )
    goals = list(commission.goals.all())
    levels = {
        follow_up.pk: {rating.goal_id: rating.level for rating in follow_up.ratings.all()}
        for follow_up in rows
    }
    last = rows[-1].held_on if rows else None
    return {
        "commission": commission,
        "follow_ups": rows,
        "table": [
            (goal, [levels[follow_up.pk].get(goal.pk) for follow_up in rows]) for goal in goals
        ],
        "next_on": follow_ups.next_follow_up_on(commission, last),
        "can_record": user is not None
        and commission.status in follow_ups.FOLLOWED_UP
        and follow_ups.may_follow_up(user, commission),
    }


@register.inclusion_tag("followup/includes/red_thread.html")
def red_thread(case: Any) -> dict[str, Any]:
    """The case page's red thread: need → goals (where each last stood) → interventions (how
    their ratings changed), with every broken link named. The case page has checked access
    and written the access event; this reads rows of that case only."""
    from django.utils import timezone

    from rodtrad.followup import thread
    from rodtrad.frameworks.queries import code_labels

    full = thread.thread_of(case.pk, today=timezone.localdate())
    labels = code_labels("intervention-catalogue")
    interventions = {i.pk: i for link in full.structure.links for i in link.interventions} | {
        i.pk: i for i in full.structure.unlinked
    }
    outcomes = {
        pk: [s for s in queries.series_of(intervention) if s.is_rating_scale]
        for pk, intervention in interventions.items()
    }

    def shown(intervention: Any) -> dict[str, Any]:
        return {
            "intervention": intervention,
            "label": labels.get(intervention.catalogue_code, intervention.catalogue_code),
            "series": outcomes.get(intervention.pk, []),
        }

    return {
        "rows": [
            {
                "need": link.need,
                "goals": [(goal, full.latest_level.get(goal.pk)) for goal in link.goals],
                "interventions": [shown(i) for i in link.interventions],
                "breaks": link.breaks,
            }
            for link in full.structure.links
        ],
        "decided": full.structure.decided,
        "unlinked": [shown(i) for i in full.structure.unlinked],
        "broken": full.broken,
        "follow_up_breaks": [
            (kind, full.breaks[kind])
            for kind in (
                thread.GOAL_NOT_FOLLOWED_UP,
                thread.FOLLOW_UP_OVERDUE,
                thread.SERIES_UNCLASSIFIED,
            )
            if full.breaks[kind]
        ],
    }


@register.inclusion_tag("followup/includes/case_follow_up.html", takes_context=True)
def case_follow_up(context: template.Context, case: Any) -> dict[str, Any]:
    """The case page's follow-up of the case (SoL 23 kap., LVU 21 b §, or after the last
    intervention): the period while it runs, what each ended follow-up found. The case view
    has checked access and written the access event."""
    from rodtrad.cases.models import CaseStatus
    from rodtrad.followup.models import CaseFollowUp, CaseFollowUpBasis

    request = context.get("request")
    user = getattr(request, "user", None)
    following_up = case.status == CaseStatus.FOLLOW_UP
    period = services.case_follow_up_period(case) if following_up else None
    return {
        "case": case,
        "period": period,
        "basis": CaseFollowUpBasis(period.basis).label if period else "",
        "can_end": following_up
        and context.get("emergency") is None
        and user is not None
        and access.can(user, "edit_case", case),
        "ended": list(CaseFollowUp.objects.filter(case=case).select_related("recorded_by")),
    }
