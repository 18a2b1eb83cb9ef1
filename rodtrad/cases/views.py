"""Case pages: the list of visible cases, the case page, and emergency access."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rodtrad.accounts import access
from rodtrad.accounts.models import EmergencyAccess, Role
from rodtrad.cases import queries, services
from rodtrad.cases.forms import (
    AssignResponsibleForm,
    CaseListForm,
    EmergencyAccessForm,
    ReviewForm,
)
from rodtrad.cases.models import CaseStatus
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access, record_accesses
from rodtrad.lib.forms import apply_service_errors
from rodtrad.lib.versioning import StaleVersion


def _require_case_role(request: HttpRequest) -> None:
    if not access.has_role(request.user, *access.CASE_ROLES):
        raise PermissionDenied


# The list's columns: (sort key or "" when not sortable, header).
LIST_COLUMNS = (
    ("case", gettext_lazy("Ärende")),
    ("child", gettext_lazy("Barn")),
    ("status", gettext_lazy("Status")),
    ("unit", gettext_lazy("Enhet")),
    ("responsible", gettext_lazy("Ansvarig")),
    ("", gettext_lazy("Nästa frist")),
    ("recorded_at", gettext_lazy("Registrerat")),
)


@login_required
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the user may see, 50 a page: filters in the address (no personal data),
    search in a POST body (a name is personal data), sorting by the allow-listed columns."""
    _require_case_role(request)
    is_search = request.method == "POST"
    data = request.POST if is_search else request.GET
    form = CaseListForm(
        data,
        statuses=[(value, str(label)) for value, label in CaseStatus.choices],
        responsibles=queries.responsible_choices(request.user),
        units=queries.unit_choices(request.user),
    )
    form.is_valid()  # invalid filters are dropped and shown with their error
    values = form.cleaned_data
    sort_value = data.get("ny_sortering") or data.get("sortera")
    try:
        sort = queries.parse_sort(sort_value)
    except queries.InvalidListQuery:
        sort = queries.DEFAULT_SORT  # S30: an unknown column is ignored, never used
    query = queries.CaseListQuery(
        status=values.get("status") or "",
        unit_id=values.get("enhet"),
        responsible=values.get("ansvarig") or "",
        is_overdue_only=bool(values.get("forsenade")),
        search=(values.get("sok") or "").strip() if is_search else "",
        sort=sort,
    )
    page_number = 1 if data.get("ny_sortering") else data.get("ny_sida") or data.get("sida") or 1
    today = timezone.localdate()
    try:
        result = queries.case_list_page(request.user, query, today=today, page=page_number)
    except queries.InvalidListQuery as exc:
        form.add_error("sok", exc.message)
        query = replace(query, search="")
        result = queries.case_list_page(request.user, query, today=today, page=1)
    record_accesses(
        by=access.signed_in_user(request),
        cases=result.cases,
        action=AccessAction.LISTED,
        route="cases:case-list",
    )
    filters = {
        "status": query.status,
        "ansvarig": query.responsible,
        "enhet": query.unit_id or "",
        "forsenade": "1" if query.is_overdue_only else "",
    }
    filters = {name: value for name, value in filters.items() if value}
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "rows": result.rows,
            "page": result.page,
            "is_search": bool(query.search),
            "search": query.search,
            "sort": query.sort,
            "sort_refused": sort_value not in (None, "") and query.sort != sort_value,
            "filters": filters,
            "columns": _columns(query.sort, filters),
            "page_links": _page_links(result.page, query.sort, filters),
            "has_filters": bool(filters),
        },
    )


def _list_url(filters: dict[str, Any], **extra: Any) -> str:
    return "?" + urlencode({**filters, **extra})


def _columns(sort: str, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's headers: for a sortable column, the key that sorts by it next (the other
    way round when it is the current one) and its address without a search."""
    current = sort.removeprefix("-")
    descending = sort.startswith("-")
    columns = []
    for key, label in LIST_COLUMNS:
        is_current = bool(key) and key == current
        next_sort = (key if descending else f"-{key}") if is_current else key
        columns.append(
            {
                "key": key,
                "label": label,
                "is_current": is_current,
                "aria_sort": ("descending" if descending else "ascending") if is_current else "",
                "next_sort": next_sort,
                "url": _list_url(filters, sortera=next_sort) if key else "",
            }
        )
    return columns


def _page_links(page: Any, sort: str, filters: dict[str, Any]) -> dict[str, Any]:
    links: dict[str, Any] = {"previous": None, "next": None}
    if page.has_previous():
        number = page.previous_page_number()
        links["previous"] = {"number": number, "url": _list_url(filters, sortera=sort, sida=number)}
    if page.has_next():
        number = page.next_page_number()
        links["next"] = {"number": number, "url": _list_url(filters, sortera=sort, sida=number)}
    return links


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_case_for(request.user, pk)
    grant = access.emergency_access_for(request.user, case)
    record_access(
        by=access.signed_in_user(request),
        case=case,
        route="cases:case-detail",
        emergency_access=grant,
    )
    # The siblings' cases the reader may see, linked from the page (one query, one insert).
    sibling_cases = list(queries.sibling_cases(request.user, case))
    record_accesses(
        by=access.signed_in_user(request),
        cases=sibling_cases,
        action=AccessAction.LISTED,
        route="cases:case-detail",
    )
    colleagues = []
    can_assign = grant is None and access.has_role(request.user, Role.TEAM_MANAGER)
    if can_assign:
        colleagues = [
            u
            for u in get_user_model()
            .objects.filter(memberships__district=case.district, is_active=True)
            .distinct()
            if access.can(u, "edit_case", case)
        ]
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "emergency": grant,
            "can_assign": can_assign,
            "colleagues": colleagues,
            "sibling_cases": sibling_cases,
        },
    )


@login_required
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_case_for(request.user, pk, for_edit=True)
    if not access.has_role(request.user, Role.TEAM_MANAGER):
        raise PermissionDenied
    form = AssignResponsibleForm(request.POST)
    if not form.is_valid():
        return redirect("cases:case-detail", pk=case.pk)
    responsible = (
        get_user_model().objects.filter(pk=form.cleaned_data["responsible"], is_active=True).first()
    )
    if responsible is None:
        raise Http404
    try:
        services.assign_responsible(
            case,
            by=access.signed_in_user(request),
            responsible=responsible,
            expected_version=form.cleaned_data["version"],
        )
    except StaleVersion:
        messages.error(
            request, _("Någon annan ändrade ärendet samtidigt. Kontrollera och försök igen.")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("cases:case-detail", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def emergency_request(request: HttpRequest) -> HttpResponse:
    """Ask for emergency access; the answer is the same for every number (S16).

    Whether the child has an open case, is protected (the grant then waits for a second
    person) or is unknown, the requester gets the same page: "the request is registered".
    Grants that are active are listed on this page (GET), each with its case.
    """
    if not access.can(request.user, "request_emergency_access"):
        raise PermissionDenied
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_emergency_access(
                by=access.signed_in_user(request),
                identity_number=form.cleaned_data["identity_number"],
                reason=form.cleaned_data["reason"],
            )
        except services.AlreadyInScope as exc:
            return redirect("cases:case-detail", pk=exc.case.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return render(request, "cases/emergency_pending.html")
    grants = list(services.current_emergency_accesses(request.user))
    for grant in grants:  # the child's name is on the page: a read through the grant
        record_access(
            by=access.signed_in_user(request),
            case=grant.case,
            action=AccessAction.LISTED,
            route="cases:emergency-request",
            emergency_access=grant,
        )
    return render(request, "cases/emergency_request.html", {"form": form, "grants": grants})


def _manager_grant(request: HttpRequest, pk: int) -> EmergencyAccess:
    if not access.has_role(request.user, Role.TEAM_MANAGER):
        raise PermissionDenied
    try:
        return services.reviewable_emergency_accesses(request.user).get(pk=int(pk))
    except EmergencyAccess.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def emergency_review_list(request: HttpRequest) -> HttpResponse:
    if not access.has_role(request.user, Role.TEAM_MANAGER):
        raise PermissionDenied
    # A page of grants, what waits for the manager first (docs/performance.md), each with
    # every read made through it (S16/S19): the journal ties each read to its grant.
    result = queries.emergency_review_page(request.user, request.GET.get("sida") or 1)
    return render(
        request,
        "cases/emergency_review_list.html",
        {"rows": result.rows, "page": result.page, "form": ReviewForm()},
    )


@login_required
@require_POST
def emergency_review(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _manager_grant(request, pk)
    form = ReviewForm(request.POST)

    if form.is_valid():
        try:
            services.review_emergency_access(
                grant, by=access.signed_in_user(request), note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Skriv en kommentar om granskningen."))
    return redirect("cases:emergency-review-list")


@login_required
@require_POST
def emergency_approve(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _manager_grant(request, pk)

    try:
        services.approve_emergency_access(grant, by=access.signed_in_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("cases:emergency-review-list")


@login_required
@require_POST
def emergency_reject(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _manager_grant(request, pk)

    try:
        services.reject_emergency_access(
            grant, by=access.signed_in_user(request), note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("cases:emergency-review-list")
