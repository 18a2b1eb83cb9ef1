"""Investigation pages: parse → authorize (access.py) → call a service or query → render.

Reads use the case's visible scope (emergency access may read); writes use the editable scope
(`for_edit=True`): out of scope is 404; a role that may never do the thing (an extension by
anyone but a team manager of the district) is 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
from rodtrad.cases.document_views import autosave_response
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
from rodtrad.journal.services import record_access
from rodtrad.lib.forms import apply_service_errors
from rodtrad.lib.versioning import StaleVersion, display_value, render_conflict

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
    record_access(by=request.user, case=case, route=route, emergency_access=grant)
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
        "communications": list(queries.communications(investigation)),
        "proposed_needs": list(investigation.proposed_needs.all()),
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
                by=request.user,
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
        "autosave_url": reverse(f"investigation:{kind.key}-autosave", args=[document.pk]),
        "sign_url": reverse(f"investigation:{kind.key}-sign", args=[document.pk]),
        "correct_url": reverse(f"investigation:{kind.key}-correct", args=[document.pk]),
        "instrument_suggestions": forms.instrument_suggestions(),
    }
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
    names = [n for n in form.fields if n != "version"]
    current: Any = exc.current
    saved = {"event_on": current.event_on}
    saved |= {
        name: _readonly_value(current, name)
        for name in current.EDITABLE_FIELDS
        if name in form.fields
    }
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


def document_create_view(kind_key: str) -> Callable[..., HttpResponse]:
    kind = KINDS[kind_key]

    @login_required
    @GET_OR_POST
    @SENSITIVE_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
        if not investigation.is_open:
            return _closed(request, investigation)
        data = request.POST if request.method == "POST" else None
        form: Any
        if kind.key == "plan":
            form = forms.PlanCreateForm(data, frameworks=queries.framework_choices())
        elif kind.key == "area":
            framework = queries.framework_of(investigation)
            labels = code_labels(framework)
            done = set(queries.area_assessments(investigation))
            choices = [
                (a.code, labels.get(a.code, a.code))
                for a in queries.framework_areas(framework)
                if a.code not in done
            ]
            form = forms.AreaCreateForm(data, areas=choices)
            if request.method == "GET" and request.GET.get("omrade") in dict(choices):
                form.fields["area"].initial = request.GET["omrade"]
        elif kind.key == "risk":
            form = forms.RiskCreateForm(data)
        else:
            form = forms.AnalysisCreateForm(data)
        if request.method == "POST" and form.is_valid():
            values = form.cleaned_data
            try:
                document = _create(kind, investigation, request.user, values)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return redirect(f"investigation:{kind.key}-edit", pk=document.pk)
        return _page(
            request,
            "investigation/document_create.html",
            investigation,
            f"investigation:{kind.key}-create",
            {
                "form": form,
                "kind": kind,
                "title": _("Ny: %(kind)s") % {"kind": kind.title},
                "instrument_suggestions": forms.instrument_suggestions(),
            },
        )

    view.__name__ = f"{kind_key}_create"
    return view


def _create(
    kind: DocumentKind, investigation: Investigation, user: Any, values: dict[str, Any]
) -> Any:
    if kind.key == "plan":
        return services.create_plan(
            investigation, by=user, event_on=values["event_on"], framework=values["framework"]
        )
    if kind.key == "area":
        return services.create_area_assessment(
            investigation, by=user, event_on=values["event_on"], area=values["area"]
        )
    if kind.key == "risk":
        return services.create_risk_assessment(
            investigation,
            by=user,
            event_on=values["event_on"],
            instrument=values["instrument"],
            instrument_code=values["instrument_code"],
            instrument_version=values["instrument_version"],
        )
    return services.create_analysis(investigation, by=user, event_on=values["event_on"])


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
            by=request.user,
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
                    document, by=request.user, reason=form.cleaned_data["reason"]
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
                by=request.user,
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
                by=request.user,
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
                    by=request.user,
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
                need, by=request.user, expected_version=form.cleaned_data["version"]
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


# --- Extension decisions (SoL 20:3) -----------------------------------------------------------


@login_required
@GET_OR_POST
@SENSITIVE_POST
def extension_create(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not services.can_decide_extension(request.user, investigation):
        raise PermissionDenied
    if not investigation.is_open:
        return _closed(request, investigation)
    form = forms.ExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_extension(
                investigation,
                by=request.user,
                decided_on=data["decided_on"],
                extended_to=data["extended_to"],
                reasons=data["reasons"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Beslutet om förlängd utredningstid är registrerat."))
            return redirect("investigation:investigation-detail", pk=investigation.pk)
    return _page(
        request,
        "investigation/extension_form.html",
        investigation,
        "investigation:extension-create",
        {
            "form": form,
            "today": timezone.localdate(),
        },
    )


# --- Communication (förvaltningslagen 25 §) ---------------------------------------------------


@login_required
@GET_OR_POST
@SENSITIVE_POST
def communication_create(request: HttpRequest, pk: int) -> HttpResponse:
    investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
    if not investigation.is_open:
        return _closed(request, investigation)
    form = forms.CommunicationForm(request.POST or None, initial={"sent_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_communication(
                investigation,
                by=request.user,
                subject=data["subject"],
                recipient=data["recipient"],
                sent_on=data["sent_on"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Kommuniceringen är registrerad."))
            return redirect(
                reverse("investigation:investigation-detail", args=[pk]) + "#kommunicering"
            )
    return _page(
        request,
        "investigation/communication_form.html",
        investigation,
        "investigation:communication-create",
        {"form": form},
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
                by=request.user,
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
    form = forms.CloseForm(
        request.POST or None, initial={"version": investigation.version}, needs=choices
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.close_investigation(
                investigation,
                by=request.user,
                expected_version=data["version"],
                outcome=data["outcome"],
                closed_on=data["closed_on"],
                need_ids=[int(i) for i in data["needs"]],
                note=data["note"],
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
        },
    )
