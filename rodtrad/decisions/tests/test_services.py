"""Decisions and interventions: the workflow, the delegation table, the red thread from needs,
and nothing half-saved (docs/red-thread.md)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rodtrad.cases.models import Case, CaseStatus
from rodtrad.deadlines import rules
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions import services
from rodtrad.decisions.models import (
    Decision,
    DecisionKind,
    DecisionLevel,
    EndReason,
    Intervention,
    NoticeChannel,
)
from rodtrad.decisions.services import GrantedIntervention
from rodtrad.decisions.tests.conftest import grant
from rodtrad.investigation.tests.factories import NeedFactory
from rodtrad.journal.models import JournalEntry
from rodtrad.people.models import RelationshipKind
from rodtrad.people.tests.factories import RelationshipFactory

S = CaseStatus
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY, tick=False)


def test_a_granting_decision_starts_the_intervention_tied_to_the_needs(proposal, manager):
    decision = grant(proposal, manager)
    proposal.refresh_from_db()
    assert proposal.status == S.INTERVENTION
    assert decision.appealable is True
    assert {n.description for n in decision.needs.all()} == {"Skolan.", "Trygghet."}
    intervention = decision.intervention
    assert intervention.catalogue_code == "fft"
    assert intervention.reason_codes == ["A", "J"]  # labelled as the investigation was
    assert intervention.problem_codes == ["skola"]
    assert intervention.started_on is None
    assert decision.investigation is not None and decision.investigation.case == proposal
    assert len(decision.content_hash) == 64
    entry = JournalEntry.objects.get(action="decisions.decision_recorded")
    assert entry.data["kind"] == "granted" and entry.data["needs"] == 2
    # No personal text in the journal's data.
    assert "Barnet behöver" not in str(entry.data)


def test_only_a_team_manager_of_the_district_decides(
    proposal, investigator, other_district_manager
):
    with pytest.raises(PermissionDenied):
        grant(proposal, investigator)
    with pytest.raises(PermissionDenied):
        grant(proposal, other_district_manager)
    assert not Decision.objects.exists()


def test_a_foster_home_placement_cannot_be_decided_on_delegation(proposal, manager):
    placement = GrantedIntervention(
        catalogue_code="familjehem", external_provider="Familjehemmet", planned_start=TODAY
    )
    with pytest.raises(ValidationError) as refused:
        grant(
            proposal,
            manager,
            kind=DecisionKind.PLACEMENT,
            legal_ground="sol-22-2",
            granted=placement,
        )
    assert "lägst av individutskottet" in refused.value.message_dict["level"][0]
    with pytest.raises(ValidationError) as no_minutes:
        grant(
            proposal,
            manager,
            kind=DecisionKind.PLACEMENT,
            legal_ground="sol-22-2",
            level=DecisionLevel.SUBCOMMITTEE,
            granted=placement,
        )
    assert "minutes_reference" in no_minutes.value.message_dict
    decision = grant(
        proposal,
        manager,
        kind=DecisionKind.PLACEMENT,
        legal_ground="sol-22-2",
        level=DecisionLevel.SUBCOMMITTEE,
        minutes_reference="IU 2026-06-10 § 4",
        granted=placement,
    )
    assert decision.intervention.catalogue_code == "familjehem"


def test_the_delegation_table_is_data_the_administrator_can_raise(proposal, manager):
    from rodtrad.frameworks.models import Code

    code = Code.objects.get(code_list__key="legal-grounds", code="sol-11-1")
    code.attributes = {**code.attributes, "lowest_level": "committee"}
    code.save()
    with pytest.raises(ValidationError) as refused:
        grant(proposal, manager, level=DecisionLevel.SUBCOMMITTEE, minutes_reference="IU § 1")
    assert "nämnden" in refused.value.message_dict["level"][0]


def test_a_placement_must_be_a_placement_and_open_care_open_care(proposal, manager):
    with pytest.raises(ValidationError) as refused:
        grant(
            proposal,
            manager,
            granted=GrantedIntervention(
                catalogue_code="hvb", external_provider="HVB", planned_start=TODAY
            ),
        )
    assert "catalogue_code" in refused.value.message_dict


def test_every_broken_rule_is_reported_at_once_and_nothing_is_saved(proposal, manager):
    with pytest.raises(ValidationError) as refused:
        grant(
            proposal,
            manager,
            decided_on=TODAY + timedelta(days=1),
            reasons=" ",
            need_ids=[],
            granted=GrantedIntervention(catalogue_code="fft"),
        )
    fields = set(refused.value.message_dict)
    assert {"decided_on", "reasons", "needs", "provider_unit", "planned_start"} <= fields
    assert not Decision.objects.exists() and not Intervention.objects.exists()
    proposal.refresh_from_db()
    assert proposal.status == S.PROPOSAL_AWAITING_DECISION


def test_a_grant_without_needs_states_why(proposal, manager):
    decision = grant(proposal, manager, need_ids=[], no_needs_reason="Akut insats före utredning.")
    assert decision.no_needs_reason == "Akut insats före utredning."
    assert not decision.needs.exists()


def test_needs_of_another_case_cannot_be_named(proposal, manager, own_units):
    stranger = NeedFactory(investigation__case__child__district=own_units["intake"].district)
    with pytest.raises(ValidationError) as refused:
        grant(proposal, manager, need_ids=[stranger.pk])
    assert "needs" in refused.value.message_dict


def test_a_time_limited_grant_says_when_it_is_reconsidered(proposal, manager):
    with pytest.raises(ValidationError) as refused:
        grant(proposal, manager, effective_to=TODAY + timedelta(days=180))
    assert "review_on" in refused.value.message_dict
    decision = grant(
        proposal,
        manager,
        effective_to=TODAY + timedelta(days=180),
        review_on=TODAY + timedelta(days=150),
    )
    assert decision.is_time_limited and decision.review_on == TODAY + timedelta(days=150)


def test_no_intervention_closes_the_case_and_is_not_appealable(proposal, manager):
    decision = services.record_decision(
        proposal,
        by=manager,
        kind=DecisionKind.NO_INTERVENTION,
        legal_ground="sol-14-2",
        level=DecisionLevel.DELEGATE,
        decided_on=TODAY,
        reasons="Familjen har fått stöd från skolan.",
    )
    proposal.refresh_from_db()
    assert proposal.status == S.CLOSED and not decision.appealable


def test_a_refusal_closes_the_case_only_when_asked(proposal, manager):
    values = {
        "kind": DecisionKind.REFUSED,
        "legal_ground": "sol-11-1",
        "level": DecisionLevel.DELEGATE,
        "decided_on": TODAY,
        "reasons": "Behovet tillgodoses på annat sätt.",
    }
    services.record_decision(proposal, by=manager, **values)
    proposal.refresh_from_db()
    assert proposal.status == S.PROPOSAL_AWAITING_DECISION
    refusal = services.record_decision(proposal, by=manager, close_case=True, **values)
    proposal.refresh_from_db()
    assert proposal.status == S.CLOSED and refusal.appealable


def test_a_follow_up_after_an_investigation_runs_at_most_six_months(proposal, manager):
    closed_on = TODAY - timedelta(days=2)
    limit = rules.add_months(closed_on, 6)
    values = {
        "kind": DecisionKind.FOLLOW_UP,
        "legal_ground": "sol-23-1",
        "level": DecisionLevel.DELEGATE,
        "decided_on": TODAY,
        "reasons": "Barnet behöver följas upp efter utredningen.",
    }
    with pytest.raises(ValidationError) as too_long:
        services.record_decision(
            proposal, by=manager, effective_to=limit + timedelta(days=1), **values
        )
    assert "effective_to" in too_long.value.message_dict
    services.record_decision(proposal, by=manager, effective_to=limit, **values)
    proposal.refresh_from_db()
    assert proposal.status == S.FOLLOW_UP


def test_a_closed_case_can_only_be_reopened_by_a_follow_up_decision(proposal, manager):
    services.record_decision(
        proposal,
        by=manager,
        kind=DecisionKind.NO_INTERVENTION,
        legal_ground="sol-14-2",
        level=DecisionLevel.DELEGATE,
        decided_on=TODAY,
        reasons="Ingen insats behövs.",
    )
    with pytest.raises(ValidationError):
        grant(proposal, manager)
    services.record_decision(
        proposal,
        by=manager,
        kind=DecisionKind.FOLLOW_UP,
        legal_ground="sol-23-1",
        level=DecisionLevel.DELEGATE,
        decided_on=TODAY,
        effective_to=TODAY + timedelta(days=90),
        reasons="Uppföljning utan samtycke: barnet är i särskilt behov av stöd.",
    )
    proposal.refresh_from_db()
    assert proposal.status == S.FOLLOW_UP and proposal.closed_at is None


def test_ending_the_last_intervention_starts_the_follow_up(proposal, manager, investigator):
    first = grant(proposal, manager).intervention
    second = grant(
        proposal,
        manager,
        granted=GrantedIntervention(
            catalogue_code="kontaktperson", external_provider="Kontaktperson", planned_start=TODAY
        ),
    ).intervention
    with pytest.raises(ValidationError) as early:
        services.start_intervention(
            first,
            by=investigator,
            expected_version=first.version,
            started_on=TODAY - timedelta(days=1),
        )
    assert "started_on" in early.value.message_dict
    first = services.start_intervention(
        first, by=investigator, expected_version=first.version, started_on=TODAY
    )
    services.end_intervention(
        first,
        by=investigator,
        expected_version=first.version,
        ended_on=TODAY,
        end_reason=EndReason.GOALS_MET,
        delivered_dose=12,
    )
    proposal.refresh_from_db()
    assert proposal.status == S.INTERVENTION  # the contact person is still open
    with pytest.raises(ValidationError) as never:
        services.end_intervention(
            second,
            by=investigator,
            expected_version=second.version,
            ended_on=TODAY,
            end_reason=EndReason.GOALS_MET,
        )
    assert "end_reason" in never.value.message_dict
    services.end_intervention(
        second,
        by=investigator,
        expected_version=second.version,
        ended_on=TODAY,
        end_reason=EndReason.NEVER_STARTED,
    )
    proposal.refresh_from_db()
    assert proposal.status == S.FOLLOW_UP
    # Ending the follow-up (with what it found) is the followup app's: followup/tests.


def test_a_new_decision_replaces_the_old_which_never_changes(proposal, manager, investigator):
    old = grant(proposal, manager)
    services.start_intervention(
        old.intervention, by=investigator, expected_version=1, started_on=TODAY
    )
    new = grant(proposal, manager, replaces_id=old.pk)
    old_intervention = Intervention.objects.get(decision=old)
    assert old_intervention.end_reason == EndReason.REPLACED
    assert Decision.objects.get(pk=old.pk).content_hash == old.content_hash
    assert new.replaces == old
    with pytest.raises(ValidationError) as twice:
        grant(proposal, manager, replaces_id=old.pk)
    assert "replaces" in twice.value.message_dict


def test_the_decision_is_given_to_the_parties_once_each(proposal, manager, investigator):
    guardian = RelationshipFactory(
        child=proposal.child, kind=RelationshipKind.GUARDIAN, valid_from=date(2011, 3, 1)
    ).other
    sibling = RelationshipFactory(
        child=proposal.child, kind=RelationshipKind.SIBLING, valid_from=date(2011, 3, 1)
    ).other
    decision = grant(proposal, manager)
    services.record_notice(
        decision,
        by=investigator,
        recipient=guardian,
        notified_on=TODAY,
        channel=NoticeChannel.LETTER,
    )
    for recipient in (guardian, sibling):
        with pytest.raises(ValidationError) as refused:
            services.record_notice(
                decision,
                by=investigator,
                recipient=recipient,
                notified_on=TODAY,
                channel=NoticeChannel.LETTER,
            )
        assert "recipient" in refused.value.message_dict
    # The child is a party from 15 (born 2011-03-01: 15 on the decision day).
    services.record_notice(
        decision,
        by=investigator,
        recipient=proposal.child,
        notified_on=TODAY,
        channel=NoticeChannel.IN_PERSON,
    )
    assert decision.notices.count() == 2


def test_a_case_waiting_for_a_decision_can_be_closed_without_one(proposal, manager):
    with pytest.raises(ValidationError) as refused:
        services.close_without_decision(
            proposal, by=manager, expected_version=proposal.version, reason="", note=""
        )
    assert {"reason", "note"} <= set(refused.value.message_dict)
    services.close_without_decision(
        proposal,
        by=manager,
        expected_version=proposal.version,
        reason="moved",
        note="Familjen flyttade till Uppsala.",
    )
    assert Case.objects.get(pk=proposal.pk).status == S.CLOSED


def test_a_decision_recorded_long_after_it_was_made_says_so(proposal, manager, time_machine):
    from django.conf import settings

    late = settings.RODTRAD_LATE_RECORDING_DAYS + 1
    time_machine.move_to(TODAY + timedelta(days=late), tick=False)
    decision = grant(proposal, manager, decided_on=TODAY)
    assert decision.is_recorded_late and decision.recorded_days_after == late
    entry = JournalEntry.objects.get(action="decisions.decision_recorded")
    assert entry.data["late_days"] == late


def test_a_foster_home_is_never_placed_under_sol_11_1_on_delegation(proposal, manager):
    """Red team: SoL 11:1 carries placements (HVB on delegation), but a foster home is placed
    only under 22:2 or LVU, and by the subcommittee whatever ground is chosen."""
    foster = GrantedIntervention(
        catalogue_code="familjehem", external_provider="Familjehemmet", planned_start=TODAY
    )
    with pytest.raises(ValidationError) as refused:
        grant(
            proposal, manager, kind=DecisionKind.PLACEMENT, legal_ground="sol-11-1", granted=foster
        )
    assert "SoL 22 kap. 2 §" in refused.value.message_dict["legal_ground"][0]
    assert "individutskottet" in refused.value.message_dict["level"][0]
    hvb = grant(
        proposal,
        manager,
        kind=DecisionKind.PLACEMENT,
        legal_ground="sol-11-1",
        granted=GrantedIntervention(
            catalogue_code="hvb", external_provider="HVB Solbacken", planned_start=TODAY
        ),
    )
    assert hvb.level == DecisionLevel.DELEGATE


def test_care_under_lvu_11_needs_an_lvu_decision_in_the_case(proposal, manager):
    sis = GrantedIntervention(catalogue_code="sis", external_provider="SiS", planned_start=TODAY)
    with pytest.raises(ValidationError) as refused:
        grant(proposal, manager, kind=DecisionKind.PLACEMENT, legal_ground="lvu-11", granted=sis)
    assert "LVU 4 §" in refused.value.message_dict["legal_ground"][0]
    services.record_decision(
        proposal,
        by=manager,
        kind=DecisionKind.LVU_APPLICATION,
        legal_ground="lvu-4",
        level=DecisionLevel.SUBCOMMITTEE,
        minutes_reference="IU § 3",
        decided_on=TODAY,
        reasons="Barnet behöver vård utanför hemmet och vårdnadshavarna samtycker inte.",
    )
    assert (
        grant(
            proposal, manager, kind=DecisionKind.PLACEMENT, legal_ground="lvu-11", granted=sis
        ).intervention.catalogue_code
        == "sis"
    )


def test_a_follow_up_after_lvu_care_needs_a_started_lvu_placement_that_ended(
    proposal, manager, investigator
):
    """Red team: a voluntary placement, or one that never started, opens no LVU 21 b §
    follow-up (nor, never started, a 23:2 one)."""
    voluntary = grant(
        proposal,
        manager,
        kind=DecisionKind.PLACEMENT,
        legal_ground="sol-11-1",
        granted=GrantedIntervention(
            catalogue_code="hvb", external_provider="HVB", planned_start=TODAY
        ),
    ).intervention
    services.end_intervention(
        voluntary,
        by=investigator,
        expected_version=voluntary.version,
        ended_on=TODAY,
        end_reason=EndReason.NEVER_STARTED,
    )
    values = {
        "kind": DecisionKind.FOLLOW_UP,
        "level": DecisionLevel.DELEGATE,
        "decided_on": TODAY,
        "effective_to": TODAY + timedelta(days=60),
        "reasons": "Uppföljning.",
    }
    for ground in ("sol-23-2", "lvu-21b"):
        with pytest.raises(ValidationError) as refused:
            services.record_decision(proposal, by=manager, legal_ground=ground, **values)
        assert "legal_ground" in refused.value.message_dict, ground


def test_a_decision_takes_effect_no_earlier_than_the_case_and_the_intervention_after_it(
    proposal, manager
):
    with pytest.raises(ValidationError) as refused:
        grant(proposal, manager, effective_from=date(1990, 1, 1))
    assert "effective_from" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        grant(proposal, manager, effective_from=TODAY + timedelta(days=30))
    assert "planned_start" in refused.value.message_dict  # planned a week after the decision
