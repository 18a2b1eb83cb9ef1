"""Pages of the commissions: the handler drafts and sends, the provider reads and accepts.

The provider sees the commission page and its inbox only: the needs, goals and the child's
views the commission carries, never the investigation or the case page (404 there, as for
any case outside one's scope)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.accounts.models import Role
from rodtrad.commissions import forms, queries, services
from rodtrad.commissions.models import Commission
from rodtrad.decisions.forms import StartInterventionForm
from rodtrad.decisions.queries import get_intervention_for
from rodtrad.decisions.services import start_intervention
from rodtrad.frameworks.queries import code_label
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access, record_access_denied, record_accesses
from rodtrad.lib.forms import handle_form, initial_from
from rodtrad.lib.versioning import StaleVersion

GET_OR_POST = require_http_methods(["GET", "POST"])
SENSITIVE_POST = sensitive_post_parameters()


def _page(
    request: HttpRequest, template: str, commission: Commission, route: str, ctx: dict[str, Any]
) -> HttpResponse:
    """A page that shows the commission's child: one access event."""
    record_access(by=signed_in_user(request), case=commission.case, route=route)
    return render(
        request,
        template,
        {
            "commission": commission,
            "case": commission.case,
            "catalogue_label": code_label(
                "intervention-catalogue", commission.intervention.catalogue_code
            ),
            **ctx,
        },
    )


def _detail_url(commission: Commission) -> str:
    return reverse("commissions:commission-detail", args=[commission.pk])


@login_required
@require_POST
def commission_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft commission for the intervention (or the draft that already exists)."""
    intervention = get_intervention_for(request.user, pk, for_edit=True)
    try:
        commission = services.create_commission(intervention, by=signed_in_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("decisions:intervention-detail", pk=pk)
    return redirect("commissions:commission-edit", pk=commission.pk)


@login_required
@require_GET
def commission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commission = queries.get_commission_for(request.user, pk)
    is_provider = services.is_provider_of(request.user, commission)
    can_edit = commission.is_draft and access.can(request.user, "edit_case", commission.case)
    return _page(
        request,
        "commissions/commission_detail.html",
        commission,
        "commissions:commission-detail",
        {
            "is_provider": is_provider,
            "is_handler": access.can(request.user, "view_case", commission.case),
            "can_edit": can_edit,
            "is_violence_case": services.is_violence_case(commission.intervention),
            "version_form": forms.VersionForm(initial={"version": commission.version}),
        },
    )


@login_required
@GET_OR_POST
@SENSITIVE_POST
def commission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commission = queries.get_commission_for(request.user, pk, for_edit=True)
    if not commission.is_draft:
        messages.info(request, _("Uppdraget är skickat och kan inte ändras."))
        return redirect(_detail_url(commission))
    return handle_form(
        request,
        forms.CommissionForm(
            request.POST or None, initial=initial_from(forms.CommissionForm, commission)
        ),
        save=lambda data: services.update_commission(
            commission,
            by=signed_in_user(request),
            expected_version=data["version"],
            changes=data,
        ),
        success=_("Uppdraget är sparat."),
        then=_detail_url(commission),
        render=lambda form: _page(
            request,
            "commissions/commission_form.html",
            commission,
            "commissions:commission-edit",
            {"form": form, "is_violence_case": services.is_violence_case(commission.intervention)},
        ),
        conflict_url=reverse("commissions:commission-edit", args=[pk]),
    )


def _goal_page(request: HttpRequest, commission: Commission, route: str, form: Any) -> Any:
    return _page(request, "commissions/goal_form.html", commission, route, {"form": form})


@login_required
@GET_OR_POST
@SENSITIVE_POST
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    commission = queries.get_commission_for(request.user, pk, for_edit=True)
    if not commission.is_draft:
        messages.info(request, _("Uppdraget är skickat och kan inte ändras."))
        return redirect(_detail_url(commission))
    form = forms.GoalForm(request.POST or None, commission=commission)
    return handle_form(
        request,
        form,
        save=lambda data: services.add_goal(
            commission,
            by=signed_in_user(request),
            need_ids=[int(i) for i in data["needs"]],
            text=data["text"],
            levels=form.levels(),
            weight=data["weight"],
            baseline_level=data["baseline_level"],
            target_on=data.get("target_on"),
            is_childs_own=data.get("is_childs_own", False),
        ),
        success=_("Målet är sparat."),
        then=_detail_url(commission) + "#mal",
        render=lambda form: _goal_page(request, commission, "commissions:goal-create", form),
    )


@login_required
@GET_OR_POST
@SENSITIVE_POST
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = queries.get_goal_for(request.user, pk)
    commission = queries.get_commission_for(request.user, goal.commission_id, for_edit=True)
    if not commission.is_draft:
        messages.info(request, _("Uppdraget är skickat och kan inte ändras."))
        return redirect(_detail_url(commission))
    form = forms.GoalForm(
        request.POST or None, commission=commission, initial=forms.GoalForm.initial_for(goal)
    )
    return handle_form(
        request,
        form,
        save=lambda data: services.update_goal(
            goal,
            by=signed_in_user(request),
            expected_version=data.get("version") or 0,
            need_ids=[int(i) for i in data["needs"]],
            text=data["text"],
            levels=form.levels(),
            weight=data["weight"],
            baseline_level=data["baseline_level"],
            target_on=data.get("target_on"),
            is_childs_own=data.get("is_childs_own", False),
        ),
        success=_("Målet är sparat."),
        then=_detail_url(commission) + "#mal",
        render=lambda form: _goal_page(request, commission, "commissions:goal-edit", form),
        conflict_url=reverse("commissions:goal-edit", args=[pk]),
    )


def _post_version(
    request: HttpRequest, commission: Commission, action: Any, success: str
) -> HttpResponse:
    """A button with the version: run the service, then back to the commission's page with
    what happened (a refusal's reasons as an error message)."""
    form = forms.VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ladda om sidan och försök igen."))
        return redirect(_detail_url(commission))
    try:
        action(form.cleaned_data["version"])
    except StaleVersion:
        messages.error(request, _("Uppdraget har just ändrats av någon annan. Läs det igen."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(_detail_url(commission))


@login_required
@require_POST
def commission_send(request: HttpRequest, pk: int) -> HttpResponse:
    commission = queries.get_commission_for(request.user, pk, for_edit=True)
    return _post_version(
        request,
        commission,
        lambda version: services.send_commission(
            commission, by=signed_in_user(request), expected_version=version
        ),
        _("Uppdraget är skickat till utföraren."),
    )


@login_required
@require_POST
def commission_accept(request: HttpRequest, pk: int) -> HttpResponse:
    commission = queries.get_commission_for(request.user, pk)
    if not services.is_provider_of(request.user, commission):
        # Refused like a lookup outside the scope: the log review sees the attempt (S19).
        record_access_denied(
            by=signed_in_user(request), action=AccessAction.DENIED, case_id=commission.case_id
        )
        raise PermissionDenied
    return _post_version(
        request,
        commission,
        lambda version: services.accept_commission(
            commission, by=signed_in_user(request), expected_version=version
        ),
        _("Uppdraget är mottaget."),
    )


@login_required
@GET_OR_POST
def intervention_start(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider records the day the intervention actually started ("Insatsen har börjat"),
    through the decisions app's start service; the case roles do it on the intervention page."""
    commission = queries.get_commission_for(request.user, pk)
    if not services.is_provider_of(request.user, commission):
        record_access_denied(
            by=signed_in_user(request), action=AccessAction.DENIED, case_id=commission.case_id
        )
        raise PermissionDenied
    intervention = commission.intervention
    if intervention.started_on is not None:
        messages.info(request, _("Insatsen är redan påbörjad."))
        return redirect(_detail_url(commission))
    return handle_form(
        request,
        StartInterventionForm(
            request.POST or None,
            initial={"version": intervention.version, "started_on": timezone.localdate()},
        ),
        save=lambda data: start_intervention(
            intervention,
            by=signed_in_user(request),
            expected_version=data["version"],
            started_on=data["started_on"],
        ),
        success=_("Insatsen är registrerad som påbörjad."),
        then=_detail_url(commission),
        render=lambda form: _page(
            request,
            "commissions/intervention_start.html",
            commission,
            "commissions:intervention-start",
            {"form": form, "decided_on": intervention.decision.decided_on},
        ),
    )


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The provider's commissions."""
    if not access.has_role(request.user, Role.PROVIDER):
        raise PermissionDenied
    rows = queries.inbox(request.user)
    record_accesses(
        by=signed_in_user(request),
        cases=[row.case for row in rows],
        action=AccessAction.LISTED,
        route="commissions:inbox",
    )
    return render(
        request,
        "commissions/inbox.html",
        {
            "rows": [
                (row, code_label("intervention-catalogue", row.intervention.catalogue_code))
                for row in rows
            ]
        },
    )
