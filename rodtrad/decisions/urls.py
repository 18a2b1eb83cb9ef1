from django.urls import path

from rodtrad.decisions import views

app_name = "decisions"

urlpatterns = [
    path("arende/<int:pk>/nytt/", views.decision_create, name="decision-create"),
    path(
        "arende/<int:pk>/avsluta-utan-beslut/",
        views.close_without_decision,
        name="close-without-decision",
    ),
    path("<int:pk>/", views.decision_detail, name="decision-detail"),
    path("<int:pk>/underrattelse/", views.notice_create, name="notice-create"),
    path("insats/<int:pk>/", views.intervention_detail, name="intervention-detail"),
    path("insats/<int:pk>/paborja/", views.intervention_start, name="intervention-start"),
    path("insats/<int:pk>/avsluta/", views.intervention_end, name="intervention-end"),
    path("ej-verkstallda/", views.not_carried_out, name="not-carried-out"),
    path("ej-verkstallda.csv", views.not_carried_out_csv, name="not-carried-out-csv"),
]
