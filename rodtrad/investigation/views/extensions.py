"""Extension requests and decisions (SoL 20:3): the investigator asks, a team manager of the
district decides (anyone else: 403)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rodtrad.accounts.access import signed_in_user
from rodtrad.investigation import forms, queries, services
from rodtrad.investigation.models import Investigation
from rodtrad.investigation.views._common import GET_OR_POST, SENSITIVE_POST, closed, page
from rodtrad.lib.forms import handle_form


def _extension_section(pk: int) -> str:
    return reverse("investigation:investigation-detail", args=[pk]) + "#forlangning"


@login_required
@GET_OR_POST
@SENSITIVE_POST
def extension_request_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the district's team managers for more time; they decide on the extension page."""
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not investigation.is_open:
        return closed(request, investigation)
    return handle_form(
        request,
        forms.ExtensionRequestForm(request.POST or None),
        save=lambda data: services.request_extension(
            investigation,
            by=signed_in_user(request),
            reasons=data["reasons"],
            proposed_to=data["proposed_to"],
        ),
        success=_("Begäran om förlängning är skickad till enhetschefen, som fattar beslutet."),
        then=_extension_section(pk),
        render=lambda form: page(
            request,
            "investigation/extension_request_form.html",
            investigation,
            "investigation:extension-request-create",
            {"form": form, "pending_request": services.pending_extension_request(investigation)},
        ),
    )


def _render_extension(
    request: HttpRequest,
    investigation: Investigation,
    *,
    form: forms.ExtensionForm,
    refuse_form: Any = None,
    route: str = "investigation:extension-create",
) -> HttpResponse:
    return page(
        request,
        "investigation/extension_form.html",
        investigation,
        route,
        {
            "form": form,
            "refuse_form": refuse_form or forms.RefuseExtensionForm(),
            "pending_request": services.pending_extension_request(investigation),
            "today": timezone.localdate(),
        },
    )


def _decider_of(request: HttpRequest, pk: int) -> Investigation:
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not services.can_decide_extension(request.user, investigation):
        raise PermissionDenied
    return investigation


@login_required
@require_POST
@SENSITIVE_POST
def extension_request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    """The team manager refuses the waiting request, with a reason."""
    investigation = _decider_of(request, pk)
    if not investigation.is_open:
        return closed(request, investigation)
    return handle_form(
        request,
        forms.RefuseExtensionForm(request.POST),
        save=lambda data: services.refuse_extension_request(
            investigation, by=signed_in_user(request), reason=data["refusal_reason"]
        ),
        success=_("Begäran om förlängning är avslagen."),
        then=_extension_section(pk),
        render=lambda refuse_form: _render_extension(
            request,
            investigation,
            form=_extension_form(investigation),
            refuse_form=refuse_form,
            route="investigation:extension-request-refuse",
        ),
    )


def _extension_form(investigation: Investigation, data: Any = None) -> forms.ExtensionForm:
    """The decision form, filled in from the waiting request when there is one."""
    waiting = services.pending_extension_request(investigation)
    initial = {"extended_to": waiting.proposed_to, "reasons": waiting.reasons} if waiting else {}
    return forms.ExtensionForm(data, initial=initial)


@login_required
@GET_OR_POST
@SENSITIVE_POST
def extension_create(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = _decider_of(request, pk)
    if not investigation.is_open:
        return closed(request, investigation)
    return handle_form(
        request,
        _extension_form(investigation, request.POST or None),
        save=lambda data: services.decide_extension(
            investigation,
            by=signed_in_user(request),
            decided_on=data["decided_on"],
            extended_to=data["extended_to"],
            reasons=data["reasons"],
        ),
        success=_("Beslutet om förlängd utredningstid är registrerat."),
        then=reverse("investigation:investigation-detail", args=[pk]),
        render=lambda form: _render_extension(request, investigation, form=form),
    )
