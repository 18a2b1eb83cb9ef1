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
from rodtrad.deadlines.queries import PROTECTION_ASSESSMENT, my_deadlines
from rodtrad.deadlines.tests.helpers import (
    TODAY,
    at,
    case_in,
    investigation_of,
    report_about,
)

pytestmark = pytest.mark.django_db


def test_a_protection_assessment_never_made_stays_listed_until_the_case_is_closed(
    investigator: Any, own_district: Any
) -> None:
    case = case_in(own_district, responsible=investigator)
    report_about(case, by=investigator, received_at=at(2026, 3, 2))

    late = [i for i in my_deadlines(investigator, today=TODAY) if i.kind == PROTECTION_ASSESSMENT]
    assert [i.days_overdue for i in late] == [100]  # three months late, still on the list

    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)  # closed with a reason

    assert my_deadlines(investigator, today=TODAY) == []


def test_closed_history_never_reaches_the_lists(
    investigator: Any, manager: Any, own_district: Any
) -> None:
    for n in range(3):
        closed = case_in(own_district, responsible=investigator, status=CaseStatus.CLOSED)
        report_about(closed, by=investigator, received_at=at(2025, 1, 1 + n))
        investigation_of(
            closed, by=investigator, opened_on=date(2025, 1, 1), closed_on=date(2025, 4, 1)
        )

    assert my_deadlines(investigator, today=TODAY) == []


def _my_case(district: Any, user: Any, n: int) -> None:
    waiting = case_in(district, responsible=user)
    report_about(waiting, by=user, received_at=at(2026, 6, 1 + n % 9))
    investigation_of(
        case_in(district, responsible=user, status=CaseStatus.INVESTIGATION),
        by=user,
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
