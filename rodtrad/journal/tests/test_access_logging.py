"""S19: every page or response that shows a person or case writes one complete access event.

The permission matrix (rodtrad/accounts/tests/test_permission_matrix.py) checks "exactly one
event" for every route with a person or case in its URL; this test checks the rows' contents
and the pages without an id in the URL (lists, search).
"""

from __future__ import annotations

import pytest

from rodtrad.accounts.tests.factories import EmergencyAccessFactory
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.intake.tests.factories import ReportFactory
from rodtrad.journal.models import AccessAction, AccessEvent
from rodtrad.people.tests.factories import PersonFactory


@pytest.fixture
def case(own_units):
    unit = own_units["investigation"]
    return CaseFactory(child=PersonFactory(district=unit.district), unit=unit)


@pytest.mark.parametrize(
    ("url", "route", "subject"),
    [
        ("/arenden/{case}/", "cases:case-detail", "case"),
        ("/api/v1/cases/{case}", "api:case-detail", "case"),
        ("/personer/{person}/", "people:person-detail", "person"),
        ("/api/v1/persons/{person}", "api:person-detail", "person"),
    ],
)
def test_s19_a_read_writes_one_access_event_with_who_what_where_and_when(
    signed_in, investigator, case, url, route, subject
):
    response = signed_in(investigator).get(
        url.format(case=case.pk, person=case.child.pk), REMOTE_ADDR="192.0.2.10"
    )
    assert response.status_code == 200
    # The person's page also lists the person's cases (one `listed` event each).
    listed = AccessEvent.objects.filter(route=route, action=AccessAction.LISTED)
    assert set(listed.values_list("case_id", flat=True)) <= {case.pk}
    events = AccessEvent.objects.filter(route=route).exclude(action=AccessAction.LISTED)
    assert events.count() == 1
    event = events.get()
    assert event.user == investigator
    assert event.username == "investigator"
    assert event.roles == "investigator"
    assert event.districts == "bromma"
    assert event.units == "bromma-investigation"
    assert event.action == AccessAction.VIEWED
    assert event.person_id == case.child.pk
    assert event.case_id == (case.pk if subject == "case" else None)
    assert event.occurred_at.utcoffset().total_seconds() == 0  # stored and read as UTC
    assert event.request_id == response["X-Request-ID"]
    assert event.client_ip == "192.0.2.10"
    assert event.is_emergency is False
    assert event.is_protected is False
    assert event.channel == ("api" if url.startswith("/api/") else "web")


def test_s19_lists_and_search_results_write_one_event_per_person_shown(
    signed_in, investigator, case
):
    client = signed_in(investigator)
    client.get("/arenden/")
    assert (
        AccessEvent.objects.filter(
            route="cases:case-list", case_id=case.pk, action=AccessAction.LISTED
        ).count()
        == 1
    )
    client.post("/personer/", {"query": case.child.identity_number})
    assert (
        AccessEvent.objects.filter(person_id=case.child.pk, action=AccessAction.SEARCHED).count()
        == 1
    )


def test_s19_emergency_reads_carry_the_flag_and_the_reason(
    signed_in, other_district_investigator, case
):
    from rodtrad.cases.services import request_emergency_access

    reason = "Socialjouren: akut placering i natt, behöver se pågående ärende."
    request_emergency_access(
        by=other_district_investigator,
        identity_number=case.child.identity_number,
        reason=reason,
    )
    signed_in(other_district_investigator).get(f"/arenden/{case.pk}/")
    event = AccessEvent.objects.get(route="cases:case-detail")
    assert event.is_emergency is True
    assert event.reason == reason
    assert event.emergency_access_id is not None


def test_s19_a_list_writes_its_access_events_in_one_insert(
    investigator, own_units, django_assert_max_num_queries
):
    from rodtrad.journal.services import record_accesses

    unit = own_units["investigation"]
    cases = [CaseFactory(child=PersonFactory(district=unit.district), unit=unit) for _ in range(25)]
    # The memberships, whether an emergency grant is active, the INSERT; nothing per case.
    with django_assert_max_num_queries(3):
        written = record_accesses(
            by=investigator, cases=cases, action=AccessAction.LISTED, route="cases:case-list"
        )
    assert written == 25
    assert AccessEvent.objects.filter(route="cases:case-list").count() == 25


@pytest.mark.parametrize(
    ("url", "protection", "flagged"),
    [
        ("/personer/{person}/", "skyddad_folkbokforing", True),
        ("/api/v1/persons/{person}", "sekretessmarkering", True),
        ("/arenden/{case}/", "fingerade_personuppgifter", True),
        ("/api/v1/cases/{case}", "skyddad_folkbokforing", True),
        ("/personer/{person}/", "none", False),
        ("/arenden/{case}/", "none", False),
    ],
)
def test_s15_a_denied_read_carries_is_protected_when_the_person_is_protected(
    signed_in, other_district_investigator, case, url, protection, flagged
):
    type(case.child).objects.filter(pk=case.child.pk).update(protection_level=protection)
    response = signed_in(other_district_investigator).get(
        url.format(case=case.pk, person=case.child.pk)
    )
    assert response.status_code == 404
    event = AccessEvent.objects.get(action=AccessAction.DENIED)
    assert event.is_protected is flagged


def test_s15_a_denied_read_of_an_id_that_does_not_exist_is_not_flagged(
    signed_in, other_district_investigator, db
):
    client = signed_in(other_district_investigator)
    assert client.get("/personer/987654/").status_code == 404
    assert client.get("/arenden/987654/").status_code == 404
    assert list(
        AccessEvent.objects.filter(action=AccessAction.DENIED).values_list(
            "person_id", "case_id", "is_protected"
        )
    ) == [(987654, None, False), (None, 987654, False)]


def test_s19_a_denied_read_names_the_route_that_was_tried(
    signed_in, other_district_investigator, case
):
    client = signed_in(other_district_investigator)
    assert client.get(f"/arenden/{case.pk}/").status_code == 404
    assert client.get(f"/personer/{case.child.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
    routes = list(
        AccessEvent.objects.filter(action=AccessAction.DENIED)
        .order_by("pk")
        .values_list("route", flat=True)
    )
    assert routes == ["cases:case-detail", "people:person-detail", "api:case-detail"]


def test_s19_a_denied_case_names_the_child_whose_case_was_tried(
    signed_in, other_district_investigator, case
):
    assert signed_in(other_district_investigator).get(f"/arenden/{case.pk}/").status_code == 404
    event = AccessEvent.objects.get(action=AccessAction.DENIED)
    assert (event.case_id, event.person_id) == (case.pk, case.child.pk)


@pytest.fixture
def report_about_two_children(intake_worker, own_district):
    """A report about two siblings; the second has protected personal data."""

    first = PersonFactory(district=own_district)
    second = PersonFactory(district=own_district, protection_level="skyddad_folkbokforing")
    return ReportFactory.registered(intake_worker, own_district, [first, second])


def test_s19_a_denied_report_page_names_the_route_and_each_child_of_the_report(
    signed_in, other_district_investigator, report_about_two_children
):
    report = report_about_two_children
    first, second = report.children.order_by("pk")
    client = signed_in(other_district_investigator)
    assert client.get(f"/mottagning/anmalningar/{report.pk}/").status_code == 404
    events = AccessEvent.objects.filter(action=AccessAction.DENIED).order_by("pk")
    assert [(e.route, e.case_id, e.person_id, e.is_protected) for e in events] == [
        ("intake:report-detail", first.case_id, first.child_id, False),
        ("intake:report-detail", second.case_id, second.child_id, True),
    ]


def test_s19_a_denied_protection_assessment_page_names_the_childs_case(
    signed_in, other_district_investigator, report_about_two_children
):
    report_child = report_about_two_children.children.order_by("pk").first()
    response = signed_in(other_district_investigator).get(
        f"/mottagning/barn/{report_child.pk}/skyddsbedomning/"
    )
    assert response.status_code == 404
    event = AccessEvent.objects.get(action=AccessAction.DENIED)
    assert (event.route, event.case_id, event.person_id) == (
        "intake:protection-assessment-create",
        report_child.case_id,
        report_child.child_id,
    )


def test_s19_a_denied_report_that_does_not_exist_still_names_the_route(
    signed_in, other_district_investigator
):
    client = signed_in(other_district_investigator)
    assert client.get("/mottagning/anmalningar/987654/").status_code == 404
    event = AccessEvent.objects.get(action=AccessAction.DENIED)
    assert (event.route, event.case_id, event.person_id) == ("intake:report-detail", None, None)


def test_s19_a_request_works_out_the_readers_grants_once_not_per_event(
    investigator, own_units, other_units, django_assert_num_queries
):
    from datetime import timedelta

    from django.utils import timezone

    from rodtrad.journal.services import record_access, record_accesses
    from rodtrad.lib import request_context

    own = [
        CaseFactory(child=PersonFactory(district=own_units["investigation"].district), unit=u)
        for u in [own_units["investigation"]] * 20
    ]
    other_unit = other_units["investigation"]
    granted = CaseFactory(child=PersonFactory(district=other_unit.district), unit=other_unit)
    now = timezone.now()
    grant = EmergencyAccessFactory(
        user=investigator,
        case=granted,
        reason="Socialjouren: akut placering i natt.",
        starts_at=now,
        expires_at=now + timedelta(minutes=60),
    )
    token = request_context.activate(request_context.RequestContext(channel="web"))
    try:
        # memberships, whether a grant is active, the grants, which granted cases are the
        # reader's own (the memberships are read once per request and user); one INSERT for
        # the whole list
        with django_assert_num_queries(5):
            record_accesses(
                by=investigator,
                cases=[*own, granted],
                action=AccessAction.LISTED,
                route="cases:case-list",
            )
        with django_assert_num_queries(1):  # the INSERT; the scope is known by now
            record_access(by=investigator, case=granted, route="cases:case-detail")
        # persons, once: the granted child's relations and which of them the reader sees
        # anyway; the INSERT
        with django_assert_num_queries(3):
            record_access(by=investigator, person=granted.child, route="people:person-detail")
        with django_assert_num_queries(1):
            record_access(by=investigator, person=own[0].child, route="people:person-detail")
    finally:
        request_context.deactivate(token)
    events = AccessEvent.objects.filter(emergency_access_id=grant.pk)
    assert sorted(events.values_list("route", flat=True)) == [
        "cases:case-detail",
        "cases:case-list",
        "people:person-detail",
    ]
    assert AccessEvent.objects.filter(is_emergency=True).count() == 3
