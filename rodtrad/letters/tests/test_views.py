"""The documents' pages over HTTP: the secrecy step stops the handler and comes back on the
same form; the stored HTML and the PDF are served with no personal data in the file name;
every read is an access event, the HTML and PDF as printed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import sign_in
from rodtrad.journal.models import AccessAction, AccessEvent
from rodtrad.letters.models import OutgoingDocument
from rodtrad.letters.tests.conftest import SECRET_STREET, flat, pdf_text
from rodtrad.people.tests.factories import ProtectedPersonHandlerFactory

pytestmark = pytest.mark.django_db


def test_the_investigator_produces_a_decision_letter_through_the_secrecy_step(
    client, family, investigator, tmp_path
):
    sign_in(client, investigator)
    case_page = client.get(reverse("cases:case-detail", args=[family.case.pk])).content.decode()
    assert reverse("letters:document-list", args=[family.case.pk]) in case_page
    url = reverse("letters:document-create", args=[family.case.pk])
    assert "?slag=decision" in client.get(url).content.decode()
    form = client.get(url + "?slag=decision").content.decode()
    assert "Per Ek – Vårdnadshavare" in form and "Maria Ek – Vårdnadshavare" in form
    data = {
        "kind": "decision",
        "subject": f"decision:{family.decision.pk}",
        "recipient": f"person:{family.father.pk}",
    }
    stopped = client.post(url, data)
    page = stopped.content.decode()
    assert stopped.status_code == 200
    assert "Sekretessprövning" in page and "Pröva varje uppgift" in page
    key = f"sekretess:address:person:{family.mother.pk}"
    assert f'name="{key}"' in page
    assert SECRET_STREET not in page  # the label names what, never the datum
    assert not OutgoingDocument.objects.exists()

    produced = client.post(url, {**data, key: "redact"})
    document = OutgoingDocument.objects.get()
    assert produced.status_code == 302
    assert produced["Location"] == reverse("letters:document-detail", args=[document.pk])

    detail = client.get(produced["Location"]).content.decode()
    assert "togs bort" in detail and document.pdf_sha256 in detail
    html = client.get(reverse("letters:document-html", args=[document.pk]))
    assert "style-src 'sha256-" in html["Content-Security-Policy"]
    assert SECRET_STREET not in html.content.decode()
    pdf = client.get(reverse("letters:document-pdf", args=[document.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="dokument-{document.pk}.pdf"'
    assert "Ella" not in pdf["Content-Disposition"]
    assert "[Borttaget – sekretess]" in flat(pdf_text(pdf.content, tmp_path))
    printed = AccessEvent.objects.filter(case_id=family.case.pk, action=AccessAction.PRINTED)
    assert {e.route for e in printed} == {"letters:document-html", "letters:document-pdf"}

    sent = client.post(reverse("letters:document-send", args=[document.pk]), {"channel": "post"})
    assert sent.status_code == 302
    listing = client.get(reverse("letters:document-list", args=[family.case.pk])).content.decode()
    assert "(med post)" in listing


def test_a_non_handler_confirming_a_protected_address_is_told_why_and_nothing_is_made(
    client, family, investigator
):
    sign_in(client, investigator)
    url = reverse("letters:document-create", args=[family.case.pk])
    key = f"sekretess:address:person:{family.mother.pk}"
    page = client.post(
        url,
        {
            "kind": "decision",
            "subject": f"decision:{family.decision.pk}",
            "recipient": f"person:{family.father.pk}",
            key: "confirm",
        },
    ).content.decode()
    assert "Bara en namngiven handläggare" in page
    assert not OutgoingDocument.objects.exists()


def test_a_recipient_who_is_no_party_cannot_be_posted(client, family, investigator):
    sign_in(client, investigator)
    url = reverse("letters:document-create", args=[family.case.pk])
    page = client.post(
        url,
        {
            "kind": "decision",
            "subject": f"decision:{family.decision.pk}",
            "recipient": f"person:{family.child.pk}",  # 10 years old: no party
        },
    ).content.decode()
    assert "Välj ett av alternativen i listan." in page
    assert not OutgoingDocument.objects.exists()


def test_the_preview_shows_the_letter_after_the_secrecy_step_and_writes_nothing(
    client, family, investigator
):
    sign_in(client, investigator)
    url = reverse("letters:document-create", args=[family.case.pk])
    data = {
        "kind": "decision",
        "subject": f"decision:{family.decision.pk}",
        "recipient": f"person:{family.father.pk}",
        "preview": "1",
    }
    stopped = client.post(url, data).content.decode()
    assert "Pröva varje uppgift" in stopped and "srcdoc" not in stopped
    key = f"sekretess:address:person:{family.mother.pk}"
    response = client.post(url, {**data, key: "redact"})
    page = response.content.decode()
    assert "Förhandsgranskning" in page and 'srcdoc="&lt;!DOCTYPE html&gt;' in page
    # Styled as the PDF: the page's policy allows the letter's own style block by its hash
    # (a srcdoc frame is under the page's policy), and the letter has its own policy too.
    import base64
    import hashlib
    import html as html_module
    import re

    framed = html_module.unescape(page.split('srcdoc="', 1)[1].split('"', 1)[0])
    [style] = re.findall(r"<style>(.*?)</style>", framed, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = response["Content-Security-Policy"]
    style_src = next(p for p in policy.split(";") if p.strip().startswith("style-src"))
    assert f"'sha256-{digest}'" in style_src and "'self'" in style_src
    assert "'unsafe-inline'" not in policy
    assert (
        '<meta http-equiv="Content-Security-Policy" '
        f"content=\"default-src 'none'; style-src 'sha256-{digest}'\">"
    ) in framed
    assert 'lang="sv"' not in page.split("srcdoc=", 1)[1].split(">", 1)[0]  # escaped
    assert "[Borttaget – sekretess]" in page and "förvaltningsrätten" in page
    assert SECRET_STREET not in page
    assert not OutgoingDocument.objects.exists()


def test_the_received_day_is_recorded_through_its_page(client, family, investigator):
    from rodtrad.deadlines.tests.clock import TODAY
    from rodtrad.letters import services as letter_services

    document = letter_services.produce_document(
        family.case,
        by=investigator,
        kind="decision",
        subject_key=f"decision:{family.decision.pk}",
        recipient_key=f"person:{family.father.pk}",
        choices={f"address:person:{family.mother.pk}": "redact"},
    )
    letter_services.send_document(document, by=investigator, channel="post")
    signed = sign_in(client, investigator)
    page = signed.get(reverse("letters:document-detail", args=[document.pk]))
    assert "Inte känt ännu" in page.content.decode()
    url = reverse("letters:document-received", args=[document.pk])
    assert url in page.content.decode()
    refused = signed.post(url, {"received_on": "2030-01-01"})
    assert refused.status_code == 200 and "efter i dag" in refused.content.decode()
    done = signed.post(url, {"received_on": TODAY.isoformat()})
    assert done.status_code == 302
    document.refresh_from_db()
    assert document.received_on == TODAY


def test_only_a_named_handler_prints_or_reads_the_address_of_a_recipient_with_sekretessmarkering(
    client, family, investigator, manager
):
    """Red-team finding: a worker who was no named handler could tick the second look, print
    the marked recipient's address and read it back in the stored document (S15)."""
    sign_in(client, investigator)
    url = reverse("letters:document-create", args=[family.case.pk])
    data = {
        "kind": "decision",
        "subject": f"decision:{family.decision.pk}",
        "recipient": f"person:{family.mother.pk}",
        "marking_confirmed": "on",
    }
    for preview in ({}, {"preview": "1"}):
        page = client.post(url, {**data, **preview}).content.decode()
        assert "Bara en namngiven handläggare för mottagaren" in page
        assert SECRET_STREET not in page
    assert not OutgoingDocument.objects.exists()

    ProtectedPersonHandlerFactory(person=family.mother, user=investigator)
    produced = client.post(url, data)
    assert produced.status_code == 302
    document = OutgoingDocument.objects.get()
    assert document.is_marking_confirmed and SECRET_STREET in document.recipient_address
    assert (
        SECRET_STREET
        in client.get(reverse("letters:document-html", args=[document.pk])).content.decode()
    )

    # The team manager sees the case and that the document exists, never what it prints.
    client.logout()
    sign_in(client, manager)
    detail = client.get(reverse("letters:document-detail", args=[document.pk]))
    assert detail.status_code == 200
    assert "Bara en namngiven handläggare kan öppna det." in detail.content.decode()
    assert reverse("letters:document-pdf", args=[document.pk]) not in detail.content.decode()
    for route in ("letters:document-html", "letters:document-pdf"):
        assert client.get(reverse(route, args=[document.pk])).status_code == 404
    denied = AccessEvent.objects.filter(case_id=family.case.pk, action=AccessAction.DENIED)
    assert denied.count() >= 2
