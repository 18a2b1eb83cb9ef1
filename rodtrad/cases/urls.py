from django.urls import path

from rodtrad.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("nodatkomst/granska/", views.emergency_review_list, name="emergency-review-list"),
]
