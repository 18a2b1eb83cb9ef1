"""Form helpers shared by the apps."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(
    form: forms.Form, error: ValidationError, field_map: dict[str, str] | None = None
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
        for name, messages in error.message_dict.items():
            for message in messages:
                form.add_error(target(name), message)
        return
    for item in error.error_list:
        for message in item.messages:
            form.add_error(target(item.code), message)
