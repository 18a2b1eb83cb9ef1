from django.urls import path

from rodtrad.frameworks import views

app_name = "frameworks"

urlpatterns = [
    path("kodlistor/", views.codelist_list, name="codelist-list"),
]
