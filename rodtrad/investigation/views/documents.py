"""Document pages: one class-based view for every kind of investigation document, mounted per
kind and action in urls.py (`DocumentView.as_view(kind=…, action=…)`). What differs between
the kinds is asked of the kind (`investigation/kinds.py`), never branched on here.

Actions: `create` (the editor before the first save; POST = Save without JavaScript),
`create-autosave` (htmx: the first autosave creates the draft), `edit` (the document; POST =
Save), `autosave`, `sign` (save and sign in one step), `correct` (start a correction).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.cases.document_views import AUTOSAVE_TEMPLATE, autosave_response
from rodtrad.cases.services import DocumentLocked
from rodtrad.frameworks.queries import code_labels
from rodtrad.investigation import forms, queries, services
from rodtrad.investigation.kinds import DocumentKind
from rodtrad.investigation.models import Investigation
from rodtrad.investigation.views._common import SENSITIVE_POST, can_edit, closed, page
from rodtrad.lib.forms import apply_service_errors, conflict_fields, form_conflict, require_version
from rodtrad.lib.versioning import StaleVersion, display_value

# The HTTP methods of each action.
ACTIONS = {
    "create": ["get", "post"],
    "create-autosave": ["post"],
    "edit": ["get", "post"],
    "autosave": ["post"],
    "sign": ["post"],
    "correct": ["post"],
}


def _as_text(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    return value


@method_decorator([login_required, SENSITIVE_POST], name="dispatch")
class DocumentView(View):
    """The pages of one kind of document; `as_view(kind=…, action=…)` in urls.py."""

    kind: DocumentKind = cast(DocumentKind, None)  # set by as_view(kind=…)
    action: str = "edit"  # a key of ACTIONS

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.http_method_names = ACTIONS[self.action]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        method = request.method.lower() if request.method else ""
        if method not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        handler = getattr(self, f"{self.action.replace('-', '_')}_{method}")
        response: HttpResponse = handler(request, kwargs["pk"])
        return response

    def url(self, action: str, pk: int) -> str:
        return reverse(f"investigation:{self.kind.key}-{action}", args=[pk])

    # --- an existing document ------------------------------------------------------------------

    def edit_get(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The document (read-only once signed)."""
        document = queries.get_row_for(request.user, self.kind.model, pk)
        return self.render_document(request, document)

    def edit_post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Save the draft (the form's button; works without JavaScript)."""
        return self.post_document(
            request, pk, act=services.save_document_draft, success=_("Utkastet är sparat.")
        )

    def sign_post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Save the last edits and sign, in one step (the form's second button)."""
        return self.post_document(
            request, pk, act=self.kind.sign, success=_("Dokumentet är signerat och låst.")
        )

    def autosave_post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """htmx: save the draft and answer with a status fragment and the new version."""
        document = queries.get_row_for(request.user, self.kind.model, pk, for_edit=True)
        return autosave_response(
            request,
            form=self.kind.edit_form(document, request.POST),
            save=services.save_document_draft,
            document=document,
            reload_url=self.url("edit", document.pk),
            version_input_id="document-version",
        )

    def correct_post(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = queries.get_row_for(request.user, self.kind.model, pk, for_edit=True)
        form = forms.CorrectionForm(request.POST)
        if form.is_valid():
            try:
                correction = services.correct_investigation_document(
                    document, by=signed_in_user(request), reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("En rättelse är påbörjad. Den signerade versionen finns kvar.")
                )
                return redirect(self.url("edit", correction.pk))
        return self.render_document(request, document, correction_form=form)

    def post_document(
        self, request: HttpRequest, pk: int, *, act: Any, success: str
    ) -> HttpResponse:
        """The shared POST of the document form: validate, call `act` (save or sign), answer.

        A stale version gets the conflict page, a signed document a message, a refused change
        the form with the service's errors; nothing is half-saved (each service is one
        transaction).
        """
        document = queries.get_row_for(request.user, self.kind.model, pk, for_edit=True)
        form = self.kind.edit_form(document, request.POST)
        if not form.is_valid():
            return self.render_document(request, document, form=form)
        try:
            act(
                document,
                by=signed_in_user(request),
                expected_version=form.cleaned_data["version"],
                changes=form.changes(),
            )
        except StaleVersion as exc:
            return self.conflict(request, exc, form)
        except DocumentLocked as exc:
            messages.error(request, " ".join(exc.messages))
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.render_document(request, document, form=form)
        else:
            messages.success(request, success)
        return redirect(self.url("edit", document.pk))

    def conflict(self, request: HttpRequest, exc: StaleVersion, form: Any) -> HttpResponse:
        current: Any = exc.current
        names = conflict_fields(form, current)
        return form_conflict(
            request,
            form,
            exc,
            title=_("Någon annan har sparat dokumentet"),
            current={name: _as_text(getattr(current, name)) for name in names},
            reload_url=self.url("edit", current.pk),
            as_text=_as_text,
        )

    def render_document(
        self,
        request: HttpRequest,
        document: Any,
        form: forms.DocumentForm | None = None,
        correction_form: forms.CorrectionForm | None = None,
    ) -> HttpResponse:
        kind = self.kind
        investigation = document.investigation
        form = form or kind.edit_form(document)
        context: dict[str, Any] = {
            "kind": kind,
            "document": document,
            "title": kind.title_of(document),
            "form": form,
            "can_edit": can_edit(request, investigation) and not document.is_signed,
            "can_correct": can_edit(request, investigation) and document.is_signed,
            "correction_form": correction_form or forms.CorrectionForm(),
            "readonly_rows": self.readonly_rows(document, form),
            "versions": [
                version
                for version in queries.documents_of(kind.model, investigation).filter(
                    **kind.versions_filter(document)
                )
                if version.pk != document.pk
            ],
            "edit_url": f"investigation:{kind.key}-edit",
            "start_fields": (),
            "form_action": self.url("edit", document.pk),
            "autosave_url": self.url("autosave", document.pk),
            "sign_url": self.url("sign", document.pk),
            "correct_url": self.url("correct", document.pk),
            **kind.context(request, investigation),
        }
        return page(
            request,
            "investigation/document_edit.html",
            investigation,
            f"investigation:{kind.key}-edit",
            context,
        )

    @staticmethod
    def readonly_rows(document: Any, form: forms.DocumentForm) -> list[tuple[str, str]]:
        """The signed document as (label, text) rows, in the form's order."""
        rows = []
        for name in conflict_fields(form, document):
            value = getattr(document, name)
            if name == "event_on":
                text = value.isoformat()
            elif isinstance(value, list):  # codes of the framework (the plan's areas)
                labels = code_labels(document.framework)
                text = ", ".join(str(labels.get(code, code)) for code in value)
            elif isinstance(value, dict):  # a risk instrument's answers
                text = "\n".join(f"{key}: {answer}" for key, answer in value.items())
            elif hasattr(document, f"get_{name}_display"):
                text = getattr(document, f"get_{name}_display")()
            else:
                text = display_value(value)
            rows.append((str(form.fields[name].label), text))
        return rows

    # --- a document not created yet: the editor opens at once, the draft starts on a save ---

    def create_get(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The editor of a new document (nothing is written), or the existing one."""
        investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
        if not investigation.is_open:
            return closed(request, investigation)
        slot = self.kind.slot_of(request.GET)
        if slot is not None:
            existing = services.documents_in_slot(self.kind.model, investigation, slot).first()
            if existing is not None:
                return redirect(self.url("edit", existing.pk))
        form = self.kind.make_new_form(investigation, query=request.GET)
        return self.render_new(request, investigation, form)

    def create_post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The Save or Save-and-sign button without JavaScript, which creates the draft."""
        investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
        if not investigation.is_open:
            return closed(request, investigation)
        form = self.kind.make_new_form(investigation, request.POST)
        if not form.is_valid():
            return self.render_new(request, investigation, form)
        sign = "sign" in request.POST
        try:
            document = self.save_new(request, investigation, form, sign=sign)
        except StaleVersion as exc:
            return self.conflict(request, exc, form)
        except DocumentLocked as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(self.url("edit", form.cleaned_data["document"]))
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.render_new(request, investigation, form)
        if sign:
            messages.success(request, _("Dokumentet är signerat och låst."))
        else:
            messages.success(request, _("Utkastet är sparat."))
        return redirect(self.url("edit", document.pk))

    def create_autosave_post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """htmx: the first autosave creates the draft; the answer carries its id and version
        (for the next autosaves) and replaces the address with the draft's own (ids only)."""
        investigation = queries.get_investigation_for(request.user, pk, for_edit=True)
        form = self.kind.make_new_form(investigation, request.POST)
        if not form.is_valid():
            errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
            return render(request, AUTOSAVE_TEMPLATE, {"errors": errors}, status=400)
        is_first = form.cleaned_data["document"] is None
        try:
            saved = self.save_new(request, investigation, form, sign=False)
        except StaleVersion as exc:
            return render(
                request,
                AUTOSAVE_TEMPLATE,
                {"conflict": True, "reload_url": self.url("edit", exc.current.pk)},
                status=409,
            )
        except DocumentLocked:
            return render(request, AUTOSAVE_TEMPLATE, {"locked": True}, status=409)
        except ValidationError as exc:
            return render(request, AUTOSAVE_TEMPLATE, {"errors": exc.messages}, status=400)
        response = render(
            request,
            "investigation/document_started.html",
            {
                "saved_at": timezone.localtime(saved.updated_at),
                "version": saved.version,
                "version_input_id": "document-version",
                "document": saved,
                "is_first": is_first,
                "fixed_fields": self.fixed_fields(saved, form) if is_first else [],
            },
        )
        if is_first:
            response["HX-Replace-Url"] = self.url("edit", saved.pk)
        return response

    def save_new(
        self,
        request: HttpRequest,
        investigation: Investigation,
        form: forms.NewDocumentForm,
        *,
        sign: bool,
    ) -> Any:
        """The first save starts the draft; once the autosave has named it (`document`), later
        saves of the same editor change that draft like the document's own page does."""
        kind = self.kind
        data = form.cleaned_data
        if data["document"] is None:
            return services.start_document_draft(
                kind.model,
                investigation,
                by=signed_in_user(request),
                params=form.start_params(),
                changes=form.changes(),
                sign=sign,
            )
        document = queries.get_row_for(request.user, kind.model, data["document"], for_edit=True)
        if document.investigation_id != investigation.pk:
            raise access.not_found(request.user, case_id=investigation.case_id)
        require_version(form)
        act = kind.sign if sign else services.save_document_draft
        return act(
            document,
            by=signed_in_user(request),
            expected_version=data["version"],
            changes=form.changes(),
        )

    def fixed_fields(self, document: Any, form: Any) -> list[tuple[str, str, str, str]]:
        """(name, label, value, text) of the start fields, shown read-only once the draft
        exists."""
        rows = []
        for name in form.START_FIELDS:
            value = getattr(document, name)
            text = self.kind.fixed_text(document, name, value)
            rows.append((name, str(form.fields[name].label), value, text))
        return rows

    def render_new(
        self, request: HttpRequest, investigation: Investigation, form: forms.NewDocumentForm
    ) -> HttpResponse:
        kind = self.kind
        create_url = self.url("create", investigation.pk)
        kind.decorate_new(form, create_url)
        context: dict[str, Any] = {
            "kind": kind,
            "document": None,
            "is_new": True,
            "title": kind.new_title(form),
            "form": form,
            "start_fields": form.START_FIELDS,
            "can_edit": True,
            "can_correct": False,
            "readonly_rows": [],
            "versions": [],
            "edit_url": f"investigation:{kind.key}-edit",
            "form_action": create_url,
            "autosave_url": self.url("create-autosave", investigation.pk),
            "sign_url": create_url,
            **kind.context(request, investigation),
        }
        return page(
            request,
            "investigation/document_edit.html",
            investigation,
            f"investigation:{kind.key}-create",
            context,
        )
