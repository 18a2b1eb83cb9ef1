"""Writes in an investigation: each service's rules and the journal entry it writes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rodtrad.cases.models import CaseStatus
from rodtrad.cases.services import DocumentLocked, request_emergency_access
from rodtrad.frameworks.models import Code
from rodtrad.intake.tests.factories import ReportChildFactory
from rodtrad.investigation import queries, services
from rodtrad.investigation.models import (
    Analysis,
    ContactKind,
    InvestigationPlan,
    Need,
    Outcome,
)
from rodtrad.investigation.tests.factories import (
    AnalysisFactory,
    ContactFactory,
    InvestigationFactory,
    InvestigationPlanFactory,
    RiskAssessmentFactory,
)
from rodtrad.journal.models import JournalEntry
from rodtrad.lib.versioning import StaleVersion


def journal(action: str) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(action=action).order_by("seq"))


def codes_of(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return set(error.error_dict)
    return {e.code for e in error.error_list}


def signed_plan(investigation, by):
    plan = services.create_plan(
        investigation, by=by, event_on=timezone.localdate(), framework="bbic-2018-areas"
    )
    return services.sign_plan(
        plan,
        by=by,
        expected_version=plan.version,
        changes={"questions": "Hur mår barnet i skolan?", "areas": ["halsa", "utbildning"]},
    )


# --- Informing the parties (20:4) -------------------------------------------------------------


def test_informing_the_parties_records_when_and_how_and_is_journaled(
    investigation, investigator, today
):
    updated = services.record_informing(
        investigation,
        by=investigator,
        expected_version=investigation.version,
        informed_on=today,
        informed_how="Brev till båda vårdnadshavarna och samtal med barnet.",
    )
    assert updated.informed_on == today
    assert updated.informing_recorded_at is not None
    [entry] = journal("investigation.parties_informed")
    assert entry.case_id == investigation.case_id
    assert entry.data == {"informed_on": today.isoformat()}


def test_deferring_the_information_needs_a_reason_and_is_journaled(investigation, investigator):
    with pytest.raises(ValidationError):
        services.record_informing(
            investigation, by=investigator, expected_version=investigation.version
        )
    services.record_informing(
        investigation,
        by=investigator,
        expected_version=investigation.version,
        deferred_reason="Polisen förhör pappan först; barnet kan annars utsättas för fara.",
    )
    assert len(journal("investigation.information_deferred")) == 1


def test_informing_needs_how_and_a_date_within_the_investigation(investigation, investigator):
    with pytest.raises(ValidationError) as error:
        services.record_informing(
            investigation,
            by=investigator,
            expected_version=investigation.version,
            informed_on=investigation.opened_on - timedelta(days=1),
            informed_how="Brev",
        )
    assert codes_of(error.value) == {"informed_on"}
    with pytest.raises(ValidationError) as error:
        services.record_informing(
            investigation,
            by=investigator,
            expected_version=investigation.version,
            informed_on=investigation.opened_on,
        )
    assert codes_of(error.value) == {"informed_how"}
    assert not journal("investigation.parties_informed")


# --- Plan ---------------------------------------------------------------------------------


def test_a_plan_starts_as_a_draft_with_its_framework_and_is_journaled(
    investigation, investigator, today
):
    plan = services.create_plan(
        investigation, by=investigator, event_on=today, framework="bbic-2018-areas"
    )
    assert plan.status == "draft"
    assert plan.case_id == investigation.case_id
    [entry] = journal("investigation.investigationplan_created")
    assert entry.data == {"event_on": today.isoformat(), "framework": "bbic-2018-areas"}


def test_an_investigation_has_one_plan(investigation, investigator, today):
    services.create_plan(
        investigation, by=investigator, event_on=today, framework="bbic-2018-areas"
    )
    with pytest.raises(ValidationError) as error:
        services.create_plan(
            investigation, by=investigator, event_on=today, framework="bbic-2006-areas"
        )
    assert codes_of(error.value) == {"plan"}


def test_an_unknown_framework_is_refused(investigation, investigator, today):
    with pytest.raises(ValidationError) as error:
        services.create_plan(
            investigation, by=investigator, event_on=today, framework="report-reasons"
        )
    assert codes_of(error.value) == {"framework"}


def test_saving_the_plan_draft_is_journaled_with_the_field_names(
    investigation, investigator, today
):
    plan = services.create_plan(
        investigation, by=investigator, event_on=today, framework="bbic-2018-areas"
    )
    saved = services.save_document_draft(
        plan,
        by=investigator,
        expected_version=plan.version,
        changes={"questions": "Hur är barnets hälsa?", "areas": ["halsa"]},
    )
    assert saved.version == 2
    [entry] = journal("investigation.investigationplan_draft_saved")
    assert entry.data == {"fields": ["areas", "questions"]}


def test_plan_areas_must_be_areas_of_its_framework(investigation, investigator, today):
    plan = services.create_plan(
        investigation, by=investigator, event_on=today, framework="bbic-2018-areas"
    )
    for wrong in (["barnets-utveckling"], ["finns-inte"]):
        with pytest.raises(ValidationError) as error:
            services.save_document_draft(
                plan, by=investigator, expected_version=plan.version, changes={"areas": wrong}
            )
        assert codes_of(error.value) == {"areas"}


def test_a_stale_draft_is_not_saved(investigation, investigator, today):
    plan = services.create_plan(
        investigation, by=investigator, event_on=today, framework="bbic-2018-areas"
    )
    services.save_document_draft(
        plan, by=investigator, expected_version=1, changes={"questions": "Första"}
    )
    with pytest.raises(StaleVersion):
        services.save_document_draft(
            plan, by=investigator, expected_version=1, changes={"questions": "Andra"}
        )
    plan.refresh_from_db()
    assert plan.questions == "Första"


def test_signing_the_plan_needs_questions_and_an_area(investigation, investigator, today):
    plan = services.create_plan(
        investigation, by=investigator, event_on=today, framework="bbic-2018-areas"
    )
    with pytest.raises(ValidationError) as error:
        services.sign_plan(plan, by=investigator, expected_version=plan.version)
    assert codes_of(error.value) == {"questions"}
    with pytest.raises(ValidationError) as error:
        services.sign_plan(
            plan, by=investigator, expected_version=plan.version, changes={"questions": "Hur?"}
        )
    assert codes_of(error.value) == {"areas"}
    plan.refresh_from_db()
    assert plan.questions == ""  # nothing half-saved
    assert not journal("investigation.investigationplan_signed")


def test_a_signed_plan_is_locked(investigation, investigator):
    plan = signed_plan(investigation, investigator)
    assert plan.is_signed and plan.content_hash
    [entry] = journal("investigation.investigationplan_signed")
    assert entry.data == {"content_hash": plan.content_hash}
    with pytest.raises(DocumentLocked):
        services.save_document_draft(
            plan, by=investigator, expected_version=plan.version, changes={"questions": "Nytt"}
        )


def test_a_correction_is_a_new_draft_pointing_at_the_signed_plan(investigation, investigator):
    plan = signed_plan(investigation, investigator)
    correction = services.correct_investigation_document(
        plan, by=investigator, reason="Fel område valt: skolan hör till utbildning."
    )
    assert correction.corrects == plan
    assert correction.status == "draft"
    assert correction.areas == ["halsa", "utbildning"]
    assert queries.current_document(InvestigationPlan, investigation) == correction
    plan.refresh_from_db()
    assert plan.is_signed
    [entry] = journal("investigation.investigationplan_correction_started")
    assert entry.data == {"corrects": plan.pk}


# --- Areas ----------------------------------------------------------------------------------


def test_an_area_text_is_for_one_area_of_the_framework(investigation, investigator, today):
    area = services.create_area_assessment(
        investigation, by=investigator, event_on=today, area="halsa"
    )
    assert area.framework == "bbic-2018-areas"
    [entry] = journal("investigation.areaassessment_created")
    assert entry.data["area"] == "halsa"
    with pytest.raises(ValidationError):
        services.create_area_assessment(
            investigation, by=investigator, event_on=today, area="halsa"
        )
    with pytest.raises(ValidationError):
        services.create_area_assessment(
            investigation, by=investigator, event_on=today, area="foraldrarnas-formaga"
        )


def test_signing_an_area_text_needs_the_facts(investigation, investigator, today):
    area = services.create_area_assessment(
        investigation, by=investigator, event_on=today, area="halsa"
    )
    with pytest.raises(ValidationError) as error:
        services.sign_area_assessment(area, by=investigator, expected_version=area.version)
    assert codes_of(error.value) == {"facts"}
    signed = services.sign_area_assessment(
        area,
        by=investigator,
        expected_version=area.version,
        changes={"facts": "BVC: växer normalt.", "child_view": "Jag mår bra."},
    )
    assert signed.is_signed
    assert len(journal("investigation.areaassessment_signed")) == 1


# --- Contacts -----------------------------------------------------------------------------


def test_a_conversation_with_the_child_records_alone_and_violence(
    investigation, investigator, today
):
    contact = services.log_contact(
        investigation,
        by=investigator,
        kind=ContactKind.CHILD_CONVERSATION,
        event_on=today,
        summary="Samtal i skolan.",
        child_alone=True,
        covered_violence=True,
    )
    assert (contact.child_alone, contact.covered_violence) == (True, True)
    [entry] = journal("investigation.contact_logged")
    assert entry.data == {
        "kind": "child_conversation",
        "event_on": today.isoformat(),
        "child_alone": True,
        "covered_violence": True,
    }
    participation = queries.child_participation(investigation)
    assert (participation.conversations, participation.alone, participation.about_violence) == (
        1,
        1,
        1,
    )


def test_a_conversation_with_the_child_must_say_whether_the_child_was_alone(
    investigation, investigator, today
):
    with pytest.raises(ValidationError) as error:
        services.log_contact(
            investigation,
            by=investigator,
            kind=ContactKind.CHILD_CONVERSATION,
            event_on=today,
            summary="Samtal.",
        )
    assert codes_of(error.value) == {"child_alone", "covered_violence"}
    assert not journal("investigation.contact_logged")


def test_other_contacts_keep_no_child_conversation_fields(investigation, investigator, today):
    contact = services.log_contact(
        investigation,
        by=investigator,
        kind=ContactKind.REFERENCE_SCHOOL,
        event_on=today,
        summary="Mentorn berättar om frånvaro.",
        child_alone=True,
    )
    assert contact.child_alone is None
    assert not queries.child_participation(investigation).is_met


def test_a_contact_cannot_be_dated_in_the_future_or_before_the_opening(
    investigation, investigator, today
):
    for day in (today + timedelta(days=1), investigation.opened_on - timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            services.log_contact(
                investigation,
                by=investigator,
                kind=ContactKind.HOME_VISIT,
                event_on=day,
                summary="Besök.",
            )
        assert codes_of(error.value) == {"event_on"}


def test_a_contact_logged_more_than_seven_days_later_is_marked_late(
    investigation, investigator, today
):
    late = services.log_contact(
        investigation,
        by=investigator,
        kind=ContactKind.HOME_VISIT,
        event_on=today - timedelta(days=8),
        summary="Hembesök.",
    )
    on_time = services.log_contact(
        investigation,
        by=investigator,
        kind=ContactKind.HOME_VISIT,
        event_on=today - timedelta(days=7),
        summary="Hembesök.",
    )
    assert late.is_recorded_late and not on_time.is_recorded_late


# --- Analysis, child participation and risk -------------------------------------------------


def test_an_analysis_without_a_conversation_with_the_child_needs_a_reason(
    investigation, investigator
):
    analysis = AnalysisFactory.drafted(investigation, investigator)
    with pytest.raises(ValidationError) as error:
        services.sign_analysis(analysis, by=investigator, expected_version=analysis.version)
    assert codes_of(error.value) == {"child_not_met_reason"}
    signed = services.sign_analysis(
        analysis,
        by=investigator,
        expected_version=analysis.version,
        changes={
            "child_not_met_reason": "Barnet är sex månader; samspelet observerades vid hembesök."
        },
    )
    assert signed.is_signed
    assert len(journal("investigation.analysis_signed")) == 1


def test_an_analysis_after_a_conversation_with_the_child_signs_without_a_reason(
    investigation, investigator
):
    ContactFactory.logged(investigation, investigator)
    analysis = AnalysisFactory.drafted(investigation, investigator)
    signed = services.sign_analysis(analysis, by=investigator, expected_version=analysis.version)
    assert signed.is_signed


def test_the_signed_analysis_keeps_its_needs_in_the_signed_content(investigation, investigator):
    ContactFactory.logged(investigation, investigator)
    analysis = AnalysisFactory.drafted(investigation, investigator)
    need = services.add_need(
        investigation,
        by=investigator,
        area="utbildning",
        description="Stöd i läsning.",
        severity="moderate",
    )
    signed = services.sign_analysis(analysis, by=investigator, expected_version=analysis.version)
    assert signed.needs_snapshot == [
        {
            "id": need.pk,
            "framework": "bbic-2018-areas",
            "area": "utbildning",
            "description": "Stöd i läsning.",
            "severity": "moderate",
            "child_view": "",
        }
    ]
    from rodtrad.cases.services import _content_hash

    assert _content_hash(signed) == signed.content_hash


def test_a_violence_coded_case_needs_a_signed_risk_assessment_before_the_analysis(
    investigation, investigator
):
    # M: våld i familjen
    ReportChildFactory(case=investigation.case, report__reasons=["A", "M"])
    ContactFactory.logged(investigation, investigator)
    analysis = AnalysisFactory.drafted(investigation, investigator)
    assert queries.violence_reason_codes(investigation.case) == ["M"]
    with pytest.raises(ValidationError) as error:
        services.sign_analysis(analysis, by=investigator, expected_version=analysis.version)
    assert codes_of(error.value) == {"__all__"}
    assert not journal("investigation.analysis_signed")
    RiskAssessmentFactory.signed_by(investigation, investigator)
    assert services.sign_analysis(
        analysis, by=investigator, expected_version=analysis.version
    ).is_signed


def test_a_risk_assessment_draft_is_not_enough(investigation, investigator, today):
    ReportChildFactory(case=investigation.case, report__reasons=["I"])
    ContactFactory.logged(investigation, investigator)
    services.create_risk_assessment(
        investigation, by=investigator, event_on=today, instrument="PATRIARK"
    )
    analysis = AnalysisFactory.drafted(investigation, investigator)
    with pytest.raises(ValidationError):
        services.sign_analysis(analysis, by=investigator, expected_version=analysis.version)


def test_reasons_without_violence_need_no_risk_assessment(investigation, investigator):
    ReportChildFactory(case=investigation.case, report__reasons=["A", "N"])
    ContactFactory.logged(investigation, investigator)
    analysis = AnalysisFactory.drafted(investigation, investigator)
    assert services.sign_analysis(
        analysis, by=investigator, expected_version=analysis.version
    ).is_signed


def test_the_violence_set_comes_from_the_code_list(investigation, investigator):
    ReportChildFactory(case=investigation.case, report__reasons=["N"])
    assert not queries.is_risk_assessment_required(investigation)
    code = Code.objects.get(code_list__key="report-reasons", code="N")
    code.attributes = {**code.attributes, "violence": True}
    code.save()
    assert queries.is_risk_assessment_required(investigation)


def test_signing_a_risk_assessment_needs_judgement_horizon_and_reassessment_date(
    investigation, investigator, today
):
    risk = services.create_risk_assessment(
        investigation, by=investigator, event_on=today, instrument="SARA:SV", instrument_version="3"
    )
    [entry] = journal("investigation.riskassessment_created")
    assert entry.data == {"event_on": today.isoformat(), "instrument_code": ""}
    with pytest.raises(ValidationError) as error:
        services.sign_risk_assessment(risk, by=investigator, expected_version=risk.version)
    assert codes_of(error.value) == {"judgement", "time_horizon", "reassessment_on"}
    with pytest.raises(ValidationError) as error:
        services.save_document_draft(
            risk,
            by=investigator,
            expected_version=risk.version,
            changes={"reassessment_on": today - timedelta(days=1)},
        )
    assert codes_of(error.value) == {"reassessment_on"}
    signed = services.sign_risk_assessment(
        risk,
        by=investigator,
        expected_version=risk.version,
        changes={
            "answers": {"1": "Ja", "2": "Nej"},
            "judgement": "high",
            "time_horizon": "acute",
            "reassessment_on": today + timedelta(days=14),
        },
    )
    assert signed.is_signed and signed.answers == {"1": "Ja", "2": "Nej"}


# --- Needs --------------------------------------------------------------------------------


def test_needs_are_added_changed_and_removed_while_the_analysis_is_a_draft(
    investigation, investigator
):
    AnalysisFactory.drafted(investigation, investigator)
    need = services.add_need(
        investigation,
        by=investigator,
        area="halsa",
        description="Tandvård.",
        severity="low",
        child_view="Det gör ont.",
    )
    assert journal("investigation.need_added")[0].data == {"area": "halsa", "severity": "low"}
    need = services.update_need(
        need,
        by=investigator,
        expected_version=need.version,
        area="halsa",
        description="Tandvård snart.",
        severity="high",
    )
    assert need.severity == "high"
    assert journal("investigation.need_updated")[0].data == {"area": "halsa", "severity": "high"}
    with pytest.raises(StaleVersion):
        services.remove_need(need, by=investigator, expected_version=1)
    services.remove_need(need, by=investigator, expected_version=need.version)
    assert not Need.objects.exists()
    assert journal("investigation.need_removed")[0].data == {"need_id": need.pk, "area": "halsa"}


def test_a_need_is_in_an_area_of_the_framework_and_has_a_severity(investigation, investigator):
    with pytest.raises(ValidationError) as error:
        services.add_need(
            investigation, by=investigator, area="halsa", description="", severity="huge"
        )
    assert codes_of(error.value) == {"description"}
    with pytest.raises(ValidationError) as error:
        services.add_need(
            investigation, by=investigator, area="halsa", description="X", severity="huge"
        )
    assert codes_of(error.value) == {"severity"}
    with pytest.raises(ValidationError) as error:
        services.add_need(
            investigation, by=investigator, area="ekonomi", description="X", severity="low"
        )
    assert codes_of(error.value) == {"area"}


def test_needs_are_locked_with_the_signed_analysis(investigation, investigator):
    ContactFactory.logged(investigation, investigator)
    analysis = AnalysisFactory.drafted(investigation, investigator)
    need = services.add_need(
        investigation, by=investigator, area="halsa", description="X", severity="low"
    )
    services.sign_analysis(analysis, by=investigator, expected_version=analysis.version)
    assert not queries.are_needs_editable(investigation)
    with pytest.raises(ValidationError) as error:
        services.add_need(
            investigation, by=investigator, area="halsa", description="Y", severity="low"
        )
    assert codes_of(error.value) == {"locked"}
    with pytest.raises(ValidationError):
        services.update_need(
            need,
            by=investigator,
            expected_version=need.version,
            area="halsa",
            description="Z",
            severity="low",
        )
    with pytest.raises(ValidationError):
        services.remove_need(need, by=investigator, expected_version=need.version)
    # A correction of the analysis opens the needs again; the signed one keeps its copy.
    analysis.refresh_from_db()
    services.correct_investigation_document(analysis, by=investigator, reason="Ett behov saknas.")
    assert queries.are_needs_editable(investigation)


# --- Extension decisions (20:3) -------------------------------------------------------------


@pytest.fixture
def january_investigation(own_units, investigator, time_machine):
    """Opened 2027-01-12: four months end on Wednesday 2027-05-12."""
    time_machine.move_to(date(2027, 1, 12), tick=False)
    return InvestigationFactory.opened(own_units["investigation"], investigator, date(2027, 1, 12))


def test_a_team_manager_extends_the_investigation_before_its_last_day(
    january_investigation, manager, time_machine
):
    time_machine.move_to(date(2027, 5, 12), tick=False)
    assert january_investigation.deadline.due == date(2027, 5, 12)
    decision = services.decide_extension(
        january_investigation,
        by=manager,
        decided_on=date(2027, 5, 12),
        extended_to=date(2027, 6, 30),
        reasons="Utlåtande från BUP dröjer till juni.",
    )
    assert decision.previous_due == date(2027, 5, 12)
    january_investigation.refresh_from_db()
    assert queries.get_investigation_for(manager, january_investigation.pk).deadline.due == date(
        2027, 6, 30
    )
    [entry] = journal("investigation.extension_decided")
    assert entry.data == {
        "decided_on": "2027-05-12",
        "extended_to": "2027-06-30",
        "previous_due": "2027-05-12",
    }


def test_only_a_team_manager_of_the_district_decides_an_extension(
    january_investigation, investigator, other_district_manager, time_machine
):
    time_machine.move_to(date(2027, 5, 1), tick=False)
    for user in (investigator, other_district_manager):
        with pytest.raises(PermissionDenied):
            services.decide_extension(
                january_investigation,
                by=user,
                decided_on=date(2027, 5, 1),
                extended_to=date(2027, 6, 30),
                reasons="Skäl.",
            )
    assert not journal("investigation.extension_decided")


def test_an_extension_after_the_last_day_is_refused_and_the_investigation_is_flagged(
    january_investigation, manager, time_machine
):
    time_machine.move_to(date(2027, 5, 13), tick=False)
    fresh = queries.get_investigation_for(manager, january_investigation.pk)
    assert fresh.is_past_deadline_without_extension
    with pytest.raises(ValidationError) as error:
        services.decide_extension(
            fresh,
            by=manager,
            decided_on=date(2027, 5, 13),
            extended_to=date(2027, 6, 30),
            reasons="Skäl.",
        )
    assert codes_of(error.value) == {"decided_on"}


def test_an_extension_needs_reasons_and_a_later_last_day(
    january_investigation, manager, time_machine
):
    time_machine.move_to(date(2027, 5, 4), tick=False)
    with pytest.raises(ValidationError) as error:
        services.decide_extension(
            january_investigation,
            by=manager,
            decided_on=date(2027, 5, 4),
            extended_to=date(2027, 5, 12),
            reasons="Skäl.",
        )
    assert codes_of(error.value) == {"extended_to"}
    with pytest.raises(ValidationError) as error:
        services.decide_extension(
            january_investigation,
            by=manager,
            decided_on=date(2027, 5, 4),
            extended_to=None,
            reasons="Skäl.",
        )
    assert codes_of(error.value) == {"extended_to"}
    with pytest.raises(ValidationError) as error:
        services.decide_extension(
            january_investigation,
            by=manager,
            decided_on=date(2027, 5, 4),
            extended_to=date(2027, 6, 1),
            reasons=" ",
        )
    assert codes_of(error.value) == {"reasons"}


def test_an_extended_investigation_is_flagged_again_when_the_extension_runs_out(
    january_investigation, manager, time_machine
):
    time_machine.move_to(date(2027, 5, 11), tick=False)
    services.decide_extension(
        january_investigation,
        by=manager,
        decided_on=date(2027, 5, 11),
        extended_to=date(2027, 6, 15),
        reasons="Skäl.",
    )
    time_machine.move_to(date(2027, 6, 1), tick=False)
    assert not queries.get_investigation_for(
        manager, january_investigation.pk
    ).is_past_deadline_without_extension
    time_machine.move_to(date(2027, 6, 16), tick=False)
    assert queries.get_investigation_for(
        manager, january_investigation.pk
    ).is_past_deadline_without_extension


def test_an_extension_is_bounded_to_six_months_after_the_current_last_day(
    january_investigation, manager, time_machine
):
    # From the red-team pass on issue 6 (U-8): a grant to 2030-01-01 was accepted. The current
    # last day is 2027-05-12, so six months later is 2027-11-12.
    time_machine.move_to(date(2027, 5, 4), tick=False)
    for far in (date(2027, 11, 13), date(2030, 1, 1), date(9999, 12, 31)):
        with pytest.raises(ValidationError) as error:
            services.decide_extension(
                january_investigation,
                by=manager,
                decided_on=date(2027, 5, 4),
                extended_to=far,
                reasons="Skäl.",
            )
        assert codes_of(error.value) == {"extended_to"}
        assert "senast 2027-11-12" in error.value.messages[0]
    assert not journal("investigation.extension_decided")
    decision = services.decide_extension(
        january_investigation,
        by=manager,
        decided_on=date(2027, 5, 4),
        extended_to=date(2027, 11, 12),
        reasons="Skäl.",
    )
    assert decision.extended_to == date(2027, 11, 12)


def test_the_bound_on_extensions_is_a_setting(
    january_investigation, manager, time_machine, settings
):
    settings.RODTRAD_EXTENSION_MAX_MONTHS = 2
    time_machine.move_to(date(2027, 5, 4), tick=False)
    with pytest.raises(ValidationError) as error:
        services.decide_extension(
            january_investigation,
            by=manager,
            decided_on=date(2027, 5, 4),
            extended_to=date(2027, 7, 13),
            reasons="Skäl.",
        )
    assert "högst 2 månader" in error.value.messages[0]


# --- Extension requests (20:3) ---------------------------------------------------------------


def test_the_investigator_requests_an_extension_and_it_is_journaled(
    january_investigation, investigator, time_machine
):
    time_machine.move_to(date(2027, 5, 3), tick=False)
    extension_request = services.request_extension(
        january_investigation,
        by=investigator,
        reasons="BUP:s utlåtande kommer först i juni.",
        proposed_to=date(2027, 6, 30),
    )
    assert extension_request.is_pending
    assert extension_request.requested_by == investigator
    # A request is not a decision: the time limit has not moved.
    fresh = queries.get_investigation_for(investigator, january_investigation.pk)
    assert fresh.deadline.due == date(2027, 5, 12)
    [entry] = journal("investigation.extension_requested")
    assert entry.case_id == january_investigation.case_id
    assert entry.data == {"proposed_to": "2027-06-30", "current_due": "2027-05-12"}


def test_an_extension_request_needs_reasons_a_later_day_and_only_one_waits(
    january_investigation, investigator, time_machine
):
    time_machine.move_to(date(2027, 5, 3), tick=False)
    cases = [
        ({"reasons": " ", "proposed_to": date(2027, 6, 30)}, "reasons"),
        ({"reasons": "Skäl.", "proposed_to": None}, "proposed_to"),
        ({"reasons": "Skäl.", "proposed_to": date(2027, 5, 12)}, "proposed_to"),
        # At most six months after the current last day, 2027-05-12 (U-8).
        ({"reasons": "Skäl.", "proposed_to": date(2027, 11, 13)}, "proposed_to"),
        ({"reasons": "Skäl.", "proposed_to": date(9999, 12, 31)}, "proposed_to"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as error:
            services.request_extension(january_investigation, by=investigator, **values)
        assert codes_of(error.value) == {field}
    services.request_extension(
        january_investigation, by=investigator, reasons="Skäl.", proposed_to=date(2027, 6, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.request_extension(
            january_investigation, by=investigator, reasons="Igen.", proposed_to=date(2027, 6, 2)
        )
    assert codes_of(error.value) == {"pending"}


def test_an_extension_request_after_the_last_day_is_refused(
    january_investigation, investigator, time_machine
):
    time_machine.move_to(date(2027, 5, 13), tick=False)
    with pytest.raises(ValidationError) as error:
        services.request_extension(
            january_investigation, by=investigator, reasons="Skäl.", proposed_to=date(2027, 6, 1)
        )
    assert "kan inte beslutas i efterhand" in error.value.messages[0]


def test_the_manager_grants_a_request_through_the_extension_decision(
    january_investigation, investigator, manager, time_machine
):
    time_machine.move_to(date(2027, 5, 3), tick=False)
    extension_request = services.request_extension(
        january_investigation, by=investigator, reasons="Skäl.", proposed_to=date(2027, 6, 30)
    )
    time_machine.move_to(date(2027, 5, 12), tick=False)
    # 2027-06-19 is a Saturday: the day the manager sets stands, not moved to Monday.
    decision = services.decide_extension(
        january_investigation,
        by=manager,
        decided_on=date(2027, 5, 12),
        extended_to=date(2027, 6, 19),
        reasons="BUP:s utlåtande dröjer.",
    )
    extension_request.refresh_from_db()
    assert extension_request.status == "granted"
    assert extension_request.decision == decision
    assert extension_request.decided_by == manager
    fresh = queries.get_investigation_for(manager, january_investigation.pk)
    assert fresh.deadline.due == date(2027, 6, 19)
    assert journal("investigation.extension_request_granted")[0].data == {
        "decision_id": decision.pk
    }


def test_the_manager_refuses_a_request_with_a_reason_and_the_time_stays(
    january_investigation, investigator, manager, time_machine
):
    time_machine.move_to(date(2027, 5, 3), tick=False)
    services.request_extension(
        january_investigation, by=investigator, reasons="Skäl.", proposed_to=date(2027, 6, 30)
    )
    with pytest.raises(PermissionDenied):
        services.refuse_extension_request(
            january_investigation, by=investigator, reason="Mitt eget nej."
        )
    with pytest.raises(ValidationError) as error:
        services.refuse_extension_request(january_investigation, by=manager, reason=" ")
    assert codes_of(error.value) == {"refusal_reason"}
    refused = services.refuse_extension_request(
        january_investigation, by=manager, reason="Utredningen kan bli klar i tid utan BUP."
    )
    assert refused.status == "refused"
    assert refused.refusal_reason == "Utredningen kan bli klar i tid utan BUP."
    assert not january_investigation.extensions.exists()
    assert journal("investigation.extension_request_refused")[0].case_id == (
        january_investigation.case_id
    )
    with pytest.raises(ValidationError) as error:
        services.refuse_extension_request(january_investigation, by=manager, reason="Igen.")
    assert codes_of(error.value) == {"pending"}


def test_closing_the_investigation_ends_a_waiting_request(investigation, investigator, today):
    services.request_extension(
        investigation,
        by=investigator,
        reasons="Skäl.",
        proposed_to=investigation.deadline.due + timedelta(days=30),
    )
    services.close_investigation(
        investigation,
        by=investigator,
        expected_version=investigation.version,
        outcome=Outcome.TRANSFERRED,
        closed_on=today,
        note="Flyttat till Uppsala.",
    )
    assert investigation.extension_requests.get().status == "withdrawn"
    assert journal("investigation.extension_request_withdrawn")


# --- Communication (FL 25 §) ----------------------------------------------------------------


def communicate(investigation, by, *, sent_on, answer_by, recipient=None):
    """Kommunicering to a guardian of the child (a new one unless `recipient` names one)."""
    from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory

    if recipient is None:
        recipient = RelationshipFactory(
            child=investigation.case.child,
            other=PersonFactory(district=investigation.case.district),
        )
    return services.record_communication(
        investigation,
        by=by,
        subject="Utredningen i sin helhet.",
        recipient=recipient.other,
        relationship=recipient,
        sent_on=sent_on,
        answer_by=answer_by,
    )


def test_a_communication_and_its_answer_are_journaled(investigation, investigator, today):
    from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory

    AnalysisFactory.drafted(investigation, investigator)
    guardian = RelationshipFactory(
        child=investigation.case.child, other=PersonFactory(district=investigation.case.district)
    )
    sent = communicate(
        investigation,
        investigator,
        sent_on=today,
        answer_by=today + timedelta(days=14),
        recipient=guardian,
    )
    assert journal("investigation.communication_sent")[0].data == {
        "sent_on": today.isoformat(),
        "answer_by": (today + timedelta(days=14)).isoformat(),
        "recipient_id": guardian.other_id,
        "recipient_kind": "guardian",
        "is_recipient_protected": False,
        "has_protected_network": False,
        "is_secrecy_checked": False,
    }
    with pytest.raises(ValidationError):
        services.record_communication_answer(
            sent, by=investigator, expected_version=sent.version, answer="", answered_on=today
        )
    answered = services.record_communication_answer(
        sent, by=investigator, expected_version=sent.version, answer="Instämmer.", answered_on=today
    )
    assert answered.answer_recorded_at is not None
    assert journal("investigation.communication_answered")[0].data == {
        "answered_on": today.isoformat()
    }


def test_kommunicering_before_the_analysis_is_written_is_refused_with_what_is_missing(
    investigation, investigator, today
):
    with pytest.raises(ValidationError) as error:
        communicate(investigation, investigator, sent_on=today, answer_by=today)
    assert codes_of(error.value) == {"analysis"}
    assert "Analysen och bedömningen saknas" in error.value.messages[0]
    # An empty draft is not an analysis either.
    services.create_analysis(investigation, by=investigator, event_on=today)
    with pytest.raises(ValidationError) as error:
        communicate(investigation, investigator, sent_on=today, answer_by=today)
    assert codes_of(error.value) == {"analysis"}
    assert not journal("investigation.communication_sent")


def test_kommunicering_with_a_draft_analysis_is_allowed_and_needs_a_time_to_answer(
    investigation, investigator, today
):
    AnalysisFactory.drafted(investigation, investigator)
    with pytest.raises(ValidationError) as error:
        communicate(investigation, investigator, sent_on=today, answer_by=None)
    assert codes_of(error.value) == {"answer_by"}
    with pytest.raises(ValidationError) as error:
        communicate(investigation, investigator, sent_on=today, answer_by=today - timedelta(days=1))
    assert codes_of(error.value) == {"answer_by"}
    sent = communicate(investigation, investigator, sent_on=today, answer_by=today)
    assert sent.answer_by == today


# --- Closing --------------------------------------------------------------------------------


def ready_to_close(investigation, by):
    """A signed analysis naming one need."""
    ContactFactory.logged(investigation, by)
    analysis = AnalysisFactory.drafted(investigation, by)
    need = services.add_need(
        investigation, by=by, area="utbildning", description="Läsning.", severity="high"
    )
    services.sign_analysis(analysis, by=by, expected_version=analysis.version)
    return need


def test_closing_with_a_proposal_names_at_least_one_need(investigation, investigator, today):
    ready_to_close(investigation, investigator)
    with pytest.raises(ValidationError) as error:
        services.close_investigation(
            investigation,
            by=investigator,
            expected_version=investigation.version,
            outcome=Outcome.PROPOSAL,
            closed_on=today,
        )
    assert codes_of(error.value) == {"needs"}
    investigation.refresh_from_db()
    assert investigation.is_open
    assert investigation.case.status == CaseStatus.INVESTIGATION


def test_closing_with_a_proposal_waits_for_decisions_not_intervention(
    investigation, investigator, today
):
    need = ready_to_close(investigation, investigator)
    investigation.refresh_from_db()
    closed = services.close_investigation(
        investigation,
        by=investigator,
        expected_version=investigation.version,
        outcome=Outcome.PROPOSAL,
        closed_on=today,
        need_ids=[need.pk],
    )
    assert closed.closed_on == today and closed.outcome == "proposal"
    assert list(closed.proposed_needs.all()) == [need]
    assert closed.case.status == CaseStatus.PROPOSAL_AWAITING_DECISION
    assert closed.case.get_status_display() == "Förslag – väntar på beslut"
    [entry] = journal("investigation.investigation_closed")
    assert entry.data == {
        "outcome": "proposal",
        "closed_on": today.isoformat(),
        "need_ids": [need.pk],
        "is_late": False,
        "unwritten_areas": [],
    }
    assert journal("cases.status_changed")[-1].data["to"] == "proposal_awaiting_decision"


def test_a_need_of_another_investigation_cannot_be_proposed(
    investigation, investigator, own_units, today
):
    ready_to_close(investigation, investigator)
    other = InvestigationFactory.opened(
        own_units["investigation"], investigator, investigation.opened_on
    )
    foreign = services.add_need(
        other, by=investigator, area="halsa", description="X", severity="low"
    )
    investigation.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.close_investigation(
            investigation,
            by=investigator,
            expected_version=investigation.version,
            outcome=Outcome.PROPOSAL,
            closed_on=today,
            need_ids=[foreign.pk],
        )
    assert codes_of(error.value) == {"needs"}


def test_closing_without_intervention_needs_a_signed_analysis_and_closes_the_case(
    investigation, investigator, today
):
    with pytest.raises(ValidationError) as error:
        services.close_investigation(
            investigation,
            by=investigator,
            expected_version=investigation.version,
            outcome=Outcome.NO_INTERVENTION,
            closed_on=today,
        )
    assert codes_of(error.value) == {"analysis"}
    ready_to_close(investigation, investigator)
    investigation.refresh_from_db()
    closed = services.close_investigation(
        investigation,
        by=investigator,
        expected_version=investigation.version,
        outcome=Outcome.NO_INTERVENTION,
        closed_on=today,
    )
    assert closed.case.status == CaseStatus.CLOSED
    assert closed.case.closed_at is not None


def signed_area(investigation, by, area):
    text = services.create_area_assessment(
        investigation, by=by, event_on=timezone.localdate(), area=area
    )
    return services.sign_area_assessment(
        text, by=by, expected_version=text.version, changes={"facts": "Det som kom fram."}
    )


def close_with_proposal(investigation, by, need, **extra):
    investigation.refresh_from_db()
    return services.close_investigation(
        investigation,
        by=by,
        expected_version=investigation.version,
        outcome=Outcome.PROPOSAL,
        closed_on=timezone.localdate(),
        need_ids=[need.pk],
        **extra,
    )


def test_closing_names_every_planned_area_without_a_signed_text(investigation, investigator, today):
    signed_plan(investigation, investigator)  # areas: halsa, utbildning
    signed_area(investigation, investigator, "halsa")
    draft = services.create_area_assessment(
        investigation, by=investigator, event_on=today, area="utbildning"
    )
    services.save_document_draft(
        draft, by=investigator, expected_version=draft.version, changes={"facts": "Halvklart."}
    )
    need = ready_to_close(investigation, investigator)
    with pytest.raises(ValidationError) as error:
        close_with_proposal(investigation, investigator, need)
    assert codes_of(error.value) == {"area_reason_utbildning"}
    [message] = error.value.message_dict["area_reason_utbildning"]
    assert "”Utbildning”" in message and "ingen signerad text" in message
    investigation.refresh_from_db()
    assert investigation.is_open


def test_closing_with_a_reason_for_an_unwritten_area_keeps_and_journals_it(
    investigation, investigator
):
    signed_plan(investigation, investigator)
    signed_area(investigation, investigator, "halsa")
    need = ready_to_close(investigation, investigator)
    closed = close_with_proposal(
        investigation,
        investigator,
        need,
        area_reasons={"utbildning": "Skolan svarade inte; barnet byter skola i augusti."},
    )
    assert closed.unwritten_area_reasons == {
        "utbildning": "Skolan svarade inte; barnet byter skola i augusti."
    }
    assert journal("investigation.investigation_closed")[0].data["unwritten_areas"] == [
        "utbildning"
    ]


def test_every_planned_area_signed_closes_without_reasons(investigation, investigator):
    signed_plan(investigation, investigator)
    signed_area(investigation, investigator, "halsa")
    signed_area(investigation, investigator, "utbildning")
    need = ready_to_close(investigation, investigator)
    assert close_with_proposal(investigation, investigator, need).unwritten_area_reasons == {}


def test_closing_waits_for_every_kommunicering_answer_or_its_time_to_run_out(
    investigation, investigator, today, time_machine
):
    time_machine.move_to(today, tick=False)
    need = ready_to_close(investigation, investigator)
    answered = communicate(investigation, investigator, sent_on=today, answer_by=today)
    services.record_communication_answer(
        answered,
        by=investigator,
        expected_version=1,
        answer="Inget att tillägga.",
        answered_on=today,
    )
    from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory

    father = RelationshipFactory(
        child=investigation.case.child,
        other=PersonFactory(district=investigation.case.district, given_name="Pappa"),
    )
    communicate(
        investigation,
        investigator,
        sent_on=today,
        answer_by=today + timedelta(days=10),
        recipient=father,
    )
    with pytest.raises(ValidationError) as error:
        close_with_proposal(investigation, investigator, need)
    assert codes_of(error.value) == {"communications"}
    [message] = error.value.message_dict["communications"]
    assert "Pappa" in message and (today + timedelta(days=10)).isoformat() in message
    # On the last day to answer the party may still answer; the day after, the time has run out.
    time_machine.move_to(today + timedelta(days=10), tick=False)
    with pytest.raises(ValidationError):
        close_with_proposal(investigation, investigator, need)
    time_machine.move_to(today + timedelta(days=11), tick=False)
    closed = close_with_proposal(investigation, investigator, need)
    assert not closed.is_open


def test_closing_reports_every_blocking_rule_at_once(
    investigation, investigator, today, time_machine
):
    # From the red-team pass on issue 6 (U-11): closing reported one rule per try, three
    # round trips for the user.
    time_machine.move_to(today, tick=False)
    signed_plan(investigation, investigator)  # areas: halsa, utbildning, neither written
    AnalysisFactory.drafted(investigation, investigator)  # written, not signed
    communicate(investigation, investigator, sent_on=today, answer_by=today + timedelta(days=10))
    investigation.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.close_investigation(
            investigation,
            by=investigator,
            expected_version=investigation.version,
            outcome=Outcome.PROPOSAL,
            closed_on=today,
        )
    assert codes_of(error.value) == {
        "analysis",
        "area_reason_halsa",
        "area_reason_utbildning",
        "communications",
        "needs",
    }
    investigation.refresh_from_db()
    assert investigation.is_open
    assert not journal("investigation.investigation_closed")


def test_a_transfer_needs_a_note_but_no_analysis(investigation, investigator, today):
    with pytest.raises(ValidationError) as error:
        services.close_investigation(
            investigation,
            by=investigator,
            expected_version=investigation.version,
            outcome=Outcome.TRANSFERRED,
            closed_on=today,
        )
    assert codes_of(error.value) == {"note"}
    closed = services.close_investigation(
        investigation,
        by=investigator,
        expected_version=investigation.version,
        outcome=Outcome.TRANSFERRED,
        closed_on=today,
        note="Familjen har flyttat till Uppsala; ärendet överflyttat enligt SoL.",
    )
    assert closed.case.status == CaseStatus.CLOSED


def test_a_closed_investigation_refuses_every_write(investigation, investigator, today):
    services.close_investigation(
        investigation,
        by=investigator,
        expected_version=investigation.version,
        outcome=Outcome.TRANSFERRED,
        closed_on=today,
        note="Flyttat.",
    )
    with pytest.raises(ValidationError) as error:
        services.log_contact(
            investigation,
            by=investigator,
            kind=ContactKind.HOME_VISIT,
            event_on=today,
            summary="Besök.",
        )
    assert codes_of(error.value) == {"closed"}
    with pytest.raises(ValidationError):
        services.create_analysis(investigation, by=investigator, event_on=today)


# --- Access -------------------------------------------------------------------------------


def test_an_investigator_of_another_district_cannot_write(
    investigation, other_district_investigator, today
):
    with pytest.raises(PermissionDenied):
        services.log_contact(
            investigation,
            by=other_district_investigator,
            kind=ContactKind.HOME_VISIT,
            event_on=today,
            summary="Besök.",
        )
    assert not journal("investigation.contact_logged")


def test_emergency_access_is_read_only(investigation, other_district_investigator, today):
    request_emergency_access(
        by=other_district_investigator,
        identity_number=investigation.case.child.identity_number,
        reason="Socialjouren: barnet är hos oss i natt och vi behöver se planen.",
    )
    assert (
        queries.get_investigation_for(other_district_investigator, investigation.pk)
        == investigation
    )
    with pytest.raises(PermissionDenied):
        services.create_analysis(investigation, by=other_district_investigator, event_on=today)
    assert not Analysis.objects.exists()


# --- Starting documents in the editor (the draft is created on the first save) --------------


def test_starting_a_document_creates_the_draft_with_what_was_written_and_journals_it(
    investigation, investigator, today
):
    plan = services.start_document_draft(
        InvestigationPlan,
        investigation,
        by=investigator,
        params={"framework": "bbic-2018-areas"},
        changes={"event_on": today, "questions": "Hur mår barnet?", "areas": ["halsa"]},
    )
    assert (plan.questions, plan.areas, plan.version, plan.status) == (
        "Hur mår barnet?",
        ["halsa"],
        1,
        "draft",
    )
    (entry,) = journal("investigation.investigationplan_created")
    assert entry.data == {
        "event_on": today.isoformat(),
        "framework": "bbic-2018-areas",
        "fields": ["areas", "questions"],
    }
    assert entry.case_id == investigation.case_id


def test_starting_a_document_that_exists_with_other_content_is_a_conflict(
    investigation, investigator, today
):
    start = {
        "params": {"framework": "bbic-2018-areas"},
        "by": investigator,
    }
    first = services.start_document_draft(
        InvestigationPlan,
        investigation,
        changes={"event_on": today, "questions": "Första."},
        **start,
    )
    same = services.start_document_draft(
        InvestigationPlan,
        investigation,
        changes={"event_on": today, "questions": "Första."},
        **start,
    )
    assert same.pk == first.pk
    with pytest.raises(StaleVersion) as stale:
        services.start_document_draft(
            InvestigationPlan,
            investigation,
            changes={"event_on": today, "questions": "Andra."},
            **start,
        )
    assert stale.value.current.pk == first.pk
    assert stale.value.changed_fields == ["questions"]
    assert InvestigationPlan.objects.get().questions == "Första."
    assert len(journal("investigation.investigationplan_created")) == 1


def test_starting_and_signing_at_once_creates_nothing_when_signing_is_refused(
    investigation, investigator, today
):
    with pytest.raises(ValidationError) as refused:
        services.start_document_draft(
            InvestigationPlan,
            investigation,
            by=investigator,
            params={"framework": "bbic-2018-areas"},
            changes={"event_on": today, "questions": "Hur mår barnet?"},
            sign=True,
        )
    assert codes_of(refused.value) == {"areas"}
    assert not InvestigationPlan.objects.exists()
    assert not journal("investigation.investigationplan_created")


def test_an_area_text_starts_in_an_area_of_the_framework(investigation, investigator, today):
    from rodtrad.investigation.models import AreaAssessment

    with pytest.raises(ValidationError) as refused:
        services.start_document_draft(
            AreaAssessment,
            investigation,
            by=investigator,
            params={"area": "barnets-utveckling"},  # a side of the triangle, not an area
            changes={"event_on": today},
        )
    assert codes_of(refused.value) == {"area"}
    area = services.start_document_draft(
        AreaAssessment,
        investigation,
        by=investigator,
        params={"area": "halsa"},
        changes={"event_on": today, "facts": "Barnet har astma."},
    )
    assert (area.framework, area.area, area.facts) == (
        "bbic-2018-areas",
        "halsa",
        "Barnet har astma.",
    )


def test_starting_a_document_under_emergency_access_is_refused(
    investigation, other_district_investigator, today
):
    request_emergency_access(
        by=other_district_investigator,
        identity_number=investigation.case.child.identity_number,
        reason="Socialjouren: barnet är hos oss i natt och vi behöver se planen.",
    )
    with pytest.raises(PermissionDenied):
        services.start_document_draft(
            Analysis,
            investigation,
            by=other_district_investigator,
            params={},
            changes={"event_on": today, "text": "Försök."},
        )
    assert not Analysis.objects.exists()


def test_only_one_new_risk_assessment_is_written_at_a_time(investigation, investigator, today):
    from rodtrad.investigation.models import RiskAssessment

    services.create_risk_assessment(
        investigation, by=investigator, event_on=today, instrument="FREDA-farlighetsbedömning"
    )
    with pytest.raises(ValidationError) as refused:
        services.create_risk_assessment(
            investigation, by=investigator, event_on=today, instrument="PATRIARK"
        )
    assert codes_of(refused.value) == {"instrument"}
    assert RiskAssessment.objects.count() == 1


def test_the_database_holds_one_plan_per_investigation(investigation, investigator, today):
    from django.db import IntegrityError, transaction

    fields = {
        "case": investigation.case,
        "investigation": investigation,
        "event_on": today,
        "author": investigator,
    }
    InvestigationPlanFactory(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        InvestigationPlanFactory(**fields)


# Two first saves at the same moment, each in its own connection and thread (a throw-away
# database: the journal's triggers forbid the test database's flush).
CONCURRENT_START = """
import json, threading
from django.db import connection
from django.utils import timezone
from rodtrad.accounts.models import Role
from rodtrad.accounts.tests.factories import MembershipFactory, UnitFactory, UserFactory
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.investigation import services
from rodtrad.investigation.models import InvestigationPlan
from rodtrad.journal.models import JournalEntry
from rodtrad.lib.versioning import StaleVersion
from rodtrad.people.tests.factories import PersonFactory

unit = UnitFactory(kind="investigation")
user = UserFactory()
MembershipFactory(user=user, role=Role.INVESTIGATOR, district=unit.district, unit=unit)
case = CaseFactory(child=PersonFactory(district=unit.district), unit=unit, status="investigation")
investigation = services.open_investigation(case, by=user, opened_on=timezone.localdate())
barrier = threading.Barrier(2)
outcomes = []

def first_save(text):
    try:
        barrier.wait()
        services.start_document_draft(
            InvestigationPlan, investigation, by=user,
            params={"framework": "bbic-2018-areas"},
            changes={"event_on": timezone.localdate(), "questions": text},
        )
        outcomes.append("created")
    except StaleVersion:
        outcomes.append("conflict")
    finally:
        connection.close()

threads = [threading.Thread(target=first_save, args=(t,)) for t in ("Flik ett.", "Flik två.")]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({
    "outcomes": sorted(outcomes),
    "plans": InvestigationPlan.objects.filter(investigation=investigation).count(),
    "created": JournalEntry.objects.filter(
        action="investigation.investigationplan_created"
    ).count(),
}))
"""


def test_two_first_saves_at_the_same_moment_make_one_draft_and_one_conflict():
    import json

    from rodtrad.lib.testing import throwaway_database

    with throwaway_database(name_prefix="rodtrad_start") as database:
        output = database.run_django("shell", "-v", "0", "-c", CONCURRENT_START).stdout
    result = json.loads(output.strip().splitlines()[-1])
    assert result == {"outcomes": ["conflict", "created"], "plans": 1, "created": 1}
