"""Emergency access ("break the glass", S16) and case responsibility."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rodtrad.accounts import access
from rodtrad.accounts.models import EmergencyAccessStatus
from rodtrad.cases import services
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.journal.models import JournalEntry
from rodtrad.people.tests.factories import PersonFactory

REASON = "Socialjouren: barnet är utan vuxen i natt och polisen ringer oss."


@pytest.fixture
def other_case(other_district):
    return CaseFactory(child=PersonFactory(district=other_district))


@pytest.fixture
def protected_other_case(other_district):
    child = PersonFactory(district=other_district, protection_level="skyddad_folkbokforing")
    return CaseFactory(child=child)


def test_s16_emergency_access_without_reason_is_refused(investigator, other_case):
    with pytest.raises(ValidationError) as error:
        services.request_emergency_access(
            by=investigator, identity_number=other_case.child.identity_number, reason="  "
        )
    assert error.value.error_list[0].code == "reason"
    assert not access.visible_cases(investigator).filter(pk=other_case.pk).exists()
    assert not JournalEntry.objects.filter(action__startswith="cases.emergency_access_g").exists()


def test_s16_emergency_access_with_reason_gives_read_only_access_to_one_case(
    investigator, other_case, other_district
):
    unrelated = CaseFactory(child=PersonFactory(district=other_district))
    grant = services.request_emergency_access(
        by=investigator, identity_number=other_case.child.identity_number, reason=REASON
    )
    assert grant.status == EmergencyAccessStatus.ACTIVE
    assert access.get_case_for(investigator, other_case.pk) == other_case
    assert not access.visible_cases(investigator).filter(pk=unrelated.pk).exists()
    with pytest.raises(Exception) as not_found:
        access.get_case_for(investigator, other_case.pk, for_edit=True)
    assert not_found.type.__name__ == "Http404"
    entry = JournalEntry.objects.get(action="cases.emergency_access_granted")
    assert entry.case_id == other_case.pk
    assert entry.actor == investigator


def test_s16_emergency_access_lands_in_the_review_list_of_the_case_districts_manager(
    investigator, other_case, other_district_manager, manager
):
    grant = services.request_emergency_access(
        by=investigator, identity_number=other_case.child.identity_number, reason=REASON
    )
    assert grant in services.reviewable_emergency_accesses(other_district_manager)
    assert grant not in services.reviewable_emergency_accesses(manager)
    services.review_emergency_access(grant, by=other_district_manager, note="Befogat, jouren.")
    grant.refresh_from_db()
    assert grant.reviewed_by == other_district_manager
    assert JournalEntry.objects.filter(action="cases.emergency_access_reviewed").count() == 1


def test_s16_emergency_access_expires_after_sixty_minutes(investigator, other_case):
    services.request_emergency_access(
        by=investigator, identity_number=other_case.child.identity_number, reason=REASON
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert not access.visible_cases(investigator).filter(pk=other_case.pk).exists()


def test_s16_protected_child_needs_a_second_person_to_approve(
    investigator, protected_other_case, other_district_manager
):
    grant = services.request_emergency_access(
        by=investigator,
        identity_number=protected_other_case.child.identity_number,
        reason=REASON,
    )
    assert grant.status == EmergencyAccessStatus.PENDING
    assert not access.visible_cases(investigator).filter(pk=protected_other_case.pk).exists()
    services.approve_emergency_access(grant, by=other_district_manager)
    assert access.visible_cases(investigator).filter(pk=protected_other_case.pk).exists()
    assert JournalEntry.objects.filter(action="cases.emergency_access_approved").count() == 1


def test_nobody_approves_their_own_emergency_access(
    investigator, protected_other_case, other_district_manager
):
    grant = services.request_emergency_access(
        by=investigator,
        identity_number=protected_other_case.child.identity_number,
        reason=REASON,
    )
    grant.user = other_district_manager  # as if the manager had asked
    with pytest.raises(ValidationError):
        services._reviewable(grant, other_district_manager)


def test_emergency_access_to_a_case_already_in_scope_is_not_created(manager, own_district):
    case = CaseFactory(child=PersonFactory(district=own_district))
    with pytest.raises(services.AlreadyInScope):
        services.request_emergency_access(
            by=manager, identity_number=case.child.identity_number, reason=REASON
        )


def test_emergency_access_is_not_for_roles_without_case_work(analyst, other_case):
    with pytest.raises(PermissionDenied):
        services.request_emergency_access(
            by=analyst, identity_number=other_case.child.identity_number, reason=REASON
        )


def test_unknown_identity_number_gives_a_swedish_error_and_is_journaled(investigator, db):
    with pytest.raises(ValidationError) as error:
        services.request_emergency_access(
            by=investigator, identity_number="19811218-9876", reason=REASON
        )
    assert "inget pågående ärende" in error.value.messages[0]
    assert JournalEntry.objects.filter(action="cases.emergency_access_not_found").count() == 1


def test_manager_assigns_a_responsible_investigator(manager, investigator, own_units):
    case = CaseFactory(
        child=PersonFactory(district=own_units["investigation"].district),
        unit=own_units["investigation"],
    )
    services.assign_responsible(
        case, by=manager, responsible=investigator, expected_version=case.version
    )
    case.refresh_from_db()
    assert case.responsible == investigator
    assert case.version == 2
    entry = JournalEntry.objects.get(action="cases.responsible_assigned")
    assert entry.case_id == case.pk
