"""Documents as evidence (cases.services): draft → autosave → sign locks → correction.

The mechanism is shared by every signable document; the pre-assessment is its first concrete
document, so it is tested here on PreAssessment.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rodtrad.cases.services import (
    DocumentLocked,
    correct_document,
    document_content,
    save_draft,
    sign_document,
)
from rodtrad.intake.models import PreAssessment
from rodtrad.intake.tests.factories import PreAssessmentFactory
from rodtrad.journal.chain import canonical_json
from rodtrad.journal.models import JournalEntry
from rodtrad.lib.versioning import StaleVersion

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_save_draft_writes_bumps_the_version_and_journals_the_fields(pre_assessment, intake_worker):
    saved = save_draft(
        pre_assessment,
        by=intake_worker,
        expected_version=pre_assessment.version,
        changes={"assessment": "Oron gäller skolfrånvaro.", "decision": "open"},
    )

    assert saved.assessment == "Oron gäller skolfrånvaro."
    assert saved.version == pre_assessment.version
    assert saved.version == 2
    entry = JournalEntry.objects.get(action="intake.preassessment_draft_saved")
    assert entry.data == {"fields": ["assessment", "decision"]}
    assert entry.case_id == pre_assessment.case_id
    assert entry.person_id == pre_assessment.case.child_id


def test_save_draft_without_changes_writes_nothing(pre_assessment, intake_worker):
    save_draft(
        pre_assessment,
        by=intake_worker,
        expected_version=pre_assessment.version,
        changes={"assessment": ""},
    )
    pre_assessment.refresh_from_db()
    assert pre_assessment.version == 1
    assert not JournalEntry.objects.filter(action="intake.preassessment_draft_saved").exists()


def test_save_draft_with_a_stale_version_is_refused_and_writes_nothing(
    pre_assessment, intake_worker
):
    save_draft(pre_assessment, by=intake_worker, expected_version=1, changes={"reasons": "A"})

    with pytest.raises(StaleVersion) as stale:
        save_draft(pre_assessment, by=intake_worker, expected_version=1, changes={"reasons": "B"})

    assert stale.value.current.reasons == "A"
    assert stale.value.changed_fields == ["reasons"]
    pre_assessment.refresh_from_db()
    assert pre_assessment.reasons == "A"
    assert JournalEntry.objects.filter(action="intake.preassessment_draft_saved").count() == 1


def test_save_draft_refuses_fields_that_are_not_content(pre_assessment, intake_worker):
    with pytest.raises(ValueError):
        save_draft(
            pre_assessment, by=intake_worker, expected_version=1, changes={"status": "signed"}
        )


def test_save_draft_needs_edit_access_to_the_case(pre_assessment, other_district_investigator):
    with pytest.raises(PermissionDenied):
        save_draft(
            pre_assessment,
            by=other_district_investigator,
            expected_version=1,
            changes={"reasons": "Utifrån"},
        )
    assert not JournalEntry.objects.filter(action="intake.preassessment_draft_saved").exists()


def test_signing_locks_the_document_and_keeps_the_hash_of_its_content(
    pre_assessment, intake_worker
):
    draft = save_draft(
        pre_assessment,
        by=intake_worker,
        expected_version=1,
        changes={"decision": "not_open", "reasons": "Ingen oro kvar efter samtal."},
    )

    signed = sign_document(draft, by=intake_worker, expected_version=draft.version)

    assert signed.is_signed
    assert signed.signed_by == intake_worker
    assert signed.signed_at is not None
    expected_hash = hashlib.sha256(canonical_json(document_content(signed)).encode()).hexdigest()
    assert signed.content_hash == expected_hash
    assert document_content(signed)["reasons"] == "Ingen oro kvar efter samtal."
    entry = JournalEntry.objects.get(action="intake.preassessment_signed")
    assert entry.data == {"content_hash": expected_hash}

    with pytest.raises(DocumentLocked):
        save_draft(
            signed, by=intake_worker, expected_version=signed.version, changes={"reasons": "X"}
        )
    with pytest.raises(DocumentLocked):
        sign_document(signed, by=intake_worker, expected_version=signed.version)
    signed.refresh_from_db()
    assert signed.reasons == "Ingen oro kvar efter samtal."


def test_signing_with_a_stale_version_is_refused(pre_assessment, intake_worker):
    save_draft(pre_assessment, by=intake_worker, expected_version=1, changes={"reasons": "A"})
    with pytest.raises(StaleVersion):
        sign_document(pre_assessment, by=intake_worker, expected_version=1)
    pre_assessment.refresh_from_db()
    assert pre_assessment.status == "draft"
    assert not JournalEntry.objects.filter(action="intake.preassessment_signed").exists()


def test_a_correction_copies_the_signed_content_and_leaves_the_original(
    pre_assessment, intake_worker, manager
):
    draft = save_draft(
        pre_assessment, by=intake_worker, expected_version=1, changes={"assessment": "Original"}
    )
    signed = sign_document(draft, by=intake_worker, expected_version=draft.version)

    with pytest.raises(ValidationError):
        correct_document(signed, by=manager, reason="")
    correction = correct_document(signed, by=manager, reason="Fel datum i texten.")

    assert correction.corrects == signed
    assert correction.author == manager
    assert correction.status == "draft"
    assert correction.version == 1
    assert correction.assessment == "Original"
    assert correction.content_hash == ""
    entry = JournalEntry.objects.get(action="intake.preassessment_correction_started")
    assert entry.data == {"corrects": signed.pk}
    with pytest.raises(ValidationError):  # one open correction at a time
        correct_document(signed, by=manager, reason="En till.")
    with pytest.raises(ValidationError):  # a draft is changed directly, not corrected
        correct_document(correction, by=manager, reason="Rättelse av utkast.")
    assert PreAssessment.objects.count() == 2
    signed.refresh_from_db()
    assert signed.assessment == "Original"


@pytest.mark.parametrize(("days_after", "is_late"), [(7, False), (8, True)])
def test_a_document_recorded_more_than_a_week_after_its_event_is_marked_late(
    intake_worker, days_after, is_late, report_child
):
    """settings.RODTRAD_LATE_RECORDING_DAYS = 7; recorded_at is the server's time."""
    moment = datetime(2027, 6, 10, 14, 0, tzinfo=STOCKHOLM)
    with time_machine.travel(moment, tick=False):
        document = PreAssessmentFactory(
            case=report_child.case,
            event_on=moment.date() - timedelta(days=days_after),
            received_on=moment.date() - timedelta(days=10),
            author=intake_worker,
        )
    assert timezone.localtime(document.recorded_at) == moment
    assert document.recorded_days_after_event == days_after
    assert document.is_recorded_late is is_late
