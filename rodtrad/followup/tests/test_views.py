"""The intervention page's "Skattningar" section and the page that records a rating."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from conftest import sign_in
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.followup.models import Measurement
from rodtrad.followup.tests.factories import MeasurementFactory, example_instrument
from rodtrad.journal.models import AccessEvent, JournalEntry

pytestmark = pytest.mark.django_db


def _child_series(intervention, totals):
    for session, total in enumerate(totals, start=1):
        MeasurementFactory(
            intervention=intervention,
            session_number=session,
            administered_on=TODAY + timedelta(days=14 * (session - 1)),
            total=Decimal(total),
        )


def test_the_intervention_page_shows_each_series_as_a_chart_and_a_table(
    client, ongoing, investigator, time_machine
):
    time_machine.move_to(TODAY + timedelta(days=50), tick=False)
    _child_series(ongoing, ["20", "22", "25.6", "21"])
    sign_in(client, investigator)
    page = client.get(reverse("decisions:intervention-detail", args=[ongoing.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Skattningar" in html
    svg = re.search(r"<svg [^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    ids = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
    assert all(f'id="{i}"' in svg for i in ids) and "<title" in svg and "<desc" in svg
    assert 'stroke-dasharray="6 4"' in svg  # the cut-off 28, dashed
    assert "gränsvärdet 28" in svg
    assert svg.count('class="chart__point"') == 4
    table = html[html.index("<table", html.index("</svg>")) :]
    assert [c for c in re.findall(r'class="series-value">([^<]+)<', table)] == [
        "20,0",
        "22,0",
        "25,6",
        "21,0",
    ]
    assert "Ingen tydlig förändring" in html
    assert "Ingen tydlig förbättring ännu." in html  # session 4 without +6
    assert "Registrera en skattning" in html


def test_the_warning_is_not_shown_while_the_series_improves(client, ongoing, investigator):
    _child_series(ongoing, ["20", "27", "26", "30"])
    sign_in(client, investigator)
    html = client.get(reverse("decisions:intervention-detail", args=[ongoing.pk])).content.decode()
    assert "Ingen tydlig förbättring ännu." not in html
    assert "Återhämtad" in html


def test_a_rating_is_recorded_through_the_form(client, ongoing, investigator, time_machine):
    time_machine.move_to(TODAY + timedelta(days=3), tick=False)
    sign_in(client, investigator)
    url = reverse("followup:measurement-create", args=[ongoing.pk])
    choices = client.get(url).content.decode()
    assert "?instrument=example-four-item" in choices
    form = client.get(url + "?instrument=example-four-item").content.decode()
    assert "Fråga 1" in form and 'inputmode="decimal"' in form
    data = {
        "instrument": "example-four-item",
        "administered_on": (TODAY + timedelta(days=2)).isoformat(),
        "rater": "child",
        "score_item_1": "6,5",
        "score_item_2": "11",
        "score_item_3": "abc",
        "score_item_4": "",
    }
    refused = client.post(url, data)
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Värdet måste vara mellan 0 och 10." in html
    assert "Ange ett tal." in html and "Ange ett värde." in html
    assert not Measurement.objects.exists()
    reads = AccessEvent.objects.filter(route="followup:measurement-create").count()
    assert reads == 3  # the list, the form and the form again, each one event
    data.update(score_item_2="7", score_item_3="8", score_item_4="9.1")
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].endswith("#skattningar")
    measurement = Measurement.objects.get()
    assert measurement.total == Decimal("30.6") and measurement.session_number == 1
    assert JournalEntry.objects.filter(action="followup.measurement_recorded").count() == 1


def test_the_form_says_so_when_the_intervention_has_not_started(
    client, proposal, manager, investigator
):
    from rodtrad.decisions.tests.conftest import grant

    intervention = grant(proposal, manager).intervention
    sign_in(client, investigator)
    url = reverse("followup:measurement-create", args=[intervention.pk])
    html = client.get(url + "?instrument=example-four-item").content.decode()
    assert "Insatsen har inte påbörjats." in html and "<form" not in html.split("<main")[-1]


def test_the_page_of_another_districts_intervention_is_not_found(
    client, ongoing, other_district_investigator
):
    sign_in(client, other_district_investigator)
    url = reverse("followup:measurement-create", args=[ongoing.pk])
    assert client.get(url).status_code == 404
    assert example_instrument().is_active


def test_the_provider_rates_its_sessions_from_the_commission_and_sees_the_series(
    client, ongoing, provider, time_machine
):
    from rodtrad.commissions.tests.factories import CommissionFactory

    ongoing.provider_unit = provider.memberships.get().unit
    ongoing.save()
    commission = CommissionFactory(intervention=ongoing, sent=True)
    time_machine.move_to(TODAY + timedelta(days=3), tick=False)
    sign_in(client, provider)
    url = reverse("followup:commission-measurement-create", args=[commission.pk])
    form = client.get(url + "?instrument=example-four-item").content.decode()
    assert reverse("decisions:intervention-detail", args=[ongoing.pk]) not in form
    response = client.post(
        url,
        {
            "instrument": "example-four-item",
            "administered_on": (TODAY + timedelta(days=2)).isoformat(),
            "rater": "child",
            "score_item_1": "5",
            "score_item_2": "6",
            "score_item_3": "7",
            "score_item_4": "8",
        },
    )
    assert response.status_code == 302
    assert Measurement.objects.get().recorded_by == provider
    page = client.get(reverse("commissions:commission-detail", args=[commission.pk]))
    assert "Skattningar" in page.content.decode() and "26" in page.content.decode()
    # Still nothing of the case: the intervention page is not the provider's.
    assert (
        client.get(reverse("decisions:intervention-detail", args=[ongoing.pk])).status_code == 404
    )
