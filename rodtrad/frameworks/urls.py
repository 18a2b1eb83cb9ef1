from django.urls import path

from rodtrad.frameworks import views

app_name = "frameworks"

urlpatterns = [
    path("kodlistor/", views.codelist_list, name="codelist-list"),
    path("kodlistor/<int:pk>/", views.codelist_detail, name="codelist-detail"),
    path("kodlistor/<int:pk>/ny-kod/", views.code_add, name="code-add"),
    path("koder/<int:pk>/andra/", views.code_edit, name="code-edit"),
    path("koder/<int:pk>/avsluta/", views.code_retire, name="code-retire"),
]
