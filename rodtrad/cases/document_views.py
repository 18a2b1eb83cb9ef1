"""View helpers shared by every signable document's pages (pre-assessment, plan, analysis …)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from rodtrad.accounts.access import signed_in_user
from rodtrad.cases.services import DocumentLocked
from rodtrad.lib.versioning import StaleVersion

AUTOSAVE_TEMPLATE = "components/autosave_status.html"


def autosave_response(
    request: HttpRequest,
    *,
    form: forms.Form,
    save: Callable[..., Any],
    document: Any,
    reload_url: str,
    version_input_id: str,
) -> HttpResponse:
    """htmx autosave: validate, `save(document, by=, expected_version=, changes=)`, and answer
    with the status fragment (200 saved, 400 bad input, 409 stale or signed)."""
    if not form.is_valid():
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        return render(request, AUTOSAVE_TEMPLATE, {"errors": errors}, status=400)
    try:
        saved = save(
            document,
            by=signed_in_user(request),
            expected_version=form.cleaned_data["version"],
            changes=form.changes(),  # type: ignore[attr-defined]
        )
    except StaleVersion:
        return render(
            request, AUTOSAVE_TEMPLATE, {"conflict": True, "reload_url": reload_url}, status=409
        )
    except DocumentLocked:
        return render(request, AUTOSAVE_TEMPLATE, {"locked": True}, status=409)
    except ValidationError as exc:
        return render(request, AUTOSAVE_TEMPLATE, {"errors": exc.messages}, status=400)
    return render(
        request,
        AUTOSAVE_TEMPLATE,
        {
            "saved_at": timezone.localtime(saved.updated_at),
            "version": saved.version,
            "version_input_id": version_input_id,
        },
    )
