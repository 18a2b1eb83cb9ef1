"""Intake routes. Swedish paths; no identity number ever appears in a URL (S31).

Mounted by the root URLconf at `mottagning/` (config/urls.py).
"""

from django.urls import path

from rodtrad.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("anmalningar/ny/", views.report_create, name="report-create"),
    path("anmalningar/<int:pk>/", views.report_detail, name="report-detail"),
    path(
        "anmalningar/<int:pk>/bekrafta-tid/",
        views.report_receipt_confirm,
        name="report-receipt-confirm",
    ),
    path(
        "anmalningar/<int:pk>/begaran/",
        views.reporter_information_request,
        name="reporter-information-request",
    ),
    path(
        "anmalningar/<int:pk>/begaran/svar/",
        views.reporter_information_answer,
        name="reporter-information-answer",
    ),
    path(
        "barn/<int:pk>/skyddsbedomning/",
        views.protection_assessment_create,
        name="protection-assessment-create",
    ),
    path(
        "barn/<int:pk>/skyddsatgard/",
        views.protective_action_record,
        name="protective-action-record",
    ),
    path(
        "arenden/<int:pk>/forhandsbedomning/",
        views.pre_assessment_edit,
        name="pre-assessment-edit",
    ),
    path(
        "forhandsbedomningar/<int:pk>/autospara/",
        views.pre_assessment_autosave,
        name="pre-assessment-autosave",
    ),
    path(
        "forhandsbedomningar/<int:pk>/signera/",
        views.pre_assessment_sign,
        name="pre-assessment-sign",
    ),
    path(
        "forhandsbedomningar/<int:pk>/ratta/",
        views.pre_assessment_correct,
        name="pre-assessment-correct",
    ),
    path(
        "forhandsbedomningar/<int:pk>/kopiera/",
        views.pre_assessment_copy,
        name="pre-assessment-copy",
    ),
    path(
        "forhandsbedomningar/<int:pk>/kontakter/",
        views.pre_assessment_contact_add,
        name="pre-assessment-contact-add",
    ),
]
