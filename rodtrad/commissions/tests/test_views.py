"""The commission over HTTP: the handler writes it with a goal for two needs and sends it; the
provider finds it in its inbox, reads what it needs and accepts it, and gets 404 on the case,
the investigation and the person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from conftest import sign_in
from rodtrad.commissions.models import Commission, CommissionStatus
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions.services import GrantedIntervention, case_needs
from rodtrad.decisions.tests.conftest import grant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY, tick=False)


def test_the_handler_sends_a_commission_and_only_the_provider_of_the_unit_reads_it(
    client, proposal, manager, investigator, provider, own_units
):
    intervention = grant(
        proposal,
        manager,
        granted=GrantedIntervention(
            catalogue_code="fft", provider_unit_id=own_units["provider"].pk, planned_start=TODAY
        ),
    ).intervention
    sign_in(client, investigator)
    page = client.get(reverse("decisions:intervention-detail", args=[intervention.pk]))
    assert "Skriv uppdraget" in page.content.decode()
    response = client.post(reverse("commissions:commission-create", args=[intervention.pk]))
    commission = Commission.objects.get()
    assert response["Location"] == reverse("commissions:commission-edit", args=[commission.pk])
    saved = client.post(
        response["Location"],
        {
            "version": commission.version,
            "frequency": "En gång i veckan",
            "first_follow_up_on": (TODAY + timedelta(days=30)).isoformat(),
            "child_view": "Vill att det blir lugnare hemma.",
            "risk_summary": "Låg risk enligt FREDA.",
            "violence_follow_up": "Frågar barnet enskilt om våld vid varje uppföljning.",
            "safety_information": "Skyddade uppgifter om mamman: lämna aldrig ut adressen.",
        },
    )
    assert saved.status_code == 302
    needs = [str(n.pk) for n in case_needs(proposal)]
    goal = {
        "text": "Färre konflikter hemma.",
        "needs": needs,
        "level_minus_2": "Bråk varje dag.",
        "level_minus_1": "Bråk flera gånger i veckan.",
        "level_0": "Bråk en gång i veckan.",
        "level_plus_1": "Bråk varannan vecka.",
        "level_plus_2": "Inga bråk.",
        "baseline_level": "-1",
        "weight": "1.0",
    }
    refused = client.post(
        reverse("commissions:goal-create", args=[commission.pk]), {**goal, "needs": []}
    )
    assert "Ett mål pekar på minst ett av barnets behov." in refused.content.decode()
    client.post(reverse("commissions:goal-create", args=[commission.pk]), goal)
    commission.refresh_from_db()
    client.post(
        reverse("commissions:commission-send", args=[commission.pk]),
        {"version": commission.version},
    )
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.SENT
    thread = client.get(reverse("cases:case-detail", args=[proposal.pk])).content.decode()
    assert "Färre konflikter hemma." in thread and "Tråden är hel" in thread

    client.logout()
    sign_in(client, provider)
    inbox = client.get(reverse("commissions:inbox")).content.decode()
    assert "Nytt – ta emot" in inbox
    detail = client.get(reverse("commissions:commission-detail", args=[commission.pk]))
    body = detail.content.decode()
    assert "Färre konflikter hemma." in body and "Vill att det blir lugnare hemma." in body
    assert "Frågar barnet enskilt om våld" in body
    assert reverse("cases:case-detail", args=[proposal.pk]) not in body
    investigation = proposal.investigations.get()
    for url in (
        reverse("cases:case-detail", args=[proposal.pk]),
        reverse("investigation:investigation-detail", args=[investigation.pk]),
        reverse("decisions:intervention-detail", args=[intervention.pk]),
        reverse("people:person-detail", args=[proposal.child_id]),
    ):
        assert client.get(url).status_code == 404, url
    client.post(
        reverse("commissions:commission-accept", args=[commission.pk]),
        {"version": commission.version},
    )
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.ACCEPTED


def test_accepting_someone_elses_commission_is_refused_and_logged(
    client, proposal, manager, investigator, own_units
):
    from rodtrad.commissions.tests.factories import CommissionFactory
    from rodtrad.journal.models import AccessAction, AccessEvent

    intervention = grant(
        proposal,
        manager,
        granted=GrantedIntervention(
            catalogue_code="fft", provider_unit_id=own_units["provider"].pk, planned_start=TODAY
        ),
    ).intervention
    commission = CommissionFactory(intervention=intervention, sent=True)
    sign_in(client, investigator)
    response = client.post(
        reverse("commissions:commission-accept", args=[commission.pk]),
        {"version": commission.version},
    )
    assert response.status_code == 403
    assert AccessEvent.objects.filter(
        action=AccessAction.DENIED, case_id=proposal.pk, user=investigator
    ).exists()
