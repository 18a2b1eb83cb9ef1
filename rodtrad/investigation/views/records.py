"""Contacts and the child's needs: rows of the investigation, not signable documents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.frameworks.queries import code_labels
from rodtrad.investigation import forms, queries, services
from rodtrad.investigation.kinds import framework_area_choices
from rodtrad.investigation.models import Investigation, Need
from rodtrad.investigation.views._common import GET_OR_POST, SENSITIVE_POST, closed, page
from rodtrad.lib.forms import handle_form, initial_from, require_version
from rodtrad.lib.versioning import StaleVersion

# --- Contacts ---------------------------------------------------------------------------------


@login_required
@GET_OR_POST
@SENSITIVE_POST
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not investigation.is_open:
        return closed(request, investigation)
    form = forms.ContactForm(request.POST or None, initial={"event_on": timezone.localdate()})
    return handle_form(
        request,
        form,
        save=lambda data: services.log_contact(
            investigation,
            by=signed_in_user(request),
            kind=data["kind"],
            event_on=data["event_on"],
            summary=data["summary"],
            child_alone=forms.yes_no(data["child_alone"]),
            covered_violence=forms.yes_no(data["covered_violence"]),
        ),
        success=_("Kontakten är registrerad."),
        then=reverse("investigation:investigation-detail", args=[pk]) + "#kontakter",
        render=lambda form: page(
            request,
            "investigation/contact_form.html",
            investigation,
            "investigation:contact-create",
            {"form": form},
        ),
    )


# --- Needs ------------------------------------------------------------------------------------


def _need_form(investigation: Investigation, need: Need | None, data: Any = None) -> Any:
    initial = initial_from(forms.NeedForm, need) if need is not None else None
    return forms.NeedForm(
        data,
        initial=initial,
        areas=framework_area_choices(queries.framework_of(investigation)),
    )


def _after_needs(investigation: Investigation) -> str:
    analysis = queries.current_analysis(investigation)
    if analysis is not None:
        return reverse("investigation:analysis-edit", args=[analysis.pk]) + "#behov"
    return reverse("investigation:investigation-detail", args=[investigation.pk]) + "#behov"


def _render_need(
    request: HttpRequest, investigation: Investigation, form: Any, need: Need | None, route: str
) -> HttpResponse:
    return page(
        request,
        "investigation/need_form.html",
        investigation,
        route,
        {
            "form": form,
            "need": need,
            "area_label": code_labels(need.framework).get(need.area, need.area) if need else "",
            "can_edit": queries.are_needs_editable(investigation)
            and access.can(request.user, "edit_case", investigation.case),
        },
    )


@login_required
@GET_OR_POST
@SENSITIVE_POST
def need_create(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    return handle_form(
        request,
        _need_form(investigation, None, request.POST or None),
        save=lambda data: services.add_need(
            investigation,
            by=signed_in_user(request),
            area=data["area"],
            description=data["description"],
            severity=data["severity"],
            child_view=data["child_view"],
        ),
        success=_("Behovet är sparat."),
        then=lambda _need: _after_needs(investigation),
        render=lambda form: _render_need(
            request, investigation, form, None, "investigation:need-create"
        ),
    )


@login_required
@GET_OR_POST
@SENSITIVE_POST
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    need = queries.get_row_for(request.user, Need, pk, for_edit=request.method == "POST")
    investigation = need.investigation
    form = _need_form(investigation, need, request.POST or None)

    def save(data: dict[str, Any]) -> Any:
        require_version(form)
        return services.update_need(
            need,
            by=signed_in_user(request),
            expected_version=data["version"],
            area=data["area"],
            description=data["description"],
            severity=data["severity"],
            child_view=data["child_view"],
        )

    return handle_form(
        request,
        form,
        save=save,
        success=_("Behovet är sparat."),
        then=lambda _need: _after_needs(investigation),
        render=lambda form: _render_need(
            request, investigation, form, need, "investigation:need-edit"
        ),
    )


@login_required
@require_POST
def need_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """A button, not a form page: every outcome is a message (the conflict too)."""
    need = queries.get_row_for(request.user, Need, pk, for_edit=True)
    investigation = need.investigation
    form = forms.VersionForm(request.POST)
    if form.is_valid():
        try:
            services.remove_need(
                need, by=signed_in_user(request), expected_version=form.cleaned_data["version"]
            )
        except StaleVersion:
            messages.error(
                request, _("Någon annan har ändrat behovet. Kontrollera och försök igen.")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Behovet är borttaget."))
            return redirect(_after_needs(investigation))
    else:
        messages.error(request, _("Formuläret saknar version. Ladda om sidan och försök igen."))
    return _render_need(
        request, investigation, _need_form(investigation, need), need, "investigation:need-remove"
    )
