"""Intake pages: register a report, the intake queue, protection assessment, pre-assessment.

Each view: parse → authorize (accounts/access.py; 404 outside scope, 403 for a role that may
never use an object-less page) → call a service → render. Identity numbers travel in POST
bodies only (S31).
"""

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
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rodtrad.accounts import access
from rodtrad.accounts.models import District
from rodtrad.cases.document_views import autosave_response
from rodtrad.intake import queries, services
from rodtrad.intake.forms import (
    ContactForm,
    CorrectionForm,
    InformationAnswerForm,
    InformationRequestForm,
    PreAssessmentForm,
    ProtectionAssessmentForm,
    ReportForm,
)
from rodtrad.intake.models import PreAssessment, Report
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access
from rodtrad.lib.forms import apply_service_errors
from rodtrad.lib.versioning import StaleVersion, render_conflict
from rodtrad.people.masking import person_view

GET_OR_POST = require_http_methods(["GET", "POST"])
SENSITIVE_POST = sensitive_post_parameters()


def _require_case_role(request: HttpRequest) -> None:
    if not access.has_role(request.user, *access.CASE_ROLES):
        raise PermissionDenied


# --- the queue ---------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require_case_role(request)
    rows = queries.intake_queue(request.user)
    seen: set[int] = set()
    for row in rows:
        if row.case.pk not in seen:
            seen.add(row.case.pk)
            record_access(
                by=request.user, case=row.case, action=AccessAction.LISTED, route="intake:queue"
            )
    return render(
        request,
        "intake/queue.html",
        {
            "rows": rows,
            "information_rows": queries.open_information_requests(request.user),
            "districts": District.objects.filter(pk__in=access.case_role_districts(request.user)),
        },
    )


# --- reports -----------------------------------------------------------------------------------


def _report_form(request: HttpRequest, data: Any = None) -> ReportForm:
    districts = District.objects.filter(pk__in=access.case_role_districts(request.user))
    return ReportForm(data, user=request.user, districts=districts)


@login_required
@GET_OR_POST
@SENSITIVE_POST
def report_create(request: HttpRequest) -> HttpResponse:
    """Register a report. "Hämta barnen" looks the children up without saving anything."""
    _require_case_role(request)
    form = _report_form(request, request.POST if request.method == "POST" else None)
    looked_up = False
    if form.is_bound:
        is_valid = form.is_valid()
        for child in form.children:
            record_access(
                by=request.user,
                person=child,
                action=AccessAction.SEARCHED,
                route="intake:report-create",
            )
        if "lookup" in request.POST:
            looked_up = True
            # Only the children are judged on a lookup; the rest is filled in afterwards.
            only_children = form.errors.get("children_numbers")
            form.errors.clear()
            if only_children:
                form.errors["children_numbers"] = only_children
        elif is_valid:
            data = form.cleaned_data
            try:
                report = services.register_report(
                    by=request.user,
                    district=data["district"],
                    kind=data["kind"],
                    channel=data["channel"],
                    reporter_category=data["reporter_category"],
                    is_mandatory_reporter=data["is_mandatory_reporter"],
                    reporter_name=data["reporter_name"],
                    reporter_contact=data["reporter_contact"],
                    is_reporter_identity_protected=data["is_reporter_identity_protected"],
                    reason_codes=data["reason_codes"],
                    text=data["text"],
                    children=form.children,
                    stated_received_at=data["stated_received_at"],
                    stated_received_reason=data["stated_received_reason"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, {"children": "children_numbers"})
            else:
                messages.success(request, _("Anmälan är registrerad."))
                return redirect("intake:report-detail", pk=report.pk)
    return render(
        request,
        "intake/report_form.html",
        {
            "form": form,
            "looked_up": looked_up,
            "found_children": [person_view(c, request.user) for c in form.children],
        },
    )


def _render_report(
    request: HttpRequest,
    report: Report,
    *,
    request_form: InformationRequestForm | None = None,
    answer_form: InformationAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = queries.report_children_for(report, request.user)
    for row in rows:
        record_access(by=request.user, case=row["case"], route="intake:report-detail")
    editable = set(access.editable_cases(request.user).values_list("pk", flat=True))
    may_edit = any(row["case"].pk in editable for row in rows)
    today = timezone.localdate()
    information = [
        {
            "request": r,
            "clock": (
                queries.clock(deadline, today)
                if (deadline := queries.reporter_information_deadline(r))
                else None
            ),
        }
        for r in report.information_requests.all()
    ]
    from rodtrad.frameworks.queries import code_label

    return render(
        request,
        "intake/report_detail.html",
        {
            "report": report,
            "rows": rows,
            "reasons": queries.reason_labels(report),
            "kind_label": code_label("report-kinds", report.kind),
            "channel_label": code_label("report-channels", report.channel),
            "category_label": code_label("reporter-categories", report.reporter_category),
            "hidden_children": report.children.count() - len(rows),
            "information": information,
            "may_edit": may_edit,
            "request_form": request_form or InformationRequestForm(),
            "answer_form": answer_form,
            "answer_request_id": (
                answer_form.cleaned_data.get("request")
                if answer_form is not None and hasattr(answer_form, "cleaned_data")
                else None
            ),
        },
        status=status,
    )


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for(request.user, pk)
    return _render_report(request, report)


@login_required
@require_POST
def reporter_information_request(request: HttpRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for(request.user, pk, for_edit=True)
    form = InformationRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_reporter_information(
                report, by=request.user, requested_on=form.cleaned_data["requested_on"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Begäran från anmälaren är registrerad."))
            return redirect("intake:report-detail", pk=report.pk)
    return _render_report(request, report, request_form=form)


@login_required
@require_POST
def reporter_information_answer(request: HttpRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for(request.user, pk, for_edit=True)
    form = InformationAnswerForm(request.POST)
    if form.is_valid():
        info_request = report.information_requests.filter(pk=form.cleaned_data["request"]).first()
        if info_request is None:
            form.add_error(None, _("Begäran finns inte för den här anmälan."))
        else:
            try:
                services.answer_reporter_information(
                    info_request,
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    answered_on=form.cleaned_data["answered_on"],
                    answer_text=form.cleaned_data["answer_text"],
                )
            except StaleVersion as exc:
                return render_conflict(
                    request,
                    title=_("Svaret till anmälaren har redan ändrats"),
                    current=exc.current,
                    submitted=form.cleaned_data,
                    fields=[
                        ("answered_on", _("Datum då anmälaren fick svar")),
                        ("answer_text", _("Vad fick anmälaren veta?")),
                    ],
                    reload_url=reverse("intake:report-detail", args=[report.pk]),
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Svaret till anmälaren är registrerat."))
                return redirect("intake:report-detail", pk=report.pk)
    return _render_report(request, report, answer_form=form)


# --- protection assessment ---------------------------------------------------------------------


@login_required
@GET_OR_POST
def protection_assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    report_child = queries.get_report_child_for(request.user, pk)
    record_access(
        by=request.user, case=report_child.case, route="intake:protection-assessment-create"
    )
    existing = getattr(report_child, "protection_assessment", None)
    form = ProtectionAssessmentForm(request.POST if request.method == "POST" else None)
    if existing is None and form.is_bound and form.is_valid():
        try:
            services.assess_protection(
                report_child,
                by=request.user,
                is_immediate_protection_needed=form.cleaned_data["is_immediate_protection_needed"],
                actions_taken=form.cleaned_data["actions_taken"],
                rationale=form.cleaned_data["rationale"],
                information_basis=form.cleaned_data["information_basis"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Skyddsbedömningen är sparad."))
            return redirect("cases:case-detail", pk=report_child.case_id)
    return render(
        request,
        "intake/protection_assessment_form.html",
        {
            "form": form,
            "report_child": report_child,
            "report": report_child.report,
            "child": person_view(report_child.child, request.user),
            "existing": existing,
            "clock": queries.clock(queries.protection_deadline(report_child)),
            "reasons": queries.reason_labels(report_child.report),
        },
    )


# --- pre-assessment ----------------------------------------------------------------------------

CONFLICT_FIELDS = (
    ("event_on", gettext_lazy("Beslutsdatum")),
    ("information_obtained", gettext_lazy("Inhämtad information")),
    ("assessment", gettext_lazy("Bedömning")),
    ("decision", gettext_lazy("Beslut")),
    ("reasons", gettext_lazy("Skäl för beslutet")),
    ("exceptional_reasons", gettext_lazy("Synnerliga skäl")),
)


def _conflict_fields() -> list[tuple[str, str]]:
    return [(name, str(label)) for name, label in CONFLICT_FIELDS]


def _initial(document: PreAssessment) -> dict[str, Any]:
    return {
        "version": document.version,
        "event_on": document.event_on,
        "information_obtained": document.information_obtained,
        "assessment": document.assessment,
        "decision": document.decision,
        "reasons": document.reasons,
        "exceptional_reasons": document.exceptional_reasons,
    }


def _render_pre_assessment(
    request: HttpRequest,
    case: Any,
    *,
    form: PreAssessmentForm | None = None,
    correction_form: CorrectionForm | None = None,
    contact_form: ContactForm | None = None,
) -> HttpResponse:
    # Every answer that renders this page shows the case, also a POST re-rendered with errors.
    record_access(by=request.user, case=case, route="intake:pre-assessment-edit")
    document = queries.current_pre_assessment(case)
    if document is not None and form is None and not document.is_signed:
        form = PreAssessmentForm(
            initial=_initial(document),
            autosave_url=reverse("intake:pre-assessment-autosave", args=[document.pk]),
        )
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
        },
    )


def _stale(
    request: HttpRequest, exc: StaleVersion, form: PreAssessmentForm, case: Any
) -> HttpResponse:
    return render_conflict(
        request,
        title=_("Förhandsbedömningen har ändrats av någon annan"),
        current=exc.current,
        submitted=form.cleaned_data if hasattr(form, "cleaned_data") else {},
        fields=_conflict_fields(),
        reload_url=reverse("intake:pre-assessment-edit", args=[case.pk]),
    )


@login_required
@GET_OR_POST
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
    form = PreAssessmentForm(
        request.POST,
        autosave_url=reverse("intake:pre-assessment-autosave", args=[document.pk]),
    )
    if form.is_valid():
        try:
            services.save_pre_assessment_draft(
                document,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                changes=form.changes(),
            )
        except StaleVersion as exc:
            return _stale(request, exc, form, case)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Utkastet är sparat."))
            return redirect("intake:pre-assessment-edit", pk=case.pk)
    return _render_pre_assessment(request, case, form=form)


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
    form = PreAssessmentForm(
        request.POST, autosave_url=reverse("intake:pre-assessment-autosave", args=[document.pk])
    )
    if form.is_valid():
        try:
            services.sign_pre_assessment(
                document,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                changes=form.changes(),
            )
        except StaleVersion as exc:
            return _stale(request, exc, form, case)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Förhandsbedömningen är signerad och beslutet fattat."))
            # Opening an investigation passes the case to the investigation unit: an intake
            # worker of the intake unit no longer sees it, so back to the queue, not to a 404.
            if not access.visible_cases(request.user).filter(pk=case.pk).exists():
                return redirect("intake:queue")
            return redirect("cases:case-detail", pk=case.pk)
    return _render_pre_assessment(request, case, form=form)


@login_required
@require_POST
def pre_assessment_correct(request: HttpRequest, pk: int) -> HttpResponse:
    document = queries.get_pre_assessment_for(request.user, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.correct_pre_assessment(
                document, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("En rättelse är påbörjad. Originalet finns kvar."))
            return redirect("intake:pre-assessment-edit", pk=document.case_id)
    return _render_pre_assessment(request, document.case, correction_form=form)


@login_required
@require_POST
def pre_assessment_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    document = queries.get_pre_assessment_for(request.user, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.add_pre_assessment_contact(
                document,
                by=request.user,
                who=form.cleaned_data["who"],
                contacted_on=form.cleaned_data["contacted_on"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Kontakten är dokumenterad."))
            return redirect("intake:pre-assessment-edit", pk=document.case_id)
    return _render_pre_assessment(request, document.case, contact_form=form)
