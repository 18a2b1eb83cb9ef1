"""The quarterly report of decisions not carried out (SoL 34 kap. 1 §), page and CSV."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.accounts.models import Role
from rodtrad.decisions import queries
from rodtrad.frameworks.queries import code_labels
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_accesses


def _report(request: HttpRequest) -> tuple[queries.Quarter, list[queries.ReportRow], Any]:
    if not access.has_role(request.user, Role.TEAM_MANAGER):
        raise PermissionDenied
    today = timezone.localdate()
    quarter = queries.Quarter.parse(request.GET.get("kvartal"), default=today)
    rows = queries.not_carried_out_report(request.user, quarter, today=today)
    return quarter, rows, today


SEX_LABELS = {
    "female": gettext_lazy("Flicka"),
    "male": gettext_lazy("Pojke"),
    "unknown": gettext_lazy("Okänt"),
}
STATE_LABELS = {
    "started": gettext_lazy("Verkställt för sent"),
    "ended": gettext_lazy("Avslutat utan att verkställas"),
    "waiting": gettext_lazy("Inte verkställt"),
}


@login_required
@require_GET
def not_carried_out(request: HttpRequest) -> HttpResponse:
    """Granted decisions not carried out within three months (SoL 34 kap. 1 §), per quarter,
    for the team manager's report to IVO and the committee. The list shows no names; the
    case number links to the intervention for the manager's follow-up."""
    quarter, rows, today = _report(request)
    record_accesses(
        by=signed_in_user(request),
        cases=[row.intervention.case for row in rows],
        action=AccessAction.LISTED,
        route="decisions:not-carried-out",
    )
    labels = code_labels("intervention-catalogue")
    current = queries.Quarter.of(today)
    return render(
        request,
        "decisions/not_carried_out.html",
        {
            "quarter": quarter,
            "quarters": [
                current,
                current.previous(),
                current.previous().previous(),
                current.previous().previous().previous(),
            ],
            "rows": [
                (
                    row,
                    labels.get(row.intervention.catalogue_code, row.intervention.catalogue_code),
                    SEX_LABELS.get(row.sex, row.sex),
                    STATE_LABELS[row.state],
                )
                for row in rows
            ],
            "waiting": sum(1 for row in rows if row.state == "waiting"),
        },
    )


CSV_COLUMNS = (
    "stadsdel",
    "beslutsdatum",
    "insats",
    "nationell_kategori",
    "kon",
    "tre_manader_gick_ut",
    "verkstallt",
    "avslutat_utan_verkstallighet",
    "dagar_vantan",
)


@login_required
@require_GET
def not_carried_out_csv(request: HttpRequest) -> HttpResponse:
    """The quarter's report as CSV (UTF-8, comma-separated): no name, no identity number, no
    case number. Journaled with who exported which quarter."""
    import csv

    from rodtrad.frameworks.queries import current_codes
    from rodtrad.journal.services import record

    quarter, rows, _today = _report(request)
    categories = {
        code.code: code.attributes.get("national_category", "")
        for code in current_codes("intervention-catalogue")
    }
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="ej-verkstallda-beslut-{quarter.key}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.intervention.case.district.code,
                row.decided_on.isoformat(),
                row.intervention.catalogue_code,
                categories.get(row.intervention.catalogue_code, ""),
                row.sex,
                row.due_on.isoformat(),
                row.started_on.isoformat() if row.started_on else "",
                row.ended_on.isoformat() if row.ended_on else "",
                row.days_waited,
            ]
        )
    record(
        "decisions.not_carried_out_exported",
        by=signed_in_user(request),
        data={"quarter": quarter.key, "rows": len(rows)},
    )
    return response
