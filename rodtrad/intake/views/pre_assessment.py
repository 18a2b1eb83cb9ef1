"""The pre-assessment of a case (SoL 20:2): the draft (autosaved), signing (= the decision),
corrections, contacts, and copying the information obtained from a sibling's draft.

It uses the same machinery as the investigation's documents: the form declares the fields
(cases.forms.SignableDocumentForm), initial values and the conflict page come from it, and the
saves go through lib.forms.handle_form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.cases.document_views import autosave_response
from rodtrad.intake import queries, services
from rodtrad.intake.forms import ContactForm, CorrectionForm, PreAssessmentForm
from rodtrad.intake.models import PreAssessment
from rodtrad.intake.views._common import sibling_source
from rodtrad.journal.services import record_access
from rodtrad.lib.forms import handle_form
from rodtrad.people.masking import person_view

COPY_ROUTE = "intake:pre-assessment-copy"


def _form(document: PreAssessment, data: Any = None) -> PreAssessmentForm:
    return PreAssessmentForm(
        data,
        initial=PreAssessmentForm.initial_for(document) if data is None else None,
        autosave_url=reverse("intake:pre-assessment-autosave", args=[document.pk]),
    )


def _render_pre_assessment(
    request: HttpRequest,
    case: Any,
    *,
    form: PreAssessmentForm | None = None,
    correction_form: CorrectionForm | None = None,
    contact_form: ContactForm | None = None,
    route: str = "intake:pre-assessment-edit",
) -> HttpResponse:
    # Every answer that renders this page shows the case, also a POST re-rendered with errors.
    record_access(by=signed_in_user(request), case=case, route=route)
    document = queries.current_pre_assessment(case)
    if document is not None and form is None and not document.is_signed:
        form = _form(document)
    section = queries.case_section(case, request.user)
    return render(
        request,
        "intake/pre_assessment_form.html",
        {
            "case": case,
            "child": person_view(case.child, request.user),
            "document": document,
            "form": form,
            "correction_form": correction_form or CorrectionForm(),
            "contact_form": contact_form or ContactForm(),
            "clock": section["pre_assessment_clock"],
            "original": section["pre_assessment"],
            "documents": section["pre_assessments"],
            "contacts": section["contacts"],
            "reports": section["intake_reports"],
            "is_deciding": case.status == "pre_assessment",
            "emergency_custodies": section["emergency_custodies"],
            "sibling_sources": (
                queries.sibling_pre_assessments(case, request.user)
                if document is not None and not document.is_signed
                else []
            ),
        },
    )


def _handle_draft(
    request: HttpRequest,
    document: PreAssessment,
    form: PreAssessmentForm,
    *,
    save: Any,
    success: str,
    then: Any,
    route: str = "intake:pre-assessment-edit",
) -> HttpResponse:
    """The pre-assessment's forms through handle_form, with its conflict title and page."""
    case = document.case
    return handle_form(
        request,
        form,
        save=save,
        success=success,
        then=then,
        render=lambda form: _render_pre_assessment(request, case, form=form, route=route),
        conflict_title=_("Förhandsbedömningen har ändrats av någon annan"),
        conflict_url=reverse("intake:pre-assessment-edit", args=[case.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def pre_assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The pre-assessment of a case: the draft form (autosaved), signing, corrections.

    POST is the plain Save button (works without JavaScript).
    """
    case = access.get_case_for(request.user, pk, for_edit=True)
    if request.method == "GET":
        return _render_pre_assessment(request, case)
    document = queries.current_pre_assessment(case)
    if document is None or document.is_signed:
        messages.error(request, _("Det finns inget utkast att spara."))
        return _render_pre_assessment(request, case)
    form = _form(document, request.POST)
    return _handle_draft(
        request,
        document,
        form,
        save=lambda data: services.save_pre_assessment_draft(
            document,
            by=signed_in_user(request),
            expected_version=data["version"],
            changes=form.changes(),
        ),
        success=_("Utkastet är sparat."),
        then=reverse("intake:pre-assessment-edit", args=[case.pk]),
        route=COPY_ROUTE,
    )


@login_required
@require_POST
def pre_assessment_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: save the draft; answer with a small status fragment and the new version."""
    document = queries.get_pre_assessment_for(request.user, pk)
    return autosave_response(
        request,
        form=PreAssessmentForm(request.POST),
        save=services.save_pre_assessment_draft,
        document=document,
        reload_url=reverse("intake:pre-assessment-edit", args=[document.case_id]),
        version_input_id="id_version",
    )


@login_required
@require_POST
def pre_assessment_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign = decide. The posted draft is saved and signed in one transaction."""
    document = queries.get_pre_assessment_for(request.user, pk)
    case = document.case
    form = _form(document, request.POST)

    def then(_signed: Any) -> str:
        # Opening an investigation passes the case to the investigation unit: an intake
        # worker of the intake unit no longer sees it, so back to the queue, not to a 404.
        if not access.visible_cases(request.user).filter(pk=case.pk).exists():
            return reverse("intake:queue")
        return reverse("cases:case-detail", args=[case.pk])

    return _handle_draft(
        request,
        document,
        form,
        save=lambda data: services.sign_pre_assessment(
            document,
            by=signed_in_user(request),
            expected_version=data["version"],
            changes=form.changes(),
        ),
        success=_("Förhandsbedömningen är signerad och beslutet fattat."),
        then=then,
    )


@login_required
@require_POST
def pre_assessment_correct(request: HttpRequest, pk: int) -> HttpResponse:
    document = queries.get_pre_assessment_for(request.user, pk)
    return handle_form(
        request,
        CorrectionForm(request.POST),
        save=lambda data: services.correct_pre_assessment(
            document, by=signed_in_user(request), reason=data["reason"]
        ),
        success=_("En rättelse är påbörjad. Originalet finns kvar."),
        then=reverse("intake:pre-assessment-edit", args=[document.case_id]),
        render=lambda form: _render_pre_assessment(request, document.case, correction_form=form),
    )


@login_required
@require_POST
def pre_assessment_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    document = queries.get_pre_assessment_for(request.user, pk)
    return handle_form(
        request,
        ContactForm(request.POST),
        save=lambda data: services.add_pre_assessment_contact(
            document,
            by=signed_in_user(request),
            who=data["who"],
            contacted_on=data["contacted_on"],
            summary=data["summary"],
        ),
        success=_("Kontakten är dokumenterad."),
        then=reverse("intake:pre-assessment-edit", args=[document.case_id]),
        render=lambda form: _render_pre_assessment(request, document.case, contact_form=form),
    )


@login_required
@require_POST
def pre_assessment_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Kopiera inhämtad information från syskonets förhandsbedömning": the draft form as
    posted is saved and the sibling's information obtained is added to it
    (services.copy_pre_assessment_from_sibling)."""
    document = queries.get_pre_assessment_for(request.user, pk)
    case = document.case
    form = _form(document, request.POST)
    if not request.POST.get("source"):
        messages.error(request, _("Välj vilket syskons förhandsbedömning du vill kopiera från."))
        return _render_pre_assessment(request, case, form=form, route=COPY_ROUTE)
    source = sibling_source(
        queries.sibling_pre_assessments(case, request.user), request.POST["source"], request.user
    )

    def save(data: dict[str, Any]) -> Any:
        copied = services.copy_pre_assessment_from_sibling(
            document,
            by=signed_in_user(request),
            source=source.document,
            expected_version=data["version"],
            changes=form.changes(),
        )
        record_access(by=signed_in_user(request), case=source.document.case, route=COPY_ROUTE)
        return copied

    return _handle_draft(
        request,
        document,
        form,
        save=save,
        success=_(
            "Inhämtad information är kopierad från syskonets förhandsbedömning. Skriv "
            "bedömningen och beslutet för just det här barnet."
        ),
        then=reverse("intake:pre-assessment-edit", args=[case.pk]),
        route=COPY_ROUTE,
    )
