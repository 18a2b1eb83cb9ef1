"""The statistics dashboard and the export of its tables: parse → authorize → call → render.

Aggregates only (docs/statistics.md, "The dashboard"): the analyst sees every district, a team
manager their own (`access.statistics_districts`), every other role gets 404. The pages show
no person or case, so they write no access event; an export is journaled by its service.
"""

from __future__ import annotations

import csv
from io import StringIO
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from rodtrad.accounts import access
from rodtrad.accounts.models import District
from rodtrad.lib.forms import apply_service_errors
from rodtrad.stats import services
from rodtrad.stats.charts import bar_chart
from rodtrad.stats.forms import DashboardForm, ExportForm
from rodtrad.stats.indicators import DASHBOARD_INDICATORS, DEFAULT_DASHBOARD, PublishedTable


def _districts_or_404(request: HttpRequest) -> list[District]:
    districts = list(access.statistics_districts(request.user))
    if not districts:
        raise Http404
    return districts


def _filters(request: HttpRequest) -> dict[str, Any]:
    """The GET filters, the current year and the default tables when none are given."""
    chosen = {
        "show": request.GET.getlist("show") or list(DEFAULT_DASHBOARD),
        "breakdown": request.GET.get("breakdown", ""),
    }
    if "year" in request.GET:
        return {
            "year": request.GET.get("year"),
            "district": request.GET.get("district", ""),
            **chosen,
        }
    return {"year": timezone.localdate().year, "district": "", **chosen}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    districts = _districts_or_404(request)
    return _dashboard(request, districts)


@require_GET
def _dashboard(request: HttpRequest, districts: list[District]) -> HttpResponse:
    form = DashboardForm(_filters(request), districts=districts)
    sections = []
    if form.is_valid():
        year = form.cleaned_data["year"]
        chosen = form.chosen_districts()
        breakdown = form.chosen_breakdown()
        for code in form.shown():  # only the tables shown are computed
            table = DASHBOARD_INDICATORS[code](breakdown=breakdown).publish(year, chosen)
            query = urlencode(
                {
                    "indicator": table.indicator,
                    "year": year,
                    "district": form.cleaned_data["district"],
                }
            )
            sections.append(
                {
                    "table": table,
                    "chart": bar_chart(
                        [(bar.label, bar.cell.value) for bar in table.bars],
                        is_share=table.chart_is_share,
                    ),
                    "export_url": f"{reverse('stats:export')}?{query}",
                }
            )
    return render(request, "stats/dashboard.html", {"form": form, "sections": sections})


def _csv_response(table: PublishedTable) -> HttpResponse:
    buffer = StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(table.csv_lines())
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"statistik-{table.indicator}-{table.year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def export(request: HttpRequest) -> HttpResponse:
    districts = _districts_or_404(request)
    return _export(request, districts)


@require_http_methods(["GET", "POST"])
def _export(request: HttpRequest, districts: list[District]) -> HttpResponse:
    if request.method == "POST":
        form = ExportForm(request.POST, districts=districts)
    else:
        form = ExportForm(
            initial={
                "indicator": request.GET.get("indicator", ""),
                "year": request.GET.get("year", timezone.localdate().year),
                "district": request.GET.get("district", ""),
            },
            districts=districts,
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            table = services.export_table(
                data["indicator"],
                year=data["year"],
                district_codes=[d.code for d in form.chosen_districts()],
                reason=data["reason"],
                by=access.signed_in_user(request),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            return _csv_response(table)
    indicator = DASHBOARD_INDICATORS.get(str(form["indicator"].value() or ""))
    return render(
        request,
        "stats/export.html",
        {"form": form, "title": indicator.title if indicator else None},
    )
