"""Kommunicering (FL 25 §): recipients are the case's persons, protected ones are checked.

S15: a protected person's address is never printed on these pages, and nothing is recorded as
sent to a protected person, or a family with protected members, without a secrecy check.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rodtrad.investigation import services
from rodtrad.investigation.models import Communication
from rodtrad.investigation.tests.factories import AnalysisFactory, CommunicationFactory
from rodtrad.journal.models import AccessEvent, JournalEntry
from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory


def journal(action: str) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(action=action).order_by("seq"))


PROTECTED_STREET = "Kanariegränd 99"


@pytest.fixture(autouse=True)
def analysis(investigation, investigator):
    """Kommunicering needs the analysis (a draft with text is enough)."""
    return AnalysisFactory.drafted(investigation, investigator)


@pytest.fixture
def child(investigation):
    return investigation.case.child


@pytest.fixture
def father(child):
    relationship = RelationshipFactory(
        child=child,
        other=PersonFactory(
            district=child.district, given_name="Pelle", street_address="Vanliga vägen 1"
        ),
        kind="guardian",
    )
    return relationship


@pytest.fixture
def protected_mother(child):
    return RelationshipFactory(
        child=child,
        other=PersonFactory(
            district=child.district,
            given_name="Mona",
            street_address=PROTECTED_STREET,
            protection_level="sekretessmarkering",
        ),
        kind="guardian",
    )


def create_url(investigation) -> str:
    return reverse("investigation:communication-create", args=[investigation.pk])


def test_the_recipient_is_chosen_among_the_childs_guardians(
    investigation, investigator, father, today
):
    sent = services.record_communication(
        investigation,
        by=investigator,
        subject="Utredningen i sin helhet.",
        recipient=father.other,
        relationship=father,
        sent_on=today,
        answer_by=today,
    )
    assert (sent.recipient, sent.recipient_relationship) == (father.other, father)
    assert sent.legacy_recipient == ""


def test_a_person_outside_the_childs_network_cannot_be_a_recipient(
    investigation, investigator, father, today
):
    stranger = PersonFactory(district=investigation.case.district)
    with pytest.raises(ValidationError) as error:
        services.record_communication(
            investigation,
            by=investigator,
            subject="Utredningen.",
            recipient=stranger,
            relationship=father,  # someone else's relationship does not make them related
            sent_on=today,
            answer_by=today,
        )
    assert "recipient" in error.value.message_dict
    assert not Communication.objects.exists()


def test_an_ended_relationship_gives_no_recipient(investigation, investigator, father, today):
    father.valid_to = today - timedelta(days=1)
    father.save()
    with pytest.raises(ValidationError):
        services.record_communication(
            investigation,
            by=investigator,
            subject="Utredningen.",
            recipient=father.other,
            relationship=father,
            sent_on=today,
            answer_by=today,
        )


def test_the_child_is_a_recipient_from_15_years_but_not_before(
    investigation, investigator, child, today
):
    child.birth_date = date(today.year - 14, 1, 1)
    child.save()
    with pytest.raises(ValidationError):
        services.record_communication(
            investigation,
            by=investigator,
            subject="Utredningen.",
            recipient=child,
            sent_on=today,
            answer_by=today,
        )
    child.birth_date = date(today.year - 16, 1, 1)
    child.save()
    investigation.case.child.refresh_from_db()
    sent = services.record_communication(
        investigation,
        by=investigator,
        subject="Utredningen.",
        recipient=child,
        sent_on=today,
        answer_by=today,
    )
    assert sent.recipient == child and sent.recipient_relationship is None
    assert journal("investigation.communication_sent")[0].data["recipient_kind"] == "child"


def test_s15_a_protected_recipient_needs_a_confirmed_secrecy_check(
    investigation, investigator, protected_mother, today
):
    with pytest.raises(ValidationError) as error:
        services.record_communication(
            investigation,
            by=investigator,
            subject="Utredningen.",
            recipient=protected_mother.other,
            relationship=protected_mother,
            sent_on=today,
            answer_by=today,
        )
    assert "is_secrecy_checked" in error.value.message_dict
    assert not Communication.objects.exists()
    sent = services.record_communication(
        investigation,
        by=investigator,
        subject="Utredningen.",
        recipient=protected_mother.other,
        relationship=protected_mother,
        sent_on=today,
        answer_by=today,
        is_secrecy_checked=True,
    )
    assert sent.is_secrecy_checked
    data = journal("investigation.communication_sent")[0].data
    assert data["is_recipient_protected"] and data["is_secrecy_checked"]


def test_s15_sending_to_an_unprotected_father_of_a_family_with_a_protected_member_needs_the_check(
    investigation, investigator, father, protected_mother, today
):
    with pytest.raises(ValidationError) as error:
        services.record_communication(
            investigation,
            by=investigator,
            subject="Utredningen.",
            recipient=father.other,
            relationship=father,
            sent_on=today,
            answer_by=today,
        )
    assert "is_secrecy_checked" in error.value.message_dict


def test_s15_the_form_lists_the_case_persons_warns_and_never_prints_a_protected_address(
    investigation, investigator, signed_in, father, protected_mother, manager
):
    protected_mother.other.handlers.add(investigator, through_defaults={"appointed_by": manager})
    response = signed_in(investigator).get(create_url(investigation))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pelle" in html and "Mona" in html
    assert "skyddade personuppgifter" in html
    # Even a named handler gets no address on this page: the letter goes via Skatteverket.
    assert PROTECTED_STREET not in html
    assert "Vanliga vägen 1" not in html
    warning = html.index('id="secrecy-warning"')
    assert warning < html.index('name="recipient"')
    assert "Det finns personer med skyddade personuppgifter i barnets nätverk" in html
    assert 'name="is_secrecy_checked"' in html
    assert not re.search(r'<input[^>]*type="text"[^>]*name="recipient"', html)
    listed = AccessEvent.objects.filter(route="investigation:communication-create", action="listed")
    assert set(listed.values_list("person_id", flat=True)) == {
        father.other_id,
        protected_mother.other_id,
    }


def test_posting_without_the_check_shows_the_message_and_records_nothing(
    investigation, investigator, signed_in, protected_mother, today
):
    response = signed_in(investigator).post(
        create_url(investigation),
        {
            "subject": "Utredningen i sin helhet.",
            "recipient": f"relation-{protected_mother.pk}",
            "sent_on": today.isoformat(),
            "answer_by": today.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Gör en sekretessprövning och bekräfta den" in response.content.decode()
    assert not Communication.objects.exists()


def test_posting_with_the_check_records_the_communication(
    investigation, investigator, signed_in, protected_mother, today
):
    response = signed_in(investigator).post(
        create_url(investigation),
        {
            "subject": "Utredningen i sin helhet.",
            "recipient": f"relation-{protected_mother.pk}",
            "sent_on": today.isoformat(),
            "answer_by": today.isoformat(),
            "is_secrecy_checked": "on",
        },
    )
    assert response.status_code == 302
    sent = Communication.objects.get()
    assert sent.recipient == protected_mother.other and sent.is_secrecy_checked


def test_a_typed_recipient_is_refused(investigation, investigator, signed_in, father, today):
    response = signed_in(investigator).post(
        create_url(investigation),
        {
            "subject": "Utredningen.",
            "recipient": "Mormor Greta",
            "sent_on": today.isoformat(),
            "answer_by": today.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Välj vem materialet skickades till." in response.content.decode()
    assert not Communication.objects.exists()


def test_an_older_typed_recipient_is_shown_as_free_text(
    investigation, investigator, signed_in, today
):
    CommunicationFactory(
        investigation=investigation,
        subject="Utredningen.",
        legacy_recipient="Vårdnadshavarna",
        sent_on=today,
        answer_by=today,
        recorded_by=investigator,
    )
    url = reverse("investigation:investigation-detail", args=[investigation.pk])
    html = signed_in(investigator).get(url).content.decode()
    assert "Vårdnadshavarna" in html
    assert "Fritext från en äldre version" in html


# --- The recipients are the parties: the guardians and the child from 15 (U-6) ----------------


@pytest.fixture
def relatives(child):
    """A sibling, a grandmother, a foster carer and a parent without custody."""
    return {
        kind: RelationshipFactory(
            child=child,
            other=PersonFactory(district=child.district, given_name=name),
            kind=kind,
            has_custody=False,
        )
        for kind, name in (
            ("sibling", "Syskonet"),
            ("other", "Mormor"),
            ("foster_carer", "Familjehemmet"),
            ("parent", "Pappan"),
        )
    }


def test_siblings_and_other_relatives_are_not_parties_and_get_no_kommunicering(
    investigation, investigator, relatives, today
):
    for relationship in relatives.values():
        with pytest.raises(ValidationError) as error:
            services.record_communication(
                investigation,
                by=investigator,
                subject="Utredningen i sin helhet.",
                recipient=relationship.other,
                relationship=relationship,
                sent_on=today,
                answer_by=today,
            )
        assert "inte parter" in " ".join(error.value.message_dict["recipient"])
    assert not Communication.objects.exists()


def test_a_parent_with_custody_is_a_party(investigation, investigator, child, today):
    mother = RelationshipFactory(
        child=child,
        other=PersonFactory(district=child.district),
        kind="parent",
        has_custody=True,
    )
    sent = services.record_communication(
        investigation,
        by=investigator,
        subject="Utredningen i sin helhet.",
        recipient=mother.other,
        relationship=mother,
        sent_on=today,
        answer_by=today,
    )
    assert sent.recipient_relationship == mother
    assert journal("investigation.communication_sent")[0].data["recipient_kind"] == "parent"


def test_the_form_offers_only_the_parties(
    investigation, investigator, signed_in, father, relatives, child, today
):
    child.birth_date = date(today.year - 16, 1, 1)  # the child is a party from 15
    child.save()
    html = signed_in(investigator).get(create_url(investigation)).content.decode()
    offered = set(re.findall(r'name="recipient" value="([^"]+)"', html))
    assert offered == {"barnet", f"relation-{father.pk}"}
    for name in ("Syskonet", "Mormor", "Familjehemmet", "Pappan"):
        assert name not in html
    assert "Syskon och andra närstående är inte parter" in html
