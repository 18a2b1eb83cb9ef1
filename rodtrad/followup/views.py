"""Recording a session's rating (docs/followup-instruments.md). The intervention page shows the
series (`followup/intervention_section.html`); this page records one rating. Thin: the service
decides, `handle_form` runs the form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rodtrad.accounts.access import signed_in_user
from rodtrad.decisions import queries as decisions_queries
from rodtrad.decisions.models import Intervention
from rodtrad.followup import forms, services
from rodtrad.followup.models import Instrument
from rodtrad.frameworks.queries import code_label
from rodtrad.frameworks.views import administrator_required
from rodtrad.journal.services import record_access
from rodtrad.lib.forms import handle_form

ROUTE = "followup:measurement-create"


def _page(
    request: HttpRequest,
    intervention: Intervention,
    context: dict[str, Any],
    *,
    route: str = ROUTE,
    commission: Any = None,
) -> HttpResponse:
    record_access(by=signed_in_user(request), case=intervention.case, route=route)
    if commission is not None:  # the provider's way in: back to the commission, not the case
        back_url = reverse("commissions:commission-detail", args=[commission.pk])
        create_url = reverse("followup:commission-measurement-create", args=[commission.pk])
    else:
        back_url = reverse("decisions:intervention-detail", args=[intervention.pk])
        create_url = reverse(ROUTE, args=[intervention.pk])
    return render(
        request,
        "followup/measurement_form.html",
        {
            "case": intervention.case,
            "intervention": intervention,
            "commission": commission,
            "back_url": back_url,
            "create_url": create_url,
            "catalogue_label": code_label("intervention-catalogue", intervention.catalogue_code),
            **context,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def measurement_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose an instrument (a list of links), then record one rater's rating with it."""
    intervention = decisions_queries.get_intervention_for(request.user, pk, for_edit=True)
    return _measurement(request, intervention, route=ROUTE)


@login_required
@require_http_methods(["GET", "POST"])
def commission_measurement_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The same, from the commission: the provider's way to record the ratings of its sessions
    (it sees the commission, never the intervention or the case)."""
    from rodtrad.commissions.queries import get_commission_for

    commission = get_commission_for(request.user, pk)
    if not services.rates_for(request.user, commission.intervention):
        raise PermissionDenied
    return _measurement(
        request,
        commission.intervention,
        route="followup:commission-measurement-create",
        commission=commission,
    )


def _measurement(
    request: HttpRequest, intervention: Intervention, *, route: str, commission: Any = None
) -> HttpResponse:
    def page(context: dict[str, Any]) -> HttpResponse:
        return _page(request, intervention, context, route=route, commission=commission)

    problem = services.recording_problem(intervention)
    if problem is not None:
        return page({"problem": problem})
    code = request.POST.get("instrument") or request.GET.get("instrument") or ""
    instrument = Instrument.objects.filter(code=code, is_active=True).first()
    if instrument is None:
        return page({"instruments": Instrument.objects.filter(is_active=True)})
    today = timezone.localdate()
    form = forms.MeasurementForm(
        request.POST or None,
        instrument=instrument,
        guardians=services.guardians_of(intervention, on=today),
        initial={"administered_on": today},
    )

    def save(data: dict[str, Any]) -> Any:
        role, rater_id = form.rater_role_and_id()
        return services.record_measurement(
            intervention,
            by=signed_in_user(request),
            instrument=instrument,
            rater_role=role,
            rater_id=rater_id,
            administered_on=data.get("administered_on"),
            item_scores=form.item_scores(),
        )

    back = (
        reverse("commissions:commission-detail", args=[commission.pk])
        if commission is not None
        else reverse("decisions:intervention-detail", args=[intervention.pk])
    )
    return handle_form(
        request,
        form,
        save=save,
        success=_("Skattningen är registrerad."),
        then=back + "#skattningar",
        render=lambda form: page({"form": form, "instrument": instrument}),
    )


@administrator_required
@require_GET
def instrument_list(request: HttpRequest) -> HttpResponse:
    """The instruments, for the administrator (who enters the municipality's wording)."""
    instruments = list(Instrument.objects.all())
    replaced = {i.previous_edition_id for i in instruments if i.previous_edition_id}
    newest = {i.pk for i in instruments if i.pk not in replaced}
    return render(
        request,
        "followup/instrument_list.html",
        {"instruments": instruments, "newest": newest},
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def instrument_edit(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = get_object_or_404(Instrument, pk=pk)
    form = forms.InstrumentForm(request.POST or None, instrument=instrument)
    return handle_form(
        request,
        form,
        save=lambda data: services.update_instrument(
            instrument,
            by=signed_in_user(request),
            expected_version=data["version"],
            name=data.get("name") or "",
            item_labels=form.item_labels(),
            licence_note=data.get("licence_note") or "",
            is_active=bool(data.get("is_active")),
        ),
        conflict_title=_("Någon annan har ändrat formuläret"),
        conflict_url=reverse("followup:instrument-edit", args=[instrument.pk]),
        success=_("Ändringen är sparad."),
        then=reverse("followup:instrument-list"),
        render=lambda form: render(
            request, "followup/instrument_edit.html", {"instrument": instrument, "form": form}
        ),
    )


def _definition_page(
    request: HttpRequest, form: forms.InstrumentDefinitionForm, previous: Instrument | None
) -> HttpResponse:
    return render(
        request, "followup/instrument_definition.html", {"form": form, "previous": previous}
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def instrument_create(request: HttpRequest) -> HttpResponse:
    """ "Nytt formulär": an instrument of the municipality's, edition 1."""
    form = forms.InstrumentDefinitionForm(request.POST or None)
    return handle_form(
        request,
        form,
        save=lambda data: services.create_instrument(
            by=signed_in_user(request), code=data.get("code") or "", definition=form.definition()
        ),
        success=_("Formuläret är sparat och kan användas för skattningar."),
        then=reverse("followup:instrument-list"),
        render=lambda form: _definition_page(request, form, None),
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def instrument_edition(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Ny utgåva": a new edition of an instrument, starting from the one it replaces."""
    previous = get_object_or_404(Instrument, pk=pk)
    form = forms.InstrumentDefinitionForm(request.POST or None, previous=previous)
    return handle_form(
        request,
        form,
        save=lambda data: services.create_edition(
            previous,
            by=signed_in_user(request),
            expected_version=data.get("version") or 0,
            definition=form.definition(),
        ),
        conflict_title=_("Någon annan har ändrat formuläret"),
        conflict_url=reverse("followup:instrument-edition", args=[previous.pk]),
        success=_("Den nya utgåvan är sparad. Den gamla används inte längre."),
        then=reverse("followup:instrument-list"),
        render=lambda form: _definition_page(request, form, previous),
    )
