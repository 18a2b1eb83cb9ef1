from django.urls import path

from rodtrad.followup import views

app_name = "followup"

urlpatterns = [
    path("insats/<int:pk>/skattning/", views.measurement_create, name="measurement-create"),
    path("formular/", views.instrument_list, name="instrument-list"),
    path("formular/<int:pk>/", views.instrument_edit, name="instrument-edit"),
]
