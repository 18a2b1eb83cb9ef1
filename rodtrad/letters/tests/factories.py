"""Factories for documents (rows only: no rendering, no journal entry). Tests of what the
services guarantee call `rodtrad.letters.services.produce_document`."""

from __future__ import annotations

import hashlib

import factory
from django.utils import timezone

from rodtrad.accounts.tests.factories import UserFactory
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.letters.models import DocumentKind, OutgoingDocument

PDF = b"%PDF-1.7\n% a stand-in, not rendered\n"


class OutgoingDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutgoingDocument

    case = factory.SubFactory(CaseFactory)
    kind = DocumentKind.MEETING
    recipient_key = "committee"
    series_key = factory.Sequence(lambda n: f"meeting|none|committee-{n}")
    recipient_name = "Socialnämnden i Exempelby"
    template_name = "letters/documents/meeting.html"
    template_sha256 = "0" * 64
    html = (
        "<!DOCTYPE html><html lang=sv><head><style>p{}</style></head>"
        "<body><p>Kallelse</p></body></html>"
    )
    pdf = PDF
    pdf_sha256 = hashlib.sha256(PDF).hexdigest()
    produced_by = factory.SubFactory(UserFactory)
    produced_at = factory.LazyFunction(timezone.now)
