"""The decision pages over HTTP: choose the kind, fill in the form, see the thread on the case
page; a refused form keeps what was written and says what is wrong, in Swedish."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from conftest import sign_in
from rodtrad.cases.models import CaseStatus
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions.models import Decision
from rodtrad.decisions.tests.conftest import grant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY, tick=False)


def test_the_manager_decides_an_intervention_for_two_needs_and_the_case_shows_the_thread(
    client,
    proposal,
    manager,
    own_units,
):
    sign_in(client, manager)
    case_page = client.get(reverse("cases:case-detail", args=[proposal.pk]))
    assert "Förslag – väntar på beslut" in case_page.content.decode()
    assert "Registrera ett beslut" in case_page.content.decode()
    url = reverse("decisions:decision-create", args=[proposal.pk])
    kinds = client.get(url).content.decode()
    assert "?slag=granted" in kinds and "?slag=no_intervention" in kinds
    form = client.get(url + "?slag=granted").content.decode()
    assert "Behov som insatsen ska möta" in form and "checked" in form  # the proposal's needs
    needs = [
        str(pk) for pk in proposal.investigations.get().proposed_needs.values_list("pk", flat=True)
    ]
    data = {
        "kind": "granted",
        "legal_ground": "sol-11-1",
        "level": "delegate",
        "decided_on": TODAY.isoformat(),
        "reasons": "Familjen behöver stöd.",
        "needs": needs,
        "catalogue_code": "komet",
        "provider_unit": str(own_units["provider"].pk),
        "planned_start": (TODAY + timedelta(days=3)).isoformat(),
        "planned_dose": "10",
        "dose_unit": "sessions",
    }
    refused = client.post(url, {**data, "reasons": "", "decided_on": "2999-01-01"})
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "Skriv skälen för beslutet." in page or "Det här fältet måste fyllas i." in page
    assert not Decision.objects.exists()
    response = client.post(url, data)
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("decisions:decision-detail", args=[decision.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "Beslutet kan överklagas hos förvaltningsrätten" in detail
    assert "inom tre veckor" in detail
    proposal.refresh_from_db()
    assert proposal.status == CaseStatus.INTERVENTION
    thread = client.get(reverse("cases:case-detail", args=[proposal.pk])).content.decode()
    assert "Röda tråden" in thread
    assert "Föräldraprogram: Komet" in thread
    # Both needs are met by the intervention; no commission yet, so no goal for either.
    assert "Ingen insats möter behovet." not in thread
    assert thread.count("Inget mål för behovet.") == 2


def test_an_investigator_cannot_decide_but_sees_the_decision(
    client,
    proposal,
    manager,
    investigator,
):
    decision = grant(proposal, manager)
    sign_in(client, investigator)
    assert client.get(reverse("decisions:decision-create", args=[proposal.pk])).status_code == 403
    assert client.get(reverse("decisions:decision-detail", args=[decision.pk])).status_code == 200


def test_the_quarterly_report_downloads_without_names_and_is_journaled(
    client, proposal, manager, time_machine
):
    from rodtrad.journal.models import JournalEntry

    decision = grant(proposal, manager)
    time_machine.move_to(date(2026, 12, 15), tick=False)
    sign_in(client, manager)
    later = "2026-4"  # decided 2026-06-10, three months ran out in September
    page = client.get(reverse("decisions:not-carried-out") + f"?kvartal={later}")
    assert "Inte verkställt" in page.content.decode()
    response = client.get(reverse("decisions:not-carried-out-csv") + f"?kvartal={later}")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0].startswith("stadsdel,beslutsdatum,insats")
    assert "2026-06-10,fft,strukturerat-oppenvardsprogram" in body
    assert proposal.child.family_name not in body and proposal.child.identity_number not in body
    assert str(decision.case_id) not in body.splitlines()[1].split(",")
    entry = JournalEntry.objects.get(action="decisions.not_carried_out_exported")
    assert entry.data == {"quarter": "2026-4", "rows": 1}
