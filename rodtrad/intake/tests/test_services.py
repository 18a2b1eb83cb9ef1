"""Intake services: reports, protection assessment, pre-assessment, reporter information."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rodtrad.cases.models import Case, CaseStatus
from rodtrad.cases.services import DocumentLocked
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.deadlines import rules
from rodtrad.intake import queries, services
from rodtrad.intake.models import (
    PreAssessment,
    PreAssessmentContact,
    ProtectionAssessment,
    Report,
    ReportChild,
    ReporterInformationRequest,
    ReportReason,
)
from rodtrad.intake.tests.factories import ReportFactory
from rodtrad.investigation.models import Investigation
from rodtrad.journal.models import JournalEntry

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# A Monday; 14 days later is Monday 2027-03-15, one week later Monday 2027-03-08.
MONDAY = datetime(2027, 3, 1, 9, 30, tzinfo=STOCKHOLM)


def actions() -> list[str]:
    return list(JournalEntry.objects.order_by("seq").values_list("action", flat=True))


def assess(report_child, by, **overrides):
    values = {
        "is_immediate_protection_needed": False,
        "actions_taken": "",
        "rationale": "Barnet har en trygg vuxen i dag; inget akut skyddsbehov.",
    }
    values.update(overrides)
    return services.assess_protection(report_child, by=by, **values)


def decide(pre_assessment, by, **changes):
    content = {"decision": "open", "reasons": "Oron behöver utredas.", **changes}
    return services.sign_pre_assessment(
        pre_assessment, by=by, expected_version=pre_assessment.version, changes=content
    )


# --- reports -----------------------------------------------------------------------------------


@time_machine.travel(MONDAY, tick=False)
def test_one_report_about_two_siblings_gives_each_child_a_case_and_clocks(
    intake_worker, own_district, own_units, child, sibling
):
    report = ReportFactory.registered(intake_worker, own_district, [child, sibling])

    rows = list(ReportChild.objects.filter(report=report).order_by("pk"))
    assert [rc.child for rc in rows] == [child, sibling]
    assert rows[0].case != rows[1].case
    for rc in rows:
        assert rc.case.status == CaseStatus.INTAKE
        assert rc.case.unit == own_units["intake"]
        assert rc.receipt_date == date(2027, 3, 1)
        assert queries.protection_deadline(rc).due == date(2027, 3, 1)
        assert queries.pre_assessment_deadline(rc.case).due == date(2027, 3, 15)
    assert sorted(ReportReason.objects.filter(report=report).values_list("code", flat=True)) == [
        "A",
        "I",
    ]
    assert actions() == [
        "intake.report_registered",
        "cases.case_opened",
        "intake.report_child_added",
        "cases.case_opened",
        "intake.report_child_added",
    ]
    registered = JournalEntry.objects.get(action="intake.report_registered")
    assert registered.data["children"] == 2
    assert registered.data["reason_codes"] == ["A", "I"]
    assert "Rektor" not in str(registered.data)  # names stay out of the journal
    opened = JournalEntry.objects.filter(action="cases.case_opened").order_by("seq")
    assert [e.person_id for e in opened] == [child.pk, sibling.pk]


def test_a_report_about_a_child_with_an_open_investigation_is_attached_without_pre_assessment(
    intake_worker, manager, own_district, child
):
    investigation_case = CaseFactory(child=child, status=CaseStatus.INVESTIGATION)

    report = ReportFactory.registered(manager, own_district, [child])

    report_child = report.children.get()
    assert report_child.case == investigation_case
    assert report_child.is_attached_to_open_investigation
    assert Case.objects.filter(child=child).count() == 1
    assert "cases.case_opened" not in actions()
    entry = JournalEntry.objects.get(action="intake.report_child_added")
    assert entry.data["is_attached_to_open_investigation"] is True

    assess(report_child, manager)  # the protection assessment is still made (20:1)
    investigation_case.refresh_from_db()
    assert investigation_case.status == CaseStatus.INVESTIGATION
    assert not PreAssessment.objects.filter(case=investigation_case).exists()


def test_a_second_report_during_the_pre_assessment_is_covered_by_it(
    intake_worker, own_district, child
):
    first = ReportFactory.registered(intake_worker, own_district, [child]).children.get()
    assess(first, intake_worker)

    second = ReportFactory.registered(intake_worker, own_district, [child]).children.get()

    assert second.case == first.case
    assert second.is_covered_by_running_pre_assessment
    assert PreAssessment.objects.filter(case=first.case).count() == 1
    assert actions().count("cases.case_opened") == 1


def test_a_stated_earlier_receipt_needs_a_reason_and_nothing_is_saved_without_it(
    intake_worker, own_district, child
):
    with pytest.raises(ValidationError) as error:
        ReportFactory.registered(
            intake_worker,
            own_district,
            [child],
            stated_received_at=timezone.now() - timedelta(hours=5),
            stated_received_reason="  ",
        )

    assert "stated_received_reason" in error.value.message_dict
    assert not Report.objects.exists()
    assert not Case.objects.exists()
    assert not JournalEntry.objects.exists()


@time_machine.travel(MONDAY, tick=False)
def test_the_clocks_start_at_the_stated_receipt(intake_worker, own_district, child):
    stated = MONDAY - timedelta(days=3)  # Friday 2027-02-26, a phone call written down later

    report = ReportFactory.registered(
        intake_worker,
        own_district,
        [child],
        stated_received_at=stated,
        stated_received_reason="Samtal till socialjouren på fredagskvällen, dokumenterat i dag.",
    )

    report_child = report.children.get()
    assert report.received_at == MONDAY
    assert report.receipt_date == date(2027, 2, 26)
    assert queries.protection_deadline(report_child).due == date(2027, 2, 26)
    assert queries.pre_assessment_deadline(report_child.case).due == date(2027, 3, 12)
    assert JournalEntry.objects.get(action="intake.report_registered").data["is_receipt_stated"]


def test_a_stated_receipt_in_the_future_is_refused(intake_worker, own_district, child):
    with pytest.raises(ValidationError) as error:
        ReportFactory.registered(
            intake_worker,
            own_district,
            [child],
            stated_received_at=timezone.now() + timedelta(days=1),
            stated_received_reason="Fel",
        )
    assert "stated_received_at" in error.value.message_dict


def test_a_mandatory_reporter_category_cannot_be_said_to_have_no_duty(
    intake_worker, own_district, child
):
    with pytest.raises(ValidationError) as error:
        ReportFactory.registered(
            intake_worker,
            own_district,
            [child],
            reporter_category="polis",
            is_mandatory_reporter=False,
        )
    assert "is_mandatory_reporter" in error.value.message_dict
    assert not Report.objects.exists()


def test_a_mandatory_reporter_category_sets_the_duty_without_a_tick(
    intake_worker, own_district, child
):
    report = ReportFactory.registered(
        intake_worker, own_district, [child], reporter_category="skola", is_mandatory_reporter=None
    )
    assert report.is_mandatory_reporter
    entry = JournalEntry.objects.get(action="intake.report_registered")
    assert entry.data["is_mandatory_reporter"] is True


@pytest.mark.parametrize("category", ["anonym", "anhorig", "privatperson", "barnet-sjalvt"])
def test_an_anonymous_or_private_reporter_cannot_be_a_mandatory_reporter(
    intake_worker, own_district, child, category
):
    # From the red-team pass on issue 6 (U-9): "Anonym" + "anmälningsskyldig" was accepted.
    with pytest.raises(ValidationError) as error:
        ReportFactory.registered(
            intake_worker,
            own_district,
            [child],
            reporter_category=category,
            reporter_name="",
            reporter_contact="",
            is_mandatory_reporter=True,
        )
    assert "inte anmälningsskyldig" in " ".join(error.value.message_dict["is_mandatory_reporter"])
    assert not Report.objects.exists()
    report = ReportFactory.registered(
        intake_worker,
        own_district,
        [child],
        reporter_category=category,
        reporter_name="",
        reporter_contact="",
        is_mandatory_reporter=None,
    )
    assert not report.is_mandatory_reporter


def test_the_category_other_takes_the_answer_given(intake_worker, own_district, child):
    asked = ReportFactory.registered(
        intake_worker, own_district, [child], reporter_category="annan", is_mandatory_reporter=True
    )
    assert asked.is_mandatory_reporter
    not_stated = ReportFactory.registered(
        intake_worker, own_district, [child], reporter_category="annan", is_mandatory_reporter=None
    )
    assert not not_stated.is_mandatory_reporter


def test_unknown_codes_and_missing_reasons_are_refused_in_swedish(
    intake_worker, own_district, child
):
    with pytest.raises(ValidationError) as error:
        ReportFactory.registered(
            intake_worker, own_district, [child], channel="fax", reason_codes=[], text=" "
        )
    messages = error.value.message_dict
    assert messages["channel"] == ["Välj hur uppgifterna kom in."]
    assert messages["reason_codes"] == ["Välj minst en orsak till anmälan."]
    assert messages["text"] == ["Skriv vad anmälan gäller."]


def test_a_worker_cannot_register_a_report_in_another_district(
    other_district_investigator, own_district, child
):
    with pytest.raises(PermissionDenied):
        ReportFactory.registered(other_district_investigator, own_district, [child])
    assert not Report.objects.exists()


def test_the_reporter_identity_protection_is_stored(intake_worker, own_district, child):
    report = ReportFactory.registered(
        intake_worker, own_district, [child], is_reporter_identity_protected=True
    )
    assert report.is_reporter_identity_protected
    assert JournalEntry.objects.get(action="intake.report_registered").data[
        "is_reporter_identity_protected"
    ]


# --- protection assessment ---------------------------------------------------------------------


def test_the_protection_assessment_moves_the_case_to_pre_assessment(report_child, intake_worker):
    assessment = assess(report_child, intake_worker)

    case = Case.objects.get(pk=report_child.case_id)
    assert case.status == CaseStatus.PRE_ASSESSMENT
    assert assessment.performed_by == intake_worker
    assert not assessment.is_late
    pre_assessment = PreAssessment.objects.get(case=case)
    assert pre_assessment.received_on == report_child.receipt_date
    assert pre_assessment.status == "draft"
    assert actions()[-3:] == [
        "intake.protection_assessed",
        "cases.status_changed",
        "intake.pre_assessment_started",
    ]
    entry = JournalEntry.objects.get(action="intake.protection_assessed")
    assert entry.case_id == case.pk
    assert entry.person_id == report_child.child_id
    assert entry.data["is_immediate_protection_needed"] is False


def test_a_protection_assessment_is_made_once(report_child, intake_worker):
    assess(report_child, intake_worker)
    with pytest.raises(ValidationError):
        assess(report_child, intake_worker)
    assert ProtectionAssessment.objects.count() == 1
    assert actions().count("intake.protection_assessed") == 1


def test_immediate_protection_needs_the_actions_taken(report_child, intake_worker):
    with pytest.raises(ValidationError) as error:
        assess(report_child, intake_worker, is_immediate_protection_needed=True)
    assert "actions_taken" in error.value.message_dict
    assert not ProtectionAssessment.objects.exists()
    assert Case.objects.get(pk=report_child.case_id).status == CaseStatus.INTAKE


def test_a_protection_assessment_the_next_day_is_marked_late(intake_worker, own_district, child):
    with time_machine.travel(MONDAY, tick=False):
        report_child = ReportFactory.registered(intake_worker, own_district, [child]).children.get()
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        assessment = assess(report_child, intake_worker)
    assert assessment.is_late
    assert JournalEntry.objects.get(action="intake.protection_assessed").data["is_late"] is True


def test_someone_outside_the_case_cannot_assess_protection(
    report_child, other_district_investigator
):
    with pytest.raises(PermissionDenied):
        assess(report_child, other_district_investigator)
    assert not ProtectionAssessment.objects.exists()


# --- pre-assessment ----------------------------------------------------------------------------


def test_pre_assessment_contacts_with_school_are_refused(pre_assessment, intake_worker):
    with pytest.raises(ValidationError) as error:
        services.add_pre_assessment_contact(
            pre_assessment,
            by=intake_worker,
            who="school",
            contacted_on=timezone.localdate(),
            summary="Ringde mentorn.",
        )
    assert "kräver att en utredning har inletts" in error.value.message_dict["who"][0]
    assert not PreAssessmentContact.objects.exists()
    assert "intake.pre_assessment_contact_added" not in actions()


def test_pre_assessment_contacts_with_a_guardian_are_recorded(pre_assessment, intake_worker):
    contact = services.add_pre_assessment_contact(
        pre_assessment,
        by=intake_worker,
        who="guardian",
        contacted_on=timezone.localdate(),
        summary="Mamman bekräftar bråk hemma och vill ha stöd.",
    )
    assert contact.pre_assessment == pre_assessment
    entry = JournalEntry.objects.get(action="intake.pre_assessment_contact_added")
    assert entry.data["who"] == "guardian"
    assert "Mamman" not in str(entry.data)


def test_deciding_to_open_an_investigation_opens_it_and_moves_the_case(
    pre_assessment, intake_worker
):
    today = timezone.localdate()

    signed = decide(pre_assessment, intake_worker, event_on=today)

    assert signed.is_signed
    assert signed.decider == intake_worker
    case = Case.objects.get(pk=pre_assessment.case_id)
    assert case.status == CaseStatus.INVESTIGATION
    investigation = Investigation.objects.get(case=case)
    assert investigation.opened_on == today
    assert actions()[-5:] == [
        "intake.preassessment_draft_saved",
        "intake.preassessment_signed",
        "cases.status_changed",
        "investigation.investigation_opened",
        "intake.pre_assessment_decided",
    ]
    decided = JournalEntry.objects.get(action="intake.pre_assessment_decided")
    assert decided.data["decision"] == "open"
    assert decided.data["is_late"] is False


def test_deciding_not_to_open_an_investigation_closes_the_case(pre_assessment, intake_worker):
    decide(pre_assessment, intake_worker, decision="not_open")

    case = Case.objects.get(pk=pre_assessment.case_id)
    assert case.status == CaseStatus.CLOSED
    assert not Investigation.objects.exists()
    assert JournalEntry.objects.get(action="intake.pre_assessment_decided").data == {
        "decision": "not_open",
        "decided_on": timezone.localdate().isoformat(),
        "due": pre_assessment_due(pre_assessment).isoformat(),
        "is_late": False,
        "has_exceptional_reasons": False,
        "is_dated_before_registration": False,
    }


def pre_assessment_due(pre_assessment):
    return rules.deadline_for(rules.PRE_ASSESSMENT, pre_assessment.received_on).due


def test_a_decision_needs_a_decision_and_reasons(pre_assessment, intake_worker):
    with pytest.raises(ValidationError) as error:
        services.sign_pre_assessment(
            pre_assessment,
            by=intake_worker,
            expected_version=pre_assessment.version,
            changes={"assessment": "Oklart ännu."},
        )
    assert set(error.value.message_dict) == {"decision", "reasons"}
    pre_assessment.refresh_from_db()
    assert pre_assessment.status == "draft"
    assert pre_assessment.assessment == ""  # nothing half-saved
    assert "intake.preassessment_draft_saved" not in actions()


def test_a_late_decision_without_exceptional_reasons_is_refused(intake_worker, own_district, child):
    with time_machine.travel(MONDAY, tick=False):
        report_child = ReportFactory.registered(intake_worker, own_district, [child]).children.get()
        assess(report_child, intake_worker)
    pre_assessment = PreAssessment.objects.get(case=report_child.case)

    with time_machine.travel(MONDAY + timedelta(days=15), tick=False):  # due was 2027-03-15
        with pytest.raises(ValidationError) as error:
            decide(pre_assessment, intake_worker, event_on=date(2027, 3, 16))
        assert "2027-03-15" in error.value.message_dict["exceptional_reasons"][0]
        assert Case.objects.get(pk=report_child.case_id).status == CaseStatus.PRE_ASSESSMENT

        pre_assessment.refresh_from_db()  # the refused attempt wrote nothing
        assert pre_assessment.version == 1
        signed = decide(
            pre_assessment,
            intake_worker,
            event_on=date(2027, 3, 16),
            exceptional_reasons="Barnet var inlagt på sjukhus och kunde inte höras förrän nu.",
        )
    assert signed.is_signed
    decided = JournalEntry.objects.get(action="intake.pre_assessment_decided")
    assert decided.data["is_late"] is True
    assert decided.data["has_exceptional_reasons"] is True


def test_a_back_dated_decision_signed_after_the_due_date_is_still_late(
    intake_worker, own_district, child
):
    with time_machine.travel(MONDAY, tick=False):
        report_child = ReportFactory.registered(intake_worker, own_district, [child]).children.get()
        assess(report_child, intake_worker)
    pre_assessment = PreAssessment.objects.get(case=report_child.case)
    with (
        time_machine.travel(MONDAY + timedelta(days=20), tick=False),
        pytest.raises(ValidationError) as error,
    ):
        decide(pre_assessment, intake_worker, event_on=date(2027, 3, 9))
    assert "exceptional_reasons" in error.value.message_dict


def test_a_decision_date_before_the_receipt_or_in_the_future_is_refused(
    pre_assessment, intake_worker
):
    for day in (
        pre_assessment.received_on - timedelta(days=1),
        timezone.localdate() + timedelta(1),
    ):
        with pytest.raises(ValidationError) as error:
            decide(pre_assessment, intake_worker, event_on=day)
        assert "event_on" in error.value.message_dict
    assert "intake.pre_assessment_decided" not in actions()


def test_a_signed_pre_assessment_is_locked(pre_assessment, intake_worker):
    signed = decide(pre_assessment, intake_worker, decision="not_open")

    with pytest.raises(DocumentLocked):
        services.save_pre_assessment_draft(
            signed, by=intake_worker, expected_version=signed.version, changes={"reasons": "Ny"}
        )
    with pytest.raises(DocumentLocked):
        services.sign_pre_assessment(signed, by=intake_worker, expected_version=signed.version)
    signed.refresh_from_db()
    assert signed.reasons == "Oron behöver utredas."
    assert actions().count("intake.preassessment_signed") == 1


def test_a_correction_is_a_new_draft_that_keeps_the_decision(pre_assessment, intake_worker):
    signed = decide(pre_assessment, intake_worker, decision="not_open")

    correction = services.correct_pre_assessment(
        signed, by=intake_worker, reason="Fel namn på skolan i bedömningen."
    )

    assert correction.pk != signed.pk
    assert correction.corrects == signed
    assert correction.status == "draft"
    assert correction.decision == "not_open"
    assert correction.received_on == signed.received_on
    entry = JournalEntry.objects.get(action="intake.preassessment_correction_started")
    assert entry.data == {"corrects": signed.pk}

    with pytest.raises(ValidationError) as error:
        services.save_pre_assessment_draft(
            correction,
            by=intake_worker,
            expected_version=correction.version,
            changes={"decision": "open"},
        )
    assert "decision" in error.value.message_dict

    services.sign_pre_assessment(
        correction,
        by=intake_worker,
        expected_version=correction.version,
        changes={"assessment": "Rättad text."},
    )
    correction.refresh_from_db()
    signed.refresh_from_db()
    assert correction.is_signed
    assert signed.assessment == ""  # the original is untouched
    assert actions().count("intake.pre_assessment_decided") == 1  # no second decision
    assert Case.objects.get(pk=signed.case_id).status == CaseStatus.CLOSED


def test_a_correction_needs_a_reason(pre_assessment, intake_worker):
    signed = decide(pre_assessment, intake_worker, decision="not_open")
    with pytest.raises(ValidationError):
        services.correct_pre_assessment(signed, by=intake_worker, reason=" ")
    assert PreAssessment.objects.count() == 1


# --- information to the reporter (19:6) --------------------------------------------------------


def test_reporter_information_is_due_one_week_after_the_decision(
    intake_worker, own_district, child
):
    with time_machine.travel(MONDAY, tick=False):
        report_child = ReportFactory.registered(intake_worker, own_district, [child]).children.get()
        assess(report_child, intake_worker)
        info_request = services.request_reporter_information(
            report_child.report, by=intake_worker, requested_on=date(2027, 3, 1)
        )
        assert queries.reporter_information_deadline(info_request) is None  # no decision yet
    pre_assessment = PreAssessment.objects.get(case=report_child.case)
    with time_machine.travel(MONDAY + timedelta(days=4), tick=False):  # Friday 2027-03-05
        decide(pre_assessment, intake_worker, decision="not_open", event_on=date(2027, 3, 5))

    deadline = queries.reporter_information_deadline(info_request)
    assert deadline is not None
    assert deadline.due_strict == date(2027, 3, 12)  # same weekday one week later
    assert JournalEntry.objects.get(action="intake.reporter_information_requested").data == {
        "report_id": report_child.report_id,
        "requested_on": "2027-03-01",
    }

    with time_machine.travel(MONDAY + timedelta(days=5), tick=False):
        answered = services.answer_reporter_information(
            info_request,
            by=intake_worker,
            expected_version=info_request.version,
            answered_on=date(2027, 3, 6),
            answer_text="Ingen utredning inleds.",
        )
    assert answered.is_answered
    assert answered.answered_by == intake_worker
    assert (
        JournalEntry.objects.get(action="intake.reporter_information_answered").data["answered_on"]
        == "2027-03-06"
    )


def test_reporter_information_asked_after_the_decision_is_due_at_once(
    intake_worker, own_district, child
):
    with time_machine.travel(MONDAY, tick=False):
        report_child = ReportFactory.registered(intake_worker, own_district, [child]).children.get()
        assess(report_child, intake_worker)
        pre_assessment = PreAssessment.objects.get(case=report_child.case)
        decide(pre_assessment, intake_worker, decision="open")
    with time_machine.travel(MONDAY + timedelta(days=3), tick=False):
        info_request = services.request_reporter_information(
            report_child.report, by=intake_worker, requested_on=date(2027, 3, 4)
        )
    deadline = queries.reporter_information_deadline(info_request)
    assert deadline is not None
    assert deadline.due == date(2027, 3, 4)


def test_reporter_information_is_due_at_once_when_an_investigation_was_already_open(
    manager, own_district, child
):
    CaseFactory(child=child, status=CaseStatus.INVESTIGATION)
    report = ReportFactory.registered(manager, own_district, [child])
    info_request = services.request_reporter_information(
        report, by=manager, requested_on=timezone.localdate()
    )
    deadline = queries.reporter_information_deadline(info_request)
    assert deadline is not None
    assert deadline.due == timezone.localdate()
    assert JournalEntry.objects.filter(action="intake.reporter_information_requested").exists()


def test_only_mandatory_reporters_have_the_right_to_information(intake_worker, own_district, child):
    report = ReportFactory.registered(
        intake_worker,
        own_district,
        [child],
        reporter_category="privatperson",
        is_mandatory_reporter=False,
    )
    with pytest.raises(ValidationError):
        services.request_reporter_information(
            report, by=intake_worker, requested_on=timezone.localdate()
        )
    assert not ReporterInformationRequest.objects.exists()
    assert "intake.reporter_information_requested" not in actions()


def test_a_protected_reporter_is_never_named_for_the_family(intake_worker, own_district, child):
    protected = ReportFactory.registered(
        intake_worker, own_district, [child], is_reporter_identity_protected=True
    )
    open_reporter = ReportFactory.registered(intake_worker, own_district, [child])

    assert protected.reporter_for_family() == "Uppgift om anmälaren lämnas inte ut"
    assert "Rektor" not in protected.reporter_for_family()
    assert open_reporter.reporter_for_family() == "Rektor Rut Exempel"


def test_the_decision_waits_for_every_protection_assessment_on_the_case(
    pre_assessment, intake_worker, own_district
):
    later = ReportFactory.registered(
        intake_worker, own_district, [pre_assessment.case.child]
    ).children.get()
    assert later.case_id == pre_assessment.case_id

    with pytest.raises(ValidationError) as error:
        decide(pre_assessment, intake_worker, decision="not_open")
    assert "saknar skyddsbedömning" in error.value.message_dict["decision"][0]
    assert "intake.pre_assessment_decided" not in actions()

    pre_assessment.refresh_from_db()
    assess(later, intake_worker)
    decide(pre_assessment, intake_worker, decision="not_open")
    assert JournalEntry.objects.filter(action="intake.pre_assessment_decided").exists()


def test_a_child_the_worker_may_not_edit_is_refused_with_a_message(
    intake_worker, own_district, other_district
):
    from rodtrad.people.tests.factories import PersonFactory

    outside = PersonFactory(district=other_district)
    with pytest.raises(ValidationError) as error:
        ReportFactory.registered(intake_worker, own_district, [outside])
    assert "children" in error.value.message_dict
    assert not Report.objects.exists()


# --- immediate protection: the alert, the urgent case and the protective action ---------------


def urgent_assessment(report_child, by, **overrides):
    return assess(
        report_child,
        by,
        is_immediate_protection_needed=True,
        actions_taken="Socialjouren kontaktad.",
        rationale="Barnet berättar om slag i kväll; pappan är hemma.",
        **overrides,
    )


@pytest.fixture
def monday_report_child(intake_worker, own_district, child, time_machine):
    """A report registered on MONDAY, with the clock standing there."""
    time_machine.move_to(MONDAY, tick=False)
    return ReportFactory.registered(intake_worker, own_district, [child]).children.get()


def test_immediate_protection_alerts_the_managers_and_marks_the_case_urgent(
    intake_worker, monday_report_child
):
    report_child = monday_report_child
    assessment = urgent_assessment(report_child, intake_worker)
    assert assessment.is_protective_action_missing
    report_child.case.refresh_from_db()
    assert report_child.case.is_urgent
    alert = JournalEntry.objects.get(action="intake.immediate_protection_alerted")
    assert alert.case_id == report_child.case_id
    assert alert.district == report_child.case.district.code
    assert alert.data == {"report_child_id": report_child.pk, "has_protective_action": False}
    assert JournalEntry.objects.get(action="cases.urgency_changed").data == {"is_urgent": True}


def test_recording_the_protective_action_ends_the_alert_and_the_urgency(
    intake_worker, monday_report_child
):
    report_child = monday_report_child
    assessment = urgent_assessment(report_child, intake_worker)
    taken_at = MONDAY  # the same minute the report came in
    recorded = services.record_protective_action(
        assessment,
        by=intake_worker,
        protective_action="lvu_6",
        taken_at=taken_at,
        note="Ordföranden beslutade om omedelbart omhändertagande; barnet är i jourhem.",
    )
    assert not recorded.is_protective_action_missing
    assert recorded.protective_action_taken_at == taken_at
    assert recorded.protective_action_recorded_by == intake_worker
    report_child.case.refresh_from_db()
    assert not report_child.case.is_urgent
    entry = JournalEntry.objects.get(action="intake.protective_action_recorded")
    assert entry.data == {
        "report_child_id": report_child.pk,
        "protective_action": "lvu_6",
        "taken_at": "2027-03-01T08:30:00+00:00",
    }
    assert "jourhem" not in str(entry.data)  # the text stays out of the journal
    with pytest.raises(ValidationError):  # recorded once
        services.record_protective_action(
            assessment, by=intake_worker, protective_action="other", taken_at=taken_at, note="X"
        )


def test_a_protective_action_needs_a_listed_action_a_note_and_a_time_within_bounds(
    intake_worker, monday_report_child
):
    report_child = monday_report_child
    assessment = urgent_assessment(report_child, intake_worker)
    cases = [
        ({"protective_action": "", "taken_at": MONDAY, "note": "X"}, "protective_action"),
        ({"protective_action": "lvu_6", "taken_at": MONDAY, "note": " "}, "protective_action_note"),
        (
            {"protective_action": "lvu_6", "taken_at": None, "note": "X"},
            "protective_action_taken_at",
        ),
        (  # before the report came in
            {"protective_action": "lvu_6", "taken_at": MONDAY - timedelta(hours=2), "note": "X"},
            "protective_action_taken_at",
        ),
        (  # in the future
            {
                "protective_action": "placement",
                "taken_at": MONDAY + timedelta(hours=1),
                "note": "X",
            },
            "protective_action_taken_at",
        ),
    ]
    report_child.report.refresh_from_db()
    assert report_child.report.receipt_at == MONDAY
    for values, field in cases:
        with pytest.raises(ValidationError) as error:
            services.record_protective_action(assessment, by=intake_worker, **values)
        assert set(error.value.message_dict) == {field}
    assessment.refresh_from_db()
    assert assessment.is_protective_action_missing
    assert not JournalEntry.objects.filter(action="intake.protective_action_recorded").exists()


def test_an_action_already_taken_is_recorded_with_the_assessment_and_no_urgency_remains(
    intake_worker, monday_report_child
):
    report_child = monday_report_child
    assessment = urgent_assessment(
        report_child,
        intake_worker,
        protective_action="placement",
        protective_action_taken_at=MONDAY,
        protective_action_note="Mamma och barnet flyttade till mormor med samtycke.",
    )
    assert not assessment.is_protective_action_missing
    report_child.case.refresh_from_db()
    assert not report_child.case.is_urgent
    assert JournalEntry.objects.get(action="intake.immediate_protection_alerted").data == {
        "report_child_id": report_child.pk,
        "has_protective_action": True,
    }
    assert JournalEntry.objects.filter(action="intake.protective_action_recorded").exists()


def test_no_protective_action_without_a_need_for_immediate_protection(intake_worker, report_child):
    with pytest.raises(ValidationError) as error:
        assess(
            report_child,
            intake_worker,
            protective_action="lvu_6",
            protective_action_taken_at=timezone.now(),
            protective_action_note="X",
        )
    assert set(error.value.message_dict) == {"protective_action"}
    assessment = assess(report_child, intake_worker)
    with pytest.raises(ValidationError):
        services.record_protective_action(
            assessment,
            by=intake_worker,
            protective_action="lvu_6",
            taken_at=timezone.now(),
            note="X",
        )
    report_child.case.refresh_from_db()
    assert not report_child.case.is_urgent


def test_only_someone_who_may_edit_the_case_records_the_protective_action(
    intake_worker, other_district_investigator, report_child
):
    assessment = urgent_assessment(report_child, intake_worker)
    with pytest.raises(PermissionDenied):
        services.record_protective_action(
            assessment,
            by=other_district_investigator,
            protective_action="other",
            taken_at=timezone.now(),
            note="X",
        )


# --- omedelbart omhändertagande (LVU 6 §): the case cannot be closed by the pre-assessment ----


def custody_assessment(report_child, by):
    """An assessment recording an omedelbart omhändertagande (LVU 6 §) at MONDAY."""
    return assess(
        report_child,
        by,
        is_immediate_protection_needed=True,
        actions_taken="Ordföranden beslutade om omedelbart omhändertagande.",
        rationale="Barnet kan inte gå hem i kväll.",
        protective_action="lvu_6",
        protective_action_taken_at=MONDAY,
        protective_action_note="Beslut enligt 6 § LVU; barnet är i jourhem.",
    )


def test_a_pre_assessment_cannot_close_the_case_of_a_child_taken_into_care_under_lvu_6(
    intake_worker, monday_report_child
):
    # From the red-team pass on issue 6 (U-1): an omedelbart omhändertagande must be followed
    # by an investigation and an application for care within four weeks (LVU 8 §); closing the
    # case leaves the child in custody with nobody acting.
    report_child = monday_report_child
    custody_assessment(report_child, intake_worker)
    pre_assessment = PreAssessment.objects.get(case=report_child.case)
    with pytest.raises(ValidationError) as error:
        decide(
            pre_assessment,
            intake_worker,
            decision="not_open",
            reasons="Ingen oro kvarstår.",
            event_on=(MONDAY + timedelta(hours=1)).date(),
        )
    assert "6 § LVU" in " ".join(error.value.message_dict["decision"])
    report_child.case.refresh_from_db()
    assert report_child.case.status == CaseStatus.PRE_ASSESSMENT
    pre_assessment.refresh_from_db()
    assert not pre_assessment.is_signed
    assert pre_assessment.decision == ""  # the posted form was not half-saved either
    assert "intake.pre_assessment_decided" not in actions()


def test_a_child_taken_into_care_under_lvu_6_gets_an_investigation_opened(
    intake_worker, monday_report_child
):
    report_child = monday_report_child
    custody_assessment(report_child, intake_worker)
    pre_assessment = PreAssessment.objects.get(case=report_child.case)
    decide(pre_assessment, intake_worker, event_on=MONDAY.date())
    report_child.case.refresh_from_db()
    assert report_child.case.status == CaseStatus.INVESTIGATION
    assert Investigation.objects.filter(case=report_child.case).exists()


def test_another_protective_action_does_not_stop_a_decision_not_to_open(
    intake_worker, monday_report_child
):
    report_child = monday_report_child
    urgent_assessment(
        report_child,
        intake_worker,
        protective_action="placement",
        protective_action_taken_at=MONDAY,
        protective_action_note="Barnet bor hos mormor med vårdnadshavarnas samtycke.",
    )
    pre_assessment = PreAssessment.objects.get(case=report_child.case)
    decide(pre_assessment, intake_worker, decision="not_open", event_on=MONDAY.date())
    report_child.case.refresh_from_db()
    assert report_child.case.status == CaseStatus.CLOSED


# --- the stated receipt: bounded by the child's birth and, far back, a manager's note -------


def test_a_stated_receipt_before_the_childs_birth_is_refused(intake_worker, own_district):
    from rodtrad.people.tests.factories import PersonFactory

    newborn = PersonFactory(district=own_district, birth_date=timezone.localdate())
    with pytest.raises(ValidationError) as error:
        ReportFactory.registered(
            intake_worker,
            own_district,
            [newborn],
            stated_received_at=timezone.now() - timedelta(days=2),
            stated_received_reason="Brevet låg i fel fack.",
        )
    assert "födelsedag" in error.value.message_dict["stated_received_at"][0]
    assert not Report.objects.exists()


@time_machine.travel(MONDAY, tick=False)
def test_a_stated_receipt_within_30_days_needs_no_manager(intake_worker, own_district, child):
    report = ReportFactory.registered(
        intake_worker,
        own_district,
        [child],
        stated_received_at=MONDAY - timedelta(days=30),
        stated_received_reason="Brevet låg i fel fack.",
    )
    assert not report.is_receipt_confirmation_needed
    assert not report.is_receipt_awaiting_confirmation


@time_machine.travel(MONDAY, tick=False)
def test_a_stated_receipt_more_than_30_days_back_is_registered_flagged_and_starts_the_clocks(
    intake_worker, own_district, child
):
    stated = MONDAY - timedelta(days=31)
    report = ReportFactory.registered(
        intake_worker,
        own_district,
        [child],
        stated_received_at=stated,
        stated_received_reason="Anmälan hittades i en annan enhets brevlåda.",
    )
    assert report.is_receipt_awaiting_confirmation
    assert report.receipt_date == stated.date()
    entry = JournalEntry.objects.get(action="intake.report_registered")
    assert entry.data["is_receipt_confirmation_needed"] is True


@time_machine.travel(MONDAY, tick=False)
def test_the_limit_of_days_is_a_setting(intake_worker, own_district, child, settings):
    settings.RODTRAD_STATED_RECEIPT_MAX_DAYS = 5
    report = ReportFactory.registered(
        intake_worker,
        own_district,
        [child],
        stated_received_at=MONDAY - timedelta(days=6),
        stated_received_reason="Brevet låg i fel fack.",
    )
    assert report.is_receipt_awaiting_confirmation


@time_machine.travel(MONDAY, tick=False)
def test_a_team_manager_of_the_district_confirms_a_far_back_receipt_with_a_note(
    intake_worker, manager, other_district_manager, own_district, child
):
    report = ReportFactory.registered(
        intake_worker,
        own_district,
        [child],
        stated_received_at=MONDAY - timedelta(days=45),
        stated_received_reason="Anmälan hittades i en annan enhets brevlåda.",
    )
    for user in (intake_worker, other_district_manager):
        with pytest.raises(PermissionDenied):
            services.confirm_stated_receipt(report, by=user, note="Kontrollerat.")
    with pytest.raises(ValidationError) as error:
        services.confirm_stated_receipt(report, by=manager, note=" ")
    assert set(error.value.message_dict) == {"note"}
    confirmed = services.confirm_stated_receipt(
        report, by=manager, note="Kontrollerat med posten: stämpeln visar datumet."
    )
    assert not confirmed.is_receipt_awaiting_confirmation
    assert confirmed.receipt_confirmed_by == manager
    entry = JournalEntry.objects.get(action="intake.stated_receipt_confirmed")
    assert entry.data == {"report_id": report.pk}
    with pytest.raises(ValidationError):  # confirmed once
        services.confirm_stated_receipt(report, by=manager, note="Igen.")


@time_machine.travel(MONDAY, tick=False)
def test_a_manager_never_confirms_a_receipt_they_registered(manager, own_district, child):
    report = ReportFactory.registered(
        manager,
        own_district,
        [child],
        stated_received_at=MONDAY - timedelta(days=45),
        stated_received_reason="Anmälan hittades i en annan enhets brevlåda.",
    )
    with pytest.raises(PermissionDenied):
        services.confirm_stated_receipt(report, by=manager, note="Eget.")


# --- a pre-assessment decision dated before the report was registered -------------------------


SATURDAY = datetime(2027, 2, 27, 11, 0, tzinfo=STOCKHOLM)


def test_a_decision_dated_before_the_registration_needs_a_reason(
    intake_worker, own_district, child, time_machine
):
    # The report came in on Friday (stated), was registered on Monday; the decision is dated
    # Saturday: before the registration.
    time_machine.move_to(MONDAY, tick=False)
    report_child = ReportFactory.registered(
        intake_worker,
        own_district,
        [child],
        stated_received_at=MONDAY - timedelta(days=3),
        stated_received_reason="Samtal till socialjouren på fredagskvällen.",
    ).children.get()
    assess(report_child, intake_worker)
    pre_assessment = PreAssessment.objects.get(case=report_child.case)
    with pytest.raises(ValidationError) as error:
        decide(pre_assessment, intake_worker, event_on=SATURDAY.date())
    messages = error.value.message_dict["early_decision_reason"]
    assert "2027-02-27" in messages[0] and "2027-03-01" in messages[0]
    pre_assessment.refresh_from_db()
    signed = decide(
        pre_assessment,
        intake_worker,
        event_on=SATURDAY.date(),
        early_decision_reason="Socialjouren beslutade på lördagen; anmälan skrevs in måndag.",
    )
    assert signed.is_signed
    entry = JournalEntry.objects.get(action="intake.pre_assessment_decided")
    assert entry.data["is_dated_before_registration"] is True


def test_a_decision_on_the_day_of_registration_needs_no_reason(
    intake_worker, own_district, child, time_machine
):
    time_machine.move_to(MONDAY, tick=False)
    report_child = ReportFactory.registered(intake_worker, own_district, [child]).children.get()
    assess(report_child, intake_worker)
    signed = decide(
        PreAssessment.objects.get(case=report_child.case), intake_worker, event_on=MONDAY.date()
    )
    assert signed.is_signed
