"""The administrator's code list pages: parse → authorize → call → render.

Code lists are not district-scoped and hold no personal data: the administrator role is the
only check (`can(user, "administer_code_lists")`); every other role gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rodtrad.accounts.access import can, signed_in_user
from rodtrad.frameworks import queries, services
from rodtrad.frameworks.forms import CodeAddForm, CodeEditForm
from rodtrad.frameworks.models import Code, CodeList, CodeStatus
from rodtrad.lib.forms import handle_form
from rodtrad.lib.versioning import StaleVersion, render_conflict

View = Callable[..., HttpResponse]

# Swedish names for the attribute keys used in the data files; unknown keys are shown as-is.
ATTRIBUTE_LABELS = {
    "violence": gettext_lazy("Våld (kräver riskbedömning)"),
    "mandatory": gettext_lazy("Anmälningsskyldig"),
    "sol_ref": gettext_lazy("Lagrum i socialtjänstlagen"),
    "is_narrow_duty": gettext_lazy("Snävare anmälningsplikt"),
    "may_be_mandatory": gettext_lazy("Kan vara anmälningsskyldig (frågas i formuläret)"),
    "survey_group": gettext_lazy("Grupp i Socialstyrelsens kartläggning"),
    "bbic_side": gettext_lazy("BBIC-sida"),
    "kind": gettext_lazy("Nivå"),
    "maps_to_2018": gettext_lazy("Motsvarar i 2018 års version"),
    "mapping_needs_judgement": gettext_lazy("Kopplingen kräver bedömning"),
}
ATTRIBUTE_VALUES = {
    "side": gettext_lazy("sida"),
    "area": gettext_lazy("område"),
}


def administrator_required(view: View) -> View:
    """Anonymous → login (302); any role but the administrator → 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can(request.user, "administer_code_lists"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _show_value(value: Any) -> str:
    if value is True:
        return _("ja")
    if value is False:
        return _("nej")
    if isinstance(value, list):
        return ", ".join(_show_value(item) for item in value)
    return str(ATTRIBUTE_VALUES.get(value, value)) if isinstance(value, str) else str(value)


def _attribute_rows(code: Code) -> list[tuple[str, str]]:
    return [
        (str(ATTRIBUTE_LABELS.get(key, key)), _show_value(value))
        for key, value in sorted((code.attributes or {}).items())
    ]


@administrator_required
@require_GET
def codelist_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    lists = [
        {"list": code_list, "status": CodeStatus(code_list.status(today)).label}
        for code_list in queries.code_lists_with_counts(today)
    ]
    return render(request, "frameworks/codelist_list.html", {"lists": lists})


@administrator_required
@require_GET
def codelist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    code_list = get_object_or_404(CodeList, pk=pk)
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    for code in queries.codes_for_administration(code_list):
        status = code.status(today)
        rows.append(
            {
                "code": code,
                "status": status,
                "status_label": CodeStatus(status).label,
                "is_retired": status == CodeStatus.RETIRED,
                "attributes": _attribute_rows(code),
            }
        )
    context = {
        "code_list": code_list,
        "list_status": CodeStatus(code_list.status(today)).label,
        "list_is_current": code_list.status(today) == CodeStatus.CURRENT,
        "rows": rows,
        "has_uncertain": any(row["code"].is_uncertain for row in rows),
    }
    return render(request, "frameworks/codelist_detail.html", context)


def _conflict_title(code: Any) -> str:
    return _("Någon annan har ändrat koden %(code)s") % {"code": code.code}


@administrator_required
@require_http_methods(["GET", "POST"])
def code_edit(request: HttpRequest, pk: int) -> HttpResponse:
    code = get_object_or_404(Code.objects.select_related("code_list"), pk=pk)
    return handle_form(
        request,
        CodeEditForm(request.POST or None, code=code),
        save=lambda data: services.update_code(
            code=code,
            by=signed_in_user(request),
            version=data["version"],
            label_sv=data["label_sv"],
            label_en=data["label_en"],
            description_sv=data["description_sv"],
            valid_to=data["valid_to"],
        ),
        conflict_title=_conflict_title(code),
        conflict_url=reverse("frameworks:code-edit", args=[code.pk]),
        success=_("Ändringen är sparad."),
        then=reverse("frameworks:codelist-detail", args=[code.code_list_id]),
        render=lambda form: render(
            request, "frameworks/code_edit.html", {"code": code, "form": form}
        ),
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def code_add(request: HttpRequest, pk: int) -> HttpResponse:
    code_list = get_object_or_404(CodeList, pk=pk)
    return handle_form(
        request,
        CodeAddForm(request.POST or None, code_list=code_list),
        save=lambda data: services.add_code(
            code_list=code_list,
            by=signed_in_user(request),
            code=data["code"],
            label_sv=data["label_sv"],
            label_en=data["label_en"],
            description_sv=data["description_sv"],
            group=data["group"],
            parent=data["parent"],
            valid_from=data["valid_from"],
        ),
        success=_("Koden är tillagd."),
        then=reverse("frameworks:codelist-detail", args=[code_list.pk]),
        render=lambda form: render(
            request, "frameworks/code_add.html", {"code_list": code_list, "form": form}
        ),
    )


@administrator_required
@require_POST
def code_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """A button, not a form page: a refusal is a message, a stale version the conflict page."""
    code = get_object_or_404(Code.objects.select_related("code_list"), pk=pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError as exc:
        raise BadRequest("version missing") from exc
    try:
        services.retire_code(code=code, by=signed_in_user(request), version=version)
    except StaleVersion as exc:
        return render_conflict(
            request,
            title=_conflict_title(code),
            current=exc.current,
            submitted={"valid_to": timezone.localdate()},
            fields=[("valid_to", str(CodeEditForm.base_fields["valid_to"].label))],
            reload_url=reverse("frameworks:code-edit", args=[code.pk]),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Koden %(code)s är avslutad och går inte längre att välja.") % {"code": code.code},
        )
    return redirect("frameworks:codelist-detail", pk=code.code_list_id)
