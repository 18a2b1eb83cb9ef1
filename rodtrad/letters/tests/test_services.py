"""Producing and sending documents through the services: real rendering, real PDFs read with
pdftotext, real database, the clock fixed (docs/letters.md). PDFs are slow to render, so each
test makes as few as it needs."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rodtrad.decisions.models import DecisionNotice
from rodtrad.journal.models import JournalEntry
from rodtrad.letters import rendering, services
from rodtrad.letters.models import OutgoingDocument
from rodtrad.letters.secrecy import REDACTED
from rodtrad.letters.tests.conftest import SECRET_STREET, flat, pdf_text
from rodtrad.people.tests.factories import ProtectedPersonHandlerFactory

pytestmark = pytest.mark.django_db

REDACT, CONFIRM = "redact", "confirm"


def decision_letter(family, by, recipient, **kwargs):
    return services.produce_document(
        family.case,
        by=by,
        kind="decision",
        subject_key=f"decision:{family.decision.pk}",
        recipient_key=f"person:{recipient.pk}",
        **kwargs,
    )


def test_s15_the_secrecy_step_stops_a_letter_naming_a_protected_parents_address(
    family, investigator, tmp_path
):
    with pytest.raises(services.SecrecyReviewNeeded) as stopped:
        decision_letter(family, investigator, family.father)
    keys = [f.key for f in stopped.value.findings]
    assert keys == [f"address:person:{family.mother.pk}"]
    assert stopped.value.unanswered == keys
    assert not OutgoingDocument.objects.exists()

    document = decision_letter(family, investigator, family.father, choices={keys[0]: REDACT})
    text = flat(pdf_text(document.pdf, tmp_path))
    assert SECRET_STREET not in text and "Gömby" not in text
    assert SECRET_STREET not in document.html
    assert REDACTED in text
    # The recipient's own address, the header, the page numbers and the appeal instructions.
    assert "Per Ek" in text and "Öppna vägen 3" in text and "12345 Exempelby" in text
    assert "Sekretess enligt OSL 26 kap." in text
    assert "Sida 1 av" in text
    assert "förvaltningsrätten" in text and "inom tre veckor" in text
    assert "Socialnämnden i Exempelby" in text
    # Stored as produced, with its review and who made it; journaled without the labels.
    assert document.pdf_sha256 == __import__("hashlib").sha256(bytes(document.pdf)).hexdigest()
    assert document.template_sha256 == rendering.template_sha256("decision")
    assert document.secrecy_findings[0]["choice"] == REDACT
    assert document.secrecy_confirmed_by == investigator
    entry = JournalEntry.objects.get(action="letters.document_produced")
    assert entry.data["secrecy"] == [
        {"key": keys[0], "kind": "protected_address", "choice": REDACT}
    ]
    assert "Maria" not in json.dumps(entry.data)


def test_s15_only_a_named_handler_may_confirm_a_protected_persons_address(
    family, investigator, tmp_path
):
    key = f"address:person:{family.mother.pk}"
    with pytest.raises(services.SecrecyReviewNeeded) as refused:
        decision_letter(family, investigator, family.father, choices={key: CONFIRM})
    assert refused.value.problems and not OutgoingDocument.objects.exists()

    ProtectedPersonHandlerFactory(person=family.mother, user=investigator)
    document = decision_letter(family, investigator, family.father, choices={key: CONFIRM})
    assert SECRET_STREET in flat(pdf_text(document.pdf, tmp_path))
    assert document.secrecy_findings[0]["choice"] == CONFIRM


def test_a_recipient_with_sekretessmarkering_needs_a_second_look(family, investigator):
    father_key = f"address:person:{family.father.pk}"
    with pytest.raises(services.SecrecyReviewNeeded) as stopped:
        decision_letter(family, investigator, family.mother)
    assert stopped.value.second_look and stopped.value.findings == []
    # Only a named handler of hers may print her address (S15).
    ProtectedPersonHandlerFactory(person=family.mother, user=investigator)
    document = decision_letter(
        family, investigator, family.mother, choices={father_key: REDACT}, marking_confirmed=True
    )
    # Her own address is hers to receive; nothing about the father was protected.
    assert SECRET_STREET in document.html and "Öppna vägen 3" in document.html
    assert document.is_marking_confirmed and document.secrecy_confirmed_by == investigator


def test_producing_again_is_a_new_version_and_the_old_one_stays(family, investigator):
    choices = {f"address:person:{family.mother.pk}": REDACT}
    first = decision_letter(family, investigator, family.father, choices=choices)
    second = decision_letter(family, investigator, family.father, choices=choices)
    assert (first.version, second.version) == (1, 2)
    assert second.replaces == first
    first.refresh_from_db()
    assert first.pdf_sha256 and bytes(first.pdf).startswith(b"%PDF")


def test_a_decision_letter_in_the_digital_mailbox_is_the_notice_from_the_day_received(
    family, investigator, settings
):
    choices = {f"address:person:{family.mother.pk}": REDACT}
    document = decision_letter(family, investigator, family.father, choices=choices)
    sent = services.send_document(document, by=investigator, channel="digital_mailbox")
    assert sent.is_sent and sent.sent_by == investigator
    folder = settings.RODTRAD_MAILBOX_DIR
    assert (folder / f"dokument-{document.pk}.pdf").read_bytes() == bytes(document.pdf)
    receipt = json.loads((folder / f"dokument-{document.pk}.json").read_text())
    assert receipt["pdf_sha256"] == document.pdf_sha256
    assert sent.receipt["reference"] == f"dokument-{document.pk}"
    # Delivered to the mailbox is not yet received: the day is recorded when known.
    assert sent.received_on is None
    assert not DecisionNotice.objects.filter(decision=family.decision).exists()
    received = services.record_received(sent, by=investigator, received_on=sent.sent_at.date())
    notice = DecisionNotice.objects.get(decision=family.decision, recipient=family.father)
    assert notice.channel == "digital_mailbox" and notice.notified_on == received.received_on
    with pytest.raises(ValidationError):
        services.send_document(sent, by=investigator, channel="post")


def test_the_reporter_is_told_only_whether_an_investigation_was_opened(
    family, investigator, tmp_path
):
    document = services.produce_document(
        family.case,
        by=investigator,
        kind="reporter_answer",
        subject_key=f"report:{family.report.pk}",
        recipient_key=f"reporter:{family.report.pk}",
    )
    text = flat(pdf_text(document.pdf, tmp_path))
    assert "En utredning har inletts och pågår." in text
    assert "Lärare Lena Lind" in text  # the reporter is the recipient
    assert family.child.identity_number[8:] not in text
    assert "Ella behöver stöd" not in text and "Öppna vägen" not in text
    assert document.secrecy_findings == []


def test_s15_the_printed_investigation_lists_the_protected_reporter_and_the_address_in_text(
    family, investigator, tmp_path
):
    with pytest.raises(services.SecrecyReviewNeeded) as stopped:
        services.produce_document(
            family.case,
            by=investigator,
            kind="investigation",
            subject_key=f"investigation:{family.investigation.pk}",
            recipient_key="committee",
        )
    kinds = {f.kind for f in stopped.value.findings}
    assert kinds == {"protected_address", "reporter_identity"}
    document = services.produce_document(
        family.case,
        by=investigator,
        kind="investigation",
        subject_key=f"investigation:{family.investigation.pk}",
        recipient_key="committee",
        choices={f.key: REDACT for f in stopped.value.findings},
    )
    text = flat(pdf_text(document.pdf, tmp_path))
    assert "Lärare Lena Lind" not in text and SECRET_STREET not in text
    assert "Mamman bor nu på [Borttaget – sekretess] med Ella" in text
    assert "Ella säger att hon trivs i skolan." in text
    assert "Hur har Ella det hemma och i skolan?" in text


@pytest.mark.parametrize("who", ["child", "stranger"])
def test_only_the_parties_can_receive_a_letter(family, investigator, who):
    from rodtrad.people.tests.factories import PersonFactory

    # The child is 10 (a party from 15); a person of the register is no party at all.
    person = family.child if who == "child" else PersonFactory(district=family.case.district)
    with pytest.raises(ValidationError) as refused:
        services.produce_document(
            family.case,
            by=investigator,
            kind="decision",
            subject_key=f"decision:{family.decision.pk}",
            recipient_key=f"person:{person.pk}",
        )
    assert "recipient" in refused.value.message_dict


def test_a_meeting_invitation_needs_day_time_place_and_whom(family, investigator):
    with pytest.raises(ValidationError) as refused:
        services.produce_document(
            family.case,
            by=investigator,
            kind="meeting",
            subject_key="none",
            recipient_key=f"person:{family.father.pk}",
            details={},
        )
    assert set(refused.value.message_dict) == {"meeting_on", "meeting_time", "place", "with_whom"}


def test_a_provider_cannot_produce_a_document(family, provider):
    with pytest.raises(PermissionDenied):
        decision_letter(family, provider, family.father)


def test_a_municipality_overrides_a_template(settings, tmp_path, family):
    folder = tmp_path / "mallar" / "letters" / "documents"
    folder.mkdir(parents=True)
    (folder / "meeting.html").write_text(
        '{% extends "letters/documents/base.html" %}{% block body %}<h1>Vår egen kallelse</h1>'
        "{% endblock %}"
    )
    built_in = rendering.template_sha256("meeting")
    settings.RODTRAD_LETTER_TEMPLATES_DIR = str(tmp_path / "mallar")
    html = rendering.render_html("meeting", {"title": "Kallelse", "municipality": {}})
    assert "Vår egen kallelse" in html and "Sekretess enligt OSL 26 kap." in html
    assert rendering.template_sha256("meeting") != built_in


def test_a_sent_kommunicering_letter_is_the_investigations_record_of_kommunicering(
    family, investigator
):
    from datetime import timedelta

    from rodtrad.deadlines.tests.clock import TODAY
    from rodtrad.investigation.models import Communication
    from rodtrad.investigation.tests.factories import AnalysisFactory

    arguments = {
        "by": investigator,
        "kind": "communication",
        "subject_key": f"investigation:{family.investigation.pk}",
        "recipient_key": f"person:{family.father.pk}",
        "details": {"answer_by": TODAY + timedelta(days=14)},
    }
    with pytest.raises(services.SecrecyReviewNeeded) as stopped:
        services.produce_document(family.case, **arguments)
    # The other guardian's whereabouts and the protected reporter's name (OSL 26:5).
    assert {f.kind for f in stopped.value.findings} == {"protected_address", "reporter_identity"}
    choices = {f.key: REDACT for f in stopped.value.findings}
    document = services.produce_document(family.case, **arguments, choices=choices)
    assert "Lärare Lena Lind" not in document.html
    with pytest.raises(ValidationError):  # kommunicering needs the analysis written
        services.send_document(document, by=investigator, channel="post")
    AnalysisFactory(
        investigation=family.investigation, author=investigator, text="Ella behöver stöd."
    )
    services.send_document(document, by=investigator, channel="post")
    communication = Communication.objects.get(investigation=family.investigation)
    assert communication.recipient == family.father and communication.is_secrecy_checked
    assert communication.answer_by == TODAY + timedelta(days=14)


def test_a_siblings_own_case_is_a_finding_of_the_printed_investigation(family, investigator):
    from rodtrad.cases.tests.factories import CaseFactory
    from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory

    sibling = PersonFactory(district=family.case.district, given_name="Olle", family_name="Ek")
    RelationshipFactory(child=sibling, other=family.father, kind="guardian")
    CaseFactory(child=sibling, district=family.case.district)
    arguments = {
        "by": investigator,
        "kind": "investigation",
        "subject_key": f"investigation:{family.investigation.pk}",
        "recipient_key": "committee",
    }
    with pytest.raises(services.SecrecyReviewNeeded) as stopped:
        services.preview_document(family.case, **arguments)
    sibling_key = f"sibling_case:person:{sibling.pk}"
    assert sibling_key in {f.key for f in stopped.value.findings}
    choices = {f.key: REDACT for f in stopped.value.findings}
    redacted = services.preview_document(family.case, **arguments, choices=choices).html
    assert "Olle Ek" not in redacted and "eget ärende" not in redacted
    # The sibling named, the own case left out.
    choices[f"other_child:person:{sibling.pk}"] = CONFIRM
    redacted = services.preview_document(family.case, **arguments, choices=choices).html
    assert "Olle Ek" in redacted and "eget ärende" not in redacted
    confirmed = services.preview_document(
        family.case, **arguments, choices={**choices, sibling_key: CONFIRM}
    ).html
    assert "Har ett eget ärende hos socialtjänsten" in confirmed
    assert not OutgoingDocument.objects.exists()  # a preview writes nothing


def test_a_sibling_with_a_case_in_another_district_is_still_a_finding_that_names_no_case(
    family, investigator, other_district, tmp_path
):
    """The handler cannot see a case in another district, and the document does not name it;
    but the sibling is another child, and what the document says about them is listed to be
    confirmed or left out, exactly as for a sibling with no case (docs/letters.md)."""
    from rodtrad.cases.tests.factories import CaseFactory
    from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory

    elsewhere = other_district
    sibling = PersonFactory(district=elsewhere, given_name="Sixten", family_name="Ek")
    RelationshipFactory(child=sibling, other=family.father, kind="guardian")
    CaseFactory(child=sibling, district=elsewhere)
    arguments = {
        "by": investigator,
        "kind": "investigation",
        "subject_key": f"investigation:{family.investigation.pk}",
        "recipient_key": "committee",
    }
    with pytest.raises(services.SecrecyReviewNeeded) as stopped:
        services.preview_document(family.case, **arguments)
    about_sibling = [f for f in stopped.value.findings if f.about == f"person:{sibling.pk}"]
    assert [f.key for f in about_sibling] == [f"other_child:person:{sibling.pk}"]
    assert "ärende" not in about_sibling[0].label and "Sixten Ek" in about_sibling[0].label
    document = services.produce_document(
        family.case, **arguments, choices={f.key: REDACT for f in stopped.value.findings}
    )
    text = flat(pdf_text(document.pdf, tmp_path))
    assert "Sixten" not in text and "eget ärende" not in text
    assert document.secrecy_findings[-1]["key"] == f"other_child:person:{sibling.pk}"


def test_a_posted_decision_letter_counts_from_the_day_it_was_received_not_sent(
    family, investigator, time_machine
):
    """FL 44 §: the three weeks to appeal count from the day the party received the decision.
    Sent by post, that day is unknown: nothing is presumed; the handler records it when known
    (docs/letters.md, "Sending")."""
    from datetime import timedelta

    from rodtrad.deadlines.tests.clock import NOW, TODAY

    choices = {f"address:person:{family.mother.pk}": REDACT}
    document = decision_letter(family, investigator, family.father, choices=choices)
    with pytest.raises(ValidationError) as refused:
        services.record_received(document, by=investigator, received_on=TODAY)
    assert "__all__" in refused.value.message_dict  # not sent yet
    sent = services.send_document(document, by=investigator, channel="post")
    assert sent.received_on is None
    assert not DecisionNotice.objects.filter(decision=family.decision).exists()

    time_machine.move_to(NOW + timedelta(days=3), tick=False)
    for bad in (None, TODAY - timedelta(days=1), TODAY + timedelta(days=4)):
        with pytest.raises(ValidationError) as refused:
            services.record_received(sent, by=investigator, received_on=bad)
        assert "received_on" in refused.value.message_dict
    received = services.record_received(
        sent, by=investigator, received_on=TODAY + timedelta(days=2)
    )
    assert received.received_on == TODAY + timedelta(days=2)
    notice = DecisionNotice.objects.get(decision=family.decision, recipient=family.father)
    assert notice.notified_on == TODAY + timedelta(days=2) and notice.channel == "letter"
    entry = JournalEntry.objects.get(action="letters.document_received")
    assert entry.data["decision_notice_id"] == notice.pk
    with pytest.raises(ValidationError):  # once
        services.record_received(received, by=investigator, received_on=TODAY + timedelta(days=2))


def test_a_decision_letter_handed_over_is_received_the_same_day(family, investigator):
    from rodtrad.deadlines.tests.clock import TODAY

    choices = {f"address:person:{family.mother.pk}": REDACT}
    document = decision_letter(family, investigator, family.father, choices=choices)
    sent = services.send_document(document, by=investigator, channel="handed_over")
    assert sent.received_on == TODAY
    notice = DecisionNotice.objects.get(decision=family.decision, recipient=family.father)
    assert notice.notified_on == TODAY and notice.channel == "in_person"


def test_a_provider_cannot_record_that_a_letter_was_received(family, investigator, provider):
    choices = {f"address:person:{family.mother.pk}": REDACT}
    document = decision_letter(family, investigator, family.father, choices=choices)
    sent = services.send_document(document, by=investigator, channel="post")
    with pytest.raises(PermissionDenied):
        services.record_received(sent, by=provider, received_on=sent.sent_at.date())
    sent.refresh_from_db()
    assert sent.received_on is None
