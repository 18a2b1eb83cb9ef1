from django.urls import path

from rodtrad.commissions import views

app_name = "commissions"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("insats/<int:pk>/nytt/", views.commission_create, name="commission-create"),
    path("<int:pk>/", views.commission_detail, name="commission-detail"),
    path("<int:pk>/andra/", views.commission_edit, name="commission-edit"),
    path("<int:pk>/mal/nytt/", views.goal_create, name="goal-create"),
    path("mal/<int:pk>/", views.goal_edit, name="goal-edit"),
    path("<int:pk>/skicka/", views.commission_send, name="commission-send"),
    path("<int:pk>/ta-emot/", views.commission_accept, name="commission-accept"),
    path("<int:pk>/insatsen-har-borjat/", views.intervention_start, name="intervention-start"),
]
