"""What the decision and intervention pages share: the access event of a page that shows the
case, and who decides."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.cases.models import Case
from rodtrad.decisions import services
from rodtrad.journal.services import record_access

GET_OR_POST = require_http_methods(["GET", "POST"])
SENSITIVE_POST = sensitive_post_parameters()


def _page(
    request: HttpRequest, template: str, case: Case, route: str, context: dict[str, Any]
) -> HttpResponse:
    """A page that shows the case: one access event, with the emergency grant if any."""
    grant = access.emergency_access_for(request.user, case)
    record_access(by=signed_in_user(request), case=case, route=route, emergency_access=grant)
    return render(request, template, {"case": case, "emergency": grant, **context})


def _case_url(case: Case) -> str:
    return reverse("cases:case-detail", args=[case.pk]) + "#beslut"


def _decider_case(request: HttpRequest, pk: int) -> Case:
    case = access.get_case_for(request.user, pk, for_edit=True)
    if not services.may_decide(request.user, case):
        raise PermissionDenied
    return case
