from django.urls import path

from rodtrad.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_search, name="person-search"),
]
