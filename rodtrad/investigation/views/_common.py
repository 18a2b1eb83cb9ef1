"""What every investigation page shares: the access event of a page that shows the case, who
may edit, the answer for a closed investigation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.investigation.models import Investigation
from rodtrad.journal.services import record_access

GET_OR_POST = require_http_methods(["GET", "POST"])
# Case notes arrive in POST bodies: keep them out of error reports.
SENSITIVE_POST = sensitive_post_parameters()


def page(
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
    record_access(by=signed_in_user(request), case=case, route=route, emergency_access=grant)
    context = {"investigation": investigation, "case": case, "emergency": grant, **context}
    return render(request, template, context, status=status)


def can_edit(request: HttpRequest, investigation: Investigation) -> bool:
    return investigation.is_open and access.can(request.user, "edit_case", investigation.case)


def closed(request: HttpRequest, investigation: Investigation) -> HttpResponse:
    messages.info(request, _("Utredningen är avslutad och kan inte ändras."))
    return redirect("investigation:investigation-detail", pk=investigation.pk)
