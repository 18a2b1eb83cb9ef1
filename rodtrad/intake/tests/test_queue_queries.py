"""The intake queue at city scale (issue 7, point 7): its cost does not grow with its rows.

It used to write one access event per row and look up each case's pre-assessment on its own
(123 queries for 25 rows); now the list's events are one INSERT and the look-ups are read
for all rows at once.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from rodtrad.intake.services import assess_protection
from rodtrad.intake.tests.factories import ReportFactory
from rodtrad.journal.models import AccessAction, AccessEvent
from rodtrad.people.tests.factories import PersonFactory

QUEUE = "/mottagning/"


def _reports(intake_worker: Any, district: Any, count: int) -> None:
    """`count` reports, every other one already protection-assessed (in pre-assessment)."""
    for index in range(count):
        report = ReportFactory.registered(
            intake_worker, district, [PersonFactory(district=district)]
        )
        if index % 2:
            assess_protection(
                report.children.get(),
                by=intake_worker,
                is_immediate_protection_needed=False,
                actions_taken="",
                rationale="Ingen akut oro enligt anmälaren.",
            )


def _queue_queries(client: Any) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE)
    assert response.status_code == 200
    inserts = [
        q
        for q in captured.captured_queries
        if q["sql"].startswith('INSERT INTO "journal_accessevent"')
    ]
    return len(captured.captured_queries), len(inserts)


def test_the_queue_costs_the_same_queries_for_2_and_for_10_reports(
    intake_worker, own_district, signed_in
) -> None:
    client = signed_in(intake_worker)
    _reports(intake_worker, own_district, 2)
    client.get(QUEUE)  # warm the session and the code-list caches
    few, few_inserts = _queue_queries(client)
    _reports(intake_worker, own_district, 8)
    many, many_inserts = _queue_queries(client)
    assert many == few
    assert few_inserts == many_inserts == 1


def test_the_queue_writes_one_listed_event_per_case_shown(
    intake_worker, own_district, signed_in
) -> None:
    _reports(intake_worker, own_district, 3)
    signed_in(intake_worker).get(QUEUE)
    listed = AccessEvent.objects.filter(route="intake:queue", action=AccessAction.LISTED)
    assert listed.count() == 3
    assert len(set(listed.values_list("case_id", flat=True))) == 3
