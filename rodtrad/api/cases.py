"""Case endpoints: the same access functions as the HTML views (S12)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from rodtrad.accounts import access
from rodtrad.api.schemas import CaseChildOut, CaseOut, ErrorOut
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access, record_accesses

router = Router(tags=["cases"])


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


@router.get("/cases", response=list[CaseOut], url_name="case-list")
def list_cases(request: HttpRequest) -> list[CaseOut]:
    """Cases the signed-in user may read (at most 200, newest first)."""
    cases = list(access.visible_cases(request.user).order_by("-recorded_at")[:200])
    editable = set(access.editable_cases(request.user).values_list("pk", flat=True))
    record_accesses(by=request.user, cases=cases, action=AccessAction.LISTED, route="api:case-list")
    return [case_out(c, is_emergency=c.pk not in editable) for c in cases]


@router.get("/cases/{int:pk}", response={200: CaseOut, 404: ErrorOut}, url_name="case-detail")
def get_case(request: HttpRequest, pk: int) -> CaseOut:
    """One case; 404 when it does not exist or is outside the user's scope."""
    case = access.get_case_for(request.user, pk)
    grant = access.emergency_access_for(request.user, case)
    record_access(by=request.user, case=case, route="api:case-detail", emergency_access=grant)
    return case_out(case, is_emergency=grant is not None)
