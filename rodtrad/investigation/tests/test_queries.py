"""Reads of investigations: scoped lookups, report reasons, current documents."""

from __future__ import annotations

import pytest
from django.http import Http404

from rodtrad.intake.tests.factories import ReportChildFactory
from rodtrad.investigation import queries, services
from rodtrad.investigation.models import AreaAssessment, Need
from rodtrad.journal.models import AccessEvent


def test_an_investigation_out_of_scope_is_404_and_journaled_as_denied(
    investigation, other_district_investigator
):
    with pytest.raises(Http404):
        queries.get_investigation_for(other_district_investigator, investigation.pk)
    assert AccessEvent.objects.filter(
        action="denied", case_id=investigation.case_id, user=other_district_investigator
    ).exists()


def test_rows_of_an_investigation_are_scoped_by_its_case(
    investigation, investigator, other_district_investigator
):
    need = services.add_need(
        investigation, by=investigator, area="halsa", description="X", severity="low"
    )
    assert queries.get_row_for(investigator, Need, need.pk, for_edit=True) == need
    for pk in (need.pk, "abc", 2**70):
        with pytest.raises(Http404):
            queries.get_row_for(other_district_investigator, Need, pk)


def test_report_reasons_come_from_every_report_about_the_case(investigation):
    ReportChildFactory(case=investigation.case, report__reasons=["A", "B"])
    ReportChildFactory(case=investigation.case, report__reasons=["B", "J"])
    assert queries.report_reason_codes(investigation.case) == {"A", "B", "J"}
    assert queries.violence_reason_codes(investigation.case) == ["J"]


def test_the_current_area_text_is_the_newest_version(investigation, investigator, today):
    first = services.create_area_assessment(
        investigation, by=investigator, event_on=today, area="halsa"
    )
    signed = services.sign_area_assessment(
        first, by=investigator, expected_version=1, changes={"facts": "Fel"}
    )
    correction = services.correct_investigation_document(signed, by=investigator, reason="Fel.")
    assert queries.area_assessments(investigation) == {"halsa": correction}
    assert AreaAssessment.objects.count() == 2


def test_the_framework_is_the_plans(investigation, investigator, today):
    assert queries.framework_of(investigation) == "bbic-2018-areas"
    services.create_plan(
        investigation, by=investigator, event_on=today, framework="bbic-2006-areas"
    )
    assert queries.framework_of(investigation) == "bbic-2006-areas"
    assert all(
        a.attributes.get("kind") == "area" for a in queries.framework_areas("bbic-2006-areas")
    )
