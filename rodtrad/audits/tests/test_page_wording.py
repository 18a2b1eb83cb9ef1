"""What the internal control's pages show in words: district names, code labels, the log
item's page and reason, the header's link, and the record's small counts suppressed
(docs/internal-control.md)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from rodtrad.audits.models import CaseReview, LogRule, ReviewStatus
from rodtrad.audits.tests import factories
from rodtrad.audits.tests.conftest import violence_case
from rodtrad.frameworks.queries import code_label
from rodtrad.investigation.tests.factories import InvestigationFactory, RiskAssessmentFactory
from rodtrad.journal.models import AccessAction

pytestmark = pytest.mark.django_db


def _reviewed(admin, reviewer, district, *, cases, signed_risk_assessments):
    """`cases` cases answered "no" to the risk assessment, the first ones with a signed risk
    assessment in the record (so the record disagrees on them)."""
    programme = factories.programme(created_by=admin, districts=[district])
    for n in range(cases):
        sampled = factories.sampled_case(
            violence_case(district), of=programme, reviewers=(reviewer,)
        )
        CaseReview.objects.create(
            sampled_case=sampled,
            reviewer=reviewer,
            answers={"risk-assessment": "no"},
            status=ReviewStatus.SUBMITTED,
        )
        if n < signed_risk_assessments:
            RiskAssessmentFactory(
                investigation=InvestigationFactory(case=sampled.case), signed=True, assessed=True
            )
    return programme


def test_few_disagreements_with_the_record_are_not_shown(admin, reviewer, own_district, signed_in):
    programme = _reviewed(admin, reviewer, own_district, cases=12, signed_risk_assessments=2)
    page = signed_in(admin).get(reverse("audits:results", args=[programme.pk])).content.decode()
    assert "2 av 12 svar skiljer sig" not in page
    assert (
        "Jämfört med journalen (En signerad riskbedömning finns): 12 svar. Hur många av dem "
        "som skiljer sig visas inte, för att skydda små antal (–)."
    ) in page


def test_disagreements_at_the_threshold_are_shown(admin, reviewer, own_district, signed_in):
    programme = _reviewed(admin, reviewer, own_district, cases=10, signed_risk_assessments=5)
    page = signed_in(admin).get(reverse("audits:results", args=[programme.pk])).content.decode()
    assert "5 av 10 svar skiljer sig" in page


def test_few_answers_compared_hide_both_counts(admin, reviewer, own_district, signed_in):
    programme = _reviewed(admin, reviewer, own_district, cases=3, signed_risk_assessments=1)
    page = signed_in(admin).get(reverse("audits:results", args=[programme.pk])).content.decode()
    assert "1 av 3" not in page
    assert "för få svar för att visas" in page


def test_the_programme_page_names_districts_and_reasons(
    admin, reviewer, own_district, other_district, signed_in
):
    programme = factories.programme(created_by=admin, districts=[own_district, other_district])
    programme.population_counts = {"bromma": 8, "farsta": 3}
    programme.reason_codes = ["I"]
    programme.save(update_fields=["population_counts", "reason_codes"])
    page = (
        signed_in(admin).get(reverse("audits:programme-detail", args=[programme.pk])).content
    ).decode()
    assert '<th scope="row">Bromma</th><td>8</td>' in page
    assert '<th scope="row">Farsta</th><td>3</td>' in page
    assert ">bromma<" not in page
    assert code_label("report-reasons", "I") in page


def test_the_review_page_shows_reason_and_intervention_labels(
    admin, reviewer, own_district, signed_in
):
    from rodtrad.decisions.tests.factories import InterventionFactory

    sampled = factories.sampled_case(
        violence_case(own_district),
        reviewers=(reviewer,),
        created_by=admin,
        review_ends_on=date(2026, 9, 30),
    )
    intervention = InterventionFactory(case=sampled.case)
    page = signed_in(reviewer).get(reverse("audits:review", args=[sampled.pk])).content.decode()
    reason = code_label("report-reasons", "I")
    assert reason != "I"
    assert f"<dd>{reason}</dd>" in page
    label = code_label("intervention-catalogue", intervention.catalogue_code)
    assert label != intervention.catalogue_code
    assert f"Insats {label}:" in page


def test_the_checklist_page_names_what_the_record_rule_reads(admin, signed_in):
    checklist = factories.checklist()
    page = (
        signed_in(admin).get(reverse("audits:checklist-edition", args=[checklist.pk])).content
    ).decode()
    assert "En signerad riskbedömning finns" in page
    assert "risk_assessment_signed" not in page


def test_the_header_links_to_the_internal_control_for_its_roles(
    admin, reviewer, investigator, analyst, signed_in
):
    link = f'href="{reverse("audits:programme-list")}"'
    for user in (admin, reviewer):
        assert link in signed_in(user).get(reverse("home")).content.decode()
    for user in (investigator, analyst):
        assert link not in signed_in(user).get(reverse("home")).content.decode()


def test_a_denied_read_says_what_is_known(admin, investigator, own_district, signed_in):
    case = violence_case(own_district)
    event = factories.access_event(
        investigator,
        case=case,
        action=AccessAction.DENIED,
        roles="",
        districts="",
        route="cases:case-detail",
    )
    review = factories.log_review(created_by=admin)
    item = factories.log_item(review, event, kind=LogRule.OUTSIDE_DISTRICT)
    client = signed_in(admin)
    page = client.get(reverse("audits:log-item", args=[item.pk])).content.decode()
    assert "Nekad läsning av ett ärende" in page
    assert "Ärende utanför läsarens stadsdel" not in page
    assert "Sidan: Ärendets sida" in page
    assert "cases:case-detail" not in page
    assert "Sparas inte när en läsning nekas" in page
    listing = client.get(reverse("audits:log-review-detail", args=[review.pk])).content.decode()
    assert "Nekad läsning av ett ärende" in listing


def test_a_read_outside_the_district_names_roles_districts_and_page(
    admin, investigator, other_district, signed_in
):
    case = violence_case(other_district)
    event = factories.access_event(
        investigator,
        case=case,
        roles="investigator",
        districts="bromma",
        route="investigation:plan-create",
    )
    item = factories.log_item(
        factories.log_review(created_by=admin), event, kind=LogRule.OUTSIDE_DISTRICT
    )
    page = signed_in(admin).get(reverse("audits:log-item", args=[item.pk])).content.decode()
    assert "Ärende utanför läsarens stadsdel" in page
    assert "Utredande socialsekreterare" in page
    assert "<dd>Bromma</dd>" in page
    assert "Sidan: En sida i utredningen" in page
    assert "investigation:plan-create" not in page
