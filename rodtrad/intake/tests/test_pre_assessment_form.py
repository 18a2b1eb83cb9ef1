"""The pre-assessment's form is the one place its field names are written: the edit page is
filled from the document by the form's fields, and the conflict page compares the same fields
(lib.forms.handle_form, cases.forms.SignableDocumentForm)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from rodtrad.intake import services
from rodtrad.intake.forms import PreAssessmentForm


def test_the_edit_page_is_filled_from_the_document_by_the_forms_fields(
    signed_in, intake_worker, pre_assessment
):
    services.save_pre_assessment_draft(
        pre_assessment,
        by=intake_worker,
        expected_version=pre_assessment.version,
        changes={"information_obtained": "Samtal med skolan.", "reasons": "Oro i skolan."},
    )

    url = reverse("intake:pre-assessment-edit", args=[pre_assessment.case_id])
    body = signed_in(intake_worker).get(url).content.decode()

    assert "Samtal med skolan." in body
    assert "Oro i skolan." in body
    assert 'name="version" value="2"' in body


def test_a_stale_save_shows_every_field_of_the_form_with_the_decision_as_words(
    signed_in, intake_worker, pre_assessment
):
    rendered = pre_assessment.version
    services.save_pre_assessment_draft(
        pre_assessment,
        by=intake_worker,
        expected_version=rendered,
        changes={"decision": "open", "assessment": "Den andras bedömning."},
    )

    response = signed_in(intake_worker).post(
        reverse("intake:pre-assessment-edit", args=[pre_assessment.case_id]),
        {
            "version": rendered,
            "event_on": timezone.localdate().isoformat(),
            "assessment": "Min bedömning.",
            "decision": "open",
        },
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Förhandsbedömningen har ändrats av någon annan" in page
    form = PreAssessmentForm()
    shown = [name for name in form.fields if name != "version"]
    assert page.count('<th scope="row">') == len(shown)
    for name in shown:
        assert f'<th scope="row">{form.fields[name].label}</th>' in page
    assert "Den andras bedömning." in page and "Min bedömning." in page
    # The same decision on both sides is the same words, not a difference.
    assert page.count("Utredning inleds") == 2
    pre_assessment.refresh_from_db()
    assert pre_assessment.assessment == "Den andras bedömning."
