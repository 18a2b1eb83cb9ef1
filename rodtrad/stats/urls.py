from django.urls import path

from rodtrad.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.export, name="export"),
    path("ogonblicksbilder/", views.snapshot_list, name="snapshots"),
    path("ogonblicksbilder/ny/", views.snapshot_create, name="snapshot-create"),
    path("ogonblicksbilder/<int:pk>/", views.snapshot_detail, name="snapshot"),
]
