"""Investigation routes: ids in paths, never personal data. Mounted at /utredningar/."""

from django.urls import URLPattern, path

from rodtrad.investigation.kinds import KINDS, DocumentKind
from rodtrad.investigation.views import communication, extensions, overview, records
from rodtrad.investigation.views.documents import DocumentView

app_name = "investigation"


def _document_routes(kind: DocumentKind) -> list[URLPattern]:
    """The six routes of one kind of document, all served by DocumentView."""
    segment = kind.segment
    routes = (
        (f"<int:pk>/{segment}/ny/", "create"),
        (f"<int:pk>/{segment}/ny/autospara/", "create-autosave"),
        (f"{segment}/<int:pk>/", "edit"),
        (f"{segment}/<int:pk>/autospara/", "autosave"),
        (f"{segment}/<int:pk>/signera/", "sign"),
        (f"{segment}/<int:pk>/ratta/", "correct"),
    )
    return [
        path(route, DocumentView.as_view(kind=kind, action=action), name=f"{kind.key}-{action}")
        for route, action in routes
    ]


urlpatterns = [
    path("<int:pk>/", overview.investigation_detail, name="investigation-detail"),
    path("<int:pk>/information/", overview.informing_edit, name="informing-edit"),
    path("<int:pk>/kontakter/ny/", records.contact_create, name="contact-create"),
    path("<int:pk>/behov/nytt/", records.need_create, name="need-create"),
    path("behov/<int:pk>/", records.need_edit, name="need-edit"),
    path("behov/<int:pk>/ta-bort/", records.need_remove, name="need-remove"),
    path("<int:pk>/forlangning/", extensions.extension_create, name="extension-create"),
    path(
        "<int:pk>/forlangning/begaran/",
        extensions.extension_request_create,
        name="extension-request-create",
    ),
    path(
        "<int:pk>/forlangning/begaran/avsla/",
        extensions.extension_request_refuse,
        name="extension-request-refuse",
    ),
    path(
        "<int:pk>/kommunicering/ny/",
        communication.communication_create,
        name="communication-create",
    ),
    path(
        "kommunicering/<int:pk>/svar/",
        communication.communication_answer,
        name="communication-answer",
    ),
    path("<int:pk>/avsluta/", overview.investigation_close, name="investigation-close"),
]
for _kind in KINDS.values():
    urlpatterns += _document_routes(_kind)
