"""Investigation pages: parse → authorize (access.py) → call a service or query → render.

Reads use the case's visible scope (emergency access may read); writes use the editable scope
(`for_edit=True`): out of scope is 404; a role that may never do the thing (an extension by
anyone but a team manager of the district) is 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

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
from rodtrad.cases.document_views import AUTOSAVE_TEMPLATE, autosave_response
from rodtrad.cases.services import DocumentLocked
from rodtrad.frameworks.queries import code_labels
from rodtrad.investigation import forms, queries, services
from rodtrad.investigation.models import (
    Analysis,
    AreaAssessment,
    Communication,
    Investigation,
    InvestigationDocument,
    InvestigationPlan,
    Need,
    RiskAssessment,
)
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access, record_accesses
from rodtrad.lib.forms import apply_service_errors
from rodtrad.lib.versioning import StaleVersion, display_value, render_conflict
from rodtrad.people import queries as people_queries

GET_OR_POST = require_http_methods(["GET", "POST"])
# Case notes arrive in POST bodies: keep them out of error reports.
SENSITIVE_POST = sensitive_post_parameters()


def _page(
    request: HttpRequest,
    template: str,
    investigation: Investigation,
    route: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    """Render a page that shows the case: one access event, with the emergency grant if any."""
    case = investigation.case
    grant = access.emergency_access_for(request.user, case)
    record_access(by=access.signed_in_user(request), case=case, route=route, emergency_access=grant)
    context = {"investigation": investigation, "case": case, "emergency": grant, **context}
    return render(request, template, context, status=status)


def _can_edit(request: HttpRequest, investigation: Investigation) -> bool:
    return investigation.is_open and access.can(request.user, "edit_case", investigation.case)


def _closed(request: HttpRequest, investigation: Investigation) -> HttpResponse:
    messages.info(request, _("Utredningen är avslutad och kan inte ändras."))
    return redirect("investigation:investigation-detail", pk=investigation.pk)


# --- Overview ---------------------------------------------------------------------------------


@login_required
@require_GET
def investigation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = queries.get_investigation_for(request.user, pk)
    framework = queries.framework_of(investigation)
    labels = code_labels(framework)
    plan = queries.current_document(InvestigationPlan, investigation)
    assessments = queries.area_assessments(investigation)
    planned = set(plan.areas) if plan else set()
    area_rows = [
        {
            "code": area.code,
            "label": labels.get(area.code, area.code),
            "side": labels.get(area.parent.code, area.parent.code) if area.parent else "",
            "is_planned": area.code in planned,
            "document": assessments.get(area.code),
        }
        for area in queries.framework_areas(framework)
    ]
    analysis = queries.current_analysis(investigation)
    needs = list(queries.active_needs(investigation))
    context = {
        "can_edit": _can_edit(request, investigation),
        "can_decide_extension": _can_edit(request, investigation)
        and services.can_decide_extension(request.user, investigation),
        "today": timezone.localdate(),
        "plan": plan,
        "area_rows": area_rows,
        "contacts": list(investigation.contacts.select_related("recorded_by")),
        "participation": queries.child_participation(investigation),
        "risk_assessments": list(queries.documents_of(RiskAssessment, investigation)),
        "violence_codes": queries.violence_reason_codes(investigation.case),
        "has_signed_risk": queries.has_signed_risk_assessment(investigation),
        "needs": [(need, labels.get(need.area, need.area)) for need in needs],
        "needs_editable": queries.are_needs_editable(investigation),
        "analysis": analysis,
        "extensions": list(investigation.extensions.select_related("decided_by")),
        "extension_requests": list(
            investigation.extension_requests.select_related("requested_by", "decided_by")
        ),
        "pending_request": services.pending_extension_request(investigation),
        "communications": list(queries.communications(investigation)),
        "proposed_needs": list(investigation.proposed_needs.all()),
        "unwritten_area_reasons": [
            (labels.get(code, code), reason)
            for code, reason in investigation.unwritten_area_reasons.items()
        ],
    }
    return _page(
        request,
        "investigation/investigation_detail.html",
        investigation,
        "investigation:investigation-detail",
        context,
    )


# --- Informing the parties (SoL 20:4) ---------------------------------------------------------


@login_required
@GET_OR_POST
@SENSITIVE_POST
def informing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not investigation.is_open:
        return _closed(request, investigation)
    initial = {
        "version": investigation.version,
        "informed_on": investigation.informed_on,
        "informed_how": investigation.informed_how,
        "deferred_reason": investigation.information_deferred_reason,
    }
    form = forms.InformingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_informing(
                investigation,
                by=access.signed_in_user(request),
                expected_version=data["version"],
                informed_on=data["informed_on"],
                informed_how=data["informed_how"],
                deferred_reason=data["deferred_reason"],
            )
        except StaleVersion as exc:
            return _conflict(request, exc.current, form, ["informed_on", "informed_how"], pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Uppgiften om information till parterna är sparad."))
            return redirect("investigation:investigation-detail", pk=investigation.pk)
    return _page(
        request,
        "investigation/informing_form.html",
        investigation,
        "investigation:informing-edit",
        {"form": form},
    )


def _conflict(
    request: HttpRequest, current: Any, form: Any, names: list[str], investigation_pk: int
) -> HttpResponse:
    return render_conflict(
        request,
        title=_("Någon annan har ändrat uppgifterna"),
        current=current,
        submitted={name: form.cleaned_data.get(name) for name in names},
        fields=[(name, str(form.fields[name].label)) for name in names],
        reload_url=request.path,
    )


# --- Documents: plan, areas, risk assessments, analysis ---------------------------------------


@dataclass(frozen=True)
class DocumentKind:
    """How one kind of investigation document is created, edited and signed."""

    key: str  # URL name prefix: plan, area, risk, analysis
    model: type[InvestigationDocument]
    form: type[forms.DocumentForm]
    title: Any
    sign: Callable[..., Any]


KINDS = {
    kind.key: kind
    for kind in (
        DocumentKind(
            "plan",
            InvestigationPlan,
            forms.PlanForm,
            gettext_lazy("Utredningsplan"),
            services.sign_plan,
        ),
        DocumentKind(
            "area",
            AreaAssessment,
            forms.AreaAssessmentForm,
            gettext_lazy("Område"),
            services.sign_area_assessment,
        ),
        DocumentKind(
            "risk",
            RiskAssessment,
            forms.RiskAssessmentForm,
            gettext_lazy("Riskbedömning"),
            services.sign_risk_assessment,
        ),
        DocumentKind(
            "analysis",
            Analysis,
            forms.AnalysisForm,
            gettext_lazy("Analys och bedömning"),
            services.sign_analysis,
        ),
    )
}


def _plan_area_choices(plan: InvestigationPlan) -> list[tuple[str, str]]:
    labels = code_labels(plan.framework)
    choices = [
        (a.code, labels.get(a.code, a.code)) for a in queries.framework_areas(plan.framework)
    ]
    known = {code for code, _label in choices}
    # A retired area chosen earlier stays visible with its old label.
    choices += [(code, labels.get(code, code)) for code in plan.areas if code not in known]
    return choices


def _document_form(kind: DocumentKind, document: Any, data: Any = None) -> forms.DocumentForm:
    initial = {"version": document.version, "event_on": document.event_on}
    initial |= {name: getattr(document, name) for name in document.EDITABLE_FIELDS}
    if kind.key == "plan":
        return forms.PlanForm(data, initial=initial, areas=_plan_area_choices(document))
    return kind.form(data, initial=initial)


def _title(kind: DocumentKind, document: Any) -> str:
    if kind.key == "area":
        return _("Område: %(area)s") % {
            "area": code_labels(document.framework).get(document.area, document.area)
        }
    return str(kind.title)


def _readonly_rows(
    kind: DocumentKind, document: Any, form: forms.DocumentForm
) -> list[tuple[str, str]]:
    rows = [(str(form.fields["event_on"].label), document.event_on.isoformat())]
    for name in document.EDITABLE_FIELDS:
        value = getattr(document, name)
        if name == "areas":
            labels = code_labels(document.framework)
            text = ", ".join(labels.get(code, code) for code in value)
        elif name == "answers":
            text = "\n".join(f"{key}: {answer}" for key, answer in value.items())
        elif hasattr(document, f"get_{name}_display"):
            text = getattr(document, f"get_{name}_display")()
        else:
            text = display_value(value)
        rows.append((str(form.fields[name].label), text))
    return rows


def _versions(kind: DocumentKind, document: Any) -> list[Any]:
    """The other versions of the same document (originals and corrections)."""
    filters: dict[str, Any] = {}
    if kind.key == "area":
        filters["area"] = document.area
    if kind.key == "risk":
        # Several risk assessments are normal; versions are the correction chain only.
        chain = {document.pk}
        first = document
        while first.corrects_id:
            first = RiskAssessment.objects.get(pk=first.corrects_id)
            chain.add(first.pk)
        frontier = [first.pk]
        while frontier:
            next_ids = list(
                RiskAssessment.objects.filter(corrects_id__in=frontier).values_list("pk", flat=True)
            )
            chain.update(next_ids)
            frontier = next_ids
        filters["pk__in"] = chain
    return [
        version
        for version in queries.documents_of(kind.model, document.investigation).filter(**filters)
        if version.pk != document.pk
    ]


def _render_document(
    request: HttpRequest,
    kind: DocumentKind,
    document: Any,
    form: forms.DocumentForm | None = None,
    correction_form: forms.CorrectionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    investigation = document.investigation
    can_edit = _can_edit(request, investigation) and not document.is_signed
    form = form or _document_form(kind, document)
    context: dict[str, Any] = {
        "kind": kind,
        "document": document,
        "title": _title(kind, document),
        "form": form,
        "can_edit": can_edit,
        "can_correct": _can_edit(request, investigation) and document.is_signed,
        "correction_form": correction_form or forms.CorrectionForm(),
        "readonly_rows": _readonly_rows(kind, document, form),
        "versions": _versions(kind, document),
        "edit_url": f"investigation:{kind.key}-edit",
        "start_fields": (),
        "form_action": reverse(f"investigation:{kind.key}-edit", args=[document.pk]),
        "autosave_url": reverse(f"investigation:{kind.key}-autosave", args=[document.pk]),
        "sign_url": reverse(f"investigation:{kind.key}-sign", args=[document.pk]),
        "correct_url": reverse(f"investigation:{kind.key}-correct", args=[document.pk]),
        **_kind_context(request, kind, investigation),
    }
    return _page(
        request,
        "investigation/document_edit.html",
        investigation,
        f"investigation:{kind.key}-edit",
        context,
        status=status,
    )


def _document_conflict(
    request: HttpRequest, kind: DocumentKind, exc: StaleVersion, form: Any
) -> HttpResponse:
    names = [n for n in form.fields if n not in {"version", "document"}]
    current: Any = exc.current
    saved = {"event_on": current.event_on}
    saved |= {name: _readonly_value(current, name) for name in names if name != "event_on"}
    submitted = {name: _submitted_value(form, name) for name in names}
    return render_conflict(
        request,
        title=_("Någon annan har sparat dokumentet"),
        current=saved,
        submitted=submitted,
        fields=[(n, str(form.fields[n].label)) for n in names],
        reload_url=reverse(f"investigation:{kind.key}-edit", args=[current.pk]),
        shows=current,
    )


def _readonly_value(document: Any, name: str) -> Any:
    value = getattr(document, name)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    return value


def _submitted_value(form: Any, name: str) -> Any:
    value = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    return value


# --- Starting a document: the editor opens at once; the draft is created on the first save ---


def _framework_area_choices(framework: str) -> list[tuple[str, str]]:
    labels = code_labels(framework)
    return [(a.code, labels.get(a.code, a.code)) for a in queries.framework_areas(framework)]


def _new_form(
    kind: DocumentKind,
    investigation: Investigation,
    data: Any = None,
    *,
    area: str = "",
    framework: str = "",
) -> forms.NewDocumentForm:
    """The editor of a document not created yet, with the start fields and their defaults:
    today's date, the framework in use, the area chosen by its link, the instrument of the
    latest risk assessment."""
    initial: dict[str, Any] = {"event_on": timezone.localdate()}
    if kind.key == "plan":
        frameworks = queries.framework_choices()
        asked = data.get("framework", "") if data is not None else framework
        chosen = asked if asked in dict(frameworks) else queries.framework_of(investigation)
        initial["framework"] = chosen
        return forms.NewPlanForm(
            data,
            initial=initial,
            frameworks=frameworks,
            areas=_framework_area_choices(chosen),
        )
    if kind.key == "area":
        choices = _framework_area_choices(queries.framework_of(investigation))
        if data is None:  # offer the areas without a text; a posted one is judged by the service
            written = set(queries.area_assessments(investigation))
            choices = [choice for choice in choices if choice[0] not in written]
        if area in dict(choices):
            initial["area"] = area
        return forms.NewAreaAssessmentForm(data, initial=initial, areas=choices)
    if kind.key == "risk":
        # A re-assessment usually uses the same method as the one before.
        latest = queries.current_document(RiskAssessment, investigation)
        if latest is not None:
            initial |= {
                "instrument": latest.instrument,
                "instrument_code": latest.instrument_code,
                "instrument_version": latest.instrument_version,
            }
        return forms.NewRiskAssessmentForm(data, initial=initial)
    return forms.NewAnalysisForm(data, initial=initial)


def _new_title(kind: DocumentKind, form: forms.NewDocumentForm) -> str:
    if kind.key == "area":
        code = form["area"].value()
        if code:
            label = dict(cast(Any, form.fields["area"]).choices).get(code, code)
            return _("Område: %(area)s") % {"area": label}
    return str(kind.title)


def _kind_context(request: HttpRequest, kind: DocumentKind, investigation: Investigation) -> Any:
    """What the editor shows beside the form: for the analysis, the needs and what signing
    it requires."""
    context: dict[str, Any] = {"instrument_suggestions": forms.instrument_suggestions()}
    if kind.key == "analysis":
        labels = code_labels(queries.framework_of(investigation))
        context |= {
            "needs": [(n, labels.get(n.area, n.area)) for n in queries.active_needs(investigation)],
            "needs_editable": queries.are_needs_editable(investigation)
            and access.can(request.user, "edit_case", investigation.case),
            "participation": queries.child_participation(investigation),
            "risk_required": queries.is_risk_assessment_required(investigation),
            "has_signed_risk": queries.has_signed_risk_assessment(investigation),
        }
    return context


def _render_new(
    request: HttpRequest,
    kind: DocumentKind,
    investigation: Investigation,
    form: forms.NewDocumentForm,
    status: int = 200,
) -> HttpResponse:
    create_url = reverse(f"investigation:{kind.key}-create", args=[investigation.pk])
    if kind.key == "plan":
        # Another framework has other areas: with JavaScript the list is swapped at once
        # (the GET carries only the framework's key); without it, the Save button shows it.
        form.fields["framework"].widget.attrs |= {
            "hx-get": create_url,
            "hx-trigger": "change",
            "hx-target": "#field-areas",
            "hx-select": "#field-areas",
            "hx-swap": "outerHTML",
        }
    context: dict[str, Any] = {
        "kind": kind,
        "document": None,
        "is_new": True,
        "title": _new_title(kind, form),
        "form": form,
        "start_fields": form.START_FIELDS,
        "can_edit": True,
        "can_correct": False,
        "readonly_rows": [],
        "versions": [],
        "edit_url": f"investigation:{kind.key}-edit",
        "form_action": create_url,
        "autosave_url": reverse(
            f"investigation:{kind.key}-create-autosave", args=[investigation.pk]
        ),
        "sign_url": create_url,
        **_kind_context(request, kind, investigation),
    }
    return _page(
        request,
        "investigation/document_edit.html",
        investigation,
        f"investigation:{kind.key}-create",
        context,
        status=status,
    )


def _save_new(
    request: HttpRequest,
    kind: DocumentKind,
    investigation: Investigation,
    form: forms.NewDocumentForm,
    *,
    sign: bool,
) -> Any:
    """The first save starts the draft; once the autosave has named it (`document`), later
    saves of the same editor change that draft like the document's own page does."""
    data = form.cleaned_data
    if data["document"] is None:
        return services.start_document_draft(
            kind.model,
            investigation,
            by=access.signed_in_user(request),
            params=form.start_params(),
            changes=form.changes(),
            sign=sign,
        )
    document = queries.get_row_for(request.user, kind.model, data["document"], for_edit=True)
    if document.investigation_id != investigation.pk:
        raise access.not_found(request.user, case_id=investigation.case_id)
    if data["version"] is None:
        raise ValidationError(_("Formuläret saknar version. Ladda om sidan och försök igen."))
    act = kind.sign if sign else services.save_document_draft
    return act(
        document,
        by=access.signed_in_user(request),
        expected_version=data["version"],
        changes=form.changes(),
    )


def document_create_view(kind_key: str) -> Callable[..., HttpResponse]:
    """GET: the editor of a new document (nothing is written, or the existing one opens);
    POST: the Save or Save-and-sign button without JavaScript, which creates the draft."""
    kind = KINDS[kind_key]

    @login_required
    @GET_OR_POST
    @SENSITIVE_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
        if not investigation.is_open:
            return _closed(request, investigation)
        if request.method == "GET":
            area = request.GET.get("omrade", "")
            if kind.key != "area" or area:
                existing = services.documents_in_slot(
                    kind.model, investigation, {"area": area}
                ).first()
                if existing is not None:
                    return redirect(f"investigation:{kind.key}-edit", pk=existing.pk)
            form = _new_form(
                kind, investigation, area=area, framework=request.GET.get("framework", "")
            )
            return _render_new(request, kind, investigation, form)
        form = _new_form(kind, investigation, request.POST)
        if not form.is_valid():
            return _render_new(request, kind, investigation, form)
        sign = "sign" in request.POST
        try:
            document = _save_new(request, kind, investigation, form, sign=sign)
        except StaleVersion as exc:
            return _document_conflict(request, kind, exc, form)
        except DocumentLocked as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(f"investigation:{kind.key}-edit", pk=form.cleaned_data["document"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return _render_new(request, kind, investigation, form)
        if sign:
            messages.success(request, _("Dokumentet är signerat och låst."))
        else:
            messages.success(request, _("Utkastet är sparat."))
        return redirect(f"investigation:{kind.key}-edit", pk=document.pk)

    view.__name__ = f"{kind_key}_create"
    return view


def document_create_autosave_view(kind_key: str) -> Callable[..., HttpResponse]:
    """htmx: the first autosave creates the draft; the answer carries its id and version (for
    the next autosaves) and replaces the address with the draft's own (ids only)."""
    kind = KINDS[kind_key]

    @login_required
    @require_POST
    @SENSITIVE_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
        form = _new_form(kind, investigation, request.POST)
        if not form.is_valid():
            errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
            return render(request, AUTOSAVE_TEMPLATE, {"errors": errors}, status=400)
        is_first = form.cleaned_data["document"] is None
        try:
            saved = _save_new(request, kind, investigation, form, sign=False)
        except StaleVersion as exc:
            reload_url = reverse(f"investigation:{kind.key}-edit", args=[exc.current.pk])
            return render(
                request,
                AUTOSAVE_TEMPLATE,
                {"conflict": True, "reload_url": reload_url},
                status=409,
            )
        except DocumentLocked:
            return render(request, AUTOSAVE_TEMPLATE, {"locked": True}, status=409)
        except ValidationError as exc:
            return render(request, AUTOSAVE_TEMPLATE, {"errors": exc.messages}, status=400)
        edit_url = reverse(f"investigation:{kind.key}-edit", args=[saved.pk])
        response = render(
            request,
            "investigation/document_started.html",
            {
                "saved_at": timezone.localtime(saved.updated_at),
                "version": saved.version,
                "version_input_id": "document-version",
                "document": saved,
                "is_first": is_first,
                "fixed_fields": _fixed_fields(saved, form) if is_first else [],
            },
        )
        if is_first:
            response["HX-Replace-Url"] = edit_url
        return response

    view.__name__ = f"{kind_key}_create_autosave"
    return view


def _fixed_fields(document: Any, form: Any) -> list[tuple[str, str, str, str]]:
    """(name, label, value, text) of the start fields, shown read-only once the draft exists."""
    rows = []
    for name in form.START_FIELDS:
        value = getattr(document, name)
        if name == "framework":
            text = dict(queries.framework_choices()).get(value, value)
        else:
            text = code_labels(document.framework).get(value, value)
        rows.append((name, str(form.fields[name].label), value, text))
    return rows


def _post_document(
    request: HttpRequest,
    kind: Any,
    pk: int,
    *,
    act: Callable[..., Any],
    success_message: str,
) -> HttpResponse:
    """The shared POST of the document form: validate, call `act` (save or sign), answer.

    A stale version gets the conflict page, a signed document a message, a refused change the
    form with the service's errors; nothing is half-saved (each service is one transaction).
    """
    document = queries.get_row_for(request.user, kind.model, pk, for_edit=True)
    form = _document_form(kind, document, request.POST)
    if not form.is_valid():
        return _render_document(request, kind, document, form=form)
    try:
        act(
            document,
            by=access.signed_in_user(request),
            expected_version=form.cleaned_data["version"],
            changes=form.changes(),
        )
    except StaleVersion as exc:
        return _document_conflict(request, kind, exc, form)
    except DocumentLocked as exc:
        messages.error(request, " ".join(exc.messages))
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _render_document(request, kind, document, form=form)
    else:
        messages.success(request, success_message)
    return redirect(f"investigation:{kind.key}-edit", pk=document.pk)


def document_edit_view(kind_key: str) -> Callable[..., HttpResponse]:
    """GET: the document (read-only once signed); POST: save the draft (works without JS)."""
    kind = KINDS[kind_key]

    @login_required
    @GET_OR_POST
    @SENSITIVE_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        if request.method == "GET":
            document = queries.get_row_for(request.user, kind.model, pk)
            return _render_document(request, kind, document)
        return _post_document(
            request,
            kind,
            pk,
            act=services.save_document_draft,
            success_message=_("Utkastet är sparat."),
        )

    view.__name__ = f"{kind_key}_edit"
    return view


def document_autosave_view(kind_key: str) -> Callable[..., HttpResponse]:
    """htmx: save the draft and answer with a status fragment and the new version."""
    kind = KINDS[kind_key]

    @login_required
    @require_POST
    @SENSITIVE_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        document = queries.get_row_for(request.user, kind.model, pk, for_edit=True)
        return autosave_response(
            request,
            form=_document_form(kind, document, request.POST),
            save=services.save_document_draft,
            document=document,
            reload_url=reverse(f"investigation:{kind.key}-edit", args=[document.pk]),
            version_input_id="document-version",
        )

    view.__name__ = f"{kind_key}_autosave"
    return view


def document_sign_view(kind_key: str) -> Callable[..., HttpResponse]:
    """Save the last edits and sign, in one step (the form's second button)."""
    kind = KINDS[kind_key]

    @login_required
    @require_POST
    @SENSITIVE_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return _post_document(
            request,
            kind,
            pk,
            act=kind.sign,
            success_message=_("Dokumentet är signerat och låst."),
        )

    view.__name__ = f"{kind_key}_sign"
    return view


def document_correct_view(kind_key: str) -> Callable[..., HttpResponse]:
    kind = KINDS[kind_key]

    @login_required
    @require_POST
    @SENSITIVE_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        document = queries.get_row_for(request.user, kind.model, pk, for_edit=True)
        form = forms.CorrectionForm(request.POST)
        if form.is_valid():
            try:
                correction = services.correct_investigation_document(
                    document, by=access.signed_in_user(request), reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("En rättelse är påbörjad. Den signerade versionen finns kvar.")
                )
                return redirect(f"investigation:{kind.key}-edit", pk=correction.pk)
        return _render_document(request, kind, document, correction_form=form)

    view.__name__ = f"{kind_key}_correct"
    return view


# --- Contacts ---------------------------------------------------------------------------------


@login_required
@GET_OR_POST
@SENSITIVE_POST
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not investigation.is_open:
        return _closed(request, investigation)
    form = forms.ContactForm(request.POST or None, initial={"event_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.log_contact(
                investigation,
                by=access.signed_in_user(request),
                kind=data["kind"],
                event_on=data["event_on"],
                summary=data["summary"],
                child_alone=forms.yes_no(data["child_alone"]),
                covered_violence=forms.yes_no(data["covered_violence"]),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Kontakten är registrerad."))
            return redirect(reverse("investigation:investigation-detail", args=[pk]) + "#kontakter")
    return _page(
        request,
        "investigation/contact_form.html",
        investigation,
        "investigation:contact-create",
        {"form": form},
    )


# --- Needs ------------------------------------------------------------------------------------


def _need_areas(investigation: Investigation) -> list[tuple[str, str]]:
    framework = queries.framework_of(investigation)
    labels = code_labels(framework)
    return [(a.code, labels.get(a.code, a.code)) for a in queries.framework_areas(framework)]


def _after_needs(investigation: Investigation) -> HttpResponse:
    analysis = queries.current_analysis(investigation)
    if analysis is not None:
        return redirect(reverse("investigation:analysis-edit", args=[analysis.pk]) + "#behov")
    return redirect(
        reverse("investigation:investigation-detail", args=[investigation.pk]) + "#behov"
    )


def _render_need(
    request: HttpRequest, investigation: Investigation, form: Any, need: Need | None, route: str
) -> HttpResponse:
    return _page(
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
    form = forms.NeedForm(request.POST or None, areas=_need_areas(investigation))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_need(
                investigation,
                by=access.signed_in_user(request),
                area=data["area"],
                description=data["description"],
                severity=data["severity"],
                child_view=data["child_view"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Behovet är sparat."))
            return _after_needs(investigation)
    return _render_need(request, investigation, form, None, "investigation:need-create")


@login_required
@GET_OR_POST
@SENSITIVE_POST
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    for_edit = request.method == "POST"
    need = queries.get_row_for(request.user, Need, pk, for_edit=for_edit)
    investigation = need.investigation
    initial = {
        "version": need.version,
        "area": need.area,
        "description": need.description,
        "severity": need.severity,
        "child_view": need.child_view,
    }
    form = forms.NeedForm(request.POST or None, initial=initial, areas=_need_areas(investigation))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["version"] is None:
            form.add_error(None, _("Formuläret saknar version. Ladda om sidan och försök igen."))
        else:
            try:
                services.update_need(
                    need,
                    by=access.signed_in_user(request),
                    expected_version=data["version"],
                    area=data["area"],
                    description=data["description"],
                    severity=data["severity"],
                    child_view=data["child_view"],
                )
            except StaleVersion as exc:
                names = ["area", "description", "severity", "child_view"]
                return _conflict(request, exc.current, form, names, investigation.pk)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Behovet är sparat."))
                return _after_needs(investigation)
    return _render_need(request, investigation, form, need, "investigation:need-edit")


@login_required
@require_POST
def need_remove(request: HttpRequest, pk: int) -> HttpResponse:
    need = queries.get_row_for(request.user, Need, pk, for_edit=True)
    investigation = need.investigation
    form = forms.VersionForm(request.POST)
    if form.is_valid():
        try:
            services.remove_need(
                need,
                by=access.signed_in_user(request),
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion:
            messages.error(
                request, _("Någon annan har ändrat behovet. Kontrollera och försök igen.")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Behovet är borttaget."))
            return _after_needs(investigation)
    else:
        messages.error(request, _("Formuläret saknar version. Ladda om sidan och försök igen."))
    edit_form = forms.NeedForm(
        initial={
            "version": need.version,
            "area": need.area,
            "description": need.description,
            "severity": need.severity,
            "child_view": need.child_view,
        },
        areas=_need_areas(investigation),
    )
    return _render_need(request, investigation, edit_form, need, "investigation:need-remove")


# --- Extension requests and decisions (SoL 20:3) ----------------------------------------------


@login_required
@GET_OR_POST
@SENSITIVE_POST
def extension_request_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the district's team managers for more time; they decide on the extension page."""
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not investigation.is_open:
        return _closed(request, investigation)
    form = forms.ExtensionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_extension(
                investigation,
                by=access.signed_in_user(request),
                reasons=form.cleaned_data["reasons"],
                proposed_to=form.cleaned_data["proposed_to"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Begäran om förlängning är skickad till enhetschefen, som fattar beslutet."),
            )
            return redirect(
                reverse("investigation:investigation-detail", args=[pk]) + "#forlangning"
            )
    return _page(
        request,
        "investigation/extension_request_form.html",
        investigation,
        "investigation:extension-request-create",
        {"form": form, "pending_request": services.pending_extension_request(investigation)},
    )


def _render_extension(
    request: HttpRequest,
    investigation: Investigation,
    *,
    form: forms.ExtensionForm,
    refuse_form: forms.RefuseExtensionForm | None = None,
    route: str = "investigation:extension-create",
) -> HttpResponse:
    return _page(
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


@login_required
@require_POST
@SENSITIVE_POST
def extension_request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    """The team manager refuses the waiting request, with a reason."""
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not services.can_decide_extension(request.user, investigation):
        raise PermissionDenied
    if not investigation.is_open:
        return _closed(request, investigation)
    refuse_form = forms.RefuseExtensionForm(request.POST)
    if refuse_form.is_valid():
        try:
            services.refuse_extension_request(
                investigation,
                by=access.signed_in_user(request),
                reason=refuse_form.cleaned_data["refusal_reason"],
            )
        except ValidationError as exc:
            apply_service_errors(refuse_form, exc)
        else:
            messages.success(request, _("Begäran om förlängning är avslagen."))
            return redirect(
                reverse("investigation:investigation-detail", args=[pk]) + "#forlangning"
            )
    return _render_extension(
        request,
        investigation,
        form=_extension_form(investigation),
        refuse_form=refuse_form,
        route="investigation:extension-request-refuse",
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
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not services.can_decide_extension(request.user, investigation):
        raise PermissionDenied
    if not investigation.is_open:
        return _closed(request, investigation)
    form = _extension_form(investigation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_extension(
                investigation,
                by=access.signed_in_user(request),
                decided_on=data["decided_on"],
                extended_to=data["extended_to"],
                reasons=data["reasons"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Beslutet om förlängd utredningstid är registrerat."))
            return redirect("investigation:investigation-detail", pk=investigation.pk)
    return _render_extension(request, investigation, form=form)


# --- Communication (förvaltningslagen 25 §) ---------------------------------------------------


@login_required
@GET_OR_POST
@SENSITIVE_POST
def communication_create(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not investigation.is_open:
        return _closed(request, investigation)
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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = form.chosen()
        try:
            services.record_communication(
                investigation,
                by=access.signed_in_user(request),
                subject=data["subject"],
                recipient=chosen.person,
                relationship=chosen.relationship,
                sent_on=data["sent_on"],
                answer_by=data["answer_by"],
                is_secrecy_checked=data.get("is_secrecy_checked", False),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Kommuniceringen är registrerad."))
            return redirect(
                reverse("investigation:investigation-detail", args=[pk]) + "#kommunicering"
            )
    analysis = queries.current_analysis(investigation)
    # The recipients' names are on the page: one access event each, in one insert (S19).
    record_accesses(
        by=access.signed_in_user(request),
        persons=[choice.person for choice in recipients if choice.relationship is not None],
        action=AccessAction.LISTED,
        route="investigation:communication-create",
    )
    return _page(
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


@login_required
@GET_OR_POST
@SENSITIVE_POST
def communication_answer(request: HttpRequest, pk: int) -> HttpResponse:
    communication = queries.get_row_for(request.user, Communication, pk, for_edit=True)
    investigation = communication.investigation
    if not investigation.is_open:
        return _closed(request, investigation)
    initial = {
        "version": communication.version,
        "answered_on": communication.answered_on or timezone.localdate(),
        "answer": communication.answer,
    }
    form = forms.CommunicationAnswerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_communication_answer(
                communication,
                by=access.signed_in_user(request),
                expected_version=data["version"],
                answer=data["answer"],
                answered_on=data["answered_on"],
            )
        except StaleVersion as exc:
            return _conflict(
                request, exc.current, form, ["answered_on", "answer"], investigation.pk
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Svaret är registrerat."))
            return redirect(
                reverse("investigation:investigation-detail", args=[investigation.pk])
                + "#kommunicering"
            )
    return _page(
        request,
        "investigation/communication_answer.html",
        investigation,
        "investigation:communication-answer",
        {
            "form": form,
            "communication": communication,
        },
    )


# --- Closing ----------------------------------------------------------------------------------


@login_required
@GET_OR_POST
@SENSITIVE_POST
def investigation_close(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not investigation.is_open:
        return _closed(request, investigation)
    labels = code_labels(queries.framework_of(investigation))
    needs = list(queries.active_needs(investigation))
    choices = [(str(n.pk), f"{labels.get(n.area, n.area)}: {n.description}") for n in needs]
    unwritten = [
        (code, labels.get(code, code)) for code in queries.unwritten_planned_areas(investigation)
    ]
    form = forms.CloseForm(
        request.POST or None,
        initial={"version": investigation.version},
        needs=choices,
        unwritten_areas=unwritten,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.close_investigation(
                investigation,
                by=access.signed_in_user(request),
                expected_version=data["version"],
                outcome=data["outcome"],
                closed_on=data["closed_on"],
                need_ids=[int(i) for i in data["needs"]],
                note=data["note"],
                area_reasons=form.area_reasons(),
            )
        except StaleVersion as exc:
            return _conflict(request, exc.current, form, ["closed_on"], investigation.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Utredningen är avslutad."))
            return redirect("cases:case-detail", pk=investigation.case_id)
    analysis = queries.current_analysis(investigation)
    drafts = [
        str(kind.title)
        for kind in KINDS.values()
        if queries.documents_of(kind.model, investigation).filter(status="draft").exists()
    ]
    return _page(
        request,
        "investigation/investigation_close.html",
        investigation,
        "investigation:investigation-close",
        {
            "form": form,
            "analysis": analysis,
            "drafts": drafts,
            "has_communication": queries.communications(investigation).exists(),
            "unwritten_areas": unwritten,
            "waiting_communications": queries.waiting_communications(
                investigation, timezone.localdate()
            ),
        },
    )
