"""Pages of a placement's plans and records (docs/red-thread.md, "Placements"). Thin: the
services decide, `handle_form` runs every form. Every page writes the case's access event."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.cases.document_views import AUTOSAVE_TEMPLATE, autosave_response
from rodtrad.decisions.models import DecisionLevel, Intervention
from rodtrad.decisions.queries import get_intervention_for
from rodtrad.decisions.services import may_decide
from rodtrad.frameworks.queries import code_label
from rodtrad.journal.services import record_access
from rodtrad.lib.forms import handle_form
from rodtrad.placements import forms, services
from rodtrad.placements.models import CarePlan, ImplementationPlan

GET_OR_POST = require_http_methods(["GET", "POST"])

# The two plans: the same pages, what differs is said here once.
PLANS: dict[str, dict[str, Any]] = {
    "care-plan": {
        "model": CarePlan,
        "form": forms.CarePlanForm,
        "title": gettext_lazy("Vårdplan"),
        "law": gettext_lazy("SoL 9 kap. 12–13 §§ och SoF (2025:468) 10 kap. 2 §"),
    },
    "implementation-plan": {
        "model": ImplementationPlan,
        "form": forms.ImplementationPlanForm,
        "title": gettext_lazy("Genomförandeplan"),
        "law": gettext_lazy("SoL 9 kap. 12 § och SoF (2025:468) 10 kap. 3 §"),
    },
}


def _placement(request: HttpRequest, pk: int, *, for_edit: bool = False) -> Intervention:
    intervention = get_intervention_for(request.user, pk, for_edit=for_edit)
    if not services.is_placement(intervention):
        raise Http404
    return intervention


def _page(
    request: HttpRequest,
    template: str,
    intervention: Intervention,
    route: str,
    context: dict[str, Any],
) -> HttpResponse:
    case = intervention.case
    grant = access.emergency_access_for(request.user, case)
    record_access(by=signed_in_user(request), case=case, route=route, emergency_access=grant)
    return render(
        request,
        template,
        {
            "case": case,
            "emergency": grant,
            "intervention": intervention,
            "catalogue_label": code_label("intervention-catalogue", intervention.catalogue_code),
            **context,
        },
    )


def _plan_url(kind: str, pk: int) -> str:
    return reverse(f"placements:{kind}-edit", args=[pk])


def _plan_page(
    request: HttpRequest,
    intervention: Intervention,
    kind: str,
    *,
    form: Any = None,
    correction_form: Any = None,
    route: str | None = None,
) -> HttpResponse:
    spec = PLANS[kind]
    plan = services.current_plan(spec["model"], intervention)
    if form is None and (plan is None or not plan.is_signed):
        initial = (
            spec["form"].initial_for(plan)
            if plan is not None
            else {"version": 1, "event_on": timezone.localdate()}
        )
        form = spec["form"](initial=initial)
    history = (
        spec["model"]
        ._default_manager.filter(intervention=intervention, status="signed")
        .select_related("signed_by")
        .order_by("-signed_at", "-pk")
    )
    can_edit = intervention.is_open and access.can(request.user, "edit_case", intervention.case)
    return _page(
        request,
        "placements/plan_edit.html",
        intervention,
        route or f"placements:{kind}-edit",
        {
            "kind": kind,
            "title": spec["title"],
            "law": spec["law"],
            "plan": plan,
            "form": form if can_edit else None,
            "fields": [
                (spec["form"].base_fields[name].label, getattr(plan, name))
                for name in spec["model"].CONTENT_FIELDS
            ]
            if plan is not None
            else [],
            "history": history,
            "correction_form": correction_form or forms.CorrectionForm(),
            "can_edit": can_edit,
            "urls": {
                action: reverse(f"placements:{kind}-{action}", args=[intervention.pk])
                for action in ("edit", "autosave", "sign", "correct", "revise")
            },
        },
    )


@login_required
@GET_OR_POST
def plan_edit(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The plan of a placement: the draft form (Save works without JavaScript), the signed
    plan with its correction and revision, and the signed versions."""
    spec = PLANS[kind]
    if request.method == "GET":
        return _plan_page(request, _placement(request, pk), kind)
    intervention = _placement(request, pk, for_edit=True)
    plan = services.current_plan(spec["model"], intervention)
    if plan is not None and plan.is_signed:
        raise PermissionDenied
    form = spec["form"](request.POST)
    by = signed_in_user(request)
    return handle_form(
        request,
        form,
        save=lambda data: (
            services.start_plan(spec["model"], intervention, by=by, changes=form.changes())
            if plan is None
            else services.save_plan_draft(
                plan, by=by, expected_version=data["version"], changes=form.changes()
            )
        ),
        success=_("Utkastet är sparat."),
        then=_plan_url(kind, pk),
        render=lambda form: _plan_page(request, intervention, kind, form=form),
        conflict_title=_("Planen har ändrats av någon annan"),
        conflict_url=_plan_url(kind, pk),
    )


@login_required
@require_POST
def plan_autosave(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """htmx: save the draft while the handler writes (the first autosave starts it), and
    answer with the status line: 200 saved, 400 bad input, 409 stale or signed. The address
    is the placement's, so the first save needs no new one."""
    spec = PLANS[kind]
    intervention = _placement(request, pk, for_edit=True)
    plan = services.current_plan(spec["model"], intervention)
    if plan is not None and plan.is_signed:
        return render(request, AUTOSAVE_TEMPLATE, {"locked": True}, status=409)

    def save(document: Any, *, by: Any, expected_version: int, changes: dict[str, Any]) -> Any:
        if document is None:
            return services.start_plan(spec["model"], intervention, by=by, changes=changes)
        return services.save_plan_draft(
            document, by=by, expected_version=expected_version, changes=changes
        )

    return autosave_response(
        request,
        form=spec["form"](request.POST),
        save=save,
        document=plan,
        reload_url=_plan_url(kind, pk),
        version_input_id="id_version",
    )


@login_required
@require_POST
def plan_sign(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Save the posted draft and sign it (a new plan is created and signed at once)."""
    spec = PLANS[kind]
    intervention = _placement(request, pk, for_edit=True)
    plan = services.current_plan(spec["model"], intervention)
    if plan is not None and plan.is_signed:
        raise PermissionDenied
    form = spec["form"](request.POST)
    by = signed_in_user(request)
    return handle_form(
        request,
        form,
        save=lambda data: (
            services.start_and_sign_plan(spec["model"], intervention, by=by, changes=form.changes())
            if plan is None
            else services.sign_plan(
                plan, by=by, expected_version=data["version"], changes=form.changes()
            )
        ),
        success=_("Planen är signerad."),
        then=_plan_url(kind, pk),
        render=lambda form: _plan_page(
            request, intervention, kind, form=form, route=f"placements:{kind}-sign"
        ),
        conflict_title=_("Planen har ändrats av någon annan"),
        conflict_url=_plan_url(kind, pk),
    )


@login_required
@require_POST
def plan_correct(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    spec = PLANS[kind]
    intervention = _placement(request, pk, for_edit=True)
    plan = services.current_plan(spec["model"], intervention)
    if plan is None or not plan.is_signed:
        raise Http404
    return handle_form(
        request,
        forms.CorrectionForm(request.POST),
        save=lambda data: services.correct_plan(
            plan, by=signed_in_user(request), reason=data["reason"]
        ),
        success=_("En rättelse är påbörjad. Originalet finns kvar."),
        then=_plan_url(kind, pk),
        render=lambda form: _plan_page(
            request,
            intervention,
            kind,
            correction_form=form,
            route=f"placements:{kind}-correct",
        ),
    )


@login_required
@require_POST
def plan_revise(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Start a revision (SoL 9:13) of the signed plan."""
    spec = PLANS[kind]
    intervention = _placement(request, pk, for_edit=True)
    plan = services.current_plan(spec["model"], intervention)
    if plan is None or not plan.is_signed:
        raise Http404
    return handle_form(
        request,
        forms.RevisionForm(request.POST),
        save=lambda data: services.revise_plan(plan, by=signed_in_user(request)),
        success=_(
            "En revidering är påbörjad. Den signerade planen gäller tills den nya är signerad."
        ),
        then=_plan_url(kind, pk),
        render=lambda form: _plan_page(
            request, intervention, kind, route=f"placements:{kind}-revise"
        ),
    )


def _decider_placement(request: HttpRequest, pk: int) -> Intervention:
    intervention = _placement(request, pk, for_edit=True)
    if not may_decide(request.user, intervention.case):
        raise PermissionDenied
    return intervention


def _record_page(
    request: HttpRequest,
    intervention: Intervention,
    route: str,
    form: Any,
    heading: str,
    help_text: str,
) -> HttpResponse:
    return _page(
        request,
        "placements/record_form.html",
        intervention,
        route,
        {"form": form, "heading": heading, "help_text": help_text},
    )


@login_required
@GET_OR_POST
def review_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the subcommittee's övervägande (SoL 22:13, LVU 13 §)."""
    intervention = _decider_placement(request, pk)
    route = "placements:review-create"
    return handle_form(
        request,
        forms.ReviewForm(
            request.POST or None,
            initial={"held_on": timezone.localdate(), "level": DecisionLevel.SUBCOMMITTEE},
        ),
        save=lambda data: services.record_review(
            intervention,
            by=signed_in_user(request),
            held_on=data["held_on"],
            level=data["level"],
            outcome=data["outcome"],
            minutes_reference=data["minutes_reference"],
            note=data["note"],
        ),
        success=_("Övervägandet är registrerat."),
        then=reverse("decisions:intervention-detail", args=[pk]),
        render=lambda form: _record_page(
            request,
            intervention,
            route,
            form,
            _("Registrera övervägande"),
            _(
                "Minst var sjätte månad överväger nämnden om vården behövs och hur den ska "
                "inriktas och utformas (SoL 22 kap. 13 §, LVU 13 §)."
            ),
        ),
    )


@login_required
@GET_OR_POST
def custody_consideration_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the subcommittee's consideration of a custody transfer (SoL 22:14)."""
    intervention = _decider_placement(request, pk)
    route = "placements:custody-consideration-create"
    return handle_form(
        request,
        forms.CustodyConsiderationForm(
            request.POST or None,
            initial={"considered_on": timezone.localdate(), "level": DecisionLevel.SUBCOMMITTEE},
        ),
        save=lambda data: services.record_custody_consideration(
            intervention,
            by=signed_in_user(request),
            considered_on=data["considered_on"],
            level=data["level"],
            outcome=data["outcome"],
            minutes_reference=data["minutes_reference"],
            note=data["note"],
        ),
        success=_("Övervägandet om vårdnadsöverflyttning är registrerat."),
        then=reverse("decisions:intervention-detail", args=[pk]),
        render=lambda form: _record_page(
            request,
            intervention,
            route,
            form,
            _("Överväg vårdnadsöverflyttning"),
            _(
                "När barnet har varit placerat i samma familjehem i två år, och sedan varje år, "
                "överväger nämnden om den ska ansöka om att vårdnaden flyttas över till "
                "familjehemsföräldrarna (SoL 22 kap. 14 §, FB 6 kap. 8 §)."
            ),
        ),
    )
