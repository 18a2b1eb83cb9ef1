"""Open deadlines found in the database: each kind, the order, the scope, the query count.

The clock stands at Wednesday 10 June 2026 (conftest.py). 2026 dates used here: Friday 5 June
is followed by nationaldagen (Saturday 6 June); Friday 19 June is midsommarafton.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from rodtrad.accounts import access
from rodtrad.accounts.models import Role
from rodtrad.accounts.tests.factories import EmergencyAccessFactory, UserFactory
from rodtrad.cases.models import CaseStatus
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.commissions.tests.factories import CommissionFactory
from rodtrad.deadlines.rules import Urgency
from rodtrad.deadlines.tests.clock import TODAY, at
from rodtrad.decisions.tests.factories import DecisionFactory, InterventionFactory
from rodtrad.intake.models import Decision
from rodtrad.intake.tests.factories import (
    PreAssessmentFactory,
    ProtectionAssessmentFactory,
    ReportChildFactory,
    ReporterInformationRequestFactory,
    ReportFactory,
)
from rodtrad.investigation.tests.factories import (
    ExtensionDecisionFactory,
    ExtensionRequestFactory,
    InvestigationFactory,
    RiskAssessmentFactory,
)
from rodtrad.placements.tests.factories import PlacementFactory
from rodtrad.worklists import queries
from rodtrad.worklists.queries import (
    INVESTIGATION,
    PRE_ASSESSMENT,
    PROTECTION_ASSESSMENT,
    REPORTER_INFORMATION,
    RISK_REASSESSMENT,
    DeadlineItem,
    my_deadlines,
    open_deadlines,
    team_deadlines,
)

pytestmark = pytest.mark.django_db


def _items(user: Any, *, kind: str | None = None) -> list[DeadlineItem]:
    items = open_deadlines(access.visible_cases(user), today=TODAY)
    return [i for i in items if kind is None or i.kind == kind]


def _only(user: Any, kind: str) -> DeadlineItem:
    items = _items(user, kind=kind)
    assert len(items) == 1, items
    return items[0]


def _colleague(role: str, district: Any, unit: Any = None) -> Any:
    user = UserFactory(role=role, role__district=district, role__unit=unit)
    return user


# --- Protection assessment (SoL 20:1) --------------------------------------------------------


def test_a_report_without_protection_assessment_is_due_the_day_it_came_in(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    case = CaseFactory(child__district=own_district)
    ReportChildFactory(
        case=case, report__registered_by=intake_worker, report__received_at=at(2026, 6, 10, 8)
    )

    item = _only(manager, PROTECTION_ASSESSMENT)

    assert (item.due_strict, item.due) == (TODAY, TODAY)
    assert item.days_left == 0
    assert item.urgency == Urgency.TODAY
    assert item.label == "Skyddsbedömning"
    assert item.citation == "SoL 20 kap. 1 §"
    assert item.case_id == case.pk
    assert item.child_name == f"{case.child.given_name} {case.child.family_name}"


def test_the_receipt_day_is_the_stockholm_calendar_date(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    case = CaseFactory(child__district=own_district)
    # 22:30 UTC on 8 June is 00:30 on 9 June in Stockholm (summer time).
    ReportChildFactory(
        case=case,
        report__registered_by=intake_worker,
        report__received_at=datetime(2026, 6, 8, 22, 30, tzinfo=UTC),
    )

    item = _only(manager, PROTECTION_ASSESSMENT)

    assert item.due_strict == date(2026, 6, 9)
    assert item.days_left == -1
    assert item.days_overdue == 1
    assert item.urgency == Urgency.OVERDUE


def test_a_protection_assessment_made_ends_that_deadline(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    case = CaseFactory(child__district=own_district)
    report_child = ReportChildFactory(
        case=case, report__registered_by=intake_worker, report__received_at=at(2026, 6, 10, 8)
    )
    ProtectionAssessmentFactory(report_child=report_child, performed_by=intake_worker)

    assert _items(manager, kind=PROTECTION_ASSESSMENT) == []


def test_a_receipt_on_a_friday_before_a_holiday(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    """Friday 5 June 2026, the day before nationaldagen.

    "Genast" is not moved: the protection assessment was due that Friday. The 14 days end on
    Friday 19 June, midsommarafton, so the decision may be made on Monday 22 June; alerts
    still count from the 19th.
    """
    case = CaseFactory(child__district=own_district)
    ReportChildFactory(
        case=case, report__registered_by=intake_worker, report__received_at=at(2026, 6, 5, 15)
    )

    protection = _only(manager, PROTECTION_ASSESSMENT)
    pre = _only(manager, PRE_ASSESSMENT)

    assert (protection.due_strict, protection.due) == (date(2026, 6, 5), date(2026, 6, 5))
    assert protection.days_overdue == 5
    assert not protection.is_rolled
    assert pre.counted_from == date(2026, 6, 5)
    assert pre.due_strict == date(2026, 6, 19)
    assert pre.due == date(2026, 6, 22)
    assert pre.is_rolled
    assert pre.days_left == 9
    assert pre.urgency == Urgency.LATER
    assert pre.citation == "SoL 20 kap. 2 §"


def test_the_stated_receipt_date_is_used_when_given(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    case = CaseFactory(child__district=own_district)
    ReportChildFactory(
        case=case,
        report__registered_by=intake_worker,
        report__received_at=at(2026, 6, 10, 9),
        report__stated_received_at=at(2026, 6, 8, 16),
    )

    protection = _only(manager, PROTECTION_ASSESSMENT)
    pre = _only(manager, PRE_ASSESSMENT)

    assert protection.due_strict == date(2026, 6, 8)
    assert protection.urgency == Urgency.OVERDUE
    assert pre.counted_from == date(2026, 6, 8)
    assert pre.due_strict == date(2026, 6, 22)


# --- Pre-assessment (SoL 20:2) ----------------------------------------------------------------


def test_the_pre_assessment_counts_from_the_earliest_receipt_not_added_to_an_open_investigation(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    case = CaseFactory(child__district=own_district, status=CaseStatus.PRE_ASSESSMENT)
    for received, attached in (
        ((2026, 5, 20), True),
        ((2026, 5, 27), False),
        ((2026, 6, 3), False),
    ):
        rc = ReportChildFactory(
            case=case,
            report__registered_by=intake_worker,
            report__received_at=at(*received),
            is_attached_to_open_investigation=attached,
        )
        ProtectionAssessmentFactory(report_child=rc, performed_by=intake_worker)

    item = _only(manager, PRE_ASSESSMENT)

    assert item.counted_from == date(2026, 5, 27)
    assert item.due_strict == TODAY
    assert item.urgency == Urgency.TODAY


def test_a_started_pre_assessment_keeps_its_own_receipt_date(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    case = CaseFactory(child__district=own_district, status=CaseStatus.PRE_ASSESSMENT)
    rc = ReportChildFactory(
        case=case, report__registered_by=intake_worker, report__received_at=at(2026, 6, 1)
    )
    ProtectionAssessmentFactory(report_child=rc, performed_by=intake_worker)
    PreAssessmentFactory(case=case, author=intake_worker, received_on=date(2026, 6, 1))

    item = _only(manager, PRE_ASSESSMENT)

    assert item.due_strict == date(2026, 6, 15)


def test_a_signed_pre_assessment_decision_ends_the_clock(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    case = CaseFactory(child__district=own_district, status=CaseStatus.PRE_ASSESSMENT)
    rc = ReportChildFactory(
        case=case, report__registered_by=intake_worker, report__received_at=at(2026, 6, 1)
    )
    ProtectionAssessmentFactory(report_child=rc, performed_by=intake_worker)
    PreAssessmentFactory(
        case=case, author=intake_worker, received_on=date(2026, 6, 1), event_on=TODAY, signed=True
    )

    assert _items(manager) == []


def test_a_case_past_the_pre_assessment_has_no_pre_assessment_deadline(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    case = CaseFactory(child__district=own_district, status=CaseStatus.INVESTIGATION)
    rc = ReportChildFactory(
        case=case, report__registered_by=intake_worker, report__received_at=at(2026, 5, 1)
    )
    ProtectionAssessmentFactory(report_child=rc, performed_by=intake_worker)

    assert _items(manager) == []


# --- Information to the reporter (SoL 19:6) ---------------------------------------------------


def _decided_case(
    district: Any, by: Any, *, decided_on: date, decision: str = Decision.OPEN
) -> Any:
    case = CaseFactory(child__district=district, status=CaseStatus.INVESTIGATION)
    rc = ReportChildFactory(
        case=case, report__registered_by=by, report__received_at=at(2026, 5, 25)
    )
    ProtectionAssessmentFactory(report_child=rc, performed_by=by)
    PreAssessmentFactory(
        case=case,
        author=by,
        received_on=date(2026, 5, 25),
        event_on=decided_on,
        signed=True,
        decision=decision,
    )
    return rc


def test_reporter_information_is_due_a_week_after_the_decision(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    rc = _decided_case(own_district, intake_worker, decided_on=date(2026, 6, 3))
    ReporterInformationRequestFactory(
        report=rc.report, recorded_by=intake_worker, requested_on=date(2026, 6, 2)
    )

    item = _only(manager, REPORTER_INFORMATION)

    assert item.counted_from == date(2026, 6, 3)
    assert item.due_strict == TODAY
    assert item.citation == "SoL 19 kap. 6 §"
    assert item.case_id == rc.case_id


def test_a_request_after_the_decision_is_due_at_once(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    rc = _decided_case(own_district, intake_worker, decided_on=date(2026, 6, 1))
    ReporterInformationRequestFactory(
        report=rc.report, recorded_by=intake_worker, requested_on=date(2026, 6, 6)
    )

    item = _only(manager, REPORTER_INFORMATION)

    # "Genast": the day of the request, even a Saturday (nationaldagen), never moved.
    assert (item.due_strict, item.due) == (date(2026, 6, 6), date(2026, 6, 6))
    assert item.days_overdue == 4


def test_a_request_when_an_investigation_was_already_ongoing_is_due_at_once(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    rc = _decided_case(
        own_district, intake_worker, decided_on=date(2026, 6, 3), decision=Decision.ALREADY_OPEN
    )
    ReporterInformationRequestFactory(
        report=rc.report, recorded_by=intake_worker, requested_on=date(2026, 6, 2)
    )

    assert _only(manager, REPORTER_INFORMATION).due_strict == date(2026, 6, 2)


def test_answered_requests_and_requests_before_any_decision_have_no_deadline(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    answered = _decided_case(own_district, intake_worker, decided_on=date(2026, 6, 3))
    ReporterInformationRequestFactory(
        report=answered.report,
        recorded_by=intake_worker,
        requested_on=date(2026, 6, 4),
        answered_on=date(2026, 6, 4),
    )
    waiting = CaseFactory(child__district=own_district, status=CaseStatus.PRE_ASSESSMENT)
    rc = ReportChildFactory(
        case=waiting, report__registered_by=intake_worker, report__received_at=at(2026, 6, 8)
    )
    ProtectionAssessmentFactory(report_child=rc, performed_by=intake_worker)
    ReporterInformationRequestFactory(
        report=rc.report, recorded_by=intake_worker, requested_on=date(2026, 6, 9)
    )

    assert _items(manager, kind=REPORTER_INFORMATION) == []


# --- Investigation (SoL 20:3) -----------------------------------------------------------------


def test_an_open_investigation_is_due_four_months_after_it_opened(
    manager: Any, investigator: Any, own_district: Any
) -> None:
    case = CaseFactory(child__district=own_district, status=CaseStatus.INVESTIGATION)
    InvestigationFactory(case=case, opened_by=investigator, opened_on=date(2026, 2, 10))
    InvestigationFactory(
        case=CaseFactory(child__district=own_district, status=CaseStatus.CLOSED),
        opened_by=investigator,
        opened_on=date(2026, 1, 5),
        closed_on=date(2026, 4, 30),
    )

    item = _only(manager, INVESTIGATION)

    assert item.case_id == case.pk
    assert item.counted_from == date(2026, 2, 10)
    assert (item.due_strict, item.due) == (TODAY, TODAY)
    assert item.citation == "SoL 20 kap. 3 §"
    assert not item.has_extension
    assert not item.is_overdue_without_extension


def test_an_investigation_extended_by_decisions_runs_to_the_newest_end_date(
    manager: Any, investigator: Any, own_district: Any
) -> None:
    case = CaseFactory(child__district=own_district, status=CaseStatus.INVESTIGATION)
    # 31 January + 4 months = 31 May, a Sunday: the last day is Monday 1 June.
    investigation = InvestigationFactory(
        case=case, opened_by=investigator, opened_on=date(2026, 1, 31)
    )
    # Recorded out of order: the decision order, not the row order, counts.
    ExtensionDecisionFactory(
        investigation=investigation,
        decided_by=manager,
        decided_on=date(2026, 6, 4),
        extended_to=date(2026, 8, 15),
        previous_due=date(2026, 6, 5),
    )
    ExtensionDecisionFactory(
        investigation=investigation,
        decided_by=manager,
        decided_on=date(2026, 5, 25),
        extended_to=date(2026, 6, 5),
        previous_due=date(2026, 6, 1),
    )

    item = _only(manager, INVESTIGATION)

    # A Saturday: the day the manager set stands, not moved to Monday 17 August.
    assert item.due_strict == date(2026, 8, 15)
    assert item.due == date(2026, 8, 15)
    assert item.has_extension
    assert not item.is_overdue_without_extension
    assert item.urgency == Urgency.LATER


def test_an_overdue_investigation_without_an_extension_is_flagged(
    manager: Any, investigator: Any, own_district: Any
) -> None:
    never_extended = InvestigationFactory(
        case=CaseFactory(child__district=own_district, status=CaseStatus.INVESTIGATION),
        opened_by=investigator,
        opened_on=date(2026, 1, 15),
    )
    extended = InvestigationFactory(
        case=CaseFactory(child__district=own_district, status=CaseStatus.INVESTIGATION),
        opened_by=investigator,
        opened_on=date(2026, 1, 15),
    )
    ExtensionDecisionFactory(
        investigation=extended,
        decided_by=manager,
        decided_on=date(2026, 5, 10),
        extended_to=date(2026, 6, 30),
        previous_due=date(2026, 5, 15),
    )
    extension_ran_out = InvestigationFactory(
        case=CaseFactory(child__district=own_district, status=CaseStatus.INVESTIGATION),
        opened_by=investigator,
        opened_on=date(2026, 1, 15),
    )
    ExtensionDecisionFactory(
        investigation=extension_ran_out,
        decided_by=manager,
        decided_on=date(2026, 5, 10),
        extended_to=date(2026, 5, 29),
        previous_due=date(2026, 5, 15),
    )

    items = {i.object_id: i for i in _items(manager, kind=INVESTIGATION)}

    late = items[never_extended.pk]
    assert late.due_strict == date(2026, 5, 15)
    assert late.days_overdue == 26
    assert late.is_overdue_without_extension
    assert not late.has_extension
    assert not items[extended.pk].is_overdue_without_extension
    assert items[extended.pk].has_extension
    assert items[extension_ran_out.pk].is_overdue_without_extension
    assert items[extension_ran_out.pk].has_extension
    overdue = team_deadlines(manager, today=TODAY).overdue_investigations
    assert {i.object_id for i in overdue} == {never_extended.pk, extension_ran_out.pk}


def test_alerts_count_from_the_calendar_day_but_the_finding_from_the_next_weekday(
    manager: Any, investigator: Any, own_district: Any
) -> None:
    # 13 February + 4 months = Saturday 13 June; the law allows Monday 15 June.
    InvestigationFactory(
        case=CaseFactory(child__district=own_district, status=CaseStatus.INVESTIGATION),
        opened_by=investigator,
        opened_on=date(2026, 2, 13),
    )
    sunday = date(2026, 6, 14)

    (item,) = open_deadlines(access.visible_cases(manager), today=sunday)

    assert item.urgency == Urgency.OVERDUE
    assert not item.is_overdue_without_extension
    (item,) = open_deadlines(access.visible_cases(manager), today=date(2026, 6, 16))
    assert item.is_overdue_without_extension


# --- Order -----------------------------------------------------------------------------------


def test_the_most_urgent_comes_first(manager: Any, intake_worker: Any, own_district: Any) -> None:
    later = InvestigationFactory(
        case=CaseFactory(child__district=own_district, status=CaseStatus.INVESTIGATION),
        opened_by=manager,
        opened_on=date(2026, 3, 1),
    )
    long_overdue = InvestigationFactory(
        case=CaseFactory(child__district=own_district, status=CaseStatus.INVESTIGATION),
        opened_by=manager,
        opened_on=date(2026, 1, 15),
    )
    friday = CaseFactory(child__district=own_district)
    ReportChildFactory(
        case=friday, report__registered_by=intake_worker, report__received_at=at(2026, 6, 5, 15)
    )
    today = CaseFactory(child__district=own_district)
    ReportChildFactory(
        case=today, report__registered_by=intake_worker, report__received_at=at(2026, 6, 10, 8)
    )

    order = [(i.kind, i.case_id) for i in _items(manager)]

    assert order == [
        (INVESTIGATION, long_overdue.case_id),  # overdue since 15 May
        (PROTECTION_ASSESSMENT, friday.pk),  # overdue since 5 June
        (PROTECTION_ASSESSMENT, today.pk),  # due today
        (PRE_ASSESSMENT, friday.pk),  # 19 June
        (PRE_ASSESSMENT, today.pk),  # 24 June
        (INVESTIGATION, later.case_id),  # 1 July
    ]


def test_every_item_links_to_a_page_that_exists(
    manager: Any, intake_worker: Any, own_district: Any
) -> None:
    case = CaseFactory(child__district=own_district)
    ReportChildFactory(
        case=case, report__registered_by=intake_worker, report__received_at=at(2026, 6, 9)
    )
    rc = _decided_case(own_district, intake_worker, decided_on=date(2026, 6, 3))
    ReporterInformationRequestFactory(
        report=rc.report, recorded_by=intake_worker, requested_on=date(2026, 6, 2)
    )
    investigation = InvestigationFactory(
        case=rc.case, opened_by=manager, opened_on=date(2026, 6, 3)
    )
    RiskAssessmentFactory(
        investigation=investigation,
        author=manager,
        event_on=date(2026, 6, 4),
        reassessment_on=date(2026, 7, 4),
        signed=True,
        assessed=True,
    )
    # A familjehem placement without plans: its review, custody transfer, care-plan revision
    # and the reminder of the missing plans.
    PlacementFactory(
        decision__case__child__district=own_district,
        decision__case__status=CaseStatus.INTERVENTION,
        planned_start=date(2026, 1, 2),
    )

    # A granted intervention not started, with a review date; a case followed up (SoL 23:1).
    InterventionFactory(
        decision__case__child__district=own_district,
        decision__review_on=date(2026, 9, 1),
    )
    followed = CaseFactory(child__district=own_district, status=CaseStatus.FOLLOW_UP)
    InvestigationFactory(
        case=followed, opened_by=manager, opened_on=date(2026, 1, 5), closed_on=date(2026, 5, 4)
    )
    DecisionFactory(
        case=followed, kind="follow_up", legal_ground="sol-23-1", decided_on=date(2026, 5, 5)
    )
    # A commission sent to the provider with its first follow-up date.
    CommissionFactory(
        intervention__decision__case__child__district=own_district,
        sent=True,
        first_follow_up_on=date(2026, 6, 24),
    )

    items = _items(manager)

    assert {i.kind for i in items} == set(queries.KINDS)
    for item in items:
        match = resolve(item.url)
        assert match.view_name in {queries.ACTION_ROUTES[item.kind][0], "cases:case-detail"}


# --- Scope ------------------------------------------------------------------------------------


def test_another_districts_cases_never_appear(
    investigator: Any,
    manager: Any,
    other_district_investigator: Any,
    other_district: Any,
    own_units: Any,
    intake_worker: Any,
) -> None:
    # Even a case in Farsta that names our investigator as responsible stays out of scope.
    farsta = CaseFactory(
        child__district=other_district, responsible=investigator, status=CaseStatus.INVESTIGATION
    )
    InvestigationFactory(
        case=farsta, opened_by=other_district_investigator, opened_on=date(2026, 1, 15)
    )
    farsta_own = CaseFactory(
        child__district=other_district,
        responsible=other_district_investigator,
        status=CaseStatus.INVESTIGATION,
    )
    InvestigationFactory(
        case=farsta_own, opened_by=other_district_investigator, opened_on=date(2026, 1, 15)
    )
    bromma = CaseFactory(
        child__district=own_units["investigation"].district,
        unit=own_units["investigation"],
        responsible=investigator,
        status=CaseStatus.INVESTIGATION,
    )
    InvestigationFactory(case=bromma, opened_by=investigator, opened_on=date(2026, 2, 1))

    mine = {i.case_id for i in my_deadlines(investigator, today=TODAY)}
    team = {i.case_id for i in team_deadlines(manager, today=TODAY).items}
    theirs = {i.case_id for i in my_deadlines(other_district_investigator, today=TODAY)}

    assert mine == {bromma.pk}
    assert team == {bromma.pk}
    assert theirs == {farsta_own.pk}


def test_my_deadlines_hold_only_my_cases(
    investigator: Any, intake_worker: Any, own_units: Any, own_district: Any
) -> None:
    investigation_unit, intake_unit = own_units["investigation"], own_units["intake"]
    colleague = _colleague(Role.INVESTIGATOR, own_district, investigation_unit)
    intake_colleague = _colleague(Role.INTAKE_WORKER, own_district, intake_unit)

    def waiting(unit: Any, responsible: Any) -> Any:
        case = CaseFactory(child__district=own_district, unit=unit, responsible=responsible)
        ReportChildFactory(
            case=case, report__registered_by=intake_worker, report__received_at=at(2026, 6, 9)
        )
        return case

    mine = waiting(investigation_unit, investigator)
    colleagues = waiting(investigation_unit, colleague)
    unassigned_investigation = waiting(investigation_unit, None)
    unassigned_intake = waiting(intake_unit, None)
    intake_mine = waiting(intake_unit, intake_worker)
    intake_colleagues = waiting(intake_unit, intake_colleague)

    investigator_cases = {i.case_id for i in my_deadlines(investigator, today=TODAY)}
    intake_cases = {i.case_id for i in my_deadlines(intake_worker, today=TODAY)}

    assert investigator_cases == {mine.pk}
    assert intake_cases == {unassigned_intake.pk, intake_mine.pk}
    assert colleagues.pk not in investigator_cases | intake_cases
    assert unassigned_investigation.pk not in investigator_cases | intake_cases
    assert intake_colleagues.pk not in intake_cases


def test_team_deadlines_cover_the_managers_district_with_a_summary_per_responsible(
    manager: Any,
    investigator: Any,
    intake_worker: Any,
    other_district_manager: Any,
    own_district: Any,
    other_district: Any,
) -> None:
    late = CaseFactory(
        child__district=own_district, responsible=investigator, status=CaseStatus.INVESTIGATION
    )
    InvestigationFactory(case=late, opened_by=investigator, opened_on=date(2026, 1, 15))  # overdue
    soon = CaseFactory(
        child__district=own_district, responsible=investigator, status=CaseStatus.INVESTIGATION
    )
    InvestigationFactory(
        case=soon, opened_by=investigator, opened_on=date(2026, 2, 12)
    )  # 12 June: soon
    unassigned = CaseFactory(child__district=own_district)
    ReportChildFactory(
        case=unassigned, report__registered_by=intake_worker, report__received_at=at(2026, 6, 10, 8)
    )  # today + 24 June
    farsta = CaseFactory(child__district=other_district, status=CaseStatus.INVESTIGATION)
    InvestigationFactory(case=farsta, opened_by=other_district_manager, opened_on=date(2026, 1, 15))

    team = team_deadlines(manager, today=TODAY)

    assert {i.case_id for i in team.items} == {late.pk, soon.pk, unassigned.pk}
    rows = {row.responsible: (row.open, row.due_soon, row.overdue) for row in team.summary}
    assert rows == {investigator: (2, 1, 1), None: (2, 1, 0)}
    assert team.summary[-1].responsible is None  # "nobody" comes last
    assert (team.open, team.due_soon, team.overdue) == (4, 2, 1)
    assert [i.case_id for i in team.overdue_investigations] == [late.pk]
    farsta_team = team_deadlines(other_district_manager, today=TODAY)
    assert {i.case_id for i in farsta_team.items} == {farsta.pk}


def test_team_deadlines_are_empty_for_anyone_but_a_team_manager(
    investigator: Any, own_district: Any
) -> None:
    case = CaseFactory(
        child__district=own_district, responsible=investigator, status=CaseStatus.INVESTIGATION
    )
    InvestigationFactory(case=case, opened_by=investigator, opened_on=date(2026, 1, 15))

    team = team_deadlines(investigator, today=TODAY)

    assert team.items == [] and team.summary == [] and team.overdue_investigations == []


# --- Efficiency -------------------------------------------------------------------------------


def _busy_case(district: Any, by: Any, manager: Any, n: int) -> None:
    """A case with every kind of deadline running, plus one of each kind already done."""
    waiting = CaseFactory(child__district=district, responsible=by)
    ReportChildFactory(
        case=waiting, report__registered_by=by, report__received_at=at(2026, 6, 1 + n % 9)
    )
    started = CaseFactory(
        child__district=district, responsible=by, status=CaseStatus.PRE_ASSESSMENT
    )
    rc = ReportChildFactory(
        case=started, report__registered_by=by, report__received_at=at(2026, 6, 2)
    )
    ProtectionAssessmentFactory(report_child=rc, performed_by=by)
    PreAssessmentFactory(case=started, author=by, received_on=date(2026, 6, 2))
    rc = _decided_case(district, by, decided_on=date(2026, 6, 3))
    ReporterInformationRequestFactory(
        report=rc.report, recorded_by=by, requested_on=date(2026, 6, 2)
    )
    ReporterInformationRequestFactory(
        report=rc.report,
        recorded_by=by,
        requested_on=date(2026, 6, 1),
        answered_on=date(2026, 6, 4),
    )
    investigation = InvestigationFactory(case=rc.case, opened_by=by, opened_on=date(2026, 1, 20))
    ExtensionDecisionFactory(
        investigation=investigation,
        decided_by=manager,
        decided_on=date(2026, 5, 15),
        extended_to=date(2026, 7, 20),
        previous_due=date(2026, 5, 20),
    )
    RiskAssessmentFactory(
        investigation=investigation,
        author=by,
        event_on=date(2026, 3, 1),
        reassessment_on=date(2026, 6, 1),
        signed=True,
        assessed=True,
    )


def test_open_deadlines_uses_a_fixed_number_of_queries(
    manager: Any, intake_worker: Any, own_district: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(2):
        _busy_case(own_district, intake_worker, manager, n)
    cases = access.visible_cases(manager)
    with CaptureQueriesContext(connection) as few:
        small = open_deadlines(cases, today=TODAY)
    for n in range(2, 21):
        _busy_case(own_district, intake_worker, manager, n)
    cases = access.visible_cases(manager)

    with django_assert_max_num_queries(len(few.captured_queries)):
        large = open_deadlines(cases, today=TODAY)

    # One per kind of row (the four placement kinds one each), and the cases.
    assert len(few.captured_queries) <= 17
    assert len(small) == 2 * 6
    assert len(large) == 21 * 6


# --- Reminders: a new risk assessment (not a statutory deadline) ------------------------------


def test_the_date_for_a_new_risk_assessment_is_a_reminder_not_a_deadline_of_the_law(
    manager: Any, investigator: Any, own_district: Any
) -> None:
    case = CaseFactory(
        child__district=own_district, responsible=investigator, status=CaseStatus.INVESTIGATION
    )
    investigation = InvestigationFactory(
        case=case, opened_by=investigator, opened_on=date(2026, 4, 1)
    )
    risk = RiskAssessmentFactory(
        investigation=investigation,
        author=investigator,
        event_on=date(2026, 4, 10),
        reassessment_on=date(2026, 6, 1),
        signed=True,
        assessed=True,
    )

    [item] = [i for i in my_deadlines(investigator, today=TODAY) if i.kind == RISK_REASSESSMENT]

    assert item.is_reminder
    assert item.label == "Ny riskbedömning"
    assert item.citation == ""
    assert (item.due_strict, item.due) == (date(2026, 6, 1), date(2026, 6, 1))
    assert item.object_id == risk.pk
    assert resolve(item.url).view_name == "investigation:risk-edit"
    # Nine days past the date: passed, but never "late" in the law's sense.
    assert item.is_passed_reminder and not item.is_overdue
    assert item.needs_attention_today
    team = team_deadlines(manager, today=TODAY)
    assert item.case_id in {i.case_id for i in team.items}
    assert team.overdue == 0  # the investigation itself is within its four months
    assert sum(row.open for row in team.summary) == team.open


def test_only_the_newest_signed_risk_assessment_of_an_open_investigation_reminds(
    investigator: Any, own_district: Any
) -> None:
    case = CaseFactory(
        child__district=own_district, responsible=investigator, status=CaseStatus.INVESTIGATION
    )
    investigation = InvestigationFactory(
        case=case, opened_by=investigator, opened_on=date(2026, 4, 1)
    )
    RiskAssessmentFactory(
        investigation=investigation,
        author=investigator,
        event_on=date(2026, 4, 10),
        reassessment_on=date(2026, 5, 1),
        signed=True,
        assessed=True,
    )
    newest = RiskAssessmentFactory(
        investigation=investigation,
        author=investigator,
        event_on=date(2026, 5, 2),
        reassessment_on=date(2026, 7, 1),
        signed=True,
        assessed=True,
    )
    RiskAssessmentFactory(
        investigation=investigation,
        author=investigator,
        event_on=date(2026, 6, 9),
        reassessment_on=date(2026, 6, 12),
        signed=False,
        assessed=True,
    )
    closed_case = CaseFactory(
        child__district=own_district, responsible=investigator, status=CaseStatus.CLOSED
    )
    closed = InvestigationFactory(
        case=closed_case,
        opened_by=investigator,
        opened_on=date(2026, 1, 5),
        closed_on=date(2026, 5, 5),
    )
    RiskAssessmentFactory(
        investigation=closed,
        author=investigator,
        event_on=date(2026, 2, 1),
        reassessment_on=date(2026, 6, 15),
        signed=True,
        assessed=True,
    )

    reminders = [i for i in my_deadlines(investigator, today=TODAY) if i.kind == RISK_REASSESSMENT]

    assert [(i.object_id, i.due) for i in reminders] == [(newest.pk, date(2026, 7, 1))]


# --- What waits for a team manager ------------------------------------------------------------


def test_the_manager_tasks_list_alerts_requests_and_receipts_of_the_own_district_only(
    manager: Any,
    investigator: Any,
    intake_worker: Any,
    own_district: Any,
    other_district: Any,
    other_district_manager: Any,
) -> None:

    urgent = CaseFactory(child__district=own_district)
    rc = ReportChildFactory(
        case=urgent, report__registered_by=intake_worker, report__received_at=at(2026, 6, 10, 8)
    )
    alert = ProtectionAssessmentFactory(
        report_child=rc,
        performed_by=intake_worker,
        is_immediate_protection_needed=True,
        actions_taken="Socialjouren.",
        rationale="Akut.",
    )
    handled = CaseFactory(child__district=own_district)
    ProtectionAssessmentFactory(
        report_child=ReportChildFactory(
            case=handled, report__registered_by=intake_worker, report__received_at=at(2026, 6, 9)
        ),
        performed_by=intake_worker,
        is_immediate_protection_needed=True,
        rationale="Akut.",
        protective_action="lvu_6",
        protective_action_note="Beslut.",
        protective_action_taken_at=at(2026, 6, 9, 12),
        protective_action_recorded_at=at(2026, 6, 9, 13),
    )
    investigating = CaseFactory(
        child__district=own_district, responsible=investigator, status=CaseStatus.INVESTIGATION
    )
    investigation = InvestigationFactory(
        case=investigating, opened_by=investigator, opened_on=date(2026, 3, 1)
    )
    request = ExtensionRequestFactory(
        investigation=investigation,
        reasons="BUP dröjer.",
        proposed_to=date(2026, 8, 1),
        requested_by=investigator,
    )
    far_back = ReportFactory(
        district=own_district,
        kind="anmalan",
        channel="brev",
        reporter_category="skola",
        is_mandatory_reporter=True,
        text="Oro.",
        stated_received_at=at(2026, 4, 1),
        stated_received_reason="Låg i fel brevlåda.",
        is_receipt_confirmation_needed=True,
        registered_by=intake_worker,
    )
    farsta = CaseFactory(child__district=other_district)
    ProtectionAssessmentFactory(
        report_child=ReportChildFactory(
            case=farsta,
            report__registered_by=other_district_manager,
            report__received_at=at(2026, 6, 10),
        ),
        performed_by=other_district_manager,
        is_immediate_protection_needed=True,
        rationale="Akut.",
    )

    tasks = queries.manager_tasks(manager)

    assert tasks.protection_alerts == [alert]
    assert tasks.extension_requests == [request]
    assert tasks.receipt_confirmations == [far_back]
    assert tasks.count == 3
    assert {c.pk for c in tasks.cases} == {urgent.pk, investigating.pk}
    assert team_deadlines(manager, today=TODAY).tasks == tasks
    assert queries.manager_tasks(investigator).count == 0
    assert queries.manager_tasks(other_district_manager).protection_alerts != [alert]


def test_a_pending_emergency_request_of_the_district_waits_for_its_managers(
    manager: Any,
    investigator: Any,
    other_district_investigator: Any,
    own_district: Any,
    other_district: Any,
    other_district_manager: Any,
) -> None:
    from rodtrad.accounts.models import EmergencyAccessStatus

    protected = CaseFactory(child__district=own_district, child__protected=True)
    pending = EmergencyAccessFactory(
        user=other_district_investigator,
        case=protected,
        reason="Polisen ringer: barnet är hos dem nu.",
        status=EmergencyAccessStatus.PENDING,
    )
    open_grant = CaseFactory(child__district=own_district)
    EmergencyAccessFactory(
        user=other_district_investigator,
        case=open_grant,
        reason="Socialjouren behöver se tidigare oro.",
        status=EmergencyAccessStatus.ACTIVE,
        starts_at=at(2026, 6, 10, 9),
        expires_at=at(2026, 6, 10, 10),
    )
    farsta = CaseFactory(child__district=other_district, child__protected=True)
    EmergencyAccessFactory(
        user=investigator,
        case=farsta,
        reason="Polisen ringer om ett barn i Farsta.",
        status=EmergencyAccessStatus.PENDING,
    )

    tasks = queries.manager_tasks(manager)

    assert tasks.emergency_requests == [pending]
    assert tasks.count == 1
    assert tasks.cases == []  # only the case number is shown, never the protected child
    assert [
        g.case_id for g in queries.manager_tasks(other_district_manager).emergency_requests
    ] == [farsta.pk]


def test_an_open_investigation_without_a_responsible_waits_for_the_managers(
    manager: Any, investigator: Any, own_district: Any, other_district: Any
) -> None:
    nobodys = CaseFactory(child__district=own_district, status=CaseStatus.INVESTIGATION)
    unassigned = InvestigationFactory(
        case=nobodys, opened_by=investigator, opened_on=date(2026, 6, 1)
    )
    assigned = CaseFactory(
        child__district=own_district, responsible=investigator, status=CaseStatus.INVESTIGATION
    )
    InvestigationFactory(case=assigned, opened_by=investigator, opened_on=date(2026, 6, 1))
    closed = CaseFactory(child__district=own_district, status=CaseStatus.CLOSED)
    done = InvestigationFactory(case=closed, opened_by=investigator, opened_on=date(2026, 2, 1))
    done.closed_on = date(2026, 6, 1)
    done.save()
    farsta = CaseFactory(child__district=other_district, status=CaseStatus.INVESTIGATION)
    InvestigationFactory(case=farsta, opened_by=investigator, opened_on=date(2026, 6, 1))

    tasks = queries.manager_tasks(manager)

    assert tasks.unassigned_investigations == [unassigned]
    assert [c.pk for c in tasks.cases] == [nobodys.pk]
