"""The statistics dashboard, its comparisons, the export of its tables and the snapshots:
parse → authorize → call → render.

Aggregates only (docs/statistics.md, "The dashboard"): the analyst sees every district, a team
manager their own (`access.statistics_districts`), every other role gets 404; a snapshot is
visible to whoever sees every one of its districts (`queries.visible_snapshots`). The pages
show no person or case, so they write no access event; an export and a snapshot are journaled
by their services.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from rodtrad.accounts import access
from rodtrad.accounts.models import District
from rodtrad.accounts.services import step_up_needs_code
from rodtrad.lib.forms import apply_service_errors
from rodtrad.stats import comparisons, exports, queries, services
from rodtrad.stats.charts import bar_chart
from rodtrad.stats.forms import (
    GROUPS,
    YEARS,
    ComparisonForm,
    DashboardForm,
    ExportForm,
    SnapshotForm,
)
from rodtrad.stats.indicators import DASHBOARD_INDICATORS, DEFAULT_DASHBOARD, PublishedTable
from rodtrad.stats.models import Snapshot


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


def _section(table: PublishedTable, export_query: dict[str, Any]) -> dict[str, Any]:
    return {
        "table": table,
        "chart": bar_chart(
            [(bar.label, bar.cell.value) for bar in table.bars], is_share=table.chart_is_share
        ),
        "export_url": f"{reverse('stats:export')}?{urlencode(export_query)}",
    }


def _publish(
    year: int, districts: list[District], known: dict[str, PublishedTable] | None = None
) -> dict[str, PublishedTable]:
    """The tables a comparison reads (`comparisons.COMPARED`), those already on the page
    reused."""
    known = known or {}
    return {
        code: known.get(code) or DASHBOARD_INDICATORS[code]().publish(year, districts)
        for code in comparisons.COMPARED
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    districts = _districts_or_404(request)
    return _dashboard(request, districts)


@require_GET
def _dashboard(request: HttpRequest, districts: list[District]) -> HttpResponse:
    form = DashboardForm(_filters(request), districts=districts)
    sections = []
    comparison_form = ComparisonForm(
        request.GET if "compare" in request.GET else None,
        initial={"level": ComparisonForm.base_fields["level"].initial, "compare": YEARS},
        districts=districts,
    )
    comparison = None
    if form.is_valid():
        year = form.cleaned_data["year"]
        chosen = form.chosen_districts()
        breakdown = form.chosen_breakdown()
        tables = {  # only the tables shown are computed
            code: DASHBOARD_INDICATORS[code](breakdown=breakdown).publish(year, chosen)
            for code in form.shown()
        }
        for table in tables.values():
            sections.append(
                _section(
                    table,
                    {
                        "indicator": table.indicator,
                        "year": year,
                        "district": form.cleaned_data["district"],
                        "breakdown": breakdown,
                    },
                )
            )
        if comparison_form.is_bound and comparison_form.is_valid():
            comparison = _comparison(comparison_form.cleaned_data, year, chosen, districts, tables)
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "sections": sections,
            "comparison_form": comparison_form,
            "comparison": comparison,
            "snapshot_url": (
                f"{reverse('stats:snapshot-create')}?"
                + urlencode(
                    {
                        "year": form["year"].value() or "",
                        "district": form["district"].value() or "",
                        "show": form["show"].value() or [],
                        "breakdown": form["breakdown"].value() or "",
                    },
                    doseq=True,
                )
            ),
        },
    )


def _comparison(
    data: dict[str, Any],
    year: int,
    chosen: list[District],
    districts: list[District],
    tables: dict[str, PublishedTable],
) -> comparisons.ComparisonTable:
    level = float(data["level"])
    if data["compare"] == GROUPS:
        by_code = {d.code: d for d in districts}
        first, second = by_code[data["first"]], by_code[data["second"]]
        # Two rows of the table over all the user's districts: the numbers the page shows
        # when every district is chosen, suppressed together.
        published = _publish(year, districts, tables if chosen == districts else None)
        days = comparisons.closed_days(year, [first, second])
        return comparisons.compare(
            published,
            published,
            rows=(first.name, second.name),
            labels=(first.name, second.name),
            days=(days.get(first.pk, []), days.get(second.pk, [])),
            level=level,
        )
    other = data["other_year"]
    row = comparisons.total_row(chosen)
    first_days = comparisons.closed_days(year, chosen)
    second_days = comparisons.closed_days(other, chosen)
    return comparisons.compare(
        _publish(year, chosen, tables),
        _publish(other, chosen),
        rows=(row, row),
        labels=(str(year), str(other)),
        days=(
            [d for days in first_days.values() for d in days],
            [d for days in second_days.values() for d in days],
        ),
        level=level,
    )


def _file_response(
    table: PublishedTable, file_format: str, provenance: exports.Provenance
) -> HttpResponse:
    produced = exports.render(table, exports.FileFormat(file_format), provenance)
    response = HttpResponse(produced.content, content_type=produced.content_type)
    response["Content-Disposition"] = f'attachment; filename="{produced.name}"'
    return response


@login_required
def export(request: HttpRequest) -> HttpResponse:
    districts = _districts_or_404(request)
    return _export(request, districts)


def _snapshot_or_404(request: HttpRequest, value: Any) -> Snapshot | None:
    if value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    return get_object_or_404(queries.visible_snapshots(request.user), pk=pk)


@require_http_methods(["GET", "POST"])
def _export(request: HttpRequest, districts: list[District]) -> HttpResponse:
    user = access.signed_in_user(request)
    needs_code = step_up_needs_code(user)
    source = request.POST if request.method == "POST" else request.GET
    snapshot = _snapshot_or_404(request, source.get("snapshot"))
    if request.method == "POST":
        form = ExportForm(request.POST, districts=districts, needs_code=needs_code)
    else:
        form = ExportForm(
            initial={
                "indicator": request.GET.get("indicator", ""),
                "year": snapshot.year
                if snapshot
                else request.GET.get("year", timezone.localdate().year),
                "district": "" if snapshot else request.GET.get("district", ""),
                "breakdown": "" if snapshot else request.GET.get("breakdown", ""),
                "snapshot": snapshot.pk if snapshot else None,
                "file_format": request.GET.get("format", exports.FileFormat.CSV.value),
            },
            districts=districts,
            needs_code=needs_code,
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = form.chosen_districts()
        try:
            table = services.export_table(
                data["indicator"],
                year=data["year"],
                district_codes=[d.code for d in chosen],
                reason=data["reason"],
                file_format=data["file_format"],
                otp_token=data["otp_token"],
                breakdown=data.get("breakdown") or "",
                snapshot=snapshot,
                by=user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            if snapshot is not None:
                provenance = exports.Provenance(
                    districts=[d.name for d in snapshot.districts.order_by("name")],
                    data_at=snapshot.data_at,
                    snapshot=snapshot.pk,
                )
            else:
                provenance = exports.Provenance(
                    districts=[d.name for d in chosen], data_at=timezone.now()
                )
            return _file_response(table, data["file_format"], provenance)
    indicator = DASHBOARD_INDICATORS.get(str(form["indicator"].value() or ""))
    return render(
        request,
        "stats/export.html",
        {
            "form": form,
            "title": indicator.title if indicator else None,
            "snapshot": snapshot,
            "needs_code": needs_code,
        },
    )


@login_required
def snapshot_create(request: HttpRequest) -> HttpResponse:
    districts = _districts_or_404(request)
    return _snapshot_create(request, districts)


@require_http_methods(["GET", "POST"])
def _snapshot_create(request: HttpRequest, districts: list[District]) -> HttpResponse:
    if request.method == "POST":
        form = SnapshotForm(request.POST, districts=districts)
    else:
        form = SnapshotForm(
            initial={
                "year": request.GET.get("year", timezone.localdate().year),
                "district": request.GET.get("district", ""),
                "show": request.GET.getlist("show") or list(DEFAULT_DASHBOARD),
                "breakdown": request.GET.get("breakdown", ""),
            },
            districts=districts,
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            snapshot = services.create_snapshot(
                title=data["title"],
                year=data["year"],
                district_codes=[d.code for d in form.chosen_districts()],
                indicators=form.shown(),
                breakdown=form.chosen_breakdown(),
                reason=data["reason"],
                by=access.signed_in_user(request),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            return redirect("stats:snapshot", pk=snapshot.pk)
    return render(request, "stats/snapshot_form.html", {"form": form})


@login_required
def snapshot_list(request: HttpRequest) -> HttpResponse:
    _districts_or_404(request)
    return _snapshot_list(request)


@require_GET
def _snapshot_list(request: HttpRequest) -> HttpResponse:
    snapshots = queries.visible_snapshots(request.user)
    return render(request, "stats/snapshot_list.html", {"snapshots": snapshots})


@login_required
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _districts_or_404(request)
    snapshot = get_object_or_404(queries.visible_snapshots(request.user), pk=pk)
    return _snapshot_detail(request, snapshot)


@require_GET
def _snapshot_detail(request: HttpRequest, snapshot: Snapshot) -> HttpResponse:
    sections = [
        _section(
            exports.table_from_json(data),
            {"indicator": data["indicator"], "snapshot": snapshot.pk},
        )
        for data in snapshot.tables
    ]
    return render(
        request, "stats/snapshot_detail.html", {"snapshot": snapshot, "sections": sections}
    )
