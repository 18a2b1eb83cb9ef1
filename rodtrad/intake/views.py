"""Intake pages: register a report, the intake queue, protection assessment, pre-assessment.

Each view: parse → authorize (accounts/access.py; 404 outside scope, 403 for a role that may
never use an object-less page) → call a service → render. Identity numbers travel in POST
bodies only (S31).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
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
    ProtectiveActionForm,
    ReceiptConfirmationForm,
    ReportForm,
    SiblingCopyForm,
)
from rodtrad.intake.models import PreAssessment, ProtectionAssessment, Report
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
                by=access.signed_in_user(request),
                case=row.case,
                action=AccessAction.LISTED,
                route="intake:queue",
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
                by=access.signed_in_user(request),
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
                    by=access.signed_in_user(request),
                    district=data["district"],
                    kind=data["kind"],
                    channel=data["channel"],
                    reporter_category=data["reporter_category"],
                    # Unticked means "not stated": the category decides (U-9).
                    is_mandatory_reporter=data.get("is_mandatory_reporter") or None,
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
    confirmation_form: ReceiptConfirmationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = queries.report_children_for(report, request.user)
    for row in rows:
        record_access(
            by=access.signed_in_user(request), case=row["case"], route="intake:report-detail"
        )
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
            # Every child of the report, also those outside the reader's scope: the banner
            # names nobody (S15).
            "report_child_ids": list(report.children.values_list("child_id", flat=True)),
            "information": information,
            "may_edit": may_edit,
            "request_form": request_form or InformationRequestForm(),
            "answer_form": answer_form,
            "answer_request_id": (
                answer_form.cleaned_data.get("request")
                if answer_form is not None and hasattr(answer_form, "cleaned_data")
                else None
            ),
            "can_confirm_receipt": report.is_receipt_awaiting_confirmation
            and services.may_confirm_stated_receipt(request.user, report),
            "confirmation_form": confirmation_form or ReceiptConfirmationForm(),
            "receipt_max_days": settings.RODTRAD_STATED_RECEIPT_MAX_DAYS,
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
@SENSITIVE_POST
def report_receipt_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """A team manager of the district confirms a stated receipt far back, with a note."""
    report = queries.get_report_for(request.user, pk)
    if not services.may_confirm_stated_receipt(request.user, report):
        raise PermissionDenied
    form = ReceiptConfirmationForm(request.POST)
    if form.is_valid():
        try:
            services.confirm_stated_receipt(
                report, by=access.signed_in_user(request), note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Tiden för mottagandet är bekräftad."))
            return redirect("intake:report-detail", pk=report.pk)
    return _render_report(request, report, confirmation_form=form)


@login_required
@require_POST
def reporter_information_request(request: HttpRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for(request.user, pk, for_edit=True)
    form = InformationRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_reporter_information(
                report,
                by=access.signed_in_user(request),
                requested_on=form.cleaned_data["requested_on"],
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
                    by=access.signed_in_user(request),
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


def _sibling_source(sources: list[Any], value: Any, user: Any) -> Any:
    """The sibling document named by a button or a hidden field: one of `sources` (what the
    user may see and copy from), else 404 with a denied access event."""
    wanted = access.parse_id(value)
    for source in sources:
        if source.document.pk == wanted:
            return source
    raise access.not_found(user)


def _split_copy_errors(
    exc: ValidationError, form: ProtectionAssessmentForm, copy_form: SiblingCopyForm
) -> None:
    if hasattr(exc, "error_dict") and "is_copy_confirmed" in exc.error_dict:
        for message in exc.message_dict.pop("is_copy_confirmed"):
            copy_form.add_error("is_copy_confirmed", message)
        rest = {k: v for k, v in exc.message_dict.items() if k != "is_copy_confirmed"}
        if rest:
            apply_service_errors(form, ValidationError(rest))
        return
    apply_service_errors(form, exc)


def _render_protection(
    request: HttpRequest,
    report_child: Any,
    *,
    form: ProtectionAssessmentForm | None = None,
    action_form: ProtectiveActionForm | None = None,
    copy_form: SiblingCopyForm | None = None,
    copied: Any = None,
    siblings: list[Any] | None = None,
) -> HttpResponse:
    existing = ProtectionAssessment.objects.filter(report_child=report_child).first()
    return render(
        request,
        "intake/protection_assessment_form.html",
        {
            "form": form or ProtectionAssessmentForm(),
            "action_form": action_form or ProtectiveActionForm(),
            "copy_form": copy_form or SiblingCopyForm(),
            "copied": copied,
            "siblings": siblings or [],
            "report_child": report_child,
            "report": report_child.report,
            "child": person_view(report_child.child, request.user),
            "existing": existing,
            "clock": queries.clock(queries.protection_deadline(report_child)),
            "reasons": queries.reason_labels(report_child.report),
        },
    )


@login_required
@GET_OR_POST
def protection_assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The protection assessment of one report about one child.

    "Kopiera underlag, åtgärder och bedömning från syskonets skyddsbedömning" (a button, POST)
    fills the text fields from a sibling's assessment of the same report and saves nothing; the
    handler then answers the question about immediate protection for this child, confirms the
    text and saves.
    """
    report_child = queries.get_report_child_for(request.user, pk)
    record_access(
        by=access.signed_in_user(request),
        case=report_child.case,
        route="intake:protection-assessment-create",
    )
    existing = getattr(report_child, "protection_assessment", None)
    is_post = request.method == "POST"
    form = ProtectionAssessmentForm(request.POST if is_post else None)
    copy_form = SiblingCopyForm(request.POST if is_post else None)
    siblings = (
        queries.sibling_protection_assessments(report_child, request.user)
        if existing is None
        else []
    )
    copied: Any = None
    if existing is None and is_post and "copy_from" in request.POST:
        source = _sibling_source(siblings, request.POST["copy_from"], request.user)
        form, copy_form, copied = _copy_protection_text(request, source, form)
    elif existing is None and is_post and form.is_valid() and copy_form.is_valid():
        data = form.cleaned_data
        assessment = {
            "is_immediate_protection_needed": data["is_immediate_protection_needed"],
            "actions_taken": data["actions_taken"],
            "rationale": data["rationale"],
            "information_basis": data["information_basis"],
            "protective_action": data["protective_action"],
            "protective_action_taken_at": data["protective_action_taken_at"],
            "protective_action_note": data["protective_action_note"],
        }
        copied_from = copy_form.cleaned_data.get("copied_from")
        try:
            if copied_from:
                copied = _sibling_source(siblings, copied_from, request.user)
                services.assess_protection_from_sibling(
                    report_child,
                    by=access.signed_in_user(request),
                    source=copied.document,
                    is_copy_confirmed=bool(copy_form.cleaned_data.get("is_copy_confirmed")),
                    **assessment,
                )
            else:
                services.assess_protection(
                    report_child, by=access.signed_in_user(request), **assessment
                )
        except ValidationError as exc:
            _split_copy_errors(exc, form, copy_form)
        else:
            messages.success(request, _("Skyddsbedömningen är sparad."))
            if data["is_immediate_protection_needed"] and not data["protective_action"]:
                messages.warning(
                    request,
                    _(
                        "Barnet behöver omedelbart skydd. Enhetschefen har fått en signal och "
                        "ärendet är markerat som brådskande tills skyddsåtgärden är registrerad."
                    ),
                )
                return redirect("intake:protection-assessment-create", pk=report_child.pk)
            return redirect("cases:case-detail", pk=report_child.case_id)
    elif is_post and existing is None:
        form.is_valid()  # show the field errors
        copied_from = copy_form.cleaned_data.get("copied_from") if copy_form.is_valid() else None
        if copied_from:
            copied = _sibling_source(siblings, copied_from, request.user)
    return _render_protection(
        request,
        report_child,
        form=form,
        copy_form=copy_form,
        copied=copied,
        siblings=siblings,
    )


def _copy_protection_text(
    request: HttpRequest, source: Any, form: ProtectionAssessmentForm
) -> tuple[ProtectionAssessmentForm, SiblingCopyForm, Any]:
    """The form again, its text fields filled from the sibling's assessment (after what was
    typed), nothing saved. A refused copy keeps the form as it was, with the reason."""
    if source.refusal:
        form.is_valid()
        form.errors.clear()
        form.add_error(None, source.refusal)
        return form, SiblingCopyForm(), None
    # The page now shows the sibling's text: a read of the sibling's case.
    record_access(
        by=access.signed_in_user(request),
        case=source.document.report_child.case,
        route="intake:protection-assessment-create",
    )
    initial = {name: request.POST.get(name, "") for name in form.fields}
    for name in services.SIBLING_COPY[ProtectionAssessment]:
        initial[name] = services.merge_copied_text(
            initial.get(name, ""), getattr(source.document, name)
        )
    # The question about immediate protection is this child's own: never filled in, and
    # neither is the protective action taken for it.
    for name in ("is_immediate_protection_needed", "protective_action"):
        initial.pop(name, None)
    for name in ("protective_action_taken_at", "protective_action_note"):
        initial[name] = request.POST.get(name, "")
    choice = request.POST.get("is_immediate_protection_needed")
    if choice in {"yes", "no"}:
        initial["is_immediate_protection_needed"] = choice
    action = request.POST.get("protective_action")
    if action:
        initial["protective_action"] = action
    return (
        ProtectionAssessmentForm(initial=initial),
        SiblingCopyForm(initial={"copied_from": source.document.pk}),
        source,
    )


@login_required
@require_POST
@SENSITIVE_POST
def protective_action_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the protective action taken for a child who needs immediate protection."""
    report_child = queries.get_report_child_for(request.user, pk)
    record_access(
        by=access.signed_in_user(request),
        case=report_child.case,
        route="intake:protective-action-record",
    )
    assessment = ProtectionAssessment.objects.filter(report_child=report_child).first()
    form = ProtectiveActionForm(request.POST)
    if form.is_valid():
        if assessment is None:
            form.add_error(None, _("Gör skyddsbedömningen först."))
        else:
            try:
                services.record_protective_action(
                    assessment,
                    by=access.signed_in_user(request),
                    protective_action=form.cleaned_data["protective_action"],
                    taken_at=form.cleaned_data["protective_action_taken_at"],
                    note=form.cleaned_data["protective_action_note"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Skyddsåtgärden är registrerad."))
                return redirect("cases:case-detail", pk=report_child.case_id)
    return _render_protection(request, report_child, action_form=form)


# --- pre-assessment ----------------------------------------------------------------------------

CONFLICT_FIELDS = (
    ("event_on", gettext_lazy("Beslutsdatum")),
    ("information_obtained", gettext_lazy("Inhämtad information")),
    ("assessment", gettext_lazy("Bedömning")),
    ("decision", gettext_lazy("Beslut")),
    ("reasons", gettext_lazy("Skäl för beslutet")),
    ("exceptional_reasons", gettext_lazy("Synnerliga skäl")),
    ("early_decision_reason", gettext_lazy("Varför är beslutet daterat före registreringen?")),
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
        "early_decision_reason": document.early_decision_reason,
    }


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
    record_access(by=access.signed_in_user(request), case=case, route=route)
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
            "emergency_custodies": section["emergency_custodies"],
            "sibling_sources": (
                queries.sibling_pre_assessments(case, request.user)
                if document is not None and not document.is_signed
                else []
            ),
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
                by=access.signed_in_user(request),
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
    return _render_pre_assessment(request, case, form=form, route=COPY_ROUTE)


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
                by=access.signed_in_user(request),
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
                document, by=access.signed_in_user(request), reason=form.cleaned_data["reason"]
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
                by=access.signed_in_user(request),
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


COPY_ROUTE = "intake:pre-assessment-copy"


@login_required
@require_POST
def pre_assessment_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Kopiera inhämtad information från syskonets förhandsbedömning": the draft form as
    posted is saved and the sibling's information obtained is added to it
    (services.copy_pre_assessment_from_sibling)."""
    document = queries.get_pre_assessment_for(request.user, pk)
    case = document.case
    form = PreAssessmentForm(
        request.POST, autosave_url=reverse("intake:pre-assessment-autosave", args=[document.pk])
    )
    if not request.POST.get("source"):
        messages.error(request, _("Välj vilket syskons förhandsbedömning du vill kopiera från."))
        return _render_pre_assessment(request, case, form=form, route=COPY_ROUTE)
    source = _sibling_source(
        queries.sibling_pre_assessments(case, request.user), request.POST["source"], request.user
    )
    if form.is_valid():
        try:
            services.copy_pre_assessment_from_sibling(
                document,
                by=access.signed_in_user(request),
                source=source.document,
                expected_version=form.cleaned_data["version"],
                changes=form.changes(),
            )
        except StaleVersion as exc:
            return _stale(request, exc, form, case)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            record_access(
                by=access.signed_in_user(request), case=source.document.case, route=COPY_ROUTE
            )
            messages.success(
                request,
                _(
                    "Inhämtad information är kopierad från syskonets förhandsbedömning. Skriv "
                    "bedömningen och beslutet för just det här barnet."
                ),
            )
            return redirect("intake:pre-assessment-edit", pk=case.pk)
    return _render_pre_assessment(request, case, form=form, route=COPY_ROUTE)
