from django.urls import path

from rodtrad.followup import follow_up_views, views

app_name = "followup"

urlpatterns = [
    path("insats/<int:pk>/skattning/", views.measurement_create, name="measurement-create"),
    path(
        "uppdrag/<int:pk>/uppfoljning/",
        follow_up_views.follow_up_create,
        name="follow-up-create",
    ),
    path(
        "uppdrag/<int:pk>/skattning/",
        views.commission_measurement_create,
        name="commission-measurement-create",
    ),
    path(
        "arende/<int:pk>/avsluta-uppfoljning/",
        follow_up_views.case_follow_up_end,
        name="case-follow-up-end",
    ),
    path("rod-trad/", follow_up_views.thread_breaks, name="thread-breaks"),
    path("formular/", views.instrument_list, name="instrument-list"),
    path("formular/nytt/", views.instrument_create, name="instrument-create"),
    path("formular/<int:pk>/", views.instrument_edit, name="instrument-edit"),
    path("formular/<int:pk>/ny-utgava/", views.instrument_edition, name="instrument-edition"),
]
