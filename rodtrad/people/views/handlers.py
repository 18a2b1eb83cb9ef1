"""Handlers of protected persons: proposed by one team manager, approved by a second."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rodtrad.accounts.access import can, get_person_for, signed_in_user
from rodtrad.accounts.models import User
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access_denied
from rodtrad.lib.forms import handle_form
from rodtrad.people import queries, services
from rodtrad.people.forms import HandlerForm
from rodtrad.people.masking import person_view
from rodtrad.people.models import HandlerProposal, Person
from rodtrad.people.views._common import GET_OR_POST, SENSITIVE_POST, seen


def _person_for_handler_admin(request: HttpRequest, pk: int) -> Person:
    person = get_person_for(request.user, pk, for_edit=True)
    if not can(request.user, "appoint_protected_handler", person):
        # The user may see the person but the role may not name handlers: 403 (no leak, the
        # person is visible). Out-of-scope persons already got 404 above. Journaled.
        record_access_denied(
            by=signed_in_user(request), action=AccessAction.DENIED, person_id=person.pk
        )
        raise PermissionDenied
    return person


def _render_handlers(
    request: HttpRequest, person: Person, form: HandlerForm, remove_form: HandlerForm | None = None
) -> HttpResponse:
    seen(request, person, "people:handler-appoint")
    return render(
        request,
        "people/handler_appoint.html",
        {
            "form": form,
            "remove_form": remove_form,
            "person": person_view(person, request.user),
            "handlers": queries.handlers_of(person),
            "proposals": _pending_proposals(person),
        },
    )


def _pending_proposals(person: Person) -> Any:
    """Handlers proposed by one team manager, waiting for a second (four eyes)."""
    return (
        HandlerProposal.objects.filter(person=person, status=HandlerProposal.Status.PENDING)
        .select_related("user", "proposed_by")
        .order_by("proposed_at", "pk")
    )


def _eligible_handlers(request: HttpRequest, person: Person) -> Any:
    # Nobody names themself: the user is not offered.
    return queries.eligible_handlers(person).exclude(pk=request.user.pk)


@login_required
@GET_OR_POST
@SENSITIVE_POST
def handler_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose a handler, or approve another team manager's proposal (the same form, or the
    "Godkänn" button of a waiting proposal), or decline a waiting proposal."""
    person = _person_for_handler_admin(request, pk)
    if request.method == "POST" and "decline-user" in request.POST:
        users = User.objects.filter(pk__in=_pending_proposals(person).values("user_id"))
        return handle_form(
            request,
            HandlerForm(request.POST, users=users, prefix="decline"),
            save=lambda data: services.decline_handler_proposal(
                person, data["user"], by=signed_in_user(request)
            ),
            success=_("Förslaget är avslaget."),
            then=reverse("people:handler-appoint", args=[person.pk]),
            render=lambda decline_form: _render_handlers(
                request,
                person,
                HandlerForm(users=_eligible_handlers(request, person)),
                decline_form,
            ),
        )
    form = HandlerForm(
        request.POST if request.method == "POST" else None,
        users=_eligible_handlers(request, person),
    )
    return handle_form(
        request,
        form,
        save=lambda data: services.appoint_protected_handler(
            person, data["user"], by=signed_in_user(request)
        ),
        success=lambda handler: (
            _(
                "Förslaget är sparat. Handläggaren utses när en annan enhetschef i "
                "stadsdelen har godkänt det."
            )
            if handler is None
            else _("Handläggaren är utsedd.")
        ),
        then=reverse("people:handler-appoint", args=[person.pk]),
        render=lambda form: _render_handlers(request, person, form),
    )


@login_required
@require_POST
@SENSITIVE_POST
def handler_remove(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_for_handler_admin(request, pk)
    return handle_form(
        request,
        HandlerForm(request.POST, users=queries.handler_users(person), prefix="remove"),
        save=lambda data: services.remove_protected_handler(
            person, data["user"], by=signed_in_user(request)
        ),
        success=_("Handläggaren är borttagen."),
        then=reverse("people:handler-appoint", args=[person.pk]),
        render=lambda remove_form: _render_handlers(
            request, person, HandlerForm(users=_eligible_handlers(request, person)), remove_form
        ),
    )
