"""The follow-up of a case ends with what it found (docs/red-thread.md, "The follow-up of a
case"): after a follow-up decision (SoL 23 kap.) the child and guardians must have been told
at the start and the end; after the last intervention it is the handler's own record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import sign_in
from rodtrad.cases.models import Case, CaseStatus
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions import services as decision_services
from rodtrad.decisions.models import DecisionKind, DecisionLevel, EndReason
from rodtrad.followup import services
from rodtrad.followup.models import CaseFollowUp, CaseFollowUpBasis, CaseFollowUpOutcome
from rodtrad.journal.models import JournalEntry
from rodtrad.lib.versioning import StaleVersion

pytestmark = pytest.mark.django_db
S = CaseStatus


@pytest.fixture
def after_investigation(proposal: Any, manager: Any) -> Any:
    """A case followed up under SoL 23 kap. 1 § from TODAY."""
    decided = TODAY
    decision_services.record_decision(
        proposal,
        by=manager,
        kind=DecisionKind.FOLLOW_UP,
        legal_ground="sol-23-1",
        level=DecisionLevel.DELEGATE,
        decided_on=decided,
        effective_to=TODAY + timedelta(days=90),
        reasons="Barnet behöver följas upp efter utredningen.",
    )
    return Case.objects.get(pk=proposal.pk)


@pytest.fixture
def after_interventions(ongoing: Any, investigator: Any) -> Any:
    """A case whose only intervention ended on TODAY: the follow-up after interventions."""
    decision_services.end_intervention(
        ongoing,
        by=investigator,
        expected_version=ongoing.version,
        ended_on=TODAY,
        end_reason=EndReason.GOALS_MET,
    )
    return Case.objects.get(pk=ongoing.case_id)


def entry(**overrides: Any) -> services.CaseFollowUpEntry:
    values: dict[str, Any] = {
        "ended_on": TODAY,
        "findings": "Barnet har det bra i skolan och hemma.",
        "outcome": CaseFollowUpOutcome.NO_FURTHER_ACTION,
        "contacts": ("child", "guardians", "school"),
        "child_view": "Det är lugnt hemma nu.",
        "guardians_view": "Det går bättre.",
    }
    values.update(overrides)
    return services.CaseFollowUpEntry(**values)


def test_after_a_decision_the_child_and_guardians_must_have_been_told_at_start_and_end(
    after_investigation, investigator
):
    period = services.case_follow_up_period(after_investigation)
    assert period.basis == CaseFollowUpBasis.INVESTIGATION and period.is_statutory
    with pytest.raises(ValidationError) as untold:
        services.end_case_follow_up(
            after_investigation,
            by=investigator,
            expected_version=after_investigation.version,
            entry=entry(),
        )
    assert set(untold.value.message_dict) == {"start_informed_on", "end_informed"}
    after_investigation.refresh_from_db()
    assert after_investigation.status == S.FOLLOW_UP
    assert not CaseFollowUp.objects.exists()

    row = services.end_case_follow_up(
        after_investigation,
        by=investigator,
        expected_version=after_investigation.version,
        entry=entry(start_informed_on=TODAY, end_informed=True),
    )
    after_investigation.refresh_from_db()
    assert after_investigation.status == S.CLOSED
    assert row.decision is not None and row.decision.kind == DecisionKind.FOLLOW_UP
    assert row.started_on == TODAY
    assert row.contacts == ["child", "guardians", "school"]
    journal = JournalEntry.objects.get(action="followup.case_follow_up_ended")
    assert journal.data == {
        "basis": "investigation",
        "outcome": "no_further_action",
        "days": 0,
        "child_view_missing": False,
    }


def test_after_the_last_intervention_no_information_duty_applies(after_interventions, investigator):
    assert after_interventions.status == S.FOLLOW_UP
    period = services.case_follow_up_period(after_interventions)
    assert period.basis == CaseFollowUpBasis.INTERVENTIONS and not period.is_statutory
    assert period.started_on == TODAY and period.decision is None
    row = services.end_case_follow_up(
        after_interventions,
        by=investigator,
        expected_version=after_interventions.version,
        entry=entry(
            child_view="", child_view_missing_reason="Barnet ville inte.", end_informed=True
        ),
    )
    assert row.end_informed is None and row.start_informed_on is None
    assert row.child_view_missing_reason == "Barnet ville inte."


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ended_on": TODAY + timedelta(days=1)}, "ended_on"),
        ({"ended_on": TODAY - timedelta(days=1)}, "ended_on"),  # before the follow-up began
        ({"ended_on": None}, "ended_on"),
        ({"findings": "  "}, "findings"),
        ({"outcome": "forget_it"}, "outcome"),
        ({"contacts": ("neighbour",)}, "contacts"),
        ({"child_view": "", "child_view_missing_reason": ""}, "child_view"),
    ],
)
def test_what_cannot_be_recorded_is_named_and_nothing_is_saved(
    after_interventions, investigator, overrides, field
):
    with pytest.raises(ValidationError) as refused:
        services.end_case_follow_up(
            after_interventions,
            by=investigator,
            expected_version=after_interventions.version,
            entry=entry(**overrides),
        )
    assert list(refused.value.message_dict) == [field]
    assert not CaseFollowUp.objects.exists()
    assert Case.objects.get(pk=after_interventions.pk).status == S.FOLLOW_UP


def test_a_stale_page_is_refused(after_interventions, investigator):
    with pytest.raises(StaleVersion):
        services.end_case_follow_up(
            after_interventions,
            by=investigator,
            expected_version=after_interventions.version - 1,
            entry=entry(),
        )
    assert not CaseFollowUp.objects.exists()


def test_a_case_that_is_not_followed_up_cannot_end_a_follow_up(proposal, investigator):
    with pytest.raises(ValidationError) as refused:
        services.end_case_follow_up(
            proposal, by=investigator, expected_version=proposal.version, entry=entry()
        )
    assert refused.value.code == "status"
    assert Case.objects.get(pk=proposal.pk).status == S.PROPOSAL_AWAITING_DECISION


def test_the_handler_ends_the_follow_up_on_the_page_and_the_case_page_shows_it(
    client, after_investigation, investigator
):
    sign_in(client, investigator)
    case_page = client.get(reverse("cases:case-detail", args=[after_investigation.pk]))
    url = reverse("followup:case-follow-up-end", args=[after_investigation.pk])
    assert url in case_page.content.decode()
    form = client.get(url)
    assert "SoL 23 kap. 3 §" in form.content.decode()
    refused = client.post(
        url,
        {
            "version": after_investigation.version,
            "ended_on": TODAY.isoformat(),
            "findings": "Barnet mår bra.",
            "outcome": "no_further_action",
            "child_view": "Bra.",
        },
    )
    assert refused.status_code == 200
    assert "ska få veta att uppföljningen" in refused.content.decode()
    done = client.post(
        url,
        {
            "version": after_investigation.version,
            "ended_on": TODAY.isoformat(),
            "start_informed_on": TODAY.isoformat(),
            "contacts": ["child", "health"],
            "findings": "Barnet mår bra och går i skolan varje dag.",
            "outcome": "voluntary_support",
            "child_view": "Bra.",
            "end_informed": "on",
        },
    )
    assert done.status_code == 302
    page = client.get(reverse("cases:case-detail", args=[after_investigation.pk])).content.decode()
    assert "Barnet mår bra och går i skolan varje dag." in page
    assert "Familjen tar emot stöd frivilligt" in page
    assert "Hälso- och sjukvården" in page
    assert url not in page
