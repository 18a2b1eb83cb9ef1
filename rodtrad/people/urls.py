"""People routes. Swedish paths; no identity number or search term ever appears in a URL (S31)."""

from django.urls import path

from rodtrad.people.views import detail, edit, handlers, relationships, search

app_name = "people"

urlpatterns = [
    path("", search.person_search, name="person-search"),
    path("ny/", edit.person_create, name="person-create"),
    path("<int:pk>/", detail.person_detail, name="person-detail"),
    path("<int:pk>/andra/", edit.person_edit, name="person-edit"),
    path("<int:pk>/skydd/", edit.protection_edit, name="protection-edit"),
    path("<int:pk>/relationer/ny/", relationships.relationship_add, name="relationship-add"),
    path("relationer/<int:pk>/avsluta/", relationships.relationship_end, name="relationship-end"),
    path("<int:pk>/handlaggare/", handlers.handler_appoint, name="handler-appoint"),
    path("<int:pk>/handlaggare/ta-bort/", handlers.handler_remove, name="handler-remove"),
]
