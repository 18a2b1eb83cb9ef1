from django.urls import path

from rodtrad.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/ansvarig/", views.case_assign, name="case-assign"),
    path("nodatkomst/", views.emergency_request, name="emergency-request"),
    path("nodatkomst/granska/", views.emergency_review_list, name="emergency-review-list"),
    path("nodatkomst/<int:pk>/granska/", views.emergency_review, name="emergency-review"),
    path("nodatkomst/<int:pk>/godkann/", views.emergency_approve, name="emergency-approve"),
    path("nodatkomst/<int:pk>/avsla/", views.emergency_reject, name="emergency-reject"),
]
