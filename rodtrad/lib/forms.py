"""Form helpers shared by the apps: one way through a form.

Every edit page has the same shape: a valid form calls a service; a stale version gets the
conflict page, a refusal (ValidationError) goes back on the form, success gives a message and a
redirect. `handle_form` runs that shape once (as Django's ProcessFormView and NetBox's
ObjectEditView.post do), so a view says only what differs: which service, where to go after.
Field names are written once, in the form: `initial_from` fills the form from the row and
`conflict_fields` lists what the conflict page compares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from rodtrad.lib.versioning import StaleVersion, render_conflict

# Fields a form carries for the machinery, never shown on the conflict page.
MACHINERY_FIELDS = frozenset({"version", "document"})


def apply_service_errors(
    form: forms.BaseForm, error: ValidationError, field_map: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form.

    Services name the field either as a dict key (`ValidationError({"field": msg})`) or as the
    error code (`ValidationError(msg, code="field")`); `field_map` renames service names to form
    field names. Anything that names no form field becomes a form-wide error.
    """
    field_map = field_map or {}

    def target(name: str | None) -> str | None:
        mapped = field_map.get(name or "", name)
        return mapped if mapped in form.fields else None

    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(target(name), message)
        return
    for item in error.error_list:
        for message in item.messages:
            form.add_error(target(item.code), message)


def _source_name(form_class: type[forms.BaseForm] | forms.BaseForm, name: str) -> str:
    """The row's attribute behind a form field: `Meta.sources` renames, else the same name."""
    meta = getattr(form_class, "Meta", None)
    sources: Mapping[str, str] = getattr(meta, "sources", {}) or {}
    return sources.get(name, name)


def _model_field_names(instance: Any) -> set[str]:
    if isinstance(instance, models.Model):
        return {field.name for field in instance._meta.concrete_fields}
    return set()


def initial_from(form_class: type[forms.Form], instance: Any, **extra: Any) -> dict[str, Any]:
    """Initial values for the form's declared fields, read from the row's fields of the same
    name (or the name in the form's `Meta.sources`); `extra` overrides or adds."""
    names = _model_field_names(instance)
    initial = {
        name: getattr(instance, _source_name(form_class, name))
        for name in form_class.base_fields
        if _source_name(form_class, name) in names
    }
    return initial | extra


def conflict_fields(form: forms.BaseForm, current: Any = None) -> list[str]:
    """The fields the conflict page compares: every field the user sees (not the hidden
    machinery) that has a saved counterpart in `current` (a row's field or a mapping key)."""
    if isinstance(current, Mapping):
        saved: set[str] | None = set(current)
    elif isinstance(current, models.Model):
        saved = _model_field_names(current)
    else:
        saved = None
    return [
        name
        for name, field in form.fields.items()
        if name not in MACHINERY_FIELDS
        and not field.widget.is_hidden
        and (saved is None or _source_name(form, name) in saved)
    ]


def form_conflict(
    request: HttpRequest,
    form: forms.BaseForm,
    exc: StaleVersion,
    *,
    title: str | None = None,
    current: Any = None,
    reload_url: str | None = None,
    shows: Any = None,
    as_text: Callable[[Any], Any] | None = None,
) -> HttpResponse:
    """The conflict page (409) for a form whose save met a newer version: the saved and the
    submitted value of each of the form's fields (`conflict_fields`).

    `current` replaces the fresh row by a mapping of display values (masked, or lists as text);
    `as_text` turns a submitted value into what the page shows."""
    current = exc.current if current is None else current
    names = conflict_fields(form, current)
    cleaned = getattr(form, "cleaned_data", {})
    submitted = {name: (as_text or _same)(cleaned.get(name)) for name in names}
    if isinstance(current, models.Model):
        saved: Any = {}
        for name in names:
            source = _source_name(form, name)
            display = getattr(current, f"get_{source}_display", None)
            if callable(display):
                # A coded field: both sides as the label, so only a real change shows.
                saved[name] = display()
                labels = dict(getattr(form.fields[name], "choices", ()))
                submitted[name] = labels.get(submitted[name], submitted[name])
            else:
                saved[name] = getattr(current, source)
    else:
        saved = current
    return render_conflict(
        request,
        title=title or _("Någon annan har ändrat uppgifterna"),
        current=saved,
        submitted=submitted,
        fields=[(name, str(form.fields[name].label)) for name in names],
        reload_url=reload_url,
        shows=shows if shows is not None else exc.current,
    )


def _same(value: Any) -> Any:
    return value


def handle_form(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    save: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str],
    then: str | Callable[[Any], str],
    render: Callable[[Any], HttpResponse],
    conflict_title: str | None = None,
    conflict_url: str | None = None,
    conflict_shows: Any = None,
    on_conflict: Callable[[StaleVersion], HttpResponse] | None = None,
    refused: Mapping[type[Exception], Callable[[Any], None]] | None = None,
    field_map: dict[str, str] | None = None,
) -> HttpResponse:
    """Run one form through its service: the only place that shape is written.

    GET, or a form that is not valid: `render(form)`. Valid POST: `save(cleaned_data)` (the
    service call, one transaction) and then, by what happened:
    * StaleVersion → the conflict page (409) with the form's fields (`form_conflict`), or
      `on_conflict(exc)` where the page must show other values (masked ones);
    * ValidationError → the errors on the form, `render(form)`; nothing was saved. Other
      refusals of the service (`refused`: exception type → what it puts on the form) alike;
    * success → `messages.success(success)` and a redirect to `then` (a URL, or a function
      of what `save` returned; `success` too).
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except StaleVersion as exc:
            if on_conflict is not None:
                return on_conflict(exc)
            return form_conflict(
                request,
                form,
                exc,
                title=conflict_title,
                reload_url=conflict_url,
                shows=conflict_shows,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc, field_map)
        except tuple(refused or ()) as exc:
            for kind, handler in (refused or {}).items():
                if isinstance(exc, kind):
                    handler(exc)
                    break
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(then(result) if callable(then) else then)
    return render(form)


def require_version(form: forms.BaseForm) -> None:
    """For forms whose version field is optional in the form: a missing one is a refusal."""
    if form.cleaned_data.get("version") is None:
        raise ValidationError(_("Formuläret saknar version. Ladda om sidan och försök igen."))
