"""The reviewer's, the administrator's and the manager's pages (issue 11, points 1–5)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from conftest import sign_in
from rodtrad.audits import forms, services
from rodtrad.audits.models import CaseReview, Checklist, Finding, ReviewStatus
from rodtrad.audits.tests import factories
from rodtrad.audits.tests.conftest import violence_case
from rodtrad.investigation.tests.factories import InvestigationFactory, RiskAssessmentFactory
from rodtrad.journal.models import AccessAction, AccessEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def sampled(admin, reviewer, own_district):
    case = violence_case(own_district)
    return factories.sampled_case(
        case, reviewers=(reviewer,), created_by=admin, review_ends_on=date(2026, 9, 30)
    )


def test_the_reviewer_reads_the_sampled_case_with_the_programme_in_the_access_log(
    client, reviewer, sampled
):
    investigation = InvestigationFactory(case=sampled.case)
    RiskAssessmentFactory(investigation=investigation, signed=True, assessed=True)
    sign_in(client, reviewer)
    listing = client.get(reverse("audits:programme-list"))
    assert sampled.programme.name in listing.content.decode()
    page = client.get(reverse("audits:review", args=[sampled.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "En signerad riskbedömning finns" in body  # the record's answer beside hers
    event = AccessEvent.objects.get(case_id=sampled.case_id, action=AccessAction.VIEWED)
    assert event.route == "audits:review"
    assert event.reason == f"Egenkontroll: granskningsprogram {sampled.programme_id}"


def test_a_case_outside_the_sample_or_after_the_period_is_404(
    client, reviewer, second_reviewer, sampled, own_district, time_machine
):
    other = factories.sampled_case(violence_case(own_district), of=sampled.programme)
    given_to_another = factories.sampled_case(
        violence_case(own_district), of=sampled.programme, reviewers=(second_reviewer,)
    )
    sign_in(client, reviewer)
    for pk in (other.pk, given_to_another.pk, 999999):
        assert client.get(reverse("audits:review", args=[pk])).status_code == 404
    assert AccessEvent.objects.filter(
        case_id=given_to_another.case_id, action=AccessAction.DENIED
    ).exists()
    # The case page itself stays closed to the reviewer.
    assert client.get(reverse("cases:case-detail", args=[sampled.case_id])).status_code == 404
    time_machine.move_to(date(2026, 10, 1), tick=False)
    sign_in(client, reviewer)  # a new day, a new session
    assert client.get(reverse("audits:review", args=[sampled.pk])).status_code == 404


def test_the_reviewer_saves_a_draft_then_submits(client, reviewer, sampled):
    sign_in(client, reviewer)
    url = reverse("audits:review", args=[sampled.pk])
    response = client.post(url, {"item_risk-assessment": "no", "action": "save"})
    assert response.status_code == 302
    review = CaseReview.objects.get(sampled_case=sampled, reviewer=reviewer)
    assert review.answers == {"risk-assessment": "no"} and review.version == 1
    answers = {
        f"item_{i.key}": "yes" for i in sampled.programme.checklist.items.exclude(kind="text")
    }
    response = client.post(url, {**answers, "version": 1, "action": "submit"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    # A stale version is the conflict page, not an overwrite.
    second = factories.sampled_case(
        violence_case(sampled.case.district), of=sampled.programme, reviewers=(reviewer,)
    )
    services.save_review(by=reviewer, sampled_case=second, answers={})
    stale = client.post(
        reverse("audits:review", args=[second.pk]), {"version": 7, "action": "save"}
    )
    assert stale.status_code == 409


def test_a_flag_becomes_a_task_on_the_managers_start_page(client, reviewer, manager, sampled):
    sign_in(client, reviewer)
    item = sampled.programme.checklist.items.get(key="risk-assessment")
    response = client.post(
        reverse("audits:flag", args=[sampled.pk]),
        {"item": item.pk, "note": "Riskbedömning saknas."},
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    sign_in(client, manager)
    home = client.get(reverse("home")).content.decode()
    assert reverse("audits:finding-detail", args=[finding.pk]) in home
    assert "Gjordes en riskbedömning?" in home
    response = client.post(
        reverse("audits:finding-detail", args=[finding.pk]),
        {"version": 1, "action_note": "Riskbedömning gjord med FREDA."},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert not finding.is_open
    # The reviewer sees on the flag page what the manager did.
    sign_in(client, reviewer)
    flag_page = client.get(reverse("audits:flag", args=[sampled.pk])).content.decode()
    assert "Riskbedömning saknas." in flag_page
    assert "Riskbedömning gjord med FREDA." in flag_page
    sign_in(client, manager)
    assert (
        reverse("audits:finding-detail", args=[finding.pk])
        not in client.get(reverse("home")).content.decode()
    )


def test_the_administrator_creates_a_programme_and_gives_cases_to_two_reviewers(
    client, admin, reviewer, second_reviewer, own_district
):
    for _ in range(4):
        violence_case(own_district)
    sign_in(client, admin)
    checklist = Checklist.objects.get(key="violence-cases", is_current=True)
    response = client.post(
        reverse("audits:programme-create"),
        {
            "name": "Våldsärenden 2026",
            "checklist": checklist.pk,
            "districts": [own_district.pk],
            "period_start": "2026-01-01",
            "period_end": "2026-05-31",
            "phase": "any",
            "openness": "any",
            "reason_codes": ["I"],
            "sample_per_stratum": 3,
            "review_ends_on": "2026-09-30",
        },
    )
    assert response.status_code == 302
    programme = checklist.programmes.get()
    assert programme.sampled_cases.count() == 3
    detail = client.get(response["Location"]).content.decode()
    assert str(programme.seed) in detail
    samples = list(programme.sampled_cases.values_list("pk", flat=True))
    response = client.post(
        reverse("audits:assign", args=[programme.pk]),
        {"sampled_cases": samples, "reviewers": [reviewer.pk, second_reviewer.pk]},
    )
    assert response.status_code == 302
    assert programme.sampled_cases.first().assignments.count() == 2
    # The administrator never reads a case of the sample.
    assert client.get(reverse("audits:review", args=[samples[0]])).status_code == 404


def test_results_and_comparison_pages(client, admin, reviewer, sampled):
    CaseReview.objects.create(
        sampled_case=sampled,
        reviewer=reviewer,
        answers={"risk-assessment": "yes"},
        status=ReviewStatus.SUBMITTED,
    )
    sign_in(client, admin)
    page = client.get(reverse("audits:results", args=[sampled.programme_id]))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    # A programme compared with itself says nothing: the form asks for two.
    compare = client.get(
        reverse("audits:compare"),
        {"first": sampled.programme_id, "second": sampled.programme_id},
    )
    assert compare.status_code == 200
    assert "Välj två olika granskningar att jämföra." in compare.content.decode()
    assert "Gjordes en riskbedömning?" not in compare.content.decode()
    # The reviewer sees the results once the review period has ended, not before.
    sign_in(client, reviewer)
    assert client.get(reverse("audits:results", args=[sampled.programme_id])).status_code == 403


def test_the_draft_autosaves_and_a_stale_or_submitted_one_is_refused(client, reviewer, sampled):
    sign_in(client, reviewer)
    url = reverse("audits:review-autosave", args=[sampled.pk])
    first = client.post(url, {"item_risk-assessment": "yes"}, HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    assert 'name="version" value="1"' in first.content.decode()
    review = CaseReview.objects.get(sampled_case=sampled, reviewer=reviewer)
    assert review.answers == {"risk-assessment": "yes"}
    second = client.post(url, {"item_risk-assessment": "no", "version": 1})
    assert second.status_code == 200 and 'value="2"' in second.content.decode()
    assert client.post(url, {"version": 1}).status_code == 409
    assert client.post(url, {"item_risk-assessment": "kanske", "version": 2}).status_code == 400
    CaseReview.objects.filter(pk=review.pk).update(status=ReviewStatus.SUBMITTED)
    assert client.post(url, {"version": 2}).status_code == 409


def test_the_review_page_shows_the_areas_and_the_analysis_in_full(client, reviewer, sampled):
    from rodtrad.investigation.tests.factories import AnalysisFactory, AreaAssessmentFactory

    investigation = InvestigationFactory(case=sampled.case)
    AreaAssessmentFactory(investigation=investigation, area="halsa", facts="Barnet mår bra.")
    long_text = " ".join(["Analysen väger samman triangelns sidor."] * 30)
    AnalysisFactory(investigation=investigation, text=long_text)
    sign_in(client, reviewer)
    body = client.get(reverse("audits:review", args=[sampled.pk])).content.decode()
    assert "Barnet mår bra." in body
    assert body.count("Analysen väger samman triangelns sidor.") == 30


def test_the_managers_finding_page_logs_the_read_with_the_programme(
    client, reviewer, manager, sampled
):
    finding = factories.finding(sampled, by=reviewer)
    sign_in(client, manager)
    assert client.get(reverse("audits:finding-detail", args=[finding.pk])).status_code == 200
    event = AccessEvent.objects.get(case_id=sampled.case_id, route="audits:finding-detail")
    assert event.reason == f"Egenkontroll: granskningsprogram {sampled.programme_id}"


def test_a_submitted_review_is_shown_read_only_and_a_post_changes_nothing(
    client, reviewer, sampled
):
    answers = {i.key: "yes" for i in sampled.programme.checklist.items.exclude(kind="text")}
    services.save_review(by=reviewer, sampled_case=sampled, answers=answers, submit=True)
    sign_in(client, reviewer)
    url = reverse("audits:review", args=[sampled.pk])
    response = client.post(url, {"item_risk-assessment": "no", "version": 1, "action": "save"})
    assert response.status_code == 200
    assert "disabled" in response.content.decode()
    assert CaseReview.objects.get(sampled_case=sampled).answers["risk-assessment"] == "yes"


def _version_input(body: str) -> str:
    """The review form's hidden version field, as rendered."""
    found = re.search(r'<input type="hidden" name="version"[^>]*>', body)
    assert found, "no version field"
    return found.group(0)


def test_the_autosave_swaps_its_version_into_the_form_so_submit_after_it_is_no_conflict(
    client, reviewer, sampled
):
    sign_in(client, reviewer)
    page_url = reverse("audits:review", args=[sampled.pk])
    autosave_url = reverse("audits:review-autosave", args=[sampled.pk])
    field = _version_input(client.get(page_url).content.decode())
    assert f'id="{forms.VERSION_INPUT_ID}"' in field and 'value="' not in field  # no draft yet
    answers = {
        f"item_{i.key}": "yes" for i in sampled.programme.checklist.items.exclude(kind="text")
    }
    first = client.post(autosave_url, {"item_risk-assessment": "no"}, HTTP_HX_REQUEST="true")
    swapped = _version_input(first.content.decode())
    # The answer replaces the page's field (same id, out of band) with the new version.
    assert f'id="{forms.VERSION_INPUT_ID}"' in swapped and 'hx-swap-oob="true"' in swapped
    assert 'value="1"' in swapped
    # The answer that raised the version on blur, then Submit with the swapped-in version.
    second = client.post(autosave_url, {**answers, "version": 1}, HTTP_HX_REQUEST="true")
    assert 'value="2"' in _version_input(second.content.decode())
    response = client.post(page_url, {**answers, "version": 2, "action": "submit"})
    assert response.status_code == 302
    review = CaseReview.objects.get(sampled_case=sampled, reviewer=reviewer)
    assert review.status == ReviewStatus.SUBMITTED and review.version == 3


def test_a_save_from_another_tab_is_still_a_conflict_in_swedish(client, reviewer, sampled):
    sign_in(client, reviewer)
    page_url = reverse("audits:review", args=[sampled.pk])
    autosave_url = reverse("audits:review-autosave", args=[sampled.pk])
    answers = {
        f"item_{i.key}": "yes" for i in sampled.programme.checklist.items.exclude(kind="text")
    }
    client.post(autosave_url, {"item_risk-assessment": "no"}, HTTP_HX_REQUEST="true")
    # Both tabs hold version 1; the other tab's autosave makes it 2.
    client.post(autosave_url, {"item_risk-assessment": "yes", "version": 1})
    stale_autosave = client.post(autosave_url, {"item_risk-assessment": "no", "version": 1})
    assert stale_autosave.status_code == 409
    assert "Dina senaste ändringar har inte sparats." in stale_autosave.content.decode()
    stale_submit = client.post(page_url, {**answers, "version": 1, "action": "submit"})
    assert stale_submit.status_code == 409
    assert "Någon annan har ändrat uppgifterna" in stale_submit.content.decode()
    review = CaseReview.objects.get(sampled_case=sampled, reviewer=reviewer)
    assert review.status == ReviewStatus.DRAFT and review.version == 2


def test_the_form_says_which_items_are_needed_to_submit_and_a_draft_may_lack_them(
    client, reviewer, sampled
):
    sign_in(client, reviewer)
    url = reverse("audits:review", args=[sampled.pk])
    body = client.get(url).content.decode()
    items = list(sampled.programme.checklist.items.all())
    needed = [i for i in items if i.kind != "text"]
    free_text = [i for i in items if i.kind == "text"]
    assert needed and free_text
    for item in needed:
        legend = re.search(rf"<legend>{re.escape(item.text)}(.*?)</legend>", body)
        assert legend, item.key
        assert "(krävs för att lämna in)" in legend.group(1)
        assert "frivilligt" not in legend.group(1)
    assert body.count("(krävs för att lämna in)") == len(needed)
    # The free-text items and the comment are optional, and say so.
    assert body.count("(frivilligt)") == len(free_text) + 1
    # A draft may be incomplete; submitting it is refused item by item.
    draft = client.post(url, {"item_risk-assessment": "no", "action": "save"})
    assert draft.status_code == 302
    refused = client.post(url, {"item_risk-assessment": "no", "version": 1, "action": "submit"})
    assert refused.status_code == 200
    assert refused.content.decode().count("Svara på frågan innan du lämnar in.") == len(needed) - 1
    review = CaseReview.objects.get(sampled_case=sampled, reviewer=reviewer)
    assert review.status == ReviewStatus.DRAFT


def test_a_stale_review_gets_the_conflict_page_with_the_answers_not_only_the_note(
    client, reviewer, sampled
):
    # Two tabs: one saved "Ja" (version 1), the other still holds no version and sends "Nej".
    sign_in(client, reviewer)
    url = reverse("audits:review", args=[sampled.pk])
    client.post(url, {"item_risk-assessment": "yes"})
    stale = client.post(url, {"item_risk-assessment": "no", "version": 0})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Gjordes en riskbedömning?" in page
    assert "Ja" in page and "Nej" in page
    assert CaseReview.objects.get(sampled_case=sampled).answers == {"risk-assessment": "yes"}
