"""Communication with the parties before the decision (kommunicering, förvaltningslagen 25 §)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rodtrad.accounts.access import signed_in_user
from rodtrad.investigation import forms, queries, services
from rodtrad.investigation.models import Communication
from rodtrad.investigation.views._common import GET_OR_POST, SENSITIVE_POST, closed, page
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_accesses
from rodtrad.lib.forms import handle_form, initial_from
from rodtrad.people import queries as people_queries


def _communication_section(pk: int) -> str:
    return reverse("investigation:investigation-detail", args=[pk]) + "#kommunicering"


@login_required
@GET_OR_POST
@SENSITIVE_POST
def communication_create(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not investigation.is_open:
        return closed(request, investigation)
    child = investigation.case.child
    today = timezone.localdate()
    recipients = people_queries.parties_of_child(child, on=today)
    has_protected_network = people_queries.has_protected_person_in_network(child)
    needs_secrecy_check = (
        has_protected_network
        or child.is_protected
        or any(choice.person.is_protected for choice in recipients)
    )
    form = forms.CommunicationForm(
        request.POST or None,
        initial={"sent_on": today},
        recipients=recipients,
        needs_secrecy_check=needs_secrecy_check,
    )

    def render(form: forms.CommunicationForm) -> HttpResponse:
        analysis = queries.current_analysis(investigation)
        # The recipients' names are on the page: one access event each, in one insert (S19).
        record_accesses(
            by=signed_in_user(request),
            persons=[choice.person for choice in recipients if choice.relationship is not None],
            action=AccessAction.LISTED,
            route="investigation:communication-create",
        )
        return page(
            request,
            "investigation/communication_form.html",
            investigation,
            "investigation:communication-create",
            {
                "form": form,
                "has_analysis": analysis is not None and bool(analysis.text.strip()),
                "has_recipients": bool(recipients),
                "needs_secrecy_check": needs_secrecy_check,
                "has_protected_network": has_protected_network,
            },
        )

    return handle_form(
        request,
        form,
        save=lambda data: services.record_communication(
            investigation,
            by=signed_in_user(request),
            subject=data["subject"],
            recipient=form.chosen().person,
            relationship=form.chosen().relationship,
            sent_on=data["sent_on"],
            answer_by=data["answer_by"],
            is_secrecy_checked=data.get("is_secrecy_checked", False),
        ),
        success=_("Kommuniceringen är registrerad."),
        then=_communication_section(pk),
        render=render,
    )


@login_required
@GET_OR_POST
@SENSITIVE_POST
def communication_answer(request: HttpRequest, pk: int) -> HttpResponse:
    communication = queries.get_row_for(request.user, Communication, pk, for_edit=True)
    investigation = communication.investigation
    if not investigation.is_open:
        return closed(request, investigation)
    initial = initial_from(
        forms.CommunicationAnswerForm,
        communication,
        answered_on=communication.answered_on or timezone.localdate(),
    )
    return handle_form(
        request,
        forms.CommunicationAnswerForm(request.POST or None, initial=initial),
        save=lambda data: services.record_communication_answer(
            communication,
            by=signed_in_user(request),
            expected_version=data["version"],
            answer=data["answer"],
            answered_on=data["answered_on"],
        ),
        success=_("Svaret är registrerat."),
        then=_communication_section(investigation.pk),
        render=lambda form: page(
            request,
            "investigation/communication_answer.html",
            investigation,
            "investigation:communication-answer",
            {"form": form, "communication": communication},
        ),
    )
