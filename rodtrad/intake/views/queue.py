"""The intake queue: new reports, open protection assessments and pre-assessments."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.accounts.models import District
from rodtrad.intake import queries
from rodtrad.intake.views._common import require_case_role
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_accesses


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    require_case_role(request)
    rows = queries.intake_queue(request.user)
    # One INSERT for the list, one event per case however many of its reports are listed.
    cases = {row.case.pk: row.case for row in rows}
    record_accesses(
        by=signed_in_user(request),
        cases=cases.values(),
        action=AccessAction.LISTED,
        route="intake:queue",
    )
    return render(
        request,
        "intake/queue.html",
        {
            "rows": rows,
            "information_rows": queries.open_information_requests(request.user),
            "districts": District.objects.filter(pk__in=access.case_role_districts(request.user)),
        },
    )
