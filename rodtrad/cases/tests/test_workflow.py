"""The case status table: only listed moves, only through move_case, each journaled."""

from __future__ import annotations

import pytest

from rodtrad.cases.models import CaseStatus
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.cases.workflow import TRANSITIONS, IllegalTransition, allowed_targets, move_case
from rodtrad.journal.models import JournalEntry
from rodtrad.people.tests.factories import PersonFactory

S = CaseStatus


@pytest.fixture
def case(own_district):
    return CaseFactory(child=PersonFactory(district=own_district))


def test_a_new_case_moves_from_intake_to_pre_assessment_and_it_is_journaled(case, manager):
    move_case(case, to=S.PRE_ASSESSMENT, by=manager)
    case.refresh_from_db()
    assert case.status == S.PRE_ASSESSMENT
    assert case.version == 2
    entry = JournalEntry.objects.get(action="cases.status_changed")
    assert entry.data == {"from": "intake", "to": "pre_assessment", "reason_given": False}
    assert entry.case_id == case.pk


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (S.INTAKE, S.INVESTIGATION),  # no skipping the pre-assessment
        (S.INTAKE, S.CLOSED),
        (S.CLOSED, S.INVESTIGATION),  # a closed case is not reopened; a new case is made
        (S.INVESTIGATION, S.PRE_ASSESSMENT),
        (S.PRE_ASSESSMENT, S.INTERVENTION),
    ],
)
def test_an_illegal_step_gets_a_clear_swedish_message_and_changes_nothing(
    own_district, manager, source, target
):
    case = CaseFactory(child=PersonFactory(district=own_district), status=source)
    with pytest.raises(IllegalTransition) as error:
        move_case(case, to=target, by=manager)
    assert "kan inte gå till" in error.value.messages[0]
    case.refresh_from_db()
    assert case.status == source
    assert not JournalEntry.objects.filter(action="cases.status_changed").exists()


def test_closing_a_case_stamps_closed_at(own_district, manager):
    case = CaseFactory(child=PersonFactory(district=own_district), status=S.PRE_ASSESSMENT)
    move_case(case, to=S.CLOSED, by=manager)
    assert case.closed_at is not None


def test_a_move_from_a_stale_status_is_refused(case, manager):
    stale = type(case).objects.get(pk=case.pk)
    move_case(case, to=S.PRE_ASSESSMENT, by=manager)
    with pytest.raises(IllegalTransition):
        move_case(stale, to=S.PRE_ASSESSMENT, by=manager)


def test_every_status_has_a_way_forward_and_closed_only_to_a_follow_up_decision():
    for status in S.values:
        assert allowed_targets(status), status
    # SoL 23:1: a follow-up after an investigation closed without intervention.
    assert allowed_targets(S.CLOSED) == [S.FOLLOW_UP]
    assert len({(t.source, t.target) for t in TRANSITIONS}) == len(TRANSITIONS)


def test_a_proposal_waits_for_decisions_which_start_interventions_or_close_the_case(
    own_district, manager
):
    case = CaseFactory(child=PersonFactory(district=own_district), status=S.INVESTIGATION)
    move_case(case, to=S.PROPOSAL_AWAITING_DECISION, by=manager, reason="proposal")
    assert case.get_status_display() == "Förslag – väntar på beslut"
    assert set(allowed_targets(S.PROPOSAL_AWAITING_DECISION)) == {
        S.INTERVENTION,
        S.FOLLOW_UP,
        S.CLOSED,
    }
    # Nothing is decided yet, so an investigation never leads straight to "Insats pågår".
    assert S.INTERVENTION not in allowed_targets(S.INVESTIGATION)


def test_the_migration_relabels_cases_left_in_intervention_by_a_proposal(own_district):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "rodtrad.cases.migrations.0002_proposal_awaiting_decision_and_urgent"
    )
    proposed = CaseFactory(child=PersonFactory(district=own_district), status="intervention")
    open_case = CaseFactory(child=PersonFactory(district=own_district), status=S.INVESTIGATION)
    migration.relabel_proposals(apps, None)
    proposed.refresh_from_db()
    open_case.refresh_from_db()
    assert proposed.status == S.PROPOSAL_AWAITING_DECISION
    assert open_case.status == S.INVESTIGATION
