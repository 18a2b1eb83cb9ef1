from django.urls import path

from rodtrad.audits import views

app_name = "audits"

urlpatterns = [
    path("", views.programme_list, name="programme-list"),
    path("ny/", views.programme_create, name="programme-create"),
    path("jamfor/", views.compare, name="compare"),
    path("jamfor/export/", views.compare_export, name="compare-export"),
    path("checklistor/", views.checklist_list, name="checklist-list"),
    path("checklistor/<int:pk>/", views.checklist_edition, name="checklist-edition"),
    path("<int:pk>/", views.programme_detail, name="programme-detail"),
    path("<int:pk>/granskare/", views.assign, name="assign"),
    path("<int:pk>/resultat/", views.programme_results, name="results"),
    path("<int:pk>/resultat/export/", views.results_export, name="results-export"),
    path("urval/<int:pk>/", views.review, name="review"),
    path("urval/<int:pk>/autospara/", views.review_autosave, name="review-autosave"),
    path("urval/<int:pk>/iakttagelse/", views.flag, name="flag"),
    path("iakttagelse/<int:pk>/", views.finding_detail, name="finding-detail"),
    path("logg/", views.log_review_list, name="log-review-list"),
    path("logg/ny/", views.log_review_create, name="log-review-create"),
    path("logg/<int:pk>/", views.log_review_detail, name="log-review-detail"),
    path("logg/handelse/<int:pk>/", views.log_item, name="log-item"),
]
