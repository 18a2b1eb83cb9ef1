"""An intervention's page, its start and its end."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.deadlines import registry, rules
from rodtrad.decisions import forms, queries, services
from rodtrad.decisions.models import Intervention
from rodtrad.decisions.views._common import (
    GET_OR_POST,
    SENSITIVE_POST,
    _page,
)
from rodtrad.frameworks.queries import code_label
from rodtrad.lib.forms import handle_form, initial_from


@login_required
@require_GET
def intervention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = queries.get_intervention_for(request.user, pk)
    case = intervention.case
    return _page(
        request,
        "decisions/intervention_detail.html",
        case,
        "decisions:intervention-detail",
        {
            "intervention": intervention,
            "catalogue_label": code_label("intervention-catalogue", intervention.catalogue_code),
            "reasons": [code_label("report-reasons", c) for c in intervention.reason_codes],
            "problems": [code_label("open-care-problems", c) for c in intervention.problem_codes],
            "needs": intervention.decision.needs.all(),
            "can_edit": intervention.is_open and access.can(request.user, "edit_case", case),
            "start_form": forms.StartInterventionForm(
                initial={"version": intervention.version, "started_on": timezone.localdate()}
            ),
            # The same clock as "Mina frister" (deadlines.registry, docs/deadlines.md).
            "start_clock": registry.get(rules.NOT_CARRIED_OUT)
            .clocks_for_case(case, today=timezone.localdate())
            .get(intervention.pk),
        },
    )


def _intervention_form_page(
    request: HttpRequest, intervention: Intervention, route: str, form: Any, heading: str
) -> HttpResponse:
    return _page(
        request,
        "decisions/intervention_form.html",
        intervention.case,
        route,
        {"form": form, "intervention": intervention, "heading": heading},
    )


@login_required
@GET_OR_POST
def intervention_start(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = queries.get_intervention_for(request.user, pk, for_edit=True)
    return handle_form(
        request,
        forms.StartInterventionForm(
            request.POST or None,
            initial=initial_from(
                forms.StartInterventionForm, intervention, started_on=timezone.localdate()
            ),
        ),
        save=lambda data: services.start_intervention(
            intervention,
            by=signed_in_user(request),
            expected_version=data["version"],
            started_on=data["started_on"],
        ),
        success=_("Insatsen är påbörjad."),
        then=reverse("decisions:intervention-detail", args=[pk]),
        render=lambda form: _intervention_form_page(
            request, intervention, "decisions:intervention-start", form, _("Insatsen påbörjas")
        ),
    )


@login_required
@GET_OR_POST
@SENSITIVE_POST
def intervention_end(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = queries.get_intervention_for(request.user, pk, for_edit=True)
    return handle_form(
        request,
        forms.EndInterventionForm(
            request.POST or None,
            initial=initial_from(
                forms.EndInterventionForm, intervention, ended_on=timezone.localdate()
            ),
        ),
        save=lambda data: services.end_intervention(
            intervention,
            by=signed_in_user(request),
            expected_version=data["version"],
            ended_on=data["ended_on"],
            end_reason=data["end_reason"],
            delivered_dose=data.get("delivered_dose"),
            end_note=data.get("end_note", ""),
        ),
        success=_("Insatsen är avslutad."),
        then=reverse("decisions:intervention-detail", args=[pk]),
        render=lambda form: _intervention_form_page(
            request, intervention, "decisions:intervention-end", form, _("Avsluta insatsen")
        ),
    )
