"""Case endpoints: the same access functions as the HTML views (S12).

Roles without access to cases (provider, analyst, internal reviewer, administrator) get 403 on
every case endpoint, as on the HTML case list, whatever the id: a role question, so it tells
nothing about what exists (red-team finding S-6).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from rodtrad.accounts import access
from rodtrad.api.schemas import CaseChildOut, CaseOut, CasePageOut, CaseSearchIn, ErrorOut
from rodtrad.cases.models import CaseStatus
from rodtrad.cases.queries import (
    DEFAULT_SORT,
    NOBODY,
    PAGE_SIZE,
    CaseListQuery,
    InvalidListQuery,
    offset_slice,
    parse_sort,
)
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access, record_accesses

router = Router(tags=["cases"])


def _require_case_role(request: HttpRequest) -> None:
    """403 for a role that never reads cases (provider, analyst, reviewer, administrator)."""
    if not access.has_role(request.user, *access.CASE_ROLES):
        raise PermissionDenied


def case_out(case: Any, *, is_emergency: bool) -> CaseOut:
    return CaseOut(
        id=case.pk,
        status=case.status,
        district=case.district.code,
        unit=case.unit.code if case.unit else None,
        child=CaseChildOut(
            id=case.child.pk,
            given_name=case.child.given_name,
            family_name=case.child.family_name,
            is_protected=case.child.is_protected,
        ),
        recorded_at=case.recorded_at,
        is_emergency_access=is_emergency,
    )


def _page(
    request: HttpRequest,
    *,
    query: str,
    status: str,
    unit: int | None,
    responsible: str,
    overdue: bool,
    sort: str,
    limit: int,
    offset: int,
    route: str,
) -> tuple[int, CasePageOut | ErrorOut]:
    """The same list as the HTML page (cases.queries), with the same allow-lists; anything
    outside them is a 400 with the field named, never passed on (S30)."""
    _require_case_role(request)
    try:
        if status and status not in CaseStatus.values:
            raise InvalidListQuery("status", "Okänd status.")
        if responsible and responsible != NOBODY and not responsible.isdigit():
            raise InvalidListQuery("responsible", "Ange ett användar-id eller 'ingen'.")
        list_query = CaseListQuery(
            status=status,
            unit_id=unit,
            responsible=responsible,
            is_overdue_only=overdue,
            search=query.strip(),
            sort=parse_sort(sort),
        )
        count, cases = offset_slice(
            request.user, list_query, today=timezone.localdate(), limit=limit, offset=offset
        )
    except InvalidListQuery as exc:
        return 400, ErrorOut(error=f"invalid_{exc.field_name}", message=exc.message)
    editable = set(
        access.editable_cases(request.user)
        .filter(pk__in=[c.pk for c in cases])
        .values_list("pk", flat=True)
    )
    record_accesses(
        by=access.signed_in_user(request), cases=cases, action=AccessAction.LISTED, route=route
    )
    items = [case_out(c, is_emergency=c.pk not in editable) for c in cases]
    return 200, CasePageOut(count=count, limit=limit, offset=offset, items=items)


@router.get(
    "/cases", response={200: CasePageOut, 400: ErrorOut, 403: ErrorOut}, url_name="case-list"
)
def list_cases(
    request: HttpRequest,
    status: str = "",
    unit: int | None = None,
    responsible: str = "",
    overdue: bool = False,
    sort: str = DEFAULT_SORT,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> tuple[int, CasePageOut | ErrorOut]:
    """Cases the signed-in user may read, one page at a time: `limit` at most 50 (default 50)
    from `offset`, and `count` for all that match.

    Filters: `status` (a case status), `unit` (unit id), `responsible` (user id, or `ingen` for
    none yet), `overdue` (a deadline has passed). `sort`: one of `recorded_at`, `case`,
    `child`, `status`, `unit`, `responsible`, with `-` for the other direction (default
    `-recorded_at`, newest first); anything else is 400. Search by name or case number is
    `POST /cases/search`: a name never goes in the address.
    """
    return _page(
        request,
        query="",
        status=status,
        unit=unit,
        responsible=responsible,
        overdue=overdue,
        sort=sort,
        limit=limit,
        offset=offset,
        route="api:case-list",
    )


@router.post(
    "/cases/search",
    response={200: CasePageOut, 400: ErrorOut, 403: ErrorOut},
    url_name="case-search",
)
def search_cases(request: HttpRequest, body: CaseSearchIn) -> tuple[int, CasePageOut | ErrorOut]:
    """The case list searched by the child's name, a case number or an exact identity number
    (in the body), with the filters, sorting and pages of `GET /cases`. A name search leaves
    out children with protected personal data unless the user is their named handler."""
    return _page(
        request,
        query=body.query,
        status=body.status,
        unit=body.unit,
        responsible=body.responsible,
        overdue=body.overdue,
        sort=body.sort,
        limit=body.limit,
        offset=body.offset,
        route="api:case-search",
    )


@router.get(
    "/cases/{int:pk}", response={200: CaseOut, 403: ErrorOut, 404: ErrorOut}, url_name="case-detail"
)
def get_case(request: HttpRequest, pk: int) -> CaseOut:
    """One case; 404 when it does not exist or is outside the user's scope, 403 for a role
    that never reads cases (the attempt is journaled as a denied access event all the same)."""
    if not access.has_role(request.user, *access.CASE_ROLES):
        access.not_found(request.user, case_id=pk)  # the denied event; the answer is 403
        raise PermissionDenied
    case = access.get_case_for(request.user, pk)
    grant = access.emergency_access_for(request.user, case)
    record_access(
        by=access.signed_in_user(request),
        case=case,
        route="api:case-detail",
        emergency_access=grant,
    )
    return case_out(case, is_emergency=grant is not None)
