"""Pages of the internal control (docs/internal-control.md). Thin: parse, authorize through
queries.py, call the service, render. Every page that shows a case writes one access event
naming the programme (`queries.access_reason`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.accounts.models import District, Role
from rodtrad.accounts.services import step_up_needs_code
from rodtrad.audits import exports, forms, logreview, queries, record_rules, results, services
from rodtrad.audits.models import (
    CaseReview,
    Checklist,
    ItemKind,
    LogAnswer,
    LogRule,
    ReviewProgramme,
    SampledCase,
)
from rodtrad.frameworks.queries import code_label
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access
from rodtrad.lib.forms import apply_service_errors, form_conflict, handle_form
from rodtrad.lib.versioning import StaleVersion
from rodtrad.stats.charts import bar_chart
from rodtrad.stats.exports import ExportFile, FileFormat

GET_OR_POST = require_http_methods(["GET", "POST"])
AUTOSAVE_TEMPLATE = "components/autosave_status.html"


@login_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    if not (services.may_administer(request.user) or services.is_reviewer(request.user)):
        raise PermissionDenied
    return render(
        request,
        "audits/programme_list.html",
        {
            "programmes": queries.programmes_for(request.user),
            "may_create": services.may_administer(request.user),
        },
    )


@login_required
@GET_OR_POST
def programme_create(request: HttpRequest) -> HttpResponse:
    if not services.may_administer(request.user):
        raise PermissionDenied
    form = forms.ProgrammeForm(request.POST or None)
    return handle_form(
        request,
        form,
        save=lambda data: services.create_programme(by=signed_in_user(request), **data),
        success=lambda p: (
            _("Granskningen är skapad och urvalet draget (frö %(seed)s).") % {"seed": p.seed}
        ),
        then=lambda p: reverse("audits:programme-detail", args=[p.pk]),
        render=lambda form: render(request, "audits/programme_form.html", {"form": form}),
    )


@login_required
@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = queries.get_programme_for(request.user, pk)
    administer = services.may_administer(request.user)
    samples = (
        list(
            programme.sampled_cases.select_related("stratum").prefetch_related(
                "assignments__reviewer"
            )
        )
        if administer
        else queries.reviewer_samples(request.user, programme)
    )
    mine = {
        r.sampled_case_id: r
        for r in CaseReview.objects.filter(sampled_case__in=samples, reviewer_id=request.user.pk)
    }
    for sampled in samples:
        sampled.my_review = mine.get(sampled.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "audits/programme_detail.html",
        {
            "programme": programme,
            "samples": samples,
            "administer": administer,
            "review_open": services.review_is_open(programme),
            "reasons": [code_label("report-reasons", c) for c in programme.reason_codes],
            "population": _population_rows(programme) if administer else [],
            "may_see_results": _may_see_results(request, programme),
        },
    )


def _population_rows(programme: ReviewProgramme) -> list[tuple[str, int]]:
    """The population per district, by the district's name (the stored counts are by code),
    in name order."""
    counts = programme.population_counts
    names = dict(District.objects.filter(code__in=counts).values_list("code", "name"))
    return sorted(
        ((names.get(code, code), count) for code, count in counts.items()),
        key=lambda row: row[0],
    )


def _may_see_results(request: HttpRequest, programme: ReviewProgramme) -> bool:
    """The administrator at any time; the programme's reviewers once the review period has
    ended (until then they stay blind to each other's answers): `services.may_see_results`."""
    return services.may_see_results(request.user, programme)


@login_required
@GET_OR_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    programme = queries.get_programme_for(request.user, pk)
    if not services.may_administer(request.user):
        raise PermissionDenied
    return handle_form(
        request,
        forms.AssignForm(request.POST or None, programme=programme),
        save=lambda data: services.assign_reviewers(
            by=signed_in_user(request),
            programme=programme,
            sampled_cases=data["sampled_cases"],
            reviewer_users=data["reviewers"],
        ),
        success=lambda n: _("%(n)s tilldelningar är gjorda.") % {"n": n},
        then=reverse("audits:programme-detail", args=[pk]),
        render=lambda form: render(
            request, "audits/assign.html", {"form": form, "programme": programme}
        ),
    )


def _case_page(
    request: HttpRequest, template: str, sampled: SampledCase, route: str, context: dict[str, Any]
) -> HttpResponse:
    """A page that shows a sampled case: one access event with the programme as the reason."""
    record_access(
        by=signed_in_user(request),
        case=sampled.case,
        route=route,
        reason=queries.access_reason(sampled.programme),
    )
    return render(request, template, {"sampled": sampled, "case": sampled.case, **context})


def _record_beside(sampled: SampledCase) -> dict[str, tuple[str, str]]:
    """{item key: (rule label, the record's answer)} for the items with a record rule."""
    items = [i for i in sampled.programme.checklist.items.all() if i.record_rule]
    found = record_rules.answers_for([sampled.case_id], {i.record_rule for i in items})
    answers = found.get(sampled.case_id, {})
    return {
        i.key: (record_rules.rule_label(i.record_rule), answers.get(i.record_rule, ""))
        for i in items
    }


@login_required
@GET_OR_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    sampled = queries.get_sample_for_review(request.user, pk)
    items = list(sampled.programme.checklist.items.all())
    existing = queries.own_review(request.user, sampled)
    initial: dict[str, Any] = {"version": existing.version if existing else None}
    if existing is not None:
        initial["note"] = existing.note
        initial.update({f"item_{k}": v for k, v in existing.answers.items()})
    form = forms.ReviewForm(request.POST or None, items=items, initial=initial)
    record_beside = _record_beside(sampled)

    def page(form: forms.ReviewForm) -> HttpResponse:
        return _case_page(
            request,
            "audits/review.html",
            sampled,
            "audits:review",
            {
                "form": form,
                "review": existing,
                "rows": [
                    (item, field, record_beside.get(item.key)) for item, field in form.item_fields()
                ],
                "file": record_rules.case_file(sampled.case),
                "yes_no": ItemKind.YES_NO,
            },
        )

    if existing is not None and existing.is_submitted:
        # Read-only from here on: the saved answers, nothing taken from a POST.
        form = forms.ReviewForm(items=items, initial=initial)
        for field in form.fields.values():
            field.disabled = True
        return page(form)
    return handle_form(
        request,
        form,
        save=lambda data: services.save_review(
            by=signed_in_user(request),
            sampled_case=sampled,
            answers=form.answers(),
            note=data.get("note", ""),
            expected_version=data.get("version"),
            submit=data.get("action") == "submit",
        ),
        success=lambda r: (
            _("Granskningen är inlämnad.") if r.is_submitted else _("Utkastet är sparat.")
        ),
        then=reverse("audits:review", args=[pk]),
        render=page,
        on_conflict=lambda exc: _review_conflict(request, form, exc),
    )


def _review_conflict(
    request: HttpRequest, form: forms.ReviewForm, exc: StaleVersion
) -> HttpResponse:
    """The conflict page of a review: the answers are not columns of the row but its `answers`,
    so each question is compared by its answer's label, saved now and sent, with the note."""
    labels: dict[str, str] = {}
    for _item, bound in form.item_fields():
        labels.update({str(v): str(label) for v, label in getattr(bound.field, "choices", ()) if v})
    saved = exc.current
    answers = saved.answers if isinstance(saved, CaseReview) else {}
    current: dict[str, Any] = {"note": saved.note if isinstance(saved, CaseReview) else ""}
    for item, bound in form.item_fields():
        answer = answers.get(item.key) or ""
        current[bound.name] = labels.get(answer, answer)
    return form_conflict(
        request,
        form,
        exc,
        current=current,
        as_text=lambda value: labels.get(value, value) if isinstance(value, str) else value,
    )


@login_required
@require_POST
def review_autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: save the reviewer's draft while she answers (the first autosave creates it), and
    answer with the status line: 200 saved, 400 bad input, 409 stale or already submitted."""
    sampled = queries.get_sample_for_review(request.user, pk)
    existing = queries.own_review(request.user, sampled)
    if existing is not None and existing.is_submitted:
        return render(request, AUTOSAVE_TEMPLATE, {"locked": True}, status=409)
    form = forms.ReviewForm(request.POST, items=list(sampled.programme.checklist.items.all()))
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return render(request, AUTOSAVE_TEMPLATE, {"errors": errors}, status=400)
    try:
        saved = services.save_review(
            by=signed_in_user(request),
            sampled_case=sampled,
            answers=form.answers(),
            note=form.cleaned_data.get("note", ""),
            expected_version=form.cleaned_data.get("version"),
        )
    except StaleVersion:
        reload_url = reverse("audits:review", args=[pk])
        return render(
            request, AUTOSAVE_TEMPLATE, {"conflict": True, "reload_url": reload_url}, status=409
        )
    except ValidationError as exc:
        return render(request, AUTOSAVE_TEMPLATE, {"errors": exc.messages}, status=400)
    return render(
        request,
        AUTOSAVE_TEMPLATE,
        {
            "saved_at": timezone.localtime(saved.updated_at),
            "version": saved.version,
            "version_input_id": forms.VERSION_INPUT_ID,
        },
    )


@login_required
@GET_OR_POST
def flag(request: HttpRequest, pk: int) -> HttpResponse:
    sampled = queries.get_sample_for_review(request.user, pk)
    return handle_form(
        request,
        forms.FindingForm(request.POST or None, programme=sampled.programme),
        save=lambda data: services.flag_finding(
            by=signed_in_user(request),
            sampled_case=sampled,
            item=data.get("item"),
            note=data["note"],
        ),
        success=_("Iakttagelsen är skickad till enhetschefen."),
        then=reverse("audits:review", args=[pk]),
        render=lambda form: _case_page(
            request,
            "audits/flag.html",
            sampled,
            "audits:flag",
            {"form": form, "findings": queries.own_findings(request.user, sampled)},
        ),
    )


@login_required
@GET_OR_POST
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = queries.get_finding_for(request.user, pk)
    sampled = finding.sampled_case
    form = forms.FindingActionForm(request.POST or None, initial={"version": finding.version})

    def page(form: forms.FindingActionForm) -> HttpResponse:
        record_access(
            by=signed_in_user(request),
            case=sampled.case,
            route="audits:finding-detail",
            reason=queries.access_reason(sampled.programme),
        )
        return render(
            request,
            "audits/finding_detail.html",
            {"finding": finding, "case": sampled.case, "form": form},
        )

    if not finding.is_open:
        return page(form)
    return handle_form(
        request,
        form,
        save=lambda data: services.record_finding_action(
            by=signed_in_user(request),
            finding=finding,
            action_note=data["action_note"],
            expected_version=data["version"],
        ),
        success=_("Det som gjordes är registrerat."),
        then=reverse("home"),
        render=page,
    )


def _chart(item_results: list[results.ItemResult]) -> Any:
    return bar_chart(
        [
            (
                r.item.text if len(r.item.text) <= 38 else r.item.text[:36] + "…",
                r.headline.percent if r.headline and r.headline.percent is not None else None,
            )
            for r in item_results
            if r.item.kind == ItemKind.YES_NO
        ],
        is_share=True,
    )


@login_required
@require_GET
def programme_results(request: HttpRequest, pk: int) -> HttpResponse:
    programme = queries.get_programme_for(request.user, pk)
    if not _may_see_results(request, programme):
        raise PermissionDenied
    item_results = results.programme_results(programme)
    return render(
        request,
        "audits/results.html",
        {
            "programme": programme,
            "results": item_results,
            "chart": _chart(item_results),
            "table": {
                "indicator": "granskning",
                "chart_title": _("Andel ja per fråga, totalt"),
                "year": programme.name,
            },
            "today": timezone.localdate(),
            "export_url": reverse("audits:results-export", args=[programme.pk]),
        },
    )


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    if not services.may_administer(request.user):
        raise PermissionDenied
    form = forms.CompareForm(request.GET or None)
    rows = None
    if form.is_valid():
        rows = results.compare(form.cleaned_data["first"], form.cleaned_data["second"])
    export_url = None
    if rows is not None:
        export_url = f"{reverse('audits:compare-export')}?" + urlencode(
            {"first": form.cleaned_data["first"].pk, "second": form.cleaned_data["second"].pk}
        )
    return render(
        request,
        "audits/compare.html",
        {"form": form, "rows": rows, "percent": Decimal(100), "export_url": export_url},
    )


# --- Exports (docs/internal-control.md, "Exports") ----------------------------------------------


def _file_response(produced: ExportFile) -> HttpResponse:
    response = HttpResponse(produced.content, content_type=produced.content_type)
    response["Content-Disposition"] = f'attachment; filename="{produced.name}"'
    return response


def _format_asked(request: HttpRequest) -> str:
    asked = request.GET.get("format", "")
    return asked if asked in set(FileFormat) else FileFormat.CSV.value


@login_required
@GET_OR_POST
def results_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The results page as a file, as the statistics' export (stats.views._export): the
    format, why and the code again; the service checks, journals and returns the numbers."""
    programme = queries.get_programme_for(request.user, pk)
    if not services.may_see_results(request.user, programme):
        raise PermissionDenied
    user = signed_in_user(request)
    needs_code = step_up_needs_code(user)
    if request.method == "POST":
        form = forms.ResultsExportForm(request.POST, needs_code=needs_code)
    else:
        form = forms.ResultsExportForm(
            initial={"file_format": _format_asked(request)}, needs_code=needs_code
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item_results = services.export_results(
                by=user,
                programme=programme,
                file_format=data["file_format"],
                reason=data["reason"],
                otp_token=data["otp_token"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _file_response(
                exports.results_file(
                    programme,
                    item_results,
                    FileFormat(data["file_format"]),
                    data_at=timezone.now(),
                )
            )
    return render(
        request,
        "audits/export.html",
        {
            "form": form,
            "title": _("Exportera resultaten"),
            "what": _("Resultaten för %(name)s.") % {"name": programme.name},
            "back_url": reverse("audits:results", args=[programme.pk]),
            "needs_code": needs_code,
        },
    )


@login_required
@GET_OR_POST
def compare_export(request: HttpRequest) -> HttpResponse:
    """The comparison of two programmes as a file: the administrator's, as the comparison."""
    if not services.may_administer(request.user):
        raise PermissionDenied
    user = signed_in_user(request)
    needs_code = step_up_needs_code(user)
    if request.method == "POST":
        form = forms.ComparisonExportForm(request.POST, needs_code=needs_code)
    else:
        form = forms.ComparisonExportForm(
            initial={
                "file_format": _format_asked(request),
                "first": request.GET.get("first", ""),
                "second": request.GET.get("second", ""),
            },
            needs_code=needs_code,
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rows = services.export_comparison(
                by=user,
                first=data["first"],
                second=data["second"],
                file_format=data["file_format"],
                reason=data["reason"],
                otp_token=data["otp_token"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return _file_response(
                exports.comparison_file(
                    data["first"],
                    data["second"],
                    rows,
                    FileFormat(data["file_format"]),
                    data_at=timezone.now(),
                )
            )
    first, second = (
        ReviewProgramme.objects.filter(pk=access.parse_id(form[name].value())).first()
        for name in ("first", "second")
    )
    back = reverse("audits:compare")
    if first is not None and second is not None:
        back += "?" + urlencode({"first": first.pk, "second": second.pk})
    return render(
        request,
        "audits/export.html",
        {
            "form": form,
            "title": _("Exportera jämförelsen"),
            "what": (
                _("Jämförelsen av %(first)s och %(second)s.")
                % {"first": first.name, "second": second.name}
                if first is not None and second is not None
                else None
            ),
            "pair": True,
            "missing": first is None or second is None,
            "back_url": back,
            "needs_code": needs_code,
        },
    )


@login_required
@require_GET
def checklist_list(request: HttpRequest) -> HttpResponse:
    if not services.may_administer(request.user):
        raise PermissionDenied
    return render(
        request,
        "audits/checklist_list.html",
        {
            "checklists": Checklist.objects.prefetch_related("items").order_by(
                "name", "-recorded_at"
            )
        },
    )


@login_required
@GET_OR_POST
def checklist_edition(request: HttpRequest, pk: int) -> HttpResponse:
    """The checklist's items, and the form for its next edition (the current edition only)."""
    if not services.may_administer(request.user):
        raise PermissionDenied
    checklist = Checklist.objects.filter(pk=access.parse_id(pk)).first()
    if checklist is None:
        raise Http404
    form = forms.EditionForm(request.POST or None, checklist=checklist)
    return handle_form(
        request,
        form,
        save=lambda data: services.new_checklist_edition(
            by=signed_in_user(request),
            checklist=checklist,
            edition=data["edition"],
            texts=form.texts(),
            removed=form.removed(),
            added=form.added(),
            levels=form.levels(),
            new_scale=form.new_scale(),
        ),
        success=lambda c: _("Utgåva %(edition)s är skapad och gäller nu.") % {"edition": c.edition},
        then=lambda c: reverse("audits:checklist-edition", args=[c.pk]),
        field_map=form.field_map(),
        render=lambda form: render(
            request,
            "audits/checklist_edition.html",
            {
                "checklist": checklist,
                "form": form,
                # what the record rule reads, in words (the rule's key is internal)
                "items": [
                    (item, record_rules.rule_label(item.record_rule))
                    for item in checklist.items.all()
                ],
            },
        ),
    )


# --- The log review (docs/internal-control.md, "The log review") ------------------------------

LOG_ITEMS_SHOWN = 500


def _log_reviewer(request: HttpRequest) -> None:
    """The log review's pages exist only for the administrator and the reviewers (404)."""
    if not services.may_review_log(request.user):
        raise access.not_found(request.user)


@login_required
@require_GET
def log_review_list(request: HttpRequest) -> HttpResponse:
    _log_reviewer(request)
    return render(
        request,
        "audits/log_review_list.html",
        {"reviews": queries.log_reviews_for(request.user)},
    )


@login_required
@GET_OR_POST
def log_review_create(request: HttpRequest) -> HttpResponse:
    _log_reviewer(request)
    return handle_form(
        request,
        forms.LogReviewForm(request.POST or None),
        save=lambda data: services.create_log_review(by=signed_in_user(request), **data),
        success=lambda r: (
            _("Loggranskningen är skapad: %(n)s händelser att bedöma (frö %(seed)s).")
            % {"n": r.items.count(), "seed": r.seed}
        ),
        then=lambda r: reverse("audits:log-review-detail", args=[r.pk]),
        render=lambda form: render(request, "audits/log_review_form.html", {"form": form}),
    )


@login_required
@require_GET
def log_review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = queries.get_log_review_for(request.user, pk)
    kind = request.GET.get("regel", "")
    items = review.items.select_related("event", "answered_by")
    if kind in LogRule.values:
        items = items.filter(kind=kind)
    else:
        kind = ""
    total = items.count()
    district_names = dict(District.objects.values_list("code", "name"))
    # Reading the log is itself a read: one access event naming the review (S26).
    record_access(
        by=signed_in_user(request),
        route="audits:log-review-detail",
        reason=services.log_access_reason(review),
    )
    return render(
        request,
        "audits/log_review_detail.html",
        {
            "review": review,
            "strata": [
                (logreview.stratum_label(key, district_names), count)
                for key, count in review.population_counts.items()
            ],
            "results": queries.log_results(review),
            "answer_labels": LogAnswer.labels,
            "rules": LogRule.choices,
            "kind": kind,
            "items": [
                (item, logreview.reason_label(item.kind, item.event))
                for item in items[:LOG_ITEMS_SHOWN]
            ],
            "total": total,
            "capped": total > LOG_ITEMS_SHOWN,
        },
    )


def _role_names(roles: str) -> str:
    """The reader's roles as logged (codes, comma-separated), in words."""
    return ", ".join(
        str(Role(code).label) if code in Role.values else code for code in roles.split(",") if code
    )


def _district_names(codes: str) -> str:
    """The reader's districts as logged (codes, comma-separated), by name."""
    wanted = [code for code in codes.split(",") if code]
    names = dict(District.objects.filter(code__in=wanted).values_list("code", "name"))
    return ", ".join(names.get(code, code) for code in wanted)


@login_required
@GET_OR_POST
def log_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.get_log_item_for(request.user, pk)
    form = forms.LogAnswerForm(
        request.POST or None,
        initial={"version": item.version, "answer": item.answer, "note": item.note},
    )

    def page(form: forms.LogAnswerForm) -> HttpResponse:
        record_access(
            by=signed_in_user(request),
            route="audits:log-item",
            reason=services.log_access_reason(item.review),
        )
        return render(
            request,
            "audits/log_item.html",
            {
                "item": item,
                "event": item.event,
                "reason": logreview.reason_label(item.kind, item.event),
                "roles": _role_names(item.event.roles),
                "districts": _district_names(item.event.districts),
                "page_read": logreview.page_read(item.event.route),
                "denied": item.event.action == AccessAction.DENIED,
                "form": form,
                "own_read": item.event.user_id == request.user.pk,
            },
        )

    return handle_form(
        request,
        form,
        save=lambda data: services.answer_log_item(
            by=signed_in_user(request),
            item=item,
            answer=data["answer"],
            note=data["note"],
            expected_version=data["version"],
        ),
        success=_("Bedömningen är sparad."),
        then=reverse("audits:log-review-detail", args=[item.review_id]),
        render=page,
    )
