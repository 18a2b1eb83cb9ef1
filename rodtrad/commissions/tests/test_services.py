"""Commissions and goals: drafted by the handler, tied to needs, sent complete, accepted by the
provider, who sees only its commissions (docs/red-thread.md, "Commissions")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rodtrad.commissions import queries, services
from rodtrad.commissions.models import CommissionStatus
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions.services import GrantedIntervention, case_needs
from rodtrad.decisions.tests.conftest import grant
from rodtrad.investigation.tests.factories import RiskAssessmentFactory
from rodtrad.journal.models import JournalEntry

pytestmark = pytest.mark.django_db

LEVELS = {
    "level_minus_2": "Går inte till skolan.",
    "level_minus_1": "Går en dag i veckan.",
    "level_0": "Går tre dagar i veckan.",
    "level_plus_1": "Går fyra dagar i veckan.",
    "level_plus_2": "Går varje dag.",
}


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture
def intervention(proposal, manager, own_units):
    return grant(
        proposal,
        manager,
        granted=GrantedIntervention(
            catalogue_code="fft",
            provider_unit_id=own_units["provider"].pk,
            planned_start=TODAY,
        ),
    ).intervention


def _ready(commission, by):
    commission = services.update_commission(
        commission,
        by=by,
        expected_version=commission.version,
        changes={
            "frequency": "En gång i veckan",
            "first_follow_up_on": TODAY + timedelta(days=28),
            "child_view": "Vill komma i tid till skolan.",
            "risk_summary": "Låg risk.",
            "violence_follow_up": "Frågar barnet enskilt vid varje uppföljning.",
        },
    )
    need = case_needs(commission.case)[0]
    services.add_goal(commission, by=by, need_ids=[need.pk], text="Skolan", levels=LEVELS)
    return commission


def test_the_handler_drafts_with_goals_tied_to_needs_and_sends_it_complete(
    intervention, investigator
):
    commission = services.create_commission(intervention, by=investigator)
    assert commission.provider_unit == intervention.provider_unit
    assert services.create_commission(intervention, by=investigator) == commission  # one draft
    with pytest.raises(ValidationError) as incomplete:
        services.send_commission(commission, by=investigator, expected_version=commission.version)
    fields = set(incomplete.value.message_dict)
    assert {"goals", "frequency", "first_follow_up_on", "child_view"} <= fields
    # The case has a violence reason (J): the risk and how violence is followed up are needed.
    assert {"risk_summary", "violence_follow_up"} <= fields
    with pytest.raises(ValidationError) as no_need:
        services.add_goal(commission, by=investigator, need_ids=[], text="Mål", levels=LEVELS)
    assert "needs" in no_need.value.message_dict
    commission = _ready(commission, investigator)
    sent = services.send_commission(
        commission, by=investigator, expected_version=commission.version
    )
    assert sent.status == CommissionStatus.SENT
    with pytest.raises(ValidationError):
        services.add_goal(
            sent,
            by=investigator,
            need_ids=[case_needs(sent.case)[0].pk],
            text="Mål",
            levels=LEVELS,
        )
    entry = JournalEntry.objects.filter(action="commissions.commission_sent").get()
    assert entry.data["goals"] == 1


def test_a_violence_case_draft_starts_from_the_signed_risk_assessment(intervention, investigator):
    investigation = intervention.case.investigations.get()
    RiskAssessmentFactory(
        investigation=investigation,
        signed=True,
        instrument="FREDA",
        judgement="moderate",
        safety_plan="Pappan får inte hämta barnet.",
    )
    commission = services.create_commission(intervention, by=investigator)
    assert "FREDA" in commission.risk_summary
    assert commission.safety_information == "Pappan får inte hämta barnet."


def test_only_the_receiving_provider_sees_and_accepts_it(
    intervention, investigator, provider, other_units
):
    from conftest import _user_with
    from rodtrad.accounts.models import Role

    commission = _ready(services.create_commission(intervention, by=investigator), investigator)
    assert commission not in queries.inbox(provider)  # a draft is not shown
    commission = services.send_commission(
        commission, by=investigator, expected_version=commission.version
    )
    assert [c.pk for c in queries.inbox(provider)] == [commission.pk]
    unit = other_units["provider"]
    elsewhere = _user_with(Role.PROVIDER, unit.district, unit, "provider.farsta")
    assert queries.inbox(elsewhere) == []
    with pytest.raises(PermissionDenied):
        services.accept_commission(commission, by=elsewhere, expected_version=commission.version)
    with pytest.raises(PermissionDenied):
        services.accept_commission(commission, by=investigator, expected_version=commission.version)
    accepted = services.accept_commission(
        commission, by=provider, expected_version=commission.version
    )
    assert accepted.status == CommissionStatus.ACCEPTED and accepted.accepted_by == provider


def test_a_new_commission_copies_the_old_and_replaces_it_when_sent(intervention, investigator):
    first = _ready(services.create_commission(intervention, by=investigator), investigator)
    first = services.send_commission(first, by=investigator, expected_version=first.version)
    second = services.create_commission(intervention, by=investigator)
    assert second.replaces == first and second.goals.count() == 1
    assert second.frequency == first.frequency
    services.send_commission(second, by=investigator, expected_version=second.version)
    first.refresh_from_db()
    assert first.status == CommissionStatus.REPLACED


def test_no_commission_for_an_ended_intervention(proposal, manager, investigator):
    intervention = grant(proposal, manager).intervention
    from rodtrad.decisions import services as decision_services

    decision_services.end_intervention(
        intervention,
        by=investigator,
        expected_version=intervention.version,
        ended_on=TODAY,
        end_reason="never_started",
    )
    with pytest.raises(ValidationError):
        services.create_commission(intervention, by=investigator)
