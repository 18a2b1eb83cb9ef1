"""The kinds of investigation document: what differs between the plan, an area's text, a risk
assessment and the analysis. The pages (`views/documents.py`) are the same for every kind and ask
the kind through these hooks; adding a kind is a subclass here and a line in `KINDS`
(docs/howto/add-a-document-kind.md).
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rodtrad.accounts import access
from rodtrad.frameworks.queries import code_labels
from rodtrad.investigation import forms, queries, services
from rodtrad.investigation.models import (
    Analysis,
    AreaAssessment,
    Investigation,
    InvestigationDocument,
    InvestigationPlan,
    RiskAssessment,
)
from rodtrad.lib.forms import initial_from


def framework_area_choices(framework: str) -> list[tuple[str, str]]:
    labels = code_labels(framework)
    return [(a.code, labels.get(a.code, a.code)) for a in queries.framework_areas(framework)]


class DocumentKind:
    """One kind of investigation document. The defaults fit a kind with one current document
    per investigation and no start fields; subclasses override the hooks that differ."""

    key: ClassVar[str]  # URL name prefix: plan-edit, area-edit …
    segment: ClassVar[str]  # URL path segment (Swedish)
    model: ClassVar[type[InvestigationDocument]]
    form: ClassVar[type[forms.DocumentForm]]  # the editor of an existing document
    new_form: ClassVar[type[forms.NewDocumentForm]]  # the editor before the first save
    title: ClassVar[Any]
    # The template's per-kind parts (empty: none).
    intro_template: ClassVar[str] = ""  # above the form
    form_top_template: ClassVar[str] = ""  # inside the form, before the fields
    form_bottom_template: ClassVar[str] = ""  # inside the form, after the fields
    aside_template: ClassVar[str] = ""  # below the form
    # Extra autosave trigger for inputs that send no `input` event (checkboxes).
    autosave_also_on: ClassVar[str] = ""

    def __str__(self) -> str:
        return str(self.title)

    # --- signing -------------------------------------------------------------------------------

    def sign(self, document: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    # --- an existing document ------------------------------------------------------------------

    def form_kwargs(self, document: Any) -> dict[str, Any]:
        """Extra arguments of the editor's form (choices that depend on the document)."""
        return {}

    def edit_form(self, document: Any, data: QueryDict | None = None) -> forms.DocumentForm:
        initial = initial_from(self.form, document)
        return self.form(data, initial=initial, **self.form_kwargs(document))

    def title_of(self, document: Any) -> str:
        return str(self.title)

    def versions_filter(self, document: Any) -> dict[str, Any]:
        """Which rows are versions of the same document (originals and corrections)."""
        return {}

    # --- a document not created yet ------------------------------------------------------------

    def slot_of(self, query: QueryDict) -> dict[str, Any] | None:
        """The slot a GET of the editor asks for, to open an existing document instead; None
        when the query names none (the user still has to choose)."""
        return {}

    def new_initial(self, investigation: Investigation) -> dict[str, Any]:
        return {"event_on": timezone.localdate()}

    def make_new_form(
        self,
        investigation: Investigation,
        data: QueryDict | None = None,
        query: QueryDict | None = None,
    ) -> forms.NewDocumentForm:
        """The editor before the first save, with the start fields and their defaults."""
        return self.new_form(data, initial=self.new_initial(investigation))

    def new_title(self, form: forms.NewDocumentForm) -> str:
        return str(self.title)

    def decorate_new(self, form: forms.NewDocumentForm, create_url: str) -> None:
        """Adjust the new editor's widgets (htmx attributes)."""

    def fixed_text(self, document: Any, name: str, value: Any) -> str:
        """A start field shown read-only once the draft exists."""
        return str(code_labels(document.framework).get(value, value))

    # --- beside the form -----------------------------------------------------------------------

    def context(self, request: HttpRequest, investigation: Investigation) -> dict[str, Any]:
        return {}


class PlanKind(DocumentKind):
    key = "plan"
    segment = "plan"
    model = InvestigationPlan
    form = forms.PlanForm
    new_form = forms.NewPlanForm
    title = gettext_lazy("Utredningsplan")
    autosave_also_on = "#id_areas"

    def sign(self, document: Any, **kwargs: Any) -> Any:
        return services.sign_plan(document, **kwargs)

    def form_kwargs(self, document: Any) -> dict[str, Any]:
        labels = code_labels(document.framework)
        choices = [
            (a.code, labels.get(a.code, a.code))
            for a in queries.framework_areas(document.framework)
        ]
        known = {code for code, _label in choices}
        # A retired area chosen earlier stays visible with its old label.
        choices += [(code, labels.get(code, code)) for code in document.areas if code not in known]
        return {"areas": choices}

    def make_new_form(
        self,
        investigation: Investigation,
        data: QueryDict | None = None,
        query: QueryDict | None = None,
    ) -> forms.NewDocumentForm:
        frameworks = queries.framework_choices()
        source = data if data is not None else query
        asked = source.get("framework", "") if source is not None else ""
        chosen = asked if asked in dict(frameworks) else queries.framework_of(investigation)
        return forms.NewPlanForm(
            data,
            initial=self.new_initial(investigation) | {"framework": chosen},
            frameworks=frameworks,
            areas=framework_area_choices(chosen),
        )

    def decorate_new(self, form: forms.NewDocumentForm, create_url: str) -> None:
        # Another framework has other areas: with JavaScript the list is swapped at once
        # (the GET carries only the framework's key); without it, the Save button shows it.
        form.fields["framework"].widget.attrs |= {
            "hx-get": create_url,
            "hx-trigger": "change",
            "hx-target": "#field-areas",
            "hx-select": "#field-areas",
            "hx-swap": "outerHTML",
        }

    def fixed_text(self, document: Any, name: str, value: Any) -> str:
        if name == "framework":
            return str(dict(queries.framework_choices()).get(value, value))
        return super().fixed_text(document, name, value)


class AreaKind(DocumentKind):
    key = "area"
    segment = "omraden"
    model = AreaAssessment
    form = forms.AreaAssessmentForm
    new_form = forms.NewAreaAssessmentForm
    title = gettext_lazy("Område")

    def sign(self, document: Any, **kwargs: Any) -> Any:
        return services.sign_area_assessment(document, **kwargs)

    def title_of(self, document: Any) -> str:
        label = code_labels(document.framework).get(document.area, document.area)
        return _("Område: %(area)s") % {"area": label}

    def versions_filter(self, document: Any) -> dict[str, Any]:
        return {"area": document.area}

    def slot_of(self, query: QueryDict) -> dict[str, Any] | None:
        area = query.get("omrade", "")
        return {"area": area} if area else None

    def make_new_form(
        self,
        investigation: Investigation,
        data: QueryDict | None = None,
        query: QueryDict | None = None,
    ) -> forms.NewDocumentForm:
        initial = self.new_initial(investigation)
        choices = framework_area_choices(queries.framework_of(investigation))
        if data is None:  # offer the areas without a text; a posted one is judged by the service
            written = set(queries.area_assessments(investigation))
            choices = [choice for choice in choices if choice[0] not in written]
        area = query.get("omrade", "") if query is not None else ""
        if area in dict(choices):
            initial["area"] = area
        return forms.NewAreaAssessmentForm(data, initial=initial, areas=choices)

    def new_title(self, form: forms.NewDocumentForm) -> str:
        code = form["area"].value()
        if code:
            label = dict(cast(Any, form.fields["area"]).choices).get(code, code)
            return _("Område: %(area)s") % {"area": label}
        return str(self.title)


class RiskKind(DocumentKind):
    key = "risk"
    segment = "riskbedomningar"
    model = RiskAssessment
    form = forms.RiskAssessmentForm
    new_form = forms.NewRiskAssessmentForm
    title = gettext_lazy("Riskbedömning")
    form_top_template = "investigation/kinds/risk_form_top.html"
    form_bottom_template = "investigation/kinds/risk_form_bottom.html"

    def sign(self, document: Any, **kwargs: Any) -> Any:
        return services.sign_risk_assessment(document, **kwargs)

    def versions_filter(self, document: Any) -> dict[str, Any]:
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
        return {"pk__in": chain}

    def new_initial(self, investigation: Investigation) -> dict[str, Any]:
        initial = super().new_initial(investigation)
        # A re-assessment usually uses the same method as the one before.
        latest = queries.current_document(RiskAssessment, investigation)
        if latest is not None:
            initial |= {
                "instrument": latest.instrument,
                "instrument_code": latest.instrument_code,
                "instrument_version": latest.instrument_version,
            }
        return initial

    def context(self, request: HttpRequest, investigation: Investigation) -> dict[str, Any]:
        return {"instrument_suggestions": forms.instrument_suggestions()}


class AnalysisKind(DocumentKind):
    key = "analysis"
    segment = "analys"
    model = Analysis
    form = forms.AnalysisForm
    new_form = forms.NewAnalysisForm
    title = gettext_lazy("Analys och bedömning")
    intro_template = "investigation/kinds/analysis_intro.html"
    aside_template = "investigation/kinds/analysis_needs.html"

    def sign(self, document: Any, **kwargs: Any) -> Any:
        return services.sign_analysis(document, **kwargs)

    def context(self, request: HttpRequest, investigation: Investigation) -> dict[str, Any]:
        """The needs beside the analysis, and what signing it requires."""
        labels = code_labels(queries.framework_of(investigation))
        return {
            "needs": [(n, labels.get(n.area, n.area)) for n in queries.active_needs(investigation)],
            "needs_editable": queries.are_needs_editable(investigation)
            and access.can(request.user, "edit_case", investigation.case),
            "participation": queries.child_participation(investigation),
            "risk_required": queries.is_risk_assessment_required(investigation),
            "has_signed_risk": queries.has_signed_risk_assessment(investigation),
        }


KINDS: dict[str, DocumentKind] = {
    kind.key: kind for kind in (PlanKind(), AreaKind(), RiskKind(), AnalysisKind())
}
