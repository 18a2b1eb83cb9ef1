"""Reports: register one, read it, confirm a stated receipt, the reporter's request for
information and its answer (SoL 19:6). Identity numbers travel in POST bodies only (S31)."""

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
from django.views.decorators.http import require_GET, require_POST

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.accounts.models import District
from rodtrad.frameworks.queries import code_label
from rodtrad.intake import queries, services
from rodtrad.intake.forms import (
    InformationAnswerForm,
    InformationRequestForm,
    ReceiptConfirmationForm,
    ReportForm,
)
from rodtrad.intake.models import Report
from rodtrad.intake.views._common import GET_OR_POST, SENSITIVE_POST, require_case_role
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access
from rodtrad.lib.forms import apply_service_errors, handle_form
from rodtrad.people.masking import person_view


def _report_form(request: HttpRequest, data: Any = None) -> ReportForm:
    districts = District.objects.filter(pk__in=access.case_role_districts(request.user))
    return ReportForm(data, user=request.user, districts=districts)


@login_required
@GET_OR_POST
@SENSITIVE_POST
def report_create(request: HttpRequest) -> HttpResponse:
    """Register a report. "Hämta barnen" looks the children up without saving anything."""
    require_case_role(request)
    form = _report_form(request, request.POST if request.method == "POST" else None)
    looked_up = False
    if form.is_bound:
        is_valid = form.is_valid()
        for child in form.children:
            record_access(
                by=signed_in_user(request),
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
                    by=signed_in_user(request),
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
        record_access(by=signed_in_user(request), case=row["case"], route="intake:report-detail")
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
    return handle_form(
        request,
        ReceiptConfirmationForm(request.POST),
        save=lambda data: services.confirm_stated_receipt(
            report, by=signed_in_user(request), note=data["note"]
        ),
        success=_("Tiden för mottagandet är bekräftad."),
        then=reverse("intake:report-detail", args=[report.pk]),
        render=lambda form: _render_report(request, report, confirmation_form=form),
    )


@login_required
@require_POST
def reporter_information_request(request: HttpRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for(request.user, pk, for_edit=True)
    return handle_form(
        request,
        InformationRequestForm(request.POST),
        save=lambda data: services.request_reporter_information(
            report, by=signed_in_user(request), requested_on=data["requested_on"]
        ),
        success=_("Begäran från anmälaren är registrerad."),
        then=reverse("intake:report-detail", args=[report.pk]),
        render=lambda form: _render_report(request, report, request_form=form),
    )


@login_required
@require_POST
def reporter_information_answer(request: HttpRequest, pk: int) -> HttpResponse:
    report = queries.get_report_for(request.user, pk, for_edit=True)
    form = InformationAnswerForm(request.POST)

    def save(data: dict[str, Any]) -> Any:
        info_request = report.information_requests.filter(pk=data["request"]).first()
        if info_request is None:
            raise ValidationError(_("Begäran finns inte för den här anmälan."))
        return services.answer_reporter_information(
            info_request,
            by=signed_in_user(request),
            expected_version=data["version"],
            answered_on=data["answered_on"],
            answer_text=data["answer_text"],
        )

    return handle_form(
        request,
        form,
        save=save,
        success=_("Svaret till anmälaren är registrerat."),
        then=reverse("intake:report-detail", args=[report.pk]),
        render=lambda form: _render_report(request, report, answer_form=form),
        conflict_title=_("Svaret till anmälaren har redan ändrats"),
        conflict_url=reverse("intake:report-detail", args=[report.pk]),
    )
