"""A legal representative (ombud, särskild företrädare för barn) as a letter's recipient (issue 9,
point 3; docs/letters.md, "Kinds"): chosen among the child's current representatives, the
address following the representative's protection level, and no party: a decision letter to
the representative is not the decision's notice to a party."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions.models import DecisionNotice
from rodtrad.letters import queries, services
from rodtrad.letters.tests.conftest import flat, pdf_text
from rodtrad.people.models import Person
from rodtrad.people.queries import network_of
from rodtrad.people.tests.factories import (
    PersonFactory,
    ProtectedPersonHandlerFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db

ADDRESS = {"street_address": "Advokatgränd 5", "postal_code": "11122", "city": "Stadby"}


def representative(family, **fields):
    person = PersonFactory(
        district=family.case.district,
        given_name="Rut",
        family_name="Ombudsson",
        birth_date=date(1970, 5, 5),
        **{**ADDRESS, **fields},
    )
    RelationshipFactory(
        child=family.child, other=person, kind="legal_representative", valid_from=date(2026, 1, 1)
    )
    return person


def letter_to(family, by, person, **kwargs):
    return services.produce_document(
        family.case,
        by=by,
        kind="decision",
        subject_key=f"decision:{family.decision.pk}",
        recipient_key=f"person:{person.pk}",
        choices={f"address:person:{family.mother.pk}": "redact"},
        **kwargs,
    )


def test_the_representative_is_offered_and_gets_the_letter_at_their_address(
    family, investigator, tmp_path
):
    rep = representative(family)
    offered = queries.recipients(family.case, "decision", None, on=TODAY)
    assert [r.capacity for r in offered if r.key == f"person:{rep.pk}"] == [
        "Ombud eller företrädare"
    ]
    document = letter_to(family, investigator, rep)
    text = flat(pdf_text(document.pdf, tmp_path))
    assert "Rut Ombudsson Advokatgränd 5 11122 Stadby" in text
    assert "förvaltningsrätten" in text
    # The representative is no party: the letter records no notice of the decision.
    services.send_document(document, by=investigator, channel="handed_over")
    assert not DecisionNotice.objects.filter(recipient=rep).exists()


def test_a_representative_with_skyddad_folkbokforing_gets_it_through_the_tax_agency(
    family, investigator, tmp_path
):
    rep = representative(
        family, protection_level="skyddad_folkbokforing", street_address="", postal_code=""
    )
    document = letter_to(family, investigator, rep)
    text = flat(pdf_text(document.pdf, tmp_path))
    assert "Skatteverkets särskilda postförmedling" in text
    assert "Stadby" not in text
    assert document.recipient_protection_level == "skyddad_folkbokforing"


def test_a_representative_with_sekretessmarkering_needs_the_second_look(family, investigator):
    rep = representative(family, protection_level="sekretessmarkering")
    with pytest.raises(services.SecrecyReviewNeeded) as stopped:
        letter_to(family, investigator, rep)
    assert stopped.value.second_look
    # Only a named handler of the representative may print the marked address (S15).
    with pytest.raises(services.SecrecyReviewNeeded):
        letter_to(family, investigator, rep, marking_confirmed=True)
    ProtectedPersonHandlerFactory(person=rep, user=investigator)
    assert letter_to(family, investigator, rep, marking_confirmed=True).is_marking_confirmed


def test_an_ended_representation_is_no_recipient(family, investigator):
    rep = representative(family)
    rep.relationships_as_other.update(valid_to=TODAY - timedelta(days=1))
    assert f"person:{rep.pk}" not in {
        r.key for r in queries.recipients(family.case, "decision", None, on=TODAY)
    }
    with pytest.raises(ValidationError) as refused:
        letter_to(family, investigator, rep)
    assert "recipient" in refused.value.message_dict


def test_a_representatives_other_clients_are_not_the_childs_network(family):
    rep = representative(family)
    other_client = PersonFactory(district=family.case.district, birth_date=date(2012, 1, 1))
    RelationshipFactory(
        child=other_client, other=rep, kind="legal_representative", valid_from=date(2026, 1, 1)
    )
    around = set(Person.objects.filter(network_of(family.child)).values_list("pk", flat=True))
    assert rep.pk in around
    assert other_client.pk not in around
    assert {family.father.pk, family.mother.pk} <= around
