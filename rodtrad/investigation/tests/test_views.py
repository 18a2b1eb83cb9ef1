"""Investigation pages: scoping, autosave, signing, corrections and what the pages show."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rodtrad.cases.services import request_emergency_access
from rodtrad.intake.tests.factories import ReportChildFactory
from rodtrad.investigation import services
from rodtrad.investigation.models import AreaAssessment, Contact, ContactKind, Need
from rodtrad.investigation.tests.factories import (
    AnalysisFactory,
    ContactFactory,
    InvestigationFactory,
    RiskAssessmentFactory,
)
from rodtrad.journal.models import AccessEvent, JournalEntry


def journal(action: str) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(action=action).order_by("seq"))


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def area(investigation, investigator, today):
    return services.create_area_assessment(
        investigation, by=investigator, event_on=today, area="halsa"
    )


def test_the_overview_shows_the_deadline_and_writes_one_access_event(
    investigation, investigator, signed_in
):
    client = signed_in(investigator)
    url = reverse("investigation:investigation-detail", args=[investigation.pk])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    due = investigation.deadline.due
    assert due.isoformat() in body
    left = (due - timezone.localdate()).days
    assert f"{left} dagar kvar" in body
    assert "Inget samtal med barnet är registrerat." in body
    events = AccessEvent.objects.filter(
        case_id=investigation.case_id, route="investigation:investigation-detail"
    )
    assert events.count() == 1


def test_an_investigation_in_another_district_is_404(other_investigation, investigator, signed_in):
    client = signed_in(investigator)
    response = client.get(
        reverse("investigation:investigation-detail", args=[other_investigation.pk])
    )
    assert response.status_code == 404
    assert AccessEvent.objects.filter(action="denied", case_id=other_investigation.case_id).exists()


def test_an_unknown_id_is_404(investigator, signed_in, db):
    client = signed_in(investigator)
    assert (
        client.get(reverse("investigation:investigation-detail", args=[999999])).status_code == 404
    )
    assert client.get(reverse("investigation:plan-edit", args=[999999])).status_code == 404


def test_emergency_access_reads_but_cannot_write(
    investigation, other_district_investigator, signed_in, today
):
    request_emergency_access(
        by=other_district_investigator,
        identity_number=investigation.case.child.identity_number,
        reason="Socialjouren: barnet är hos oss i natt och vi behöver se planen.",
    )
    client = signed_in(other_district_investigator)
    overview = client.get(reverse("investigation:investigation-detail", args=[investigation.pk]))
    assert overview.status_code == 200
    assert "Nödåtkomst." in overview.content.decode()
    assert "Registrera kontakt" not in overview.content.decode()
    event = AccessEvent.objects.get(route="investigation:investigation-detail")
    assert event.is_emergency
    response = client.post(
        reverse("investigation:contact-create", args=[investigation.pk]),
        {"kind": "home_visit", "event_on": today.isoformat(), "summary": "Besök."},
    )
    assert response.status_code == 404
    assert not Contact.objects.exists()


def test_an_overdue_investigation_without_extension_is_flagged(own_units, investigator, signed_in):

    late = InvestigationFactory.opened(
        own_units["investigation"], investigator, timezone.localdate() - timedelta(days=200)
    )
    body = (
        signed_in(investigator)
        .get(reverse("investigation:investigation-detail", args=[late.pk]))
        .content.decode()
    )
    assert "Utredningstiden har gått ut." in body
    assert "dagar försenad" in body


# --- Document pages ---------------------------------------------------------------------------


def test_the_draft_page_autosaves_with_htmx_and_posts_without_javascript(
    area, investigator, signed_in
):
    body = (
        signed_in(investigator)
        .get(reverse("investigation:area-edit", args=[area.pk]))
        .content.decode()
    )
    assert 'hx-trigger="input changed delay:1500ms"' in body
    assert f'hx-post="{reverse("investigation:area-autosave", args=[area.pk])}"' in body
    assert re.search(
        r'<input type="hidden" name="version" value="1"[^>]*id="document-version"', body
    )
    assert f'action="{reverse("investigation:area-edit", args=[area.pk])}"' in body
    assert 'id="autosave-status"' in body


def post_area(client, url, area, **values):
    data = {"version": area.version, "event_on": area.event_on.isoformat(), "facts": "", **values}
    return client.post(url, data, **HTMX)


def test_autosave_answers_with_a_status_and_the_new_version(area, investigator, signed_in):
    client = signed_in(investigator)
    url = reverse("investigation:area-autosave", args=[area.pk])
    response = post_area(client, url, area, facts="Barnet har astma.")
    assert response.status_code == 200
    body = response.content.decode()
    saved = timezone.localtime(AreaAssessment.objects.get(pk=area.pk).updated_at).strftime("%H:%M")
    assert re.search(rf'role="status">Utkast sparat {saved}<', body)
    assert 'value="2" id="document-version" hx-swap-oob="true"' in body
    assert journal("investigation.areaassessment_draft_saved")[0].data == {"fields": ["facts"]}


def test_a_stale_autosave_gets_the_conflict_fragment_and_saves_nothing(
    area, investigator, signed_in
):
    client = signed_in(investigator)
    url = reverse("investigation:area-autosave", args=[area.pk])
    assert post_area(client, url, area, facts="Första").status_code == 200
    response = post_area(client, url, area, facts="Andra")  # still version 1
    assert response.status_code == 409
    assert 'role="alert"' in response.content.decode()
    assert AreaAssessment.objects.get(pk=area.pk).facts == "Första"


def test_a_bad_autosave_is_400_with_a_message(area, investigator, signed_in):
    client = signed_in(investigator)
    url = reverse("investigation:area-autosave", args=[area.pk])
    response = post_area(client, url, area, event_on="igår")
    assert response.status_code == 400
    assert "Skriv datumet som ÅÅÅÅ-MM-DD." in response.content.decode()


def test_saving_without_javascript_redirects_and_a_stale_save_gets_the_conflict_page(
    area, investigator, signed_in
):
    client = signed_in(investigator)
    url = reverse("investigation:area-edit", args=[area.pk])
    data = {"version": 1, "event_on": area.event_on.isoformat(), "facts": "Första"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "facts": "Andra"})
    assert response.status_code == 409
    assert "Dina ändringar har inte sparats." in response.content.decode()


def test_save_or_sign_right_after_an_autosave_of_the_same_text_is_not_a_conflict(
    area, investigator, signed_in
):
    client = signed_in(investigator)
    text = {"facts": "BVC: allt väl.", "child_view": "Jag är glad."}
    assert (
        post_area(
            client, reverse("investigation:area-autosave", args=[area.pk]), area, **text
        ).status_code
        == 200
    )
    data = {"version": 1, "event_on": area.event_on.isoformat(), **text}  # the page's old version
    assert client.post(reverse("investigation:area-edit", args=[area.pk]), data).status_code == 302
    assert client.post(reverse("investigation:area-sign", args=[area.pk]), data).status_code == 302
    area.refresh_from_db()
    assert area.is_signed
    stale = {**data, "facts": "Något annat"}
    other = services.create_area_assessment(
        area.investigation, by=investigator, event_on=area.event_on, area="utbildning"
    )
    services.save_document_draft(
        other, by=investigator, expected_version=1, changes={"facts": "Ny"}
    )
    response = client.post(reverse("investigation:area-sign", args=[other.pk]), stale)
    assert response.status_code == 409


def test_signing_saves_the_last_edits_and_locks_the_page(area, investigator, signed_in):
    client = signed_in(investigator)
    data = {
        "version": 1,
        "event_on": area.event_on.isoformat(),
        "facts": "BVC: allt väl.",
        "child_view": "Jag är glad.",
    }
    response = client.post(reverse("investigation:area-sign", args=[area.pk]), data)
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.is_signed and area.facts == "BVC: allt väl."
    body = client.get(reverse("investigation:area-edit", args=[area.pk])).content.decode()
    assert "hx-post" not in body
    assert "Påbörja rättelse" in body
    autosave = post_area(
        client, reverse("investigation:area-autosave", args=[area.pk]), area, facts="Ändrat"
    )
    assert autosave.status_code == 409
    assert "signerat" in autosave.content.decode()


def test_a_correction_needs_a_reason_and_opens_a_new_draft(area, investigator, signed_in):
    client = signed_in(investigator)
    services.sign_area_assessment(
        area, by=investigator, expected_version=1, changes={"facts": "Fel."}
    )
    url = reverse("investigation:area-correct", args=[area.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    response = client.post(url, {"reason": "Uppgiften kom från fel skola."})
    correction = AreaAssessment.objects.get(corrects=area)
    assert response.status_code == 302
    assert response["Location"] == reverse("investigation:area-edit", args=[correction.pk])


def test_signing_the_analysis_without_meeting_the_child_shows_why_it_needs_a_reason(
    investigation, investigator, signed_in
):
    analysis = AnalysisFactory.drafted(investigation, investigator)
    client = signed_in(investigator)
    data = {
        "version": analysis.version,
        "event_on": analysis.event_on.isoformat(),
        "text": "Bedömning.",
    }
    response = client.post(reverse("investigation:analysis-sign", args=[analysis.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Inget samtal med barnet finns i kontaktloggen." in body
    assert re.search(
        r'<textarea[^>]*aria-invalid="true"[^>]*id="id_child_not_met_reason"', body
    ) or re.search(r'<textarea[^>]*id="id_child_not_met_reason"[^>]*aria-invalid="true"', body)
    analysis.refresh_from_db()
    assert not analysis.is_signed


def test_the_analysis_page_says_a_risk_assessment_is_needed_for_violence(
    investigation, investigator, signed_in
):
    ReportChildFactory(case=investigation.case, report__reasons=["O"])
    ContactFactory.logged(investigation, investigator)
    analysis = AnalysisFactory.drafted(investigation, investigator)
    client = signed_in(investigator)
    body = client.get(reverse("investigation:analysis-edit", args=[analysis.pk])).content.decode()
    assert "Ingen riskbedömning är signerad ännu." in body
    data = {
        "version": analysis.version,
        "event_on": analysis.event_on.isoformat(),
        "text": "Bedömning.",
    }
    response = client.post(reverse("investigation:analysis-sign", args=[analysis.pk]), data)
    assert "riskbedömning vara signerad" in response.content.decode()


def test_creating_a_document_needs_its_fields(investigation, investigator, signed_in, today):
    client = signed_in(investigator)
    url = reverse("investigation:area-create", args=[investigation.pk])
    assert client.post(url, {}).status_code == 200
    response = client.post(url, {"event_on": today.isoformat(), "area": "halsa"})
    document = AreaAssessment.objects.get()
    assert response["Location"] == reverse("investigation:area-edit", args=[document.pk])


# --- Contacts, needs, extensions, closing -----------------------------------------------------


def test_logging_a_late_contact_shows_the_late_marker(
    investigation, investigator, signed_in, today
):
    client = signed_in(investigator)
    response = client.post(
        reverse("investigation:contact-create", args=[investigation.pk]),
        {
            "kind": ContactKind.CHILD_CONVERSATION,
            "event_on": (today - timedelta(days=10)).isoformat(),
            "child_alone": "yes",
            "covered_violence": "no",
            "summary": "Samtal i skolan.",
        },
    )
    assert response.status_code == 302
    body = client.get(
        reverse("investigation:investigation-detail", args=[investigation.pk])
    ).content.decode()
    assert "registrerad sent" in body
    assert "Har barnet träffats?" in body


def test_a_conversation_with_the_child_without_answers_is_shown_again(
    investigation, investigator, signed_in, today
):
    response = signed_in(investigator).post(
        reverse("investigation:contact-create", args=[investigation.pk]),
        {
            "kind": ContactKind.CHILD_CONVERSATION,
            "event_on": today.isoformat(),
            "summary": "Samtal.",
        },
    )
    assert response.status_code == 200
    assert "Ange om barnet var ensamt med dig." in response.content.decode()
    assert not Contact.objects.exists()


def test_needs_are_editable_only_while_the_analysis_is_a_draft(
    investigation, investigator, signed_in
):
    client = signed_in(investigator)
    analysis = AnalysisFactory.drafted(investigation, investigator)
    response = client.post(
        reverse("investigation:need-create", args=[investigation.pk]),
        {"area": "halsa", "description": "Regelbunden tandvård.", "severity": "moderate"},
    )
    assert response.status_code == 302
    need = Need.objects.get()
    ContactFactory.logged(investigation, investigator)
    services.sign_analysis(analysis, by=investigator, expected_version=analysis.version)
    page = client.get(reverse("investigation:need-edit", args=[need.pk])).content.decode()
    assert "Behoven är låsta" in page
    assert '<form method="post" class="stacked"' not in page
    response = client.post(
        reverse("investigation:need-remove", args=[need.pk]), {"version": need.version}
    )
    assert Need.objects.filter(pk=need.pk).exists()
    assert client.get(reverse("investigation:need-remove", args=[need.pk])).status_code == 405
    assert response.status_code == 200


def test_an_extension_is_for_team_managers_only(
    investigation, investigator, manager, signed_in, today
):
    url = reverse("investigation:extension-create", args=[investigation.pk])
    assert signed_in(investigator).get(url).status_code == 403
    client = signed_in(manager)
    response = client.post(
        url,
        {
            "decided_on": today.isoformat(),
            "extended_to": (investigation.deadline.due + timedelta(days=30)).isoformat(),
            "reasons": "Utlåtande från BUP dröjer.",
        },
    )
    assert response.status_code == 302
    assert len(journal("investigation.extension_decided")) == 1


def test_closing_with_a_proposal_without_needs_is_shown_again(
    investigation, investigator, signed_in, today
):
    ContactFactory.logged(investigation, investigator)
    analysis = AnalysisFactory.drafted(investigation, investigator)
    services.sign_analysis(analysis, by=investigator, expected_version=analysis.version)
    investigation.refresh_from_db()
    response = signed_in(investigator).post(
        reverse("investigation:investigation-close", args=[investigation.pk]),
        {"version": investigation.version, "outcome": "proposal", "closed_on": today.isoformat()},
    )
    assert response.status_code == 200
    assert "Välj minst ett av utredningens behov" in response.content.decode()
    investigation.refresh_from_db()
    assert investigation.is_open


def test_the_case_page_shows_whether_the_child_was_met_and_the_childs_view(
    investigation, investigator, signed_in, today
):
    ContactFactory.logged(investigation, investigator, alone=True)
    area = services.create_area_assessment(
        investigation, by=investigator, event_on=today, area="halsa"
    )
    services.save_document_draft(
        area,
        by=investigator,
        expected_version=area.version,
        changes={"child_view": "Jag sover dåligt."},
    )
    body = (
        signed_in(investigator)
        .get(reverse("cases:case-detail", args=[investigation.case_id]))
        .content.decode()
    )
    assert "Barnet träffat" in body
    assert "Ja, 1 samtal" in body
    assert "Ja, 1 gång" in body
    assert "Jag sover dåligt." in body
    assert reverse("investigation:investigation-detail", args=[investigation.pk]) in body


def test_the_risk_assessment_form_offers_the_instruments_of_the_code_list(
    investigation, signed_in, investigator, admin
):
    from rodtrad.frameworks.models import Code
    from rodtrad.frameworks.services import add_code

    client = signed_in(investigator)
    url = reverse("investigation:risk-create", args=[investigation.pk])
    body = client.get(url).content.decode()
    assert '<option value="FREDA-farlighetsbedömning">' in body
    # A municipality adds its own method; the form offers it at once.
    code_list = Code.objects.get(code_list__key="risk-instruments", code="freda").code_list
    add_code(code_list=code_list, by=admin, code="kommunens-egen", label_sv="Vår egen checklista")
    assert '<option value="Vår egen checklista">' in client.get(url).content.decode()


# --- Starting a document: the editor opens at once, the first save creates the draft --------


def journal_count() -> int:
    from rodtrad.journal.models import JournalEntry

    return JournalEntry.objects.count()


def new_plan_data(today, **values):
    return {"event_on": today.isoformat(), "framework": "bbic-2018-areas", **values}


def test_writing_a_plan_opens_the_editor_at_once_and_the_get_writes_nothing(
    investigation, investigator, signed_in, today
):
    from rodtrad.investigation.models import InvestigationPlan

    client = signed_in(investigator)
    before = journal_count()
    response = client.get(reverse("investigation:plan-create", args=[investigation.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert not InvestigationPlan.objects.exists()
    assert journal_count() == before  # a read is an access event, never a journal entry
    assert AccessEvent.objects.filter(route="investigation:plan-create").count() == 1
    # The editor itself, with the start fields and their defaults.
    assert 'name="questions"' in body
    assert re.search(r'<option value="bbic-2018-areas" selected>', body)
    assert f'value="{today.isoformat()}"' in body
    assert "Skapa utkast" not in body
    create = reverse("investigation:plan-create", args=[investigation.pk])
    autosave = reverse("investigation:plan-create-autosave", args=[investigation.pk])
    assert f'action="{create}"' in body and f'hx-post="{autosave}"' in body
    assert re.search(r'<input type="hidden" name="document" id="document-id"', body)


def test_the_first_autosave_creates_the_draft_journals_it_and_names_it_in_the_answer(
    investigation, investigator, signed_in, today
):
    from rodtrad.investigation.models import InvestigationPlan

    client = signed_in(investigator)
    url = reverse("investigation:plan-create-autosave", args=[investigation.pk])
    response = client.post(url, new_plan_data(today, questions="Hur har barnet det hemma?"), **HTMX)
    assert response.status_code == 200
    plan = InvestigationPlan.objects.get()
    assert (plan.questions, plan.framework, plan.author) == (
        "Hur har barnet det hemma?",
        "bbic-2018-areas",
        investigator,
    )
    (entry,) = journal("investigation.investigationplan_created")
    assert entry.data["fields"] == ["questions"]
    assert entry.data["framework"] == "bbic-2018-areas"
    # The answer: the version and the draft's id for the next autosave, the address of the
    # draft (ids only), and the framework shown as fixed.
    edit_url = reverse("investigation:plan-edit", args=[plan.pk])
    assert response["HX-Replace-Url"] == edit_url
    body = response.content.decode()
    assert re.search(rf'name="document" value="{plan.pk}" id="document-id" hx-swap-oob', body)
    assert re.search(r'name="version" value="1" id="document-version" hx-swap-oob', body)
    assert 'id="start-field-framework" class="field" hx-swap-oob="true"' in body
    assert "Hur har barnet" not in response["HX-Replace-Url"]


def test_the_next_autosave_changes_the_same_draft(investigation, investigator, signed_in, today):
    from rodtrad.investigation.models import InvestigationPlan

    client = signed_in(investigator)
    url = reverse("investigation:plan-create-autosave", args=[investigation.pk])
    client.post(url, new_plan_data(today, questions="Hur har barnet det?"), **HTMX)
    plan = InvestigationPlan.objects.get()
    response = client.post(
        url,
        new_plan_data(today, questions="Hur har barnet det i skolan?", document=plan.pk, version=1),
        **HTMX,
    )
    assert response.status_code == 200
    assert "HX-Replace-Url" not in response
    plan = InvestigationPlan.objects.get()
    assert (plan.questions, plan.version) == ("Hur har barnet det i skolan?", 2)
    assert len(journal("investigation.investigationplan_created")) == 1
    assert journal("investigation.investigationplan_draft_saved")[-1].data == {
        "fields": ["questions"]
    }


def test_save_without_javascript_creates_the_draft_then_saves_it(
    investigation, investigator, signed_in, today
):
    from rodtrad.investigation.models import InvestigationPlan

    client = signed_in(investigator)
    url = reverse("investigation:plan-create", args=[investigation.pk])
    response = client.post(url, new_plan_data(today, questions="Vad behöver barnet?"))
    plan = InvestigationPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("investigation:plan-edit", args=[plan.pk])
    assert len(journal("investigation.investigationplan_created")) == 1
    # The second save of the same editor (its id came back with the first) updates the draft.
    response = client.post(
        url,
        new_plan_data(today, questions="Vad behöver barnet nu?", document=plan.pk, version=1),
    )
    assert response.status_code == 302
    assert InvestigationPlan.objects.get().questions == "Vad behöver barnet nu?"


def test_two_tabs_starting_the_same_plan_make_one_draft_and_the_second_gets_the_conflict(
    investigation, investigator, signed_in, today
):
    from rodtrad.investigation.models import InvestigationPlan

    first_tab = signed_in(investigator)
    second_tab = signed_in(investigator)
    for tab in (first_tab, second_tab):  # both open "Skriv utredningsplan" before any save
        assert tab.get(reverse("investigation:plan-create", args=[investigation.pk])).status_code
    url = reverse("investigation:plan-create-autosave", args=[investigation.pk])
    first = first_tab.post(url, new_plan_data(today, questions="Första fliken."), **HTMX)
    second = second_tab.post(url, new_plan_data(today, questions="Andra fliken."), **HTMX)
    plan = InvestigationPlan.objects.get()
    assert first.status_code == 200 and second.status_code == 409
    assert plan.questions == "Första fliken."  # never overwritten
    assert reverse("investigation:plan-edit", args=[plan.pk]) in second.content.decode()
    # Without JavaScript the second tab's Save button gets the conflict page with its text.
    page = second_tab.post(
        reverse("investigation:plan-create", args=[investigation.pk]),
        new_plan_data(today, questions="Andra fliken."),
    )
    assert page.status_code == 409
    assert "Andra fliken." in page.content.decode()
    assert InvestigationPlan.objects.count() == 1


def test_the_same_first_save_sent_twice_gives_the_same_draft(
    investigation, investigator, signed_in, today
):
    from rodtrad.investigation.models import InvestigationPlan

    client = signed_in(investigator)
    url = reverse("investigation:plan-create-autosave", args=[investigation.pk])
    data = new_plan_data(today, questions="Samma text.")
    assert client.post(url, data, **HTMX).status_code == 200
    again = client.post(url, data, **HTMX)
    plan = InvestigationPlan.objects.get()
    assert again.status_code == 200
    assert f'name="document" value="{plan.pk}"' in again.content.decode()
    assert len(journal("investigation.investigationplan_created")) == 1


def test_a_written_plan_opens_instead_of_a_new_editor(
    investigation, investigator, signed_in, today
):
    plan = services.create_plan(
        investigation, by=investigator, event_on=today, framework="bbic-2018-areas"
    )
    response = signed_in(investigator).get(
        reverse("investigation:plan-create", args=[investigation.pk])
    )
    assert response["Location"] == reverse("investigation:plan-edit", args=[plan.pk])


def test_another_framework_offers_its_own_areas(investigation, investigator, signed_in):
    client = signed_in(investigator)
    url = reverse("investigation:plan-create", args=[investigation.pk])
    body = client.get(url).content.decode()
    assert 'value="sakerhet"' in body and 'value="identitet"' not in body
    # The framework select asks for its areas with the framework's key only (htmx swaps them).
    assert f'hx-get="{url}"' in body and 'hx-select="#field-areas"' in body
    body = client.get(url, {"framework": "bbic-2006-areas"}).content.decode()
    # The 2006 list is retired (valid to 2016): none of its areas may be chosen today, and the
    # 2018 areas are gone from the list.
    assert 'value="sakerhet"' not in body and 'id="field-areas"' in body
    assert re.search(r'<option value="bbic-2006-areas" selected>', body)


def test_a_new_plan_signed_at_once_is_created_only_if_it_can_be_signed(
    investigation, investigator, signed_in, today
):
    from rodtrad.investigation.models import InvestigationPlan

    client = signed_in(investigator)
    url = reverse("investigation:plan-create", args=[investigation.pk])
    response = client.post(url, new_plan_data(today, questions="Hur mår barnet?", sign="1"))
    assert response.status_code == 200
    assert "Välj minst ett område att utreda." in response.content.decode()
    assert not InvestigationPlan.objects.exists()
    response = client.post(
        url, new_plan_data(today, questions="Hur mår barnet?", areas=["halsa"], sign="1")
    )
    plan = InvestigationPlan.objects.get()
    assert response["Location"] == reverse("investigation:plan-edit", args=[plan.pk])
    assert plan.is_signed


def test_an_area_link_opens_the_editor_for_that_area(investigation, investigator, signed_in, today):
    client = signed_in(investigator)
    url = reverse("investigation:area-create", args=[investigation.pk])
    body = client.get(url, {"omrade": "halsa"}).content.decode()
    assert "<h1>Område: Hälsa</h1>" in body
    assert re.search(r'<option value="halsa" selected>', body)
    assert not AreaAssessment.objects.exists()
    response = client.post(
        reverse("investigation:area-create-autosave", args=[investigation.pk]),
        {"event_on": today.isoformat(), "area": "halsa", "facts": "Barnet har astma."},
        **HTMX,
    )
    area = AreaAssessment.objects.get()
    assert (area.area, area.facts, response.status_code) == ("halsa", "Barnet har astma.", 200)
    # The link now opens the text that exists.
    assert client.get(url, {"omrade": "halsa"})["Location"] == reverse(
        "investigation:area-edit", args=[area.pk]
    )


def test_a_new_risk_assessment_suggests_the_method_used_last_time(
    investigation, investigator, signed_in
):

    RiskAssessmentFactory.signed_by(investigation, investigator)
    body = (
        signed_in(investigator)
        .get(reverse("investigation:risk-create", args=[investigation.pk]))
        .content.decode()
    )
    assert re.search(r'name="instrument" value="FREDA-farlighetsbedömning"', body)


def test_an_unsigned_new_risk_assessment_is_continued_not_doubled(
    investigation, investigator, signed_in, today
):
    from rodtrad.investigation.models import RiskAssessment

    client = signed_in(investigator)
    client.post(
        reverse("investigation:risk-create", args=[investigation.pk]),
        {"event_on": today.isoformat(), "instrument": "FREDA-farlighetsbedömning"},
    )
    risk = RiskAssessment.objects.get()
    response = client.get(reverse("investigation:risk-create", args=[investigation.pk]))
    assert response["Location"] == reverse("investigation:risk-edit", args=[risk.pk])


def test_an_editor_cannot_name_a_draft_of_another_investigation(
    investigation, investigator, signed_in, today, own_units
):

    elsewhere = InvestigationFactory.opened(own_units["investigation"], investigator, today)
    plan = services.create_plan(
        elsewhere, by=investigator, event_on=today, framework="bbic-2018-areas"
    )
    response = signed_in(investigator).post(
        reverse("investigation:plan-create-autosave", args=[investigation.pk]),
        new_plan_data(today, questions="Fel plan.", document=plan.pk, version=1),
        **HTMX,
    )
    assert response.status_code == 404
    plan.refresh_from_db()
    assert plan.questions == ""


def test_a_bad_first_autosave_is_400_and_creates_nothing(
    investigation, investigator, signed_in, today
):
    from rodtrad.investigation.models import InvestigationPlan

    response = signed_in(investigator).post(
        reverse("investigation:plan-create-autosave", args=[investigation.pk]),
        new_plan_data(today, event_on=(today + timedelta(days=3)).isoformat(), questions="X"),
        **HTMX,
    )
    assert response.status_code == 400
    assert "Datumet kan inte vara senare än i dag." in response.content.decode()
    assert not InvestigationPlan.objects.exists()


# --- Extension requests, kommunicering, closing and the informing reason (issue 6 §5) ------


def test_the_investigator_asks_for_more_time_and_the_manager_sees_the_request_filled_in(
    investigation, investigator, manager, signed_in
):
    client = signed_in(investigator)
    detail = reverse("investigation:investigation-detail", args=[investigation.pk])
    assert "Begär förlängd utredningstid" in client.get(detail).content.decode()
    proposed = investigation.deadline.due + timedelta(days=40)
    url = reverse("investigation:extension-request-create", args=[investigation.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"proposed_to": proposed.isoformat(), "reasons": "Väntar på BUP:s utlåtande."}
    )
    assert response.status_code == 302
    assert "Begäran väntar på enhetschefens beslut" in client.get(detail).content.decode()
    page = signed_in(manager).get(
        reverse("investigation:extension-create", args=[investigation.pk])
    )
    body = page.content.decode()
    assert "Begäran från handläggaren" in body
    assert "Väntar på BUP:s utlåtande." in body
    assert f'value="{proposed.isoformat()}"' in body
    assert "Avslå begäran" in body


def test_the_manager_refuses_a_request_and_the_investigator_sees_why(
    investigation, investigator, manager, signed_in
):
    services.request_extension(
        investigation,
        by=investigator,
        reasons="Skäl.",
        proposed_to=investigation.deadline.due + timedelta(days=20),
    )
    url = reverse("investigation:extension-request-refuse", args=[investigation.pk])
    assert signed_in(investigator).post(url, {"refusal_reason": "Nej."}).status_code == 403
    client = signed_in(manager)
    again = client.post(url, {"refusal_reason": ""})
    assert again.status_code == 200
    assert "Det här fältet måste fyllas i." in again.content.decode()
    assert client.post(url, {"refusal_reason": "Klar i tid utan BUP."}).status_code == 302
    body = (
        signed_in(investigator)
        .get(reverse("investigation:investigation-detail", args=[investigation.pk]))
        .content.decode()
    )
    assert "Avslagen" in body and "Klar i tid utan BUP." in body


def test_after_an_extension_the_page_speaks_of_the_extended_day_not_four_months(
    investigation, investigator, manager, signed_in, today
):
    extended_to = investigation.deadline.due + timedelta(days=30)
    services.decide_extension(
        investigation, by=manager, decided_on=today, extended_to=extended_to, reasons="Skäl."
    )
    body = (
        signed_in(investigator)
        .get(reverse("investigation:investigation-detail", args=[investigation.pk]))
        .content.decode()
    )
    summary = re.search(r'<p class="help" id="deadline-summary">(.*?)</p>', body, re.S)
    assert summary is not None
    assert f"förlängd till {extended_to.isoformat()}" in summary.group(1)
    assert "fyra månader" not in summary.group(1)
    # The last day is the decided day as it stands, said plainly (U-10).
    assert "(förlängd: den dag enhetschefen beslutade)" not in body
    assert "sista dagen är den dag som enhetschefen skrev i beslutet om förlängning" in body


def test_the_reason_to_wait_with_the_information_is_shown_also_after_informing(
    investigation, investigator, signed_in, today
):
    reason = "Polisen förhör pappan först; barnet kan annars utsättas för fara."
    deferred = services.record_informing(
        investigation,
        by=investigator,
        expected_version=investigation.version,
        deferred_reason=reason,
    )
    client = signed_in(investigator)
    detail = reverse("investigation:investigation-detail", args=[investigation.pk])
    body = client.get(detail).content.decode()
    assert "Skäl att vänta med informationen" in body and reason in body
    services.record_informing(
        investigation,
        by=investigator,
        expected_version=deferred.version,
        informed_on=today,
        informed_how="Samtal med båda vårdnadshavarna.",
        deferred_reason=reason,
    )
    body = client.get(detail).content.decode()
    assert "Samtal med båda vårdnadshavarna." in body
    assert reason in body


def test_the_kommunicering_page_says_the_analysis_is_missing(
    investigation, investigator, signed_in, today
):
    from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory

    RelationshipFactory(
        child=investigation.case.child,
        other=PersonFactory(district=investigation.case.district, given_name="Mamma"),
        kind="guardian",
    )
    client = signed_in(investigator)
    url = reverse("investigation:communication-create", args=[investigation.pk])
    page = client.get(url).content.decode()
    assert "Analysen saknas." in page
    [recipient] = re.findall(r'name="recipient" value="([^"]+)"', page)
    response = client.post(
        url,
        {
            "subject": "Utredningen.",
            "recipient": recipient,
            "sent_on": today.isoformat(),
            "answer_by": (today + timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Analysen och bedömningen saknas" in response.content.decode()
    assert not journal("investigation.communication_sent")


def test_the_closing_page_asks_why_each_unwritten_planned_area_was_not_investigated(
    investigation, investigator, signed_in, today
):
    plan = services.create_plan(
        investigation, by=investigator, event_on=today, framework="bbic-2018-areas"
    )
    services.sign_plan(
        plan,
        by=investigator,
        expected_version=plan.version,
        changes={"questions": "Hur mår barnet?", "areas": ["halsa"]},
    )
    ContactFactory.logged(investigation, investigator)
    analysis = AnalysisFactory.drafted(investigation, investigator)
    services.sign_analysis(analysis, by=investigator, expected_version=analysis.version)
    investigation.refresh_from_db()
    client = signed_in(investigator)
    url = reverse("investigation:investigation-close", args=[investigation.pk])
    body = client.get(url).content.decode()
    assert 'name="area_reason_halsa"' in body
    assert "Varför utreddes inte området ”Hälsa”?" in body
    data = {"version": investigation.version, "outcome": "no_intervention"}
    data["closed_on"] = today.isoformat()
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "finns i utredningsplanen men har ingen signerad text" in refused.content.decode()
    done = client.post(url, {**data, "area_reason_halsa": "Barnet är friskt enligt BVC."})
    assert done.status_code == 302
    investigation.refresh_from_db()
    assert investigation.unwritten_area_reasons == {"halsa": "Barnet är friskt enligt BVC."}
    page = client.get(reverse("investigation:investigation-detail", args=[investigation.pk]))
    assert "Barnet är friskt enligt BVC." in page.content.decode()


def test_the_closing_page_shows_every_blocking_rule_after_one_try(
    investigation, investigator, signed_in, today
):
    plan = services.create_plan(
        investigation, by=investigator, event_on=today, framework="bbic-2018-areas"
    )
    services.sign_plan(
        plan,
        by=investigator,
        expected_version=plan.version,
        changes={"questions": "Hur mår barnet?", "areas": ["halsa"]},
    )
    investigation.refresh_from_db()
    refused = signed_in(investigator).post(
        reverse("investigation:investigation-close", args=[investigation.pk]),
        {
            "version": investigation.version,
            "outcome": "proposal",
            "closed_on": today.isoformat(),
        },
    )
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "Analysen måste vara signerad innan utredningen avslutas." in body
    assert "finns i utredningsplanen men har ingen signerad text" in body
    assert "Välj minst ett av utredningens behov som insatserna ska möta." in body
    investigation.refresh_from_db()
    assert investigation.is_open
