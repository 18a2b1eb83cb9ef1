"""The case page: siblings' cases and the warning about protected persons in the network."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.intake.tests.factories import ReportFactory
from rodtrad.investigation.tests.factories import InvestigationFactory
from rodtrad.journal.models import AccessEvent
from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory

WARNING = (
    "Det finns personer med skyddade personuppgifter i barnets nätverk – kontrollera innan "
    "något skickas ut"
)


@pytest.fixture
def siblings(intake_worker, own_district, own_units):
    """A report about two siblings in Bromma: one case each."""
    sister = PersonFactory(district=own_district, given_name="Sara")
    brother = PersonFactory(district=own_district, given_name="Bo")
    report = ReportFactory.registered(intake_worker, own_district, [sister, brother])
    return {rc.child.given_name: rc.case for rc in report.children.select_related("child")}


def page(client, case) -> str:
    return client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()


def test_the_case_page_links_the_siblings_cases_the_reader_may_see(
    signed_in, intake_worker, siblings, own_district, other_district
):
    sister_case, brother_case = siblings["Sara"], siblings["Bo"]
    # A half-sister through the mother, with a case in Farsta the reader may not see.
    mother = PersonFactory(
        district=own_district, birth_date=sister_case.child.birth_date.replace(year=1985)
    )
    RelationshipFactory(child=sister_case.child, other=mother, kind="guardian")
    half_sister = PersonFactory(district=other_district, given_name="Hanna")
    RelationshipFactory(child=half_sister, other=mother, kind="parent")
    hidden = CaseFactory(child=half_sister)
    html = page(signed_in(intake_worker), sister_case)
    assert "Syskonens ärenden" in html
    assert reverse("cases:case-detail", args=[brother_case.pk]) in html
    assert reverse("cases:case-detail", args=[hidden.pk]) not in html
    assert "Hanna" not in html
    listed = AccessEvent.objects.filter(route="cases:case-detail", action="listed")
    assert list(listed.values_list("case_id", flat=True)) == [brother_case.pk]


def test_s15_the_case_page_warns_when_a_sibling_of_the_same_report_is_protected(
    signed_in, intake_worker, siblings
):
    sister_case = siblings["Sara"]
    assert WARNING not in page(signed_in(intake_worker), sister_case)
    brother = siblings["Bo"].child
    brother.protection_level = "skyddad_folkbokforing"
    brother.save()
    html = page(signed_in(intake_worker), sister_case)
    assert WARNING in html
    assert "Skyddade uppgifter" in html  # the brother's case is marked in the siblings list


def test_s15_the_case_page_warns_when_a_parent_outside_the_readers_scope_is_protected(
    signed_in, intake_worker, siblings, other_district
):
    sister_case = siblings["Sara"]
    mother = PersonFactory(
        district=other_district, given_name="Mona", protection_level="skyddad_folkbokforing"
    )
    RelationshipFactory(child=sister_case.child, other=mother, kind="guardian")
    html = page(signed_in(intake_worker), sister_case)
    assert WARNING in html
    assert "Mona" not in html


def test_s15_the_intake_and_investigation_pages_of_the_case_carry_the_warning_too(
    signed_in, intake_worker, investigator, siblings, own_units
):

    sister_case = siblings["Sara"]
    brother = siblings["Bo"].child
    brother.protection_level = "sekretessmarkering"
    brother.save()
    report_child = sister_case.report_children.get()
    client = signed_in(intake_worker)
    for url in (
        reverse("intake:protection-assessment-create", args=[report_child.pk]),
        reverse("intake:pre-assessment-edit", args=[sister_case.pk]),
    ):
        assert WARNING in client.get(url).content.decode(), url
    investigation = InvestigationFactory.opened(
        own_units["investigation"], investigator, sister_case.recorded_at.date()
    )
    RelationshipFactory(child=investigation.case.child, other=brother, kind="sibling")
    url = reverse("investigation:investigation-detail", args=[investigation.pk])
    assert WARNING in signed_in(investigator).get(url).content.decode()
