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


def _sent_commission(proposal, manager, unit):
    from rodtrad.commissions.tests.factories import CommissionFactory

    intervention = grant(
        proposal,
        manager,
        granted=GrantedIntervention(
            catalogue_code="fft", provider_unit_id=unit.pk, planned_start=TODAY
        ),
    ).intervention
    return CommissionFactory(intervention=intervention, sent=True)


def test_the_provider_records_the_day_the_intervention_started(
    client, proposal, manager, provider, own_units, time_machine
):
    from rodtrad.journal.models import JournalEntry

    commission = _sent_commission(proposal, manager, own_units["provider"])
    intervention = commission.intervention
    time_machine.move_to(TODAY + timedelta(days=10), tick=False)
    sign_in(client, provider)
    detail = reverse("commissions:commission-detail", args=[commission.pk])
    url = reverse("commissions:intervention-start", args=[commission.pk])
    assert url in client.get(detail).content.decode()
    assert "Insatsen har börjat" in client.get(url).content.decode()
    for day, message in (
        (TODAY + timedelta(days=11), "Datumet kan inte vara senare än i dag."),
        (TODAY - timedelta(days=1), f"Datumet kan inte vara före {TODAY.isoformat()}."),
    ):
        page = client.post(url, {"version": intervention.version, "started_on": day.isoformat()})
        assert page.status_code == 200 and message in page.content.decode()
    intervention.refresh_from_db()
    assert intervention.started_on is None
    started = TODAY + timedelta(days=3)
    response = client.post(url, {"version": intervention.version, "started_on": started})
    assert response.status_code == 302 and response["Location"] == detail
    intervention.refresh_from_db()
    assert intervention.started_on == started
    entry = JournalEntry.objects.get(action="decisions.intervention_started")
    assert entry.actor_id == provider.pk and entry.case_id == proposal.pk
    assert entry.data == {
        "started_on": started.isoformat(),
        "days_after_decision": 3,
        "by_provider": True,
    }
    assert url not in client.get(detail).content.decode()  # started: no button any more
    assert client.get(url).status_code == 302  # already started: back to the commission


def test_a_provider_of_another_unit_gets_404_and_the_service_refuses_it(
    client, proposal, manager, own_units, other_units, own_district
):
    from django.core.exceptions import PermissionDenied

    from conftest import _user_with
    from rodtrad.accounts.models import Role
    from rodtrad.accounts.tests.factories import UnitFactory
    from rodtrad.decisions.services import start_intervention

    commission = _sent_commission(proposal, manager, own_units["provider"])
    intervention = commission.intervention
    neighbour = UnitFactory(district=own_district, kind="provider", code="bromma-provider-2")
    strangers = [
        _user_with(Role.PROVIDER, own_district, neighbour, "neighbour"),
        _user_with(Role.PROVIDER, other_units["provider"].district, other_units["provider"], "far"),
    ]
    url = reverse("commissions:intervention-start", args=[commission.pk])
    for stranger in strangers:
        client.logout()
        sign_in(client, stranger)
        assert client.get(url).status_code == 404
        post = client.post(url, {"version": intervention.version, "started_on": TODAY})
        assert post.status_code == 404
        with pytest.raises(PermissionDenied):
            start_intervention(
                intervention, by=stranger, expected_version=intervention.version, started_on=TODAY
            )
    intervention.refresh_from_db()
    assert intervention.started_on is None


def test_a_draft_or_replaced_commission_gives_its_provider_no_right_to_start(
    proposal, manager, provider, own_units
):
    from django.core.exceptions import PermissionDenied

    from rodtrad.decisions.services import start_intervention

    commission = _sent_commission(proposal, manager, own_units["provider"])
    intervention = commission.intervention
    for status in (CommissionStatus.DRAFT, CommissionStatus.REPLACED):
        Commission.objects.filter(pk=commission.pk).update(status=status)
        with pytest.raises(PermissionDenied):
            start_intervention(
                intervention, by=provider, expected_version=intervention.version, started_on=TODAY
            )


def test_the_statuses_shown_to_the_provider_are_the_same_in_accounts_and_commissions():
    from rodtrad.accounts.access import COMMISSION_STATUSES_SHOWN_TO_PROVIDER
    from rodtrad.commissions.services import SHOWN_TO_PROVIDER

    assert set(COMMISSION_STATUSES_SHOWN_TO_PROVIDER) == {str(s) for s in SHOWN_TO_PROVIDER}
