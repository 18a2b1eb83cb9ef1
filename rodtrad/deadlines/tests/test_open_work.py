"""The worklists read only open work (issue 7): what stays listed, what never is, and a query
count that does not grow with the rows shown. The clock stands at 10 June 2026 (conftest.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rodtrad.cases.models import Case, CaseStatus
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.deadlines.tests.clock import TODAY, at
from rodtrad.intake.tests.factories import ReportChildFactory
from rodtrad.investigation.tests.factories import InvestigationFactory
from rodtrad.worklists.queries import PROTECTION_ASSESSMENT, my_deadlines

pytestmark = pytest.mark.django_db


def test_a_protection_assessment_never_made_stays_listed_until_the_case_is_closed(
    investigator: Any, own_district: Any
) -> None:
    case = CaseFactory(child__district=own_district, responsible=investigator)
    ReportChildFactory(
        case=case, report__registered_by=investigator, report__received_at=at(2026, 3, 2)
    )

    late = [i for i in my_deadlines(investigator, today=TODAY) if i.kind == PROTECTION_ASSESSMENT]
    assert [i.days_overdue for i in late] == [100]  # three months late, still on the list

    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)  # closed with a reason

    assert my_deadlines(investigator, today=TODAY) == []


def test_closed_history_never_reaches_the_lists(
    investigator: Any, manager: Any, own_district: Any
) -> None:
    for n in range(3):
        closed = CaseFactory(
            child__district=own_district, responsible=investigator, status=CaseStatus.CLOSED
        )
        ReportChildFactory(
            case=closed, report__registered_by=investigator, report__received_at=at(2025, 1, 1 + n)
        )
        InvestigationFactory(
            case=closed,
            opened_by=investigator,
            opened_on=date(2025, 1, 1),
            closed_on=date(2025, 4, 1),
        )

    assert my_deadlines(investigator, today=TODAY) == []


def _my_case(district: Any, user: Any, n: int) -> None:
    waiting = CaseFactory(child__district=district, responsible=user)
    ReportChildFactory(
        case=waiting, report__registered_by=user, report__received_at=at(2026, 6, 1 + n % 9)
    )
    InvestigationFactory(
        case=CaseFactory(
            child__district=district, responsible=user, status=CaseStatus.INVESTIGATION
        ),
        opened_by=user,
        opened_on=date(2026, 3, 1 + n % 20),
    )


@pytest.mark.parametrize("url", ["deadlines:mine", "home"])
def test_the_query_count_of_my_list_does_not_grow_with_the_rows_shown(
    signed_in: Any, investigator: Any, own_district: Any, url: str
) -> None:
    client = signed_in(investigator)
    for n in range(2):
        _my_case(own_district, investigator, n)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(url)).status_code == 200
    for n in range(2, 10):
        _my_case(own_district, investigator, n)

    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(url)).status_code == 200

    assert len(my_deadlines(investigator, today=TODAY)) == 10 * 3
    assert len(many.captured_queries) == len(few.captured_queries)
