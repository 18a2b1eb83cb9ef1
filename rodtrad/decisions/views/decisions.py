"""Recording a decision, its page, to whom it was given, and closing without one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.decisions import forms, queries, services
from rodtrad.decisions.models import GRANTING_KINDS, Decision, DecisionKind, Intervention
from rodtrad.decisions.views._common import (
    GET_OR_POST,
    SENSITIVE_POST,
    _case_url,
    _decider_case,
    _page,
)
from rodtrad.frameworks.queries import code_label
from rodtrad.lib.forms import handle_form
from rodtrad.people import queries as people_queries

KIND_HELP = {
    DecisionKind.GRANTED: gettext_lazy("En öppenvårdsinsats beviljas, t.ex. familjebehandling."),
    DecisionKind.PLACEMENT: gettext_lazy(
        "Barnet placeras utanför hemmet, t.ex. i familjehem eller HVB."
    ),
    DecisionKind.REFUSED: gettext_lazy("Det som har sökts eller föreslagits beviljas inte."),
    DecisionKind.NO_INTERVENTION: gettext_lazy("Utredningen avslutas utan insats."),
    DecisionKind.LVU_APPLICATION: gettext_lazy(
        "Nämnden ansöker om vård enligt LVU hos förvaltningsrätten."
    ),
    DecisionKind.FOLLOW_UP: gettext_lazy(
        "Nämnden följer upp barnets situation i högst sex månader."
    ),
}


@login_required
@GET_OR_POST
@SENSITIVE_POST
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a decision: first its kind (a choice of links), then the form for that kind."""
    case = _decider_case(request, pk)
    kind = request.POST.get("kind") or request.GET.get("slag") or ""
    allowed = [k for k in DecisionKind if case.status in services.ALLOWED_FROM[k]]
    follow_up_waits = (
        DecisionKind.FOLLOW_UP in allowed
        and case.interventions.filter(ended_on__isnull=True).exists()
    )
    if follow_up_waits:
        # A follow-up comes after the interventions (SoL 23:2); end them first.
        allowed = [k for k in allowed if k != DecisionKind.FOLLOW_UP]
    if kind not in {k.value for k in allowed}:
        return _page(
            request,
            "decisions/decision_kind.html",
            case,
            "decisions:decision-create",
            {
                "kinds": [(k, k.label, KIND_HELP[k]) for k in allowed],
                "follow_up_waits": follow_up_waits,
            },
        )
    form = forms.DecisionForm(
        request.POST or None,
        case=case,
        kind=kind,
        initial={"decided_on": timezone.localdate(), "kind": kind},
    )

    def save(data: dict[str, Any]) -> Decision:
        return services.record_decision(
            case,
            by=signed_in_user(request),
            kind=kind,
            legal_ground=data["legal_ground"],
            level=data["level"],
            minutes_reference=data.get("minutes_reference", ""),
            decided_on=data["decided_on"],
            reasons=data["reasons"],
            effective_from=data.get("effective_from"),
            effective_to=data.get("effective_to"),
            review_on=data.get("review_on"),
            need_ids=[int(i) for i in data.get("needs") or []],
            no_needs_reason=data.get("no_needs_reason", ""),
            replaces_id=int(data["replaces"]) if data.get("replaces") else None,
            close_case=bool(data.get("close_case")),
            granted=form.granted() if kind in GRANTING_KINDS else None,
        )

    return handle_form(
        request,
        form,
        save=save,
        success=_("Beslutet är registrerat och signerat."),
        then=lambda decision: reverse("decisions:decision-detail", args=[decision.pk]),
        # The kind is a hidden field: what the service says of it belongs on top of the form.
        field_map={"kind": "__all__"},
        render=lambda form: _page(
            request,
            "decisions/decision_form.html",
            case,
            "decisions:decision-create",
            {"form": form, "kind_label": DecisionKind(kind).label, "kind": kind},
        ),
    )


@login_required
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = queries.get_decision_for(request.user, pk)
    case = decision.case
    parties = people_queries.parties_of_child(case.child, on=decision.decided_on)
    notified = {notice.recipient_id for notice in decision.notices.all()}
    intervention = Intervention.objects.filter(decision=decision).select_related("provider_unit")
    granted = intervention.first()
    return _page(
        request,
        "decisions/decision_detail.html",
        case,
        "decisions:decision-detail",
        {
            "decision": decision,
            "legal_ground": code_label("legal-grounds", decision.legal_ground),
            "intervention": granted,
            "intervention_label": code_label("intervention-catalogue", granted.catalogue_code)
            if granted
            else "",
            "notices": decision.notices.select_related("recipient"),
            "not_notified": [p for p in parties if p.person.pk not in notified],
            "can_edit": access.can(request.user, "edit_case", case),
            "replaced_by": decision.replaced_by.first(),
        },
    )


@login_required
@GET_OR_POST
def notice_create(request: HttpRequest, pk: int) -> HttpResponse:
    decision = queries.get_decision_for(request.user, pk)
    case = access.get_case_for(request.user, decision.case_id, for_edit=True)
    parties = people_queries.parties_of_child(case.child, on=decision.decided_on)
    form = forms.NoticeForm(
        request.POST or None, parties=parties, initial={"notified_on": timezone.localdate()}
    )
    return handle_form(
        request,
        form,
        save=lambda data: services.record_notice(
            decision,
            by=signed_in_user(request),
            recipient=form.person(),
            notified_on=data["notified_on"],
            channel=data["channel"],
        ),
        success=_("Det är registrerat att beslutet har lämnats."),
        then=reverse("decisions:decision-detail", args=[decision.pk]),
        render=lambda form: _page(
            request,
            "decisions/notice_form.html",
            case,
            "decisions:notice-create",
            {"form": form, "decision": decision},
        ),
    )


@login_required
@GET_OR_POST
@SENSITIVE_POST
def close_without_decision(request: HttpRequest, pk: int) -> HttpResponse:
    case = _decider_case(request, pk)
    return handle_form(
        request,
        forms.CloseWithoutDecisionForm(request.POST or None, initial={"version": case.version}),
        save=lambda data: services.close_without_decision(
            case,
            by=signed_in_user(request),
            expected_version=data["version"],
            reason=data["reason"],
            note=data["note"],
        ),
        success=_("Ärendet är avslutat utan beslut."),
        then=_case_url(case),
        render=lambda form: _page(
            request,
            "decisions/simple_form.html",
            case,
            "decisions:close-without-decision",
            {
                "form": form,
                "heading": _("Avsluta ärendet utan beslut"),
                "intro": _(
                    "Använd det här när ett ärende som väntar på beslut inte ska beslutas, "
                    "till exempel för att familjen har flyttat. Skälet sparas i ärendet."
                ),
                "submit": _("Avsluta ärendet"),
            },
        ),
    )
