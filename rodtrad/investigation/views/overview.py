"""The investigation's own page, informing the parties (SoL 20:4) and closing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rodtrad.accounts.access import signed_in_user
from rodtrad.frameworks.queries import code_labels
from rodtrad.investigation import forms, queries, services
from rodtrad.investigation.kinds import KINDS
from rodtrad.investigation.models import InvestigationPlan, RiskAssessment
from rodtrad.investigation.views._common import GET_OR_POST, SENSITIVE_POST, can_edit, closed, page
from rodtrad.lib.forms import handle_form, initial_from


@login_required
@require_GET
def investigation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = queries.get_investigation_for(request.user, pk)
    framework = queries.framework_of(investigation)
    labels = code_labels(framework)
    plan = queries.current_document(InvestigationPlan, investigation)
    assessments = queries.area_assessments(investigation)
    planned = set(plan.areas) if plan else set()
    area_rows = [
        {
            "code": area.code,
            "label": labels.get(area.code, area.code),
            "side": labels.get(area.parent.code, area.parent.code) if area.parent else "",
            "is_planned": area.code in planned,
            "document": assessments.get(area.code),
        }
        for area in queries.framework_areas(framework)
    ]
    analysis = queries.current_analysis(investigation)
    needs = list(queries.active_needs(investigation))
    context = {
        "can_edit": can_edit(request, investigation),
        "can_decide_extension": can_edit(request, investigation)
        and services.can_decide_extension(request.user, investigation),
        "today": timezone.localdate(),
        "plan": plan,
        "area_rows": area_rows,
        "contacts": list(investigation.contacts.select_related("recorded_by")),
        "participation": queries.child_participation(investigation),
        "risk_assessments": list(queries.documents_of(RiskAssessment, investigation)),
        "violence_codes": queries.violence_reason_codes(investigation.case),
        "has_signed_risk": queries.has_signed_risk_assessment(investigation),
        "needs": [(need, labels.get(need.area, need.area)) for need in needs],
        "needs_editable": queries.are_needs_editable(investigation),
        "analysis": analysis,
        "extensions": list(investigation.extensions.select_related("decided_by")),
        "extension_requests": list(
            investigation.extension_requests.select_related("requested_by", "decided_by")
        ),
        "pending_request": services.pending_extension_request(investigation),
        "communications": list(queries.communications(investigation)),
        "proposed_needs": list(investigation.proposed_needs.all()),
        "unwritten_area_reasons": [
            (labels.get(code, code), reason)
            for code, reason in investigation.unwritten_area_reasons.items()
        ],
    }
    return page(
        request,
        "investigation/investigation_detail.html",
        investigation,
        "investigation:investigation-detail",
        context,
    )


# --- Informing the parties (SoL 20:4) ---------------------------------------------------------


@login_required
@GET_OR_POST
@SENSITIVE_POST
def informing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not investigation.is_open:
        return closed(request, investigation)
    form = forms.InformingForm(
        request.POST or None, initial=initial_from(forms.InformingForm, investigation)
    )
    return handle_form(
        request,
        form,
        save=lambda data: services.record_informing(
            investigation,
            by=signed_in_user(request),
            expected_version=data["version"],
            informed_on=data["informed_on"],
            informed_how=data["informed_how"],
            deferred_reason=data["deferred_reason"],
        ),
        success=_("Uppgiften om information till parterna är sparad."),
        then=reverse("investigation:investigation-detail", args=[investigation.pk]),
        render=lambda form: page(
            request,
            "investigation/informing_form.html",
            investigation,
            "investigation:informing-edit",
            {"form": form},
        ),
    )


# --- Closing ----------------------------------------------------------------------------------


@login_required
@GET_OR_POST
@SENSITIVE_POST
def investigation_close(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not investigation.is_open:
        return closed(request, investigation)
    labels = code_labels(queries.framework_of(investigation))
    needs = list(queries.active_needs(investigation))
    choices = [(str(n.pk), f"{labels.get(n.area, n.area)}: {n.description}") for n in needs]
    unwritten = [
        (code, labels.get(code, code)) for code in queries.unwritten_planned_areas(investigation)
    ]
    form = forms.CloseForm(
        request.POST or None,
        initial={"version": investigation.version},
        needs=choices,
        unwritten_areas=unwritten,
    )

    def render(form: forms.CloseForm) -> HttpResponse:
        drafts = [
            str(kind.title)
            for kind in KINDS.values()
            if queries.documents_of(kind.model, investigation).filter(status="draft").exists()
        ]
        return page(
            request,
            "investigation/investigation_close.html",
            investigation,
            "investigation:investigation-close",
            {
                "form": form,
                "analysis": queries.current_analysis(investigation),
                "drafts": drafts,
                "has_communication": queries.communications(investigation).exists(),
                "unwritten_areas": unwritten,
                "waiting_communications": queries.waiting_communications(
                    investigation, timezone.localdate()
                ),
            },
        )

    return handle_form(
        request,
        form,
        save=lambda data: services.close_investigation(
            investigation,
            by=signed_in_user(request),
            expected_version=data["version"],
            outcome=data["outcome"],
            closed_on=data["closed_on"],
            need_ids=[int(i) for i in data["needs"]],
            note=data["note"],
            area_reasons=form.area_reasons(),
        ),
        success=_("Utredningen är avslutad."),
        then=reverse("cases:case-detail", args=[investigation.case_id]),
        render=render,
    )
