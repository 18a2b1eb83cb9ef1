"""Intake pages: the queue, registering a report, autosave, signing, the case page."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from rodtrad.cases.models import Case, CaseStatus
from rodtrad.intake.models import PreAssessment, Report
from rodtrad.intake.services import assess_protection
from rodtrad.intake.tests.factories import ReportFactory
from rodtrad.journal.models import AccessAction, AccessEvent, JournalEntry
from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory


def test_the_queue_shows_only_the_own_district_most_urgent_first(
    signed_in, manager, other_district_manager, own_district, other_district
):
    today_child = PersonFactory(district=own_district, given_name="Idag")
    overdue_child = PersonFactory(district=own_district, given_name="Sen")
    elsewhere = PersonFactory(district=other_district, given_name="Farstabarn")
    ReportFactory.registered(manager, own_district, [today_child])
    ReportFactory.registered(
        manager,
        own_district,
        [overdue_child],
        stated_received_at=timezone.now() - timedelta(days=3),
        stated_received_reason="Brevet låg i fel fack.",
    )
    ReportFactory.registered(other_district_manager, other_district, [elsewhere])

    response = signed_in(manager).get(reverse("intake:queue"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Farstabarn" not in body
    assert body.index("Sen") < body.index("Idag")  # overdue first
    assert "3 dagar försenad" in body  # the one days-left template (deadlines/includes)
    assert "Sista dag i dag" in body
    assert "<caption>" in body
    listed = AccessEvent.objects.filter(action=AccessAction.LISTED, route="intake:queue")
    assert set(listed.values_list("case_id", flat=True)) == set(
        Case.objects.filter(district=own_district).values_list("pk", flat=True)
    )


def test_the_queue_is_for_case_roles_only(signed_in, analyst):
    assert signed_in(analyst).get(reverse("intake:queue")).status_code == 403


def test_registering_a_report_with_bad_input_shows_swedish_errors_and_saves_nothing(
    signed_in, intake_worker, own_district, child
):
    response = signed_in(intake_worker).post(
        reverse("intake:report-create"),
        {
            "district": own_district.pk,
            "children_numbers": f"{child.identity_number}\n19991301-0000",
            "kind": "anmalan",
            "channel": "telefon",
            "reporter_category": "skola",
            "text": "",
            "register": "1",
        },
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Välj minst en orsak till anmälan." in body
    assert "Skriv vad anmälan gäller." in body
    assert "19991301-0000" in body  # the bad number is named in the message
    assert 'aria-invalid="true"' in body
    assert not Report.objects.exists()
    assert not Case.objects.exists()
    assert not JournalEntry.objects.filter(action__startswith="intake.").exists()
    assert not JournalEntry.objects.filter(action="cases.case_opened").exists()


def test_looking_up_the_children_shows_them_without_saving(
    signed_in, intake_worker, child, sibling
):
    response = signed_in(intake_worker).post(
        reverse("intake:report-create"),
        {"children_numbers": f"{child.identity_number}\n{sibling.identity_number}", "lookup": "1"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert child.given_name in body and sibling.given_name in body
    assert "Välj minst en orsak" not in body  # other fields are not judged yet
    assert not Report.objects.exists()


def test_registering_a_report_about_two_siblings(
    signed_in, intake_worker, own_district, child, sibling
):
    response = signed_in(intake_worker).post(
        reverse("intake:report-create"),
        {
            "district": own_district.pk,
            "children_numbers": f"{child.identity_number}\n{sibling.identity_number}",
            "kind": "anmalan",
            "channel": "e-post",
            "reporter_category": "skola",
            "is_mandatory_reporter": "on",
            "reporter_name": "Lärare Lisa",
            "is_reporter_identity_protected": "on",
            "reason_codes": ["A", "I"],
            "text": "Syskonen berättar om våld hemma.",
            "register": "1",
        },
    )

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:report-detail", args=[report.pk])
    assert report.children.count() == 2
    assert JournalEntry.objects.filter(action="intake.report_registered").count() == 1

    detail = signed_in(intake_worker).get(response["Location"]).content.decode()
    assert "Skyddad anmälare (OSL 26 kap. 5 §)" in detail
    assert "Lärare Lisa" in detail


def test_the_autosave_endpoint_saves_and_returns_the_status_and_the_new_version(
    signed_in, intake_worker, pre_assessment
):
    client = signed_in(intake_worker)
    url = reverse("intake:pre-assessment-autosave", args=[pre_assessment.pk])
    data = {
        "version": pre_assessment.version,
        "event_on": timezone.localdate().isoformat(),
        "information_obtained": "Samtal med mamman.",
        "assessment": "",
        "decision": "",
        "reasons": "",
        "exceptional_reasons": "",
    }

    response = client.post(url, data, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="status"' in body
    assert "Utkast sparat" in body
    assert 'value="2" id="id_version" hx-swap-oob="true"' in body
    pre_assessment.refresh_from_db()
    assert pre_assessment.information_obtained == "Samtal med mamman."
    assert JournalEntry.objects.filter(action="intake.preassessment_draft_saved").count() == 1

    stale = client.post(url, {**data, "assessment": "Annat"}, HTTP_HX_REQUEST="true")
    assert stale.status_code == 409
    assert "Dina senaste ändringar har inte sparats." in stale.content.decode()

    bad = client.post(url, {**data, "version": 2, "event_on": "igår"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert "Skriv datumet som ÅÅÅÅ-MM-DD." in bad.content.decode()
    pre_assessment.refresh_from_db()
    assert pre_assessment.version == 2


def test_the_edit_page_has_the_autosave_wiring_and_a_plain_save_button(
    signed_in, intake_worker, pre_assessment
):
    client = signed_in(intake_worker)
    url = reverse("intake:pre-assessment-edit", args=[pre_assessment.case_id])
    body = client.get(url).content.decode()
    autosave = reverse("intake:pre-assessment-autosave", args=[pre_assessment.pk])
    assert f'hx-post="{autosave}"' in body
    assert 'hx-trigger="input changed delay:1500ms"' in body
    assert 'id="autosave-status"' in body
    assert "SoL 20 kap. 2 §" in body

    saved = client.post(
        url,
        {
            "version": 1,
            "event_on": timezone.localdate().isoformat(),
            "assessment": "Utan JavaScript.",
        },
    )
    assert saved.status_code == 302
    pre_assessment.refresh_from_db()
    assert pre_assessment.assessment == "Utan JavaScript."


def test_a_refused_signature_shows_the_reason_and_keeps_nothing(
    signed_in, intake_worker, pre_assessment
):
    response = signed_in(intake_worker).post(
        reverse("intake:pre-assessment-sign", args=[pre_assessment.pk]),
        {
            "version": pre_assessment.version,
            "event_on": timezone.localdate().isoformat(),
            "assessment": "Ska inte sparas.",
            "decision": "",
        },
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Välj beslut: om en utredning ska inledas eller inte." in body
    assert "Skriv skälen för beslutet." in body
    pre_assessment.refresh_from_db()
    assert pre_assessment.status == "draft"
    assert pre_assessment.assessment == ""
    assert Case.objects.get(pk=pre_assessment.case_id).status == CaseStatus.PRE_ASSESSMENT


def test_signing_from_the_page_decides_and_shows_it_on_the_case_page(
    signed_in, intake_worker, pre_assessment
):
    client = signed_in(intake_worker)
    response = client.post(
        reverse("intake:pre-assessment-sign", args=[pre_assessment.pk]),
        {
            "version": pre_assessment.version,
            "event_on": timezone.localdate().isoformat(),
            "decision": "not_open",
            "reasons": "Familjen har redan stöd.",
        },
    )

    assert response.status_code == 302
    assert Case.objects.get(pk=pre_assessment.case_id).status == CaseStatus.CLOSED
    page = client.get(response["Location"]).content.decode()
    assert "Utredning inleds inte" in page
    assert "Förhandsbedömning (SoL 20 kap. 2 §)" in page


def test_opening_an_investigation_sends_the_intake_worker_back_to_the_queue_not_to_a_404(
    signed_in, intake_worker, own_units, pre_assessment
):
    client = signed_in(intake_worker)
    response = client.post(
        reverse("intake:pre-assessment-sign", args=[pre_assessment.pk]),
        {
            "version": pre_assessment.version,
            "event_on": timezone.localdate().isoformat(),
            "decision": "open",
            "reasons": "Barnet kan vara utsatt för våld.",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("intake:queue")
    case = Case.objects.get(pk=pre_assessment.case_id)
    assert case.status == CaseStatus.INVESTIGATION
    assert case.unit == own_units["investigation"]  # out of the intake unit's sight
    page = client.get(response["Location"]).content.decode()
    assert "Förhandsbedömningen är signerad och beslutet fattat." in page


def test_a_contact_with_the_school_is_refused_on_the_page(signed_in, intake_worker, pre_assessment):
    response = signed_in(intake_worker).post(
        reverse("intake:pre-assessment-contact-add", args=[pre_assessment.pk]),
        {"who": "school", "contacted_on": timezone.localdate().isoformat(), "summary": "Mentor"},
    )
    assert response.status_code == 200
    assert "kräver att en utredning har inletts" in response.content.decode()
    assert not pre_assessment.contacts.exists()


def test_the_case_page_shows_the_intake_section_with_recorded_times(
    signed_in, intake_worker, own_district, child
):
    report = ReportFactory.registered(
        intake_worker,
        own_district,
        [child],
        is_reporter_identity_protected=True,
        stated_received_at=timezone.now() - timedelta(hours=3),
        stated_received_reason="Telefonsamtal som skrevs ned efteråt.",
    )
    report_child = report.children.get()
    assess_protection(
        report_child,
        by=intake_worker,
        is_immediate_protection_needed=False,
        actions_taken="",
        rationale="Inget akut.",
    )

    body = (
        signed_in(intake_worker)
        .get(reverse("cases:case-detail", args=[report_child.case_id]))
        .content.decode()
    )

    assert "Anmälningar och skyddsbedömningar" in body
    assert "Uppgiven tid" in body
    assert "registrerad" in body
    assert "Skyddad anmälare (OSL 26 kap. 5 §)" in body
    assert "Inget behov av omedelbart skydd" in body
    assert "dagar kvar" in body
    assert reverse("intake:pre-assessment-edit", args=[report_child.case_id]) in body


def test_a_signed_pre_assessment_recorded_late_is_tagged(signed_in, intake_worker, pre_assessment):
    PreAssessment.objects.filter(pk=pre_assessment.pk).update(
        status="signed",
        decision="not_open",
        event_on=timezone.localdate() - timedelta(days=10),
        signed_at=timezone.now(),
        signed_by=intake_worker,
    )
    body = (
        signed_in(intake_worker)
        .get(reverse("intake:pre-assessment-edit", args=[pre_assessment.case_id]))
        .content.decode()
    )
    assert "Registrerad sent" in body
    assert "Påbörja rättelse" in body


def test_pre_assessment_pages_of_another_district_are_not_found(
    signed_in, other_district_investigator, pre_assessment
):
    client = signed_in(other_district_investigator)
    assert (
        client.get(reverse("intake:pre-assessment-edit", args=[pre_assessment.case_id])).status_code
        == 404
    )
    autosave = client.post(
        reverse("intake:pre-assessment-autosave", args=[pre_assessment.pk]),
        {"version": 1, "event_on": timezone.localdate().isoformat(), "reasons": "Utifrån"},
    )
    assert autosave.status_code == 404
    pre_assessment.refresh_from_db()
    assert pre_assessment.reasons == ""


def test_a_reporter_request_and_its_answer_are_registered_on_the_report_page(
    signed_in, intake_worker, report_child
):
    client = signed_in(intake_worker)
    report = report_child.report
    today = timezone.localdate().isoformat()

    empty = client.post(reverse("intake:reporter-information-request", args=[report.pk]), {})
    assert empty.status_code == 200
    assert "Skriv vilket datum anmälaren frågade." in empty.content.decode()

    asked = client.post(
        reverse("intake:reporter-information-request", args=[report.pk]), {"requested_on": today}
    )
    assert asked.status_code == 302
    info_request = report.information_requests.get()
    page = client.get(reverse("intake:report-detail", args=[report.pk])).content.decode()
    assert "En vecka efter beslutet" in page

    answered = client.post(
        reverse("intake:reporter-information-answer", args=[report.pk]),
        {
            "request": info_request.pk,
            "version": info_request.version,
            "answered_on": today,
            "answer_text": "Förhandsbedömningen pågår.",
        },
    )
    assert answered.status_code == 302
    info_request.refresh_from_db()
    assert info_request.answer_text == "Förhandsbedömningen pågår."
    assert JournalEntry.objects.filter(action="intake.reporter_information_answered").exists()


def test_the_report_form_and_the_protection_assessment_form_render(
    signed_in, intake_worker, report_child
):
    client = signed_in(intake_worker)
    form = client.get(reverse("intake:report-create")).content.decode()
    assert "<legend>Orsaker till anmälan</legend>" in form
    assert reverse("people:person-create") in form

    url = reverse("intake:protection-assessment-create", args=[report_child.pk])
    page = client.get(url).content.decode()
    assert "SoL 20 kap. 1 §" in page
    assert "Sista dag i dag" in page
    refused = client.post(url, {"is_immediate_protection_needed": "yes", "rationale": "Akut"})
    assert refused.status_code == 200
    assert "skriv vilka åtgärder som har vidtagits" in refused.content.decode()
    saved = client.post(url, {"is_immediate_protection_needed": "no", "rationale": "Inget akut."})
    assert saved.status_code == 302
    assert Case.objects.get(pk=report_child.case_id).status == CaseStatus.PRE_ASSESSMENT


# --- issue 6 §5 and §3.10: urgent protection, the stated receipt, early decisions, categories --


def test_the_reporter_category_is_one_select_with_the_mandatory_reporters_grouped(
    signed_in, intake_worker
):
    body = signed_in(intake_worker).get(reverse("intake:report-create")).content.decode()
    select = body[
        body.index('name="reporter_category"') : body.index(
            "</select>", body.index('name="reporter_category"')
        )
    ]
    assert '<optgroup label="Anmälningsskyldig (SoL 19 kap. 1–3 §§)">' in select
    assert '<optgroup label="Andra anmälare (SoL 19 kap. 4 §)">' in select
    assert (
        select.index("Anmälningsskyldig")
        < select.index('value="polis"')
        < select.index("Andra anmälare")
    )
    assert "Polismyndigheten" not in select
    assert select.count("<option") == 1 + 26 + 5  # "–", the mandatory group, the others


def test_immediate_protection_without_an_action_asks_for_it_and_flags_the_case(
    signed_in, intake_worker, report_child
):
    client = signed_in(intake_worker)
    url = reverse("intake:protection-assessment-create", args=[report_child.pk])
    saved = client.post(
        url,
        {
            "is_immediate_protection_needed": "yes",
            "actions_taken": "Socialjouren kontaktad.",
            "rationale": "Barnet berättar om slag i kväll.",
        },
    )
    assert saved.status_code == 302 and saved["Location"] == url
    page = client.get(url).content.decode()
    assert "Registrera skyddsåtgärd" in page
    assert "Omedelbart omhändertagande (LVU 6 §)" in page
    case_page = client.get(reverse("cases:case-detail", args=[report_child.case_id]))
    assert "Brådskande: barnet behöver omedelbart skydd." in case_page.content.decode()

    record_url = reverse("intake:protective-action-record", args=[report_child.pk])
    refused = client.post(record_url, {"protective_action": "lvu_6"})
    assert refused.status_code == 200
    assert "Skriv när skyddsåtgärden vidtogs." in refused.content.decode()
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    done = client.post(
        record_url,
        {
            "protective_action": "lvu_6",
            "protective_action_taken_at": now,
            "protective_action_note": "Beslut av ordföranden; barnet är i jourhem.",
        },
    )
    assert done.status_code == 302
    case_page = client.get(reverse("cases:case-detail", args=[report_child.case_id]))
    body = case_page.content.decode()
    assert "Brådskande: barnet behöver omedelbart skydd." not in body
    assert "Omedelbart omhändertagande (LVU 6 §)" in body


def test_the_queue_marks_an_urgent_case(signed_in, intake_worker, report_child):
    assess_protection(
        report_child,
        by=intake_worker,
        is_immediate_protection_needed=True,
        actions_taken="Socialjouren kontaktad.",
        rationale="Akut.",
    )
    body = signed_in(intake_worker).get(reverse("intake:queue")).content.decode()
    assert "Brådskande" in body


def test_a_far_back_receipt_is_flagged_and_a_manager_confirms_it_on_the_report_page(
    signed_in, intake_worker, manager, own_district
):
    child = PersonFactory(district=own_district)
    report = ReportFactory.registered(
        intake_worker,
        own_district,
        [child],
        stated_received_at=timezone.now() - timedelta(days=40),
        stated_received_reason="Anmälan hittades i en annan enhets brevlåda.",
    )
    url = reverse("intake:report-detail", args=[report.pk])
    worker_page = signed_in(intake_worker).get(url).content.decode()
    assert "Uppgiven tid väntar på enhetschefens bekräftelse" in worker_page
    assert "Bekräfta tiden" not in worker_page
    confirm = reverse("intake:report-receipt-confirm", args=[report.pk])
    assert signed_in(intake_worker).post(confirm, {"note": "Själv."}).status_code == 403
    client = signed_in(manager)
    assert "Bekräfta tiden" in client.get(url).content.decode()
    assert client.post(confirm, {"note": ""}).status_code == 200
    assert client.post(confirm, {"note": "Poststämpeln visar datumet."}).status_code == 302
    body = client.get(url).content.decode()
    assert "Uppgiven tid bekräftad av enhetschef" in body
    assert "Poststämpeln visar datumet." in body


def test_the_pre_assessment_page_asks_why_a_decision_is_dated_before_the_registration(
    signed_in, intake_worker, own_district
):
    child = PersonFactory(district=own_district)
    report_child = ReportFactory.registered(
        intake_worker,
        own_district,
        [child],
        stated_received_at=timezone.now() - timedelta(days=3),
        stated_received_reason="Samtal till socialjouren.",
    ).children.get()
    assess_protection(
        report_child,
        by=intake_worker,
        is_immediate_protection_needed=False,
        actions_taken="",
        rationale="Inget akut.",
    )
    document = PreAssessment.objects.get(case=report_child.case)
    client = signed_in(intake_worker)
    page = client.get(reverse("intake:pre-assessment-edit", args=[report_child.case_id]))
    assert "Varför är beslutet daterat före registreringen?" in page.content.decode()
    response = client.post(
        reverse("intake:pre-assessment-sign", args=[document.pk]),
        {
            "version": document.version,
            "event_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
            "decision": "not_open",
            "reasons": "Familjen har stöd.",
        },
    )
    assert response.status_code == 200
    assert "ligger före dagen då anmälan registrerades" in response.content.decode()
    document.refresh_from_db()
    assert not document.is_signed


def test_a_last_day_on_midsommarafton_is_called_a_day_off_by_law_not_a_holiday(
    signed_in, intake_worker, own_district, time_machine
):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from rodtrad.accounts.models import Membership

    Membership.objects.filter(user=intake_worker).update(valid_from=date(2026, 1, 1))
    # Received Friday 5 June 2026: 14 days end on midsommarafton, 19 June (a weekday eve).
    time_machine.move_to(datetime(2026, 6, 5, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm")))
    child = PersonFactory(district=own_district)
    report_child = ReportFactory.registered(intake_worker, own_district, [child]).children.get()
    body = (
        signed_in(intake_worker)
        .get(reverse("cases:case-detail", args=[report_child.case_id]))
        .content.decode()
    )
    assert "(helg- eller ledig dag enligt lag (1930:173): får göras senast 2026-06-22)" in body
    assert "helgdag:" not in body


def test_an_urgent_case_is_marked_in_the_case_list_and_on_the_case_page(
    signed_in, intake_worker, report_child
):
    assess_protection(
        report_child,
        by=intake_worker,
        is_immediate_protection_needed=True,
        actions_taken="Socialjouren kontaktad.",
        rationale="Akut.",
    )
    client = signed_in(intake_worker)
    listing = client.get(reverse("cases:case-list")).content.decode()
    assert "Brådskande" in listing
    page = client.get(reverse("cases:case-detail", args=[report_child.case_id])).content.decode()
    assert "Brådskande: omedelbart skydd, skyddsåtgärd inte registrerad" in page


# --- omedelbart omhändertagande (LVU 6 §): what the law requires next, as information --------


def _take_into_care_at_once(report_child, by):
    taken_at = timezone.localtime().replace(second=0, microsecond=0)
    assess_protection(
        report_child,
        by=by,
        is_immediate_protection_needed=True,
        actions_taken="Ordföranden beslutade om omedelbart omhändertagande.",
        rationale="Barnet kan inte gå hem i kväll.",
        protective_action="lvu_6",
        protective_action_taken_at=taken_at,
        protective_action_note="Beslut enligt 6 § LVU; barnet är i jourhem.",
    )
    return taken_at


def test_the_case_page_says_what_lvu_requires_after_an_omedelbart_omhandertagande(
    signed_in, intake_worker, report_child
):
    taken_at = _take_into_care_at_once(report_child, intake_worker)
    page = (
        signed_in(intake_worker)
        .get(reverse("cases:case-detail", args=[report_child.case_id]))
        .content.decode()
    )
    assert "Omedelbart omhändertagande enligt 6 § LVU" in page
    assert taken_at.strftime("%Y-%m-%d %H:%M") in page
    assert "underställas förvaltningsrätten inom en vecka" in page
    assert "(7 § LVU)" in page
    assert "Ansökan om vård ska göras hos förvaltningsrätten inom fyra veckor" in page
    assert "(8 § LVU)" in page
    assert "Rodtrad räknar inte ut de här fristerna ännu" in page


def test_the_pre_assessment_page_explains_why_the_case_of_a_child_in_custody_stays_open(
    signed_in, intake_worker, report_child
):
    _take_into_care_at_once(report_child, intake_worker)
    client = signed_in(intake_worker)
    url = reverse("intake:pre-assessment-edit", args=[report_child.case_id])
    page = client.get(url).content.decode()
    assert "kan därför inte avslutas med beslutet att inte inleda utredning" in page
    document = PreAssessment.objects.get(case=report_child.case)
    refused = client.post(
        reverse("intake:pre-assessment-sign", args=[document.pk]),
        {
            "version": document.version,
            "decision": "not_open",
            "reasons": "Ingen oro kvarstår.",
            "event_on": timezone.localdate().isoformat(),
        },
    )
    assert refused.status_code == 200
    assert "Välj beslutet att inleda utredning." in refused.content.decode()
    assert Case.objects.get(pk=report_child.case_id).status == CaseStatus.PRE_ASSESSMENT


def test_no_lvu_information_without_an_omedelbart_omhandertagande(
    signed_in, intake_worker, pre_assessment
):
    page = (
        signed_in(intake_worker)
        .get(reverse("cases:case-detail", args=[pre_assessment.case_id]))
        .content.decode()
    )
    assert "6 § LVU" not in page


# --- the report page warns about protected persons around its children (S15) -----------------

PROTECTED_NETWORK_WARNING = (
    "Det finns personer med skyddade personuppgifter i barnets nätverk – kontrollera innan "
    "något skickas ut"
)


def test_s15_the_report_page_warns_when_a_child_of_the_report_is_protected(
    signed_in, intake_worker, own_district, child, sibling
):
    # From the red-team pass on issue 6 (S-5): every other page of the case had the banner.
    sibling.protection_level = "skyddad_folkbokforing"
    sibling.save()
    report = ReportFactory.registered(intake_worker, own_district, [child, sibling])
    html = (
        signed_in(intake_worker)
        .get(reverse("intake:report-detail", args=[report.pk]))
        .content.decode()
    )
    assert PROTECTED_NETWORK_WARNING in html


def test_s15_the_report_page_warns_about_a_protected_parent_of_a_child_of_the_report(
    signed_in, intake_worker, own_district, child
):

    mother = PersonFactory(district=own_district, protection_level="skyddad_folkbokforing")
    RelationshipFactory(
        child=child, other=mother, kind="guardian", has_custody=True, valid_from=child.birth_date
    )
    report = ReportFactory.registered(intake_worker, own_district, [child])
    html = (
        signed_in(intake_worker)
        .get(reverse("intake:report-detail", args=[report.pk]))
        .content.decode()
    )
    assert html.count(PROTECTED_NETWORK_WARNING) == 1


def test_the_report_page_has_no_warning_when_nobody_around_the_children_is_protected(
    signed_in, intake_worker, own_district, child, sibling
):
    report = ReportFactory.registered(intake_worker, own_district, [child, sibling])
    html = (
        signed_in(intake_worker)
        .get(reverse("intake:report-detail", args=[report.pk]))
        .content.decode()
    )
    assert PROTECTED_NETWORK_WARNING not in html


# --- the duty to report follows from the reporter category (U-9) -------------------------------


def _report_post(child, own_district, **overrides):
    values = {
        "district": own_district.pk,
        "children_numbers": child.identity_number,
        "kind": "anmalan",
        "channel": "telefon",
        "reporter_category": "skola",
        "reporter_name": "Rektor Rut",
        "reporter_contact": "08-000 00 00",
        "reason_codes": ["A"],
        "text": "Eleven har varit borta mycket.",
        "register": "1",
    }
    values.update(overrides)
    return values


def test_a_school_report_is_from_a_mandatory_reporter_without_ticking_the_box(
    signed_in, intake_worker, own_district, child
):
    response = signed_in(intake_worker).post(
        reverse("intake:report-create"), _report_post(child, own_district)
    )
    assert response.status_code == 302
    assert Report.objects.get().is_mandatory_reporter


def test_the_form_asks_about_the_duty_only_for_the_category_where_it_varies(
    signed_in, intake_worker
):
    body = signed_in(intake_worker).get(reverse("intake:report-create")).content.decode()
    assert "Anmälaren är anmälningsskyldig i sitt arbete" in body
    assert "Fyll bara i för kategorin ”Annan”." in body


def test_an_anonymous_report_ticked_as_mandatory_is_refused_on_the_form(
    signed_in, intake_worker, own_district, child
):
    response = signed_in(intake_worker).post(
        reverse("intake:report-create"),
        _report_post(
            child,
            own_district,
            reporter_category="anonym",
            reporter_name="",
            reporter_contact="",
            is_mandatory_reporter="on",
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "En anmälare i kategorin ”Anonym” är inte anmälningsskyldig." in body
    assert not Report.objects.exists()
