"""People routes. Swedish paths; no identity number or search term ever appears in a URL (S31)."""

from django.urls import path

from rodtrad.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_search, name="person-search"),
    path("ny/", views.person_create, name="person-create"),
    path("<int:pk>/", views.person_detail, name="person-detail"),
    path("<int:pk>/andra/", views.person_edit, name="person-edit"),
    path("<int:pk>/skydd/", views.protection_edit, name="protection-edit"),
    path("<int:pk>/relationer/ny/", views.relationship_add, name="relationship-add"),
    path("relationer/<int:pk>/avsluta/", views.relationship_end, name="relationship-end"),
    path("<int:pk>/handlaggare/", views.handler_appoint, name="handler-appoint"),
    path("<int:pk>/handlaggare/ta-bort/", views.handler_remove, name="handler-remove"),
]
