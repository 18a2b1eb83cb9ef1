"""The internal control's writes (docs/internal-control.md): the programme and its draw, the
reviewers, the answers, the findings."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rodtrad.audits import sampling, services
from rodtrad.audits.models import Checklist, ReviewStatus, SampledCase
from rodtrad.audits.tests.conftest import violence_case
from rodtrad.journal.models import JournalEntry
from rodtrad.lib.versioning import StaleVersion

pytestmark = pytest.mark.django_db


def _create(admin, districts, **kwargs):
    values = {
        "name": "Våldsärenden våren 2026",
        "checklist": Checklist.objects.get(key="violence-cases", is_current=True),
        "districts": districts,
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 5, 31),
        "sample_per_stratum": 5,
        "review_ends_on": date(2026, 9, 30),
        "reason_codes": ["I", "J"],
    }
    return services.create_programme(by=admin, **(values | kwargs))


def test_both_example_checklists_ship_with_their_items():
    violence = Checklist.objects.get(key="violence-cases", is_current=True)
    assert [i.record_rule for i in violence.items.all()][:6] == [
        "intervention_granted",
        "intervention_started",
        "child_conversation",
        "child_conversation_about_violence",
        "risk_assessment_signed",
        "violence_followed_up",
    ]
    protocol = Checklist.objects.get(key="bbic-case-file-study", is_current=True)
    analysis = protocol.items.get(key="analysis-quality")
    assert [level["label"] for level in analysis.levels] == [
        "I högre grad",
        "I viss grad",
        "I låg grad",
        "Analys saknas",
    ]
    assert protocol.items.filter(group="Täckning per BBIC-område").count() == 20


def test_the_draw_is_stratified_reproducible_and_journaled(
    admin, own_district, other_district, cases
):
    outside = violence_case(own_district, on=date(2025, 12, 1))  # before the period
    not_violence = violence_case(own_district, reason="A")
    programme = _create(admin, [own_district, other_district])
    drawn = SampledCase.objects.filter(programme=programme)
    assert drawn.filter(stratum=own_district).count() == 5
    assert drawn.filter(stratum=other_district).count() == 3  # all it has
    assert not drawn.filter(case__in=[outside, not_violence]).exists()
    assert programme.population_counts == {own_district.code: 8, other_district.code: 3}
    # The stored seed and population give the same sample again.
    population = {
        own_district.code: [c.pk for c in cases["own"]],
        other_district.code: [c.pk for c in cases["other"]],
    }
    assert sampling.population_hash(population) == programme.population_hash
    again = sampling.draw(population, 5, programme.seed)
    assert (
        list(
            drawn.filter(stratum=own_district)
            .order_by("draw_order")
            .values_list("case_id", flat=True)
        )
        == again[own_district.code]
    )
    entry = JournalEntry.objects.get(action="audits.programme_created")
    assert entry.data["seed"] == programme.seed
    assert entry.data["sample"] == {own_district.code: 5, other_district.code: 3}


def test_a_given_seed_repeats_a_draw_in_a_new_programme_and_a_case_may_be_in_both(
    admin, own_district, cases
):
    first = _create(admin, [own_district], seed=99)
    second = _create(admin, [own_district], seed=99, name="Samma dragning")
    ids = lambda p: list(p.sampled_cases.order_by("draw_order").values_list("case_id", flat=True))  # noqa: E731
    assert ids(first) == ids(second)


def test_only_the_administrator_creates_programmes(reviewer, manager, own_district, cases):
    for user in (reviewer, manager):
        with pytest.raises(PermissionDenied):
            _create(user, [own_district])


def test_a_programme_with_no_matching_case_or_a_bad_period_is_refused(admin, own_district, cases):
    with pytest.raises(ValidationError) as refused:
        _create(admin, [own_district], period_start=date(2026, 6, 1), period_end=date(2026, 5, 1))
    assert "period_end" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _create(admin, [own_district], reason_codes=["Y"])
    assert "districts" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _create(admin, [own_district], reason_codes=["ÖÖ"])
    assert "reason_codes" in refused.value.message_dict


def test_reviewers_are_given_cases_and_only_reviewers(
    admin, reviewer, second_reviewer, investigator, own_district, cases
):
    programme = _create(admin, [own_district])
    samples = list(programme.sampled_cases.all()[:2])
    added = services.assign_reviewers(
        by=admin,
        programme=programme,
        sampled_cases=samples,
        reviewer_users=[reviewer, second_reviewer],
    )
    assert added == 4
    assert (
        services.assign_reviewers(
            by=admin, programme=programme, sampled_cases=samples, reviewer_users=[reviewer]
        )
        == 0
    )
    assert list(samples[0].assignments.values_list("position", flat=True)) == [1, 2]
    with pytest.raises(ValidationError):
        services.assign_reviewers(
            by=admin, programme=programme, sampled_cases=samples, reviewer_users=[investigator]
        )
    with pytest.raises(PermissionDenied):
        services.assign_reviewers(
            by=reviewer, programme=programme, sampled_cases=samples, reviewer_users=[reviewer]
        )


@pytest.fixture
def assigned(admin, reviewer, own_district, cases):
    programme = _create(admin, [own_district])
    sampled = programme.sampled_cases.first()
    services.assign_reviewers(
        by=admin, programme=programme, sampled_cases=[sampled], reviewer_users=[reviewer]
    )
    return sampled


def test_a_draft_is_saved_with_a_version_and_a_submission_needs_every_answer(assigned, reviewer):
    draft = services.save_review(
        by=reviewer, sampled_case=assigned, answers={"risk-assessment": "no"}
    )
    assert draft.status == ReviewStatus.DRAFT and draft.version == 1
    draft = services.save_review(
        by=reviewer, sampled_case=assigned, answers={"risk-assessment": "yes"}, expected_version=1
    )
    assert draft.version == 2
    with pytest.raises(StaleVersion):
        services.save_review(by=reviewer, sampled_case=assigned, answers={}, expected_version=1)
    with pytest.raises(ValidationError) as refused:
        services.save_review(
            by=reviewer,
            sampled_case=assigned,
            answers={"risk-assessment": "yes"},
            expected_version=2,
            submit=True,
        )
    assert "item_offered-intervention" in refused.value.message_dict
    assert "item_notes" not in refused.value.message_dict  # free text is never required
    answers = {i.key: "yes" for i in assigned.programme.checklist.items.exclude(kind="text")}
    done = services.save_review(
        by=reviewer, sampled_case=assigned, answers=answers, expected_version=2, submit=True
    )
    assert done.is_submitted
    with pytest.raises(ValidationError):
        services.save_review(
            by=reviewer, sampled_case=assigned, answers=answers, expected_version=3
        )
    entry = JournalEntry.objects.filter(action="audits.review_submitted").get()
    assert "yes" not in str(entry.data)  # the journal keeps no answers


def test_an_answer_outside_the_item_is_refused(assigned, reviewer):
    with pytest.raises(ValidationError) as refused:
        services.save_review(
            by=reviewer, sampled_case=assigned, answers={"risk-assessment": "kanske"}
        )
    assert "item_risk-assessment" in refused.value.message_dict


def test_no_one_but_the_given_reviewer_answers_and_not_after_the_period(
    assigned, reviewer, second_reviewer, time_machine
):
    with pytest.raises(PermissionDenied):
        services.save_review(by=second_reviewer, sampled_case=assigned, answers={})
    time_machine.move_to(date(2026, 10, 1), tick=False)
    with pytest.raises(ValidationError):
        services.save_review(by=reviewer, sampled_case=assigned, answers={})


def test_a_finding_goes_to_the_team_manager_of_the_district_who_records_what_was_done(
    assigned, reviewer, manager, other_district_manager
):
    item = assigned.programme.checklist.items.get(key="risk-assessment")
    finding = services.flag_finding(
        by=reviewer, sampled_case=assigned, item=item, note="Ingen riskbedömning trots våld."
    )
    with pytest.raises(PermissionDenied):
        services.record_finding_action(
            by=other_district_manager, finding=finding, action_note="x", expected_version=1
        )
    with pytest.raises(ValidationError):
        services.record_finding_action(
            by=manager, finding=finding, action_note=" ", expected_version=1
        )
    # The same question cannot be flagged again while the manager has not answered.
    with pytest.raises(ValidationError) as twice:
        services.flag_finding(by=reviewer, sampled_case=assigned, item=item, note="Igen.")
    assert "item" in twice.value.message_dict
    handled = services.record_finding_action(
        by=manager, finding=finding, action_note="Riskbedömning gjord.", expected_version=1
    )
    assert not handled.is_open and handled.action_by == manager
    again = services.flag_finding(
        by=reviewer, sampled_case=assigned, item=item, note="Riskbedömningen saknar våldet."
    )
    assert again.is_open
    assert JournalEntry.objects.filter(
        action="audits.finding_handled", case_id=assigned.case_id
    ).exists()


def test_a_new_checklist_edition_is_new_rows_and_programmes_keep_theirs(admin, own_district, cases):
    old = Checklist.objects.get(key="violence-cases", is_current=True)
    programme = _create(admin, [own_district])
    new = services.new_checklist_edition(
        by=admin,
        checklist=old,
        edition="2027",
        texts={"risk-assessment": "Gjordes en strukturerad riskbedömning?"},
        removed=["notes"],
        added=[("Fick barnet information om sin rätt till stöd?", "yes_no"), ("", "text")],
    )
    old.refresh_from_db()
    assert not old.is_current and new.is_current and new.replaces == old
    assert new.items.get(key="risk-assessment").text == "Gjordes en strukturerad riskbedömning?"
    assert new.items.get(key="risk-assessment").record_rule == "risk_assessment_signed"
    assert not new.items.filter(key="notes").exists()
    assert new.items.get(key="item-1").kind == "yes_no"
    assert old.items.get(key="risk-assessment").text == "Gjordes en riskbedömning?"
    programme.refresh_from_db()
    assert programme.checklist == old
    with pytest.raises(ValidationError):  # the old edition gets no new one
        services.new_checklist_edition(by=admin, checklist=old, edition="2028", texts={})
    with pytest.raises(ValidationError):  # the name is taken
        services.new_checklist_edition(by=admin, checklist=new, edition="2027", texts={})
    assert JournalEntry.objects.filter(action="audits.checklist_edition_created").count() == 1
