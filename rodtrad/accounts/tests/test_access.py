"""accounts/access.py and what every write service does with it.

S16: an emergency grant ("break the glass") gives read access to one case for a while. It must
never let its holder change anything, or link anything that would outlive the grant: every
write service is called here with a user whose only way to the case is the grant.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

import rodtrad
from rodtrad.accounts import access
from rodtrad.accounts.models import EmergencyAccessStatus, Membership, Role
from rodtrad.accounts.tests.factories import ActivationCodeFactory, MembershipFactory, UserFactory
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.intake.tests.factories import ReportFactory
from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# A Tuesday in term time; nothing here depends on which day, but the clock is fixed.
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=STOCKHOLM)
REASON = "Socialjouren: polisen har hittat barnet ensamt i natt och ringer oss."

# Public services that take `by` and act outside one case's scope by design. Each needs a
# reason; everything else is called below with a grant-only user.
OUTSIDE_CASE_SCOPE = {
    "cases.request_emergency_access": (
        "asking for emergency access is the break-the-glass step itself: it looks a child up "
        "outside the user's scope, writes only the grant and its journal entry, and is tested "
        "in cases/tests (S16)"
    ),
    "accounts.confirm_totp_device": (
        "the user confirms their own second factor; no case, person or scope is involved"
    ),
    "journal.record": "the journal records what happens; it changes no case or person",
    "journal.record_access": "an access event records a read; it changes no case or person",
    "journal.record_accesses": "access events record reads; they change no case or person",
    "journal.record_access_denied": "records a refused lookup; it changes no case or person",
    "journal.export_checkpoint": "a checkpoint of the journal head; no case or person",
    "journal.reader_scope": "works out what the journal needs to know of a reader; writes nothing",
    "journal.record_access_once": "an access event records a read; it changes no case or person",
    "journal.subjects_of": "names the case and persons a page shows; it writes nothing",
    "journal.seal_access_events": "a digest of access events in the journal; no case or person",
    "journal.write_checkpoint": "a signed checkpoint of the journal head; no case or person",
    "accounts.may_approve": "a question (may this user approve the proposal?); it writes nothing",
    "accounts.may_issue_activation_code": (
        "a question (may this user issue the account's activation code?); it writes nothing"
    ),
    "accounts.record_unauthenticated_event": (
        "counts and journals events of anonymous visitors (CSP reports, failed sign-ins); it "
        "touches no case or person"
    ),
}

# Services that refuse the grant-only user with a form error instead of PermissionDenied, so
# that the page can say what is wrong; the test checks that nothing is written all the same.
REFUSED_AS_FORM_ERROR = {
    "intake.register_report": (
        "the intake form names the child the user may not register a report about"
    ),
}


def write_services() -> list[str]:
    """Every public function that takes `by` in every rodtrad/*/services.py, as app.name."""
    found = []
    for path in sorted(Path(rodtrad.__file__).parent.glob("*/services.py")):
        app = path.parent.name
        module = importlib.import_module(f"rodtrad.{app}.services")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            if "by" in inspect.signature(function).parameters:
                found.append(f"{app}.{name}")
    return found


# --- the world: a case in Bromma, and a Farsta user who sees it only through a grant --------


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW):
        yield


@pytest.fixture
def world(
    clock: None,
    own_district: Any,
    own_units: dict[str, Any],
    other_district: Any,
    other_units: dict[str, Any],
    intake_worker: Any,
    investigator: Any,
    manager: Any,
    admin: Any,
) -> SimpleNamespace:
    """A Bromma child with a report, a signed pre-assessment, an investigation and every kind
    of record in it; and a Farsta user with every case role who has an emergency grant on it."""
    from rodtrad.cases import services as case_services
    from rodtrad.frameworks.models import Code, CodeList
    from rodtrad.intake import services as intake_services
    from rodtrad.intake.models import PreAssessment, ReporterInformationRequest
    from rodtrad.investigation import services as inv
    from rodtrad.investigation.models import ContactKind, Investigation

    today = timezone.localdate()
    child = PersonFactory(district=own_district)
    mother = PersonFactory(district=own_district, birth_date=date(1988, 4, 4))
    relationship = RelationshipFactory(child=child, other=mother, valid_from=date(2012, 1, 1))

    report = ReportFactory.registered(intake_worker, own_district, [child])
    report_child = report.children.get()
    intake_services.assess_protection(
        report_child,
        by=intake_worker,
        is_immediate_protection_needed=False,
        actions_taken="",
        rationale="Barnet har en trygg vuxen i dag; inget akut skyddsbehov.",
    )
    pre_assessment = PreAssessment.objects.get(case=report_child.case)
    pre_assessment = intake_services.sign_pre_assessment(
        pre_assessment,
        by=intake_worker,
        expected_version=pre_assessment.version,
        changes={"decision": "open", "reasons": "Oron behöver utredas.", "event_on": today},
    )
    info_request = intake_services.request_reporter_information(
        report, by=intake_worker, requested_on=today
    )
    info_request = ReporterInformationRequest.objects.get(pk=info_request.pk)
    case = report_child.case
    case.refresh_from_db()
    investigation = Investigation.objects.get(case=case)

    plan = inv.create_plan(
        investigation, by=investigator, event_on=today, framework="bbic-2018-areas"
    )
    plan = inv.sign_plan(
        plan,
        by=investigator,
        expected_version=plan.version,
        changes={"questions": "Hur mår barnet i skolan?", "areas": ["halsa"]},
    )
    area = inv.create_area_assessment(investigation, by=investigator, event_on=today, area="halsa")
    risk = inv.create_risk_assessment(
        investigation, by=investigator, event_on=today, instrument="FREDA-farlighetsbedömning"
    )
    analysis = inv.create_analysis(investigation, by=investigator, event_on=today)
    analysis = inv.save_document_draft(
        analysis,
        by=investigator,
        expected_version=analysis.version,
        changes={"text": "Barnet behöver stöd i läsningen."},
    )
    contact = inv.log_contact(
        investigation, by=investigator, kind=ContactKind.OTHER, event_on=today, summary="Möte."
    )
    need = inv.add_need(
        investigation, by=investigator, area="halsa", description="Läsning.", severity="low"
    )
    communication = inv.record_communication(
        investigation,
        by=investigator,
        subject="Utredningen i sin helhet.",
        recipient=mother,
        relationship=relationship,
        sent_on=today,
        answer_by=today,
    )
    investigation.refresh_from_db()

    jour = UserFactory(username="jour")
    for role in (Role.INTAKE_WORKER, Role.INVESTIGATOR, Role.TEAM_MANAGER):
        MembershipFactory(user=jour, role=role, district=other_district, unit=None)
    own_child = PersonFactory(district=other_district)
    own_case = CaseFactory(child=own_child, unit=other_units["intake"])
    own_adult = PersonFactory(district=other_district, birth_date=date(1980, 1, 1))
    grant = case_services.request_emergency_access(
        by=jour, identity_number=child.identity_number, reason=REASON
    )
    assert grant is not None and grant.status == EmergencyAccessStatus.ACTIVE
    # The preconditions: the grant reads the case and its persons, and edits nothing.
    assert access.visible_cases(jour).filter(pk=case.pk).exists()
    assert access.visible_persons(jour).filter(pk__in=[child.pk, mother.pk]).count() == 2
    assert not access.editable_cases(jour).filter(pk=case.pk).exists()

    code_list = CodeList.objects.get(key="report-reasons")
    return SimpleNamespace(
        today=today,
        own_district=own_district,
        other_district=other_district,
        child=child,
        mother=mother,
        relationship=relationship,
        report=report,
        report_child=report_child,
        pre_assessment=pre_assessment,
        info_request=info_request,
        case=case,
        investigation=investigation,
        plan=plan,
        area=area,
        risk=risk,
        analysis=analysis,
        contact=contact,
        need=need,
        communication=communication,
        grant=grant,
        jour=jour,
        own_child=own_child,
        own_case=own_case,
        own_adult=own_adult,
        investigator=investigator,
        admin=admin,
        investigator_membership=Membership.objects.get(user=investigator),
        code_list=code_list,
        code=Code.objects.filter(code_list=code_list).order_by("pk").first(),
    )


Call = Callable[[], Any]


def _calls(w: SimpleNamespace) -> dict[str, list[Call]]:
    """For each write service: the attempts the grant-only user makes on the granted case."""
    from rodtrad.accounts import services as accounts
    from rodtrad.cases import services as cases
    from rodtrad.frameworks import services as frameworks
    from rodtrad.intake import services as intake
    from rodtrad.investigation import services as inv
    from rodtrad.investigation.models import InvestigationPlan
    from rodtrad.people import services as people
    from rodtrad.placements import services as placements
    from rodtrad.placements.models import CarePlan
    from rodtrad.placements.tests.factories import (
        CarePlanFactory,
        ImplementationPlanFactory,
        PlacementFactory,
    )

    by = w.jour
    # A started placement of the granted case, with a signed care plan and a draft
    # implementation plan.
    placement = PlacementFactory(decision__case=w.case)
    signed_plan = CarePlanFactory(intervention=placement, signed=True)
    plan_draft = ImplementationPlanFactory(intervention=placement)
    today = w.today
    from rodtrad.commissions import services as commissions
    from rodtrad.commissions.models import Goal
    from rodtrad.commissions.tests.factories import CommissionFactory, GoalFactory
    from rodtrad.decisions import services as decisions
    from rodtrad.decisions.tests.factories import DecisionFactory, InterventionFactory

    # A decision with its intervention in the granted case, a draft commission with a goal and
    # a sent one (the grant's reader is neither the case's handler nor the provider).
    decision = DecisionFactory(case=w.case)
    intervention = InterventionFactory(decision=decision)
    draft = CommissionFactory(intervention=intervention)
    goal = GoalFactory(commission=draft, needs=[w.need])
    sent = CommissionFactory(intervention=intervention, sent=True)
    # A role for a new colleague in the granted child's district, waiting for approval.
    proposal = accounts.propose_membership(
        UserFactory(), by=w.admin, role=Role.INVESTIGATOR, district=w.own_district
    )
    newcomer = UserFactory()
    # A colleague of the district waiting for activation (a code issued by the manager).
    waiting = UserFactory(role=Role.INVESTIGATOR, role__district=w.own_district)
    ActivationCodeFactory(user=waiting, issued_by=w.admin)
    later = today + timedelta(days=60)
    draft_text = {"text": "Jouren skriver i utkastet."}
    from rodtrad.followup import services as followup
    from rodtrad.followup.models import Instrument
    from rodtrad.letters import services as letters
    from rodtrad.letters.tests.factories import OutgoingDocumentFactory

    outgoing = OutgoingDocumentFactory(case=w.case)
    # A started intervention of its own in the granted case (the one above has not started).
    ongoing = InterventionFactory(decision__case=w.case, started=True, planned_start=today)
    from rodtrad.audits import services as audits
    from rodtrad.audits.tests import factories as audit_factories
    from rodtrad.stats import services as stats

    # The granted case drawn into a programme and given to another reviewer, with a finding.
    audit_reviewer = UserFactory(role=Role.REVIEWER, role__district=w.own_district)
    sampled = audit_factories.sampled_case(w.case, reviewers=(audit_reviewer,), created_by=w.admin)
    audit_finding = audit_factories.finding(sampled, by=audit_reviewer)
    # A log review with one item: the reviewer's read of the granted case.
    log_item = audit_factories.log_item(
        audit_factories.log_review(created_by=w.admin),
        audit_factories.access_event(audit_reviewer, case=w.case),
    )

    return {
        # audits: programmes are the administrator's, reviews the assigned reviewer's, and a
        # finding the team manager's of the case's district (docs/internal-control.md)
        "audits.create_programme": [
            lambda: audits.create_programme(
                by=by,
                name="Jourens granskning",
                checklist=sampled.programme.checklist,
                districts=[w.own_district],
                period_start=today - timedelta(days=30),
                period_end=today,
                sample_per_stratum=5,
                review_ends_on=later,
            )
        ],
        "audits.new_checklist_edition": [
            lambda: audits.new_checklist_edition(
                by=by, checklist=sampled.programme.checklist, edition="jour", texts={}
            )
        ],
        "audits.assign_reviewers": [
            lambda: audits.assign_reviewers(
                by=by, programme=sampled.programme, sampled_cases=[sampled], reviewer_users=[by]
            )
        ],
        "audits.save_review": [
            lambda: audits.save_review(by=by, sampled_case=sampled, answers={}),
            lambda: audits.save_review(by=by, sampled_case=sampled, answers={}, submit=True),
        ],
        "audits.flag_finding": [
            lambda: audits.flag_finding(by=by, sampled_case=sampled, note="Jouren flaggar.")
        ],
        "audits.record_finding_action": [
            lambda: audits.record_finding_action(
                by=by, finding=audit_finding, action_note="Jouren åtgärdar.", expected_version=1
            )
        ],
        # audits: the log review is the administrator's and the reviewers' only
        "audits.create_log_review": [
            lambda: audits.create_log_review(
                by=by, period_start=today - timedelta(days=30), period_end=today, sample_size=5
            )
        ],
        "audits.answer_log_item": [
            lambda: audits.answer_log_item(
                by=by, item=log_item, answer="justified", note="", expected_version=1
            )
        ],
        # audits: the exports are for those who see the results (the administrator; a
        # reviewer of the programme after its review period) and the comparison the
        # administrator's (docs/internal-control.md, "Exports")
        "audits.export_results": [
            lambda: audits.export_results(
                by=by,
                programme=sampled.programme,
                file_format="csv",
                reason="Underlag till nämnden.",
                otp_token="123456",
            )
        ],
        "audits.export_comparison": [
            lambda: audits.export_comparison(
                by=by,
                first=sampled.programme,
                second=sampled.programme,
                file_format="csv",
                reason="Underlag till nämnden.",
                otp_token="123456",
            )
        ],
        # stats: the historical import is for administrators only (docs/import-format.md)
        "stats.import_districts": [
            lambda: stats.import_districts(b"code,name\nny,Ny\n", file_name="d.csv", by=by)
        ],
        # stats: a dashboard table's export is for the analyst and team managers
        # (access.statistics_districts); the grant-only investigator sees no statistics.
        "stats.export_table": [
            lambda: stats.export_table(
                "violence_share",
                year=2026,
                district_codes=[w.case.district.code],
                reason="Underlag till nämnden.",
                file_format="csv",
                otp_token="123456",
                by=by,
            )
        ],
        # stats: a snapshot is for the analyst and team managers, as the dashboard.
        "stats.create_snapshot": [
            lambda: stats.create_snapshot(
                title="Nämnden",
                year=2026,
                district_codes=[w.case.district.code],
                indicators=["violence_share"],
                reason="Underlag till nämnden.",
                by=by,
            )
        ],
        "stats.import_population": [
            lambda: stats.import_population(
                f"district,year,age,sex,count\n{w.case.district.code},2024,1,F,9\n".encode(),
                file_name="p.csv",
                by=by,
            )
        ],
        "stats.import_reports": [
            lambda: stats.import_reports(
                (
                    "report_id,received_on,district,child_id,child_sex,child_birth_date,reasons,"
                    "reporter_category,decision_on,investigation_opened_on,"
                    "investigation_closed_on,extended_until\n"
                    f"x1,2024-01-08,{w.case.district.code},ref:x,F,2015-01-01,A,,,,,\n"
                ).encode(),
                file_name="r.csv",
                by=by,
            )
        ],
        # followup
        "followup.record_measurement": [
            lambda: followup.record_measurement(
                ongoing,
                by=by,
                instrument=Instrument.objects.get(code="example-four-item"),
                rater_role="child",
                rater_id=None,
                administered_on=today,
                item_scores={f"item_{n}": 5 for n in range(1, 5)},
            )
        ],
        "followup.update_instrument": [
            lambda: followup.update_instrument(
                Instrument.objects.get(code="example-four-item"),
                by=by,
                expected_version=1,
                name="Jourens formulär",
                item_labels={},
                licence_note="",
                is_active=False,
            )
        ],
        "followup.create_instrument": [
            lambda: followup.create_instrument(
                by=by, code="jourens-formular", definition=_instrument_definition()
            )
        ],
        "followup.create_edition": [
            lambda: followup.create_edition(
                Instrument.objects.get(code="example-four-item"),
                by=by,
                expected_version=1,
                definition=_instrument_definition(),
            )
        ],
        # people
        "people.create_person": [
            lambda: people.create_person(
                by=by,
                identity_number="201403082383",
                given_name="Ny",
                family_name="Person",
                district=w.own_district,
            )
        ],
        "people.update_person": [
            lambda: people.update_person(
                w.child, by=by, expected_version=w.child.version, changes={"given_name": "Jour"}
            ),
            lambda: people.update_person(
                w.mother, by=by, expected_version=w.mother.version, changes={"language": "fi"}
            ),
        ],
        "people.set_protection_level": [
            lambda: people.set_protection_level(
                w.child, by=by, level="sekretessmarkering", expected_version=w.child.version
            )
        ],
        "people.appoint_protected_handler": [
            lambda: people.appoint_protected_handler(w.child, by, by=by)
        ],
        "people.remove_protected_handler": [
            lambda: people.remove_protected_handler(w.child, w.investigator, by=by)
        ],
        "people.add_relationship": [
            # The finding: one of the user's own children linked to the granted child.
            lambda: people.add_relationship(
                w.own_child, w.child, by=by, kind="sibling", valid_from=date(2014, 1, 1)
            ),
            # ... or to the granted child's mother, seen only through the grant.
            lambda: people.add_relationship(
                w.own_child, w.mother, by=by, kind="parent", valid_from=date(2014, 1, 1)
            ),
            # ... or the granted child linked to one of the user's own persons.
            lambda: people.add_relationship(
                w.child, w.own_adult, by=by, kind="other", valid_from=date(2014, 1, 1)
            ),
        ],
        "people.end_relationship": [
            lambda: people.end_relationship(
                w.relationship, by=by, valid_to=today, expected_version=w.relationship.version
            )
        ],
        # cases
        "cases.assign_responsible": [
            lambda: cases.assign_responsible(
                w.case, by=by, responsible=by, expected_version=w.case.version
            )
        ],
        "cases.approve_emergency_access": [lambda: cases.approve_emergency_access(w.grant, by=by)],
        "cases.reject_emergency_access": [
            lambda: cases.reject_emergency_access(w.grant, by=by, note="Nej.")
        ],
        "cases.review_emergency_access": [
            lambda: cases.review_emergency_access(w.grant, by=by, note="Befogat.")
        ],
        "cases.save_draft": [
            lambda: cases.save_draft(
                w.analysis, by=by, expected_version=w.analysis.version, changes=draft_text
            )
        ],
        "cases.sign_document": [
            lambda: cases.sign_document(w.analysis, by=by, expected_version=w.analysis.version)
        ],
        "cases.correct_document": [lambda: cases.correct_document(w.plan, by=by, reason="Fel.")],
        # intake
        "intake.open_case": [
            # A case in the user's own district would make the child the district's for good.
            lambda: intake.open_case(by=by, child=w.child, district=w.other_district),
            lambda: intake.open_case(by=by, child=w.child, district=w.own_district),
        ],
        "intake.register_report": [
            lambda: intake.register_report(
                by=by,
                district=w.other_district,
                kind="anmalan",
                channel="telefon",
                reporter_category="skola",
                is_mandatory_reporter=True,
                reporter_name="Rektor",
                reporter_contact="08-000 00 00",
                is_reporter_identity_protected=False,
                reason_codes=["A"],
                text="Jouren registrerar en anmälan om barnet.",
                children=[w.child],
            )
        ],
        "intake.assess_protection": [
            lambda: intake.assess_protection(
                w.report_child,
                by=by,
                is_immediate_protection_needed=False,
                actions_taken="",
                rationale="Jouren bedömer.",
            )
        ],
        "intake.save_pre_assessment_draft": [
            lambda: intake.save_pre_assessment_draft(
                w.pre_assessment,
                by=by,
                expected_version=w.pre_assessment.version,
                changes={"reasons": "Jouren skriver."},
            )
        ],
        "intake.add_pre_assessment_contact": [
            lambda: intake.add_pre_assessment_contact(
                w.pre_assessment, by=by, who="child", contacted_on=today, summary="Samtal."
            )
        ],
        "intake.sign_pre_assessment": [
            lambda: intake.sign_pre_assessment(
                w.pre_assessment, by=by, expected_version=w.pre_assessment.version
            )
        ],
        "intake.correct_pre_assessment": [
            lambda: intake.correct_pre_assessment(w.pre_assessment, by=by, reason="Fel datum.")
        ],
        "intake.assess_protection_from_sibling": [
            lambda: intake.assess_protection_from_sibling(
                w.report_child,
                by=by,
                source=w.report_child.protection_assessment,
                is_copy_confirmed=True,
                is_immediate_protection_needed=False,
                actions_taken="",
                rationale="Jouren kopierar.",
            )
        ],
        "intake.copy_pre_assessment_from_sibling": [
            lambda: intake.copy_pre_assessment_from_sibling(
                w.pre_assessment,
                by=by,
                source=w.pre_assessment,
                expected_version=w.pre_assessment.version,
            )
        ],
        "intake.record_protective_action": [
            lambda: intake.record_protective_action(
                w.report_child.protection_assessment,
                by=by,
                protective_action="other",
                taken_at=timezone.now(),
                note="Jouren registrerar en skyddsåtgärd.",
            )
        ],
        "intake.confirm_stated_receipt": [
            lambda: intake.confirm_stated_receipt(w.report, by=by, note="Jouren bekräftar.")
        ],
        "accounts.propose_membership": [
            lambda: accounts.propose_membership(
                newcomer, by=by, role=Role.INVESTIGATOR, district=w.own_district
            )
        ],
        "accounts.issue_activation_code": [lambda: accounts.issue_activation_code(waiting, by=by)],
        "accounts.approve_membership_proposal": [
            lambda: accounts.approve_membership_proposal(proposal, by=by)
        ],
        "accounts.decline_membership_proposal": [
            lambda: accounts.decline_membership_proposal(proposal, by=by)
        ],
        "people.decline_handler_proposal": [
            lambda: people.decline_handler_proposal(w.child, w.investigator, by=by)
        ],
        "intake.request_reporter_information": [
            lambda: intake.request_reporter_information(w.report, by=by, requested_on=today)
        ],
        "intake.answer_reporter_information": [
            lambda: intake.answer_reporter_information(
                w.info_request,
                by=by,
                expected_version=w.info_request.version,
                answered_on=today,
                answer_text="Utredning inleds.",
            )
        ],
        # investigation
        "investigation.start_document_draft": [
            lambda: inv.start_document_draft(
                InvestigationPlan,
                w.investigation,
                by=by,
                params={"framework": "bbic-2018-areas"},
                changes={"event_on": today, "questions": "Jouren skriver."},
            )
        ],
        "investigation.request_extension": [
            lambda: inv.request_extension(
                w.investigation, by=by, reasons="Jouren vill ha mer tid.", proposed_to=later
            )
        ],
        "investigation.refuse_extension_request": [
            lambda: inv.refuse_extension_request(w.investigation, by=by, reason="Nej.")
        ],
        "investigation.open_investigation": [
            lambda: inv.open_investigation(w.case, by=by, opened_on=today)
        ],
        "investigation.record_informing": [
            lambda: inv.record_informing(
                w.investigation,
                by=by,
                expected_version=w.investigation.version,
                informed_on=today,
                informed_how="Brev.",
            )
        ],
        "investigation.create_plan": [
            lambda: inv.create_plan(
                w.investigation, by=by, event_on=today, framework="bbic-2018-areas"
            )
        ],
        "investigation.create_area_assessment": [
            lambda: inv.create_area_assessment(
                w.investigation, by=by, event_on=today, area="utbildning"
            )
        ],
        "investigation.create_risk_assessment": [
            lambda: inv.create_risk_assessment(
                w.investigation, by=by, event_on=today, instrument="FREDA"
            )
        ],
        "investigation.create_analysis": [
            lambda: inv.create_analysis(w.investigation, by=by, event_on=today)
        ],
        "investigation.save_document_draft": [
            lambda: inv.save_document_draft(
                w.analysis, by=by, expected_version=w.analysis.version, changes=draft_text
            )
        ],
        "investigation.sign_plan": [
            lambda: inv.sign_plan(w.plan, by=by, expected_version=w.plan.version)
        ],
        "investigation.sign_area_assessment": [
            lambda: inv.sign_area_assessment(w.area, by=by, expected_version=w.area.version)
        ],
        "investigation.sign_risk_assessment": [
            lambda: inv.sign_risk_assessment(w.risk, by=by, expected_version=w.risk.version)
        ],
        "investigation.sign_analysis": [
            lambda: inv.sign_analysis(w.analysis, by=by, expected_version=w.analysis.version)
        ],
        "investigation.correct_investigation_document": [
            lambda: inv.correct_investigation_document(w.plan, by=by, reason="Fel fråga.")
        ],
        "investigation.log_contact": [
            lambda: inv.log_contact(
                w.investigation, by=by, kind="other", event_on=today, summary="Jouren ringde."
            )
        ],
        "investigation.add_need": [
            lambda: inv.add_need(
                w.investigation, by=by, area="halsa", description="Sömn.", severity="low"
            )
        ],
        "investigation.update_need": [
            lambda: inv.update_need(
                w.need,
                by=by,
                expected_version=w.need.version,
                area="halsa",
                description="Ändrat av jouren.",
                severity="high",
            )
        ],
        "investigation.remove_need": [
            lambda: inv.remove_need(w.need, by=by, expected_version=w.need.version)
        ],
        "investigation.decide_extension": [
            lambda: inv.decide_extension(
                w.investigation, by=by, decided_on=today, extended_to=later, reasons="Jouren."
            )
        ],
        "investigation.record_communication": [
            lambda: inv.record_communication(
                w.investigation,
                by=by,
                subject="Utredningen.",
                recipient=w.mother,
                relationship=w.relationship,
                sent_on=today,
            )
        ],
        "investigation.record_communication_answer": [
            lambda: inv.record_communication_answer(
                w.communication,
                by=by,
                expected_version=w.communication.version,
                answer="Instämmer.",
                answered_on=today,
            )
        ],
        "investigation.close_investigation": [
            lambda: inv.close_investigation(
                w.investigation,
                by=by,
                expected_version=w.investigation.version,
                outcome="transferred",
                closed_on=today,
                note="Flyttad av jouren.",
            )
        ],
        # accounts and frameworks: administrator services; the grant gives nothing there.
        "accounts.create_user": [
            lambda: accounts.create_user(
                by=by,
                username="jourens-kollega",
                password="ett långt och ovanligt lösenord 4711",
                role=Role.INVESTIGATOR,
                district=w.own_district,
            )
        ],
        "accounts.set_password": [
            lambda: accounts.set_password(
                w.investigator, by=by, password="ett långt och ovanligt lösenord 4711"
            )
        ],
        "accounts.deactivate_user": [lambda: accounts.deactivate_user(w.investigator, by=by)],
        "accounts.add_membership": [
            # Turning the grant into a role in the case's district.
            lambda: accounts.add_membership(
                by, by=by, role=Role.INVESTIGATOR, district=w.own_district
            )
        ],
        "accounts.end_membership": [
            lambda: accounts.end_membership(w.investigator_membership, by=by)
        ],
        "frameworks.load_code_lists": [lambda: frameworks.load_code_lists(by=by)],
        "frameworks.update_code": [
            lambda: frameworks.update_code(
                code=w.code, by=by, version=w.code.version, label_sv="Ändrad av jouren"
            )
        ],
        "placements.start_plan": [
            lambda: placements.start_plan(CarePlan, placement, by=by, changes={"care_goal": "X"})
        ],
        "placements.start_and_sign_plan": [
            lambda: placements.start_and_sign_plan(CarePlan, placement, by=by, changes={})
        ],
        "placements.save_plan_draft": [
            lambda: placements.save_plan_draft(
                plan_draft, by=by, expected_version=plan_draft.version, changes={"goals": "X"}
            )
        ],
        "placements.sign_plan": [
            lambda: placements.sign_plan(
                plan_draft, by=by, expected_version=plan_draft.version, changes={}
            )
        ],
        "placements.correct_plan": [
            lambda: placements.correct_plan(signed_plan, by=by, reason="Fel i planen.")
        ],
        "placements.revise_plan": [lambda: placements.revise_plan(signed_plan, by=by)],
        "placements.record_review": [
            lambda: placements.record_review(
                placement, by=by, held_on=today, level="subcommittee", outcome="continues"
            )
        ],
        "placements.record_custody_consideration": [
            lambda: placements.record_custody_consideration(
                placement,
                by=by,
                considered_on=today,
                level="subcommittee",
                outcome="no_application",
                note="Ingen ansökan nu.",
            )
        ],
        "frameworks.add_code": [
            lambda: frameworks.add_code(
                code_list=w.code_list, by=by, code="ZZ", label_sv="Jourens kod"
            )
        ],
        "frameworks.retire_code": [
            lambda: frameworks.retire_code(code=w.code, by=by, version=w.code.version)
        ],
        # Decisions and interventions of the granted case: the grant reads, never decides.
        "decisions.record_decision": [
            lambda: decisions.record_decision(
                w.case,
                by=by,
                kind="no_intervention",
                legal_ground="sol-14-2",
                level="delegate",
                decided_on=today,
                reasons="Jouren beslutar.",
            )
        ],
        "decisions.record_notice": [
            lambda: decisions.record_notice(
                decision, by=by, recipient=w.mother, notified_on=today, channel="letter"
            )
        ],
        "decisions.close_without_decision": [
            lambda: decisions.close_without_decision(
                w.case, by=by, expected_version=w.case.version, reason="moved", note="Flyttat."
            )
        ],
        "decisions.start_intervention": [
            lambda: decisions.start_intervention(
                intervention, by=by, expected_version=intervention.version, started_on=today
            )
        ],
        "decisions.end_intervention": [
            lambda: decisions.end_intervention(
                intervention,
                by=by,
                expected_version=intervention.version,
                ended_on=today,
                end_reason="never_started",
            )
        ],
        # Documents of the granted case: the grant reads them, never produces or sends one.
        "letters.produce_document": [
            lambda: letters.produce_document(
                w.case,
                by=by,
                kind="meeting",
                subject_key="none",
                recipient_key=f"person:{w.mother.pk}",
                details={"meeting_on": later, "place": "Kontoret", "with_whom": "Handläggaren"},
            )
        ],
        "letters.preview_document": [
            lambda: letters.preview_document(
                w.case,
                by=by,
                kind="meeting",
                subject_key="none",
                recipient_key=f"person:{w.mother.pk}",
            )
        ],
        "letters.send_document": [lambda: letters.send_document(outgoing, by=by, channel="post")],
        "letters.record_received": [
            lambda: letters.record_received(outgoing, by=by, received_on=today)
        ],
        "commissions.create_commission": [
            lambda: commissions.create_commission(intervention, by=by)
        ],
        "commissions.update_commission": [
            lambda: commissions.update_commission(
                draft, by=by, expected_version=draft.version, changes={"frequency": "Varje dag"}
            )
        ],
        "commissions.add_goal": [
            lambda: commissions.add_goal(
                draft,
                by=by,
                need_ids=[w.need.pk],
                text="Jourens mål",
                levels={name: "Nivå" for name in Goal.LEVEL_FIELDS},
            )
        ],
        "commissions.update_goal": [
            lambda: commissions.update_goal(
                goal,
                by=by,
                expected_version=goal.version,
                need_ids=[w.need.pk],
                text="Jourens mål",
                levels={name: "Nivå" for name in Goal.LEVEL_FIELDS},
                weight=goal.weight,
                baseline_level=-1,
                target_on=None,
                is_childs_own=False,
            )
        ],
        "commissions.send_commission": [
            lambda: commissions.send_commission(draft, by=by, expected_version=draft.version)
        ],
        "followup.record_follow_up": [
            lambda: followup.record_follow_up(
                sent,
                by=by,
                held_on=today,
                levels={},
                outcome="continue",
                child_view="Jouren.",
                violence_followed_up=True,
            )
        ],
        "commissions.accept_commission": [
            lambda: commissions.accept_commission(sent, by=by, expected_version=sent.version)
        ],
        "followup.end_case_follow_up": [
            lambda: followup.end_case_follow_up(
                w.case,
                by=by,
                expected_version=w.case.version,
                entry=followup.CaseFollowUpEntry(
                    ended_on=today, findings="Jouren.", outcome="no_further_action"
                ),
            )
        ],
    }


# Rows that may be written by a refused attempt: the `denied` access events of S11.
NOT_COMPARED = {"journal.accessevent"}


def database_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but access events), to prove that nothing was written."""
    return {
        model._meta.label_lower: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.label_lower not in NOT_COMPARED and model._meta.managed
    }


def _instrument_definition():
    from rodtrad.followup.definitions import BandInput, Definition, ItemInput

    return Definition(
        name="Jourens formulär",
        kind="rating_scale",
        items=[ItemInput(row=1, code="a", label="Fråga A")],
        min_item=0,
        max_item=10,
        decimals=1,
        bands=[BandInput(row=1, min_age=6, max_age=None, clinical_cutoff=5, reliable_change=2)],
        self_rating_min_age=None,
        licence_note="",
    )


SERVICES = write_services()


def test_every_write_service_is_either_called_below_or_allowed_outside_case_scope(db):
    """A new service must be added to `_calls` (or, with a reason, to OUTSIDE_CASE_SCOPE)."""
    assert "people.add_relationship" in SERVICES  # the discovery finds the services
    unknown = set(OUTSIDE_CASE_SCOPE) - set(SERVICES)
    assert not unknown, f"allow-listed services that no longer exist: {sorted(unknown)}"
    assert all(len(reason) > 20 for reason in OUTSIDE_CASE_SCOPE.values())


@pytest.mark.parametrize("service", [name for name in SERVICES if name not in OUTSIDE_CASE_SCOPE])
def test_s16_emergency_grant_is_read_only_in_every_service(service, world):
    calls = _calls(world)
    assert service in calls, (
        f"{service} takes `by` but is not tried with a grant-only user: add the calls to "
        "_calls in rodtrad/accounts/tests/test_access.py (or, with a reason, to "
        "OUTSIDE_CASE_SCOPE)"
    )
    expected: tuple[type[Exception], ...] = (PermissionDenied, Http404)
    if service in REFUSED_AS_FORM_ERROR:
        expected += (ValidationError,)
    for attempt in calls[service]:
        before = database_rows()
        with pytest.raises(expected):
            attempt()
        assert database_rows() == before, f"{service} wrote something for a grant-only user"


def test_s16_a_relationship_made_under_a_grant_cannot_outlive_it(world):
    """The finding itself: after the grant, the child is not visible to the user's team."""
    from rodtrad.people import services as people

    colleague = UserFactory(role=Role.INVESTIGATOR, role__district=world.other_district)
    with pytest.raises(PermissionDenied):
        people.add_relationship(
            world.own_child,
            world.child,
            by=world.jour,
            kind="sibling",
            valid_from=date(2014, 1, 1),
        )
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        for user in (world.jour, colleague):
            assert not access.visible_persons(user).filter(pk=world.child.pk).exists()


def test_a_person_visible_without_a_grant_can_be_linked_across_districts(
    clock, own_district, own_units, other_district, investigator
):
    """A child's father registered in another district, already linked to a sibling of the
    same district's case, can be linked to the child too (the rule is "visible without a
    grant", not "same district")."""
    from rodtrad.people import services as people

    sibling = PersonFactory(district=own_district)
    CaseFactory(child=sibling, unit=own_units["investigation"])
    father = PersonFactory(district=other_district, birth_date=date(1979, 2, 2))
    RelationshipFactory(child=sibling, other=father, kind="parent", has_custody=False)
    child = PersonFactory(district=own_district)
    relationship = people.add_relationship(
        child, father, by=investigator, kind="parent", valid_from=date(2014, 1, 1)
    )
    assert relationship.other == father


@pytest.mark.parametrize("crafted", ["abc", "", "-1", "0", str(2**63), None])
def test_a_crafted_id_is_a_404_with_a_denied_event_for_cases_and_persons(
    db, own_units, investigator, crafted
):
    """get_case_for / get_person_for take the id from a URL or a form: anything that is not an
    id in range (text, nothing, out of the column's range) matches nothing, the answer is 404
    and the refused lookup is journaled (S11), as for an id outside the user's scope."""
    from rodtrad.journal.models import AccessAction, AccessEvent

    CaseFactory(unit=own_units["investigation"])
    for lookup in (access.get_case_for, access.get_person_for):
        with pytest.raises(Http404):
            lookup(investigator, crafted)
    denied = AccessEvent.objects.filter(user=investigator, action=AccessAction.DENIED)
    assert list(denied.values_list("case_id", "person_id")) == [(None, None), (None, None)]


def test_an_id_given_as_text_finds_the_case_and_the_person(own_district, own_units, investigator):
    case = CaseFactory(child=PersonFactory(district=own_district), unit=own_units["investigation"])
    assert access.get_case_for(investigator, str(case.pk)) == case
    assert access.get_person_for(investigator, str(case.child.pk)) == case.child
