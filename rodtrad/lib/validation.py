"""Collecting a service's refusals so that every rule that is not met is reported at once
(one round trip for the user, not one per rule; issue 6, U-11)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class FieldErrors:
    """Messages by field name; `raise_any()` raises them as one ValidationError (a dict that
    `lib.forms.apply_service_errors` puts on the form's fields)."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def __contains__(self, name: str) -> bool:
        return name in self.by_field

    def __bool__(self) -> bool:
        return bool(self.by_field)

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)
