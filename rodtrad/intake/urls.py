"""Intake routes. Swedish paths; no identity number ever appears in a URL (S31).

Mounted by the root URLconf at `mottagning/` (config/urls.py).
"""

from django.urls import path

from rodtrad.intake.views import pre_assessment, protection, queue, reports

app_name = "intake"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("anmalningar/ny/", reports.report_create, name="report-create"),
    path("anmalningar/<int:pk>/", reports.report_detail, name="report-detail"),
    path(
        "anmalningar/<int:pk>/bekrafta-tid/",
        reports.report_receipt_confirm,
        name="report-receipt-confirm",
    ),
    path(
        "anmalningar/<int:pk>/begaran/",
        reports.reporter_information_request,
        name="reporter-information-request",
    ),
    path(
        "anmalningar/<int:pk>/begaran/svar/",
        reports.reporter_information_answer,
        name="reporter-information-answer",
    ),
    path(
        "barn/<int:pk>/skyddsbedomning/",
        protection.protection_assessment_create,
        name="protection-assessment-create",
    ),
    path(
        "barn/<int:pk>/skyddsatgard/",
        protection.protective_action_record,
        name="protective-action-record",
    ),
    path(
        "arenden/<int:pk>/forhandsbedomning/",
        pre_assessment.pre_assessment_edit,
        name="pre-assessment-edit",
    ),
    path(
        "forhandsbedomningar/<int:pk>/autospara/",
        pre_assessment.pre_assessment_autosave,
        name="pre-assessment-autosave",
    ),
    path(
        "forhandsbedomningar/<int:pk>/signera/",
        pre_assessment.pre_assessment_sign,
        name="pre-assessment-sign",
    ),
    path(
        "forhandsbedomningar/<int:pk>/ratta/",
        pre_assessment.pre_assessment_correct,
        name="pre-assessment-correct",
    ),
    path(
        "forhandsbedomningar/<int:pk>/kopiera/",
        pre_assessment.pre_assessment_copy,
        name="pre-assessment-copy",
    ),
    path(
        "forhandsbedomningar/<int:pk>/kontakter/",
        pre_assessment.pre_assessment_contact_add,
        name="pre-assessment-contact-add",
    ),
]
