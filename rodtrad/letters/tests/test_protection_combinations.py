"""S15 across every protection level of the recipient and of the other guardian: a kommunicering
letter is produced with everything redacted, and pdftotext finds no protected datum in the PDF
(docs/letters.md, "Secrecy"). Exhaustive rather than sampled: 4 × 4 PDFs."""

from __future__ import annotations

import itertools

import pytest

from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.letters import services
from rodtrad.letters.secrecy import REDACTED
from rodtrad.letters.tests.conftest import flat, pdf_text
from rodtrad.people.models import Person, ProtectionLevel
from rodtrad.people.tests.factories import ProtectedPersonHandlerFactory

pytestmark = pytest.mark.django_db

LEVELS = list(ProtectionLevel.values)
FORWARDED = {"skyddad_folkbokforing", "fingerade_personuppgifter"}


def test_s15_no_protected_datum_reaches_the_pdf_in_any_combination(family, investigator, tmp_path):
    # Distinct addresses per person (the factory's own are the same for everyone).
    Person.objects.filter(pk=family.father.pk).update(
        street_address="Fadersgatan 11", postal_code="11111", city="Fadersby"
    )
    Person.objects.filter(pk=family.mother.pk).update(
        street_address="Modersgatan 22", postal_code="22222", city="Modersby"
    )
    # The recipient's own address is theirs to receive; with sekretessmarkering only a named
    # handler of theirs may print it (S15).
    ProtectedPersonHandlerFactory(person=family.father, user=investigator)
    failures = []
    for recipient_level, other_level in itertools.product(LEVELS, LEVELS):
        Person.objects.filter(pk=family.father.pk).update(protection_level=recipient_level)
        Person.objects.filter(pk=family.mother.pk).update(protection_level=other_level)
        arguments = {
            "by": investigator,
            "kind": "communication",
            "subject_key": f"investigation:{family.investigation.pk}",
            "recipient_key": f"person:{family.father.pk}",
            "details": {"answer_by": TODAY.replace(day=TODAY.day + 14)},
        }
        try:
            document = services.produce_document(family.case, **arguments)
        except services.SecrecyReviewNeeded as stopped:
            document = services.produce_document(
                family.case,
                **arguments,
                choices={f.key: "redact" for f in stopped.findings},
                marking_confirmed=True,
            )
        text = flat(pdf_text(document.pdf, tmp_path))
        label = f"recipient {recipient_level}, other guardian {other_level}"
        if other_level != "none":
            for datum in ("Modersgatan", "22222", "Modersby"):
                if datum in text:
                    failures.append(f"{label}: the other guardian's {datum} is printed")
            if REDACTED not in text:
                failures.append(f"{label}: no redaction marker")
        if other_level == "fingerade_personuppgifter" and "Maria" in text:
            failures.append(f"{label}: the fictitious identity's name is printed")
        if recipient_level in FORWARDED:
            if "Fadersgatan" in text or "Fadersby" in text:
                failures.append(f"{label}: an address for a forwarded recipient")
            if "Skatteverkets särskilda postförmedling" not in text:
                failures.append(f"{label}: no forwarding text")
        elif "Fadersgatan 11" not in text:
            failures.append(f"{label}: the recipient's own address is missing")
        # The protected reporter's name never goes to a guardian unconfirmed.
        if "Lärare Lena Lind" in text:
            failures.append(f"{label}: the protected reporter is named")
    assert not failures, "\n".join(failures)
