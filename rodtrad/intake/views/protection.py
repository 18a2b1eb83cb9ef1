"""The protection assessment of one child of a report (SoL 19:2 a) and the protective action
taken; a sibling's assessment of the same report can be copied (then confirmed)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rodtrad.accounts.access import signed_in_user
from rodtrad.intake import queries, services
from rodtrad.intake.forms import ProtectionAssessmentForm, ProtectiveActionForm, SiblingCopyForm
from rodtrad.intake.models import ProtectionAssessment
from rodtrad.intake.views._common import GET_OR_POST, SENSITIVE_POST, sibling_source
from rodtrad.journal.services import record_access
from rodtrad.lib.forms import apply_service_errors, handle_form
from rodtrad.people.masking import person_view


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
            "clock": queries.protection_clock(report_child),
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
        by=signed_in_user(request),
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
        source = sibling_source(siblings, request.POST["copy_from"], request.user)
        form, copy_form, copied = _copy_protection_text(request, source, form)
    elif existing is None and is_post and form.is_valid() and copy_form.is_valid():
        data = form.cleaned_data
        # The form's fields are the service's arguments, named alike.
        assessment = dict(data)
        copied_from = copy_form.cleaned_data.get("copied_from")
        try:
            if copied_from:
                copied = sibling_source(siblings, copied_from, request.user)
                services.assess_protection_from_sibling(
                    report_child,
                    by=signed_in_user(request),
                    source=copied.document,
                    is_copy_confirmed=bool(copy_form.cleaned_data.get("is_copy_confirmed")),
                    **assessment,
                )
            else:
                services.assess_protection(report_child, by=signed_in_user(request), **assessment)
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
            copied = sibling_source(siblings, copied_from, request.user)
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
        by=signed_in_user(request),
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
        by=signed_in_user(request), case=report_child.case, route="intake:protective-action-record"
    )
    assessment = ProtectionAssessment.objects.filter(report_child=report_child).first()

    def save(data: dict[str, Any]) -> Any:
        if assessment is None:
            raise ValidationError(_("Gör skyddsbedömningen först."))
        return services.record_protective_action(
            assessment,
            by=signed_in_user(request),
            protective_action=data["protective_action"],
            taken_at=data["protective_action_taken_at"],
            note=data["protective_action_note"],
        )

    return handle_form(
        request,
        ProtectiveActionForm(request.POST),
        save=save,
        success=_("Skyddsåtgärden är registrerad."),
        then=reverse("cases:case-detail", args=[report_child.case_id]),
        render=lambda form: _render_protection(request, report_child, action_form=form),
    )
