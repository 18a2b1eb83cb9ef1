"""Every write in an investigation."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from rodtrad.cases.models import Case
from rodtrad.investigation.models import Investigation
from rodtrad.journal.services import record


def open_investigation(case: Case, *, by: Any, opened_on: date) -> Investigation:
    """Open the investigation of a case (called by the pre-assessment decision to open).

    The caller (intake.services.decide_pre_assessment) checks access and moves the case's
    status; this creates the investigation and journals it, in the caller's transaction.
    """
    with transaction.atomic():
        investigation = Investigation.objects.create(case=case, opened_on=opened_on, opened_by=by)
        record(
            "investigation.investigation_opened",
            by=by,
            obj=investigation,
            case_id=case.pk,
            person_id=case.child_id,
            district=case.district.code,
            data={"opened_on": opened_on.isoformat()},
        )
        return investigation
