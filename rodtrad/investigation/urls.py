"""Investigation routes: ids in paths, never personal data. Mounted at /utredningar/."""

from django.urls import URLPattern, path

from rodtrad.investigation import views

app_name = "investigation"

# Each kind of document: (URL name prefix, path segment).
DOCUMENT_PATHS = (
    ("plan", "plan"),
    ("area", "omraden"),
    ("risk", "riskbedomningar"),
    ("analysis", "analys"),
)


def _document_routes(key: str, segment: str) -> list[URLPattern]:
    return [
        path(f"<int:pk>/{segment}/ny/", views.document_create_view(key), name=f"{key}-create"),
        path(
            f"<int:pk>/{segment}/ny/autospara/",
            views.document_create_autosave_view(key),
            name=f"{key}-create-autosave",
        ),
        path(f"{segment}/<int:pk>/", views.document_edit_view(key), name=f"{key}-edit"),
        path(
            f"{segment}/<int:pk>/autospara/",
            views.document_autosave_view(key),
            name=f"{key}-autosave",
        ),
        path(f"{segment}/<int:pk>/signera/", views.document_sign_view(key), name=f"{key}-sign"),
        path(f"{segment}/<int:pk>/ratta/", views.document_correct_view(key), name=f"{key}-correct"),
    ]


urlpatterns = [
    path("<int:pk>/", views.investigation_detail, name="investigation-detail"),
    path("<int:pk>/information/", views.informing_edit, name="informing-edit"),
    path("<int:pk>/kontakter/ny/", views.contact_create, name="contact-create"),
    path("<int:pk>/behov/nytt/", views.need_create, name="need-create"),
    path("behov/<int:pk>/", views.need_edit, name="need-edit"),
    path("behov/<int:pk>/ta-bort/", views.need_remove, name="need-remove"),
    path("<int:pk>/forlangning/", views.extension_create, name="extension-create"),
    path(
        "<int:pk>/forlangning/begaran/",
        views.extension_request_create,
        name="extension-request-create",
    ),
    path(
        "<int:pk>/forlangning/begaran/avsla/",
        views.extension_request_refuse,
        name="extension-request-refuse",
    ),
    path("<int:pk>/kommunicering/ny/", views.communication_create, name="communication-create"),
    path("kommunicering/<int:pk>/svar/", views.communication_answer, name="communication-answer"),
    path("<int:pk>/avsluta/", views.investigation_close, name="investigation-close"),
]
for _key, _segment in DOCUMENT_PATHS:
    urlpatterns += _document_routes(_key, _segment)
