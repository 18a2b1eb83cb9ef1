"""Root URLconf. Every route here is in the permission matrix (rodtrad/*/tests/permissions.toml)."""

from django.urls import include, path

from rodtrad.accounts import views_security
from rodtrad.api.urls import api
from rodtrad.lib import views as lib_views
from rodtrad.worklists import views as worklist_views

urlpatterns = [
    path("", worklist_views.home, name="home"),
    path("healthz", lib_views.health, name="health"),
    path("favicon.ico", lib_views.favicon, name="favicon"),
    path("csp-report/", views_security.csp_report, name="csp-report"),
    path("language/", lib_views.set_language, name="set-language"),
    path("konto/", include("rodtrad.accounts.urls")),
    path("administration/", include("rodtrad.frameworks.urls")),
    path("personer/", include("rodtrad.people.urls")),
    path("arenden/", include("rodtrad.cases.urls")),
    path("mottagning/", include("rodtrad.intake.urls")),
    path("utredningar/", include("rodtrad.investigation.urls")),
    path("beslut/", include("rodtrad.decisions.urls")),
    path("placeringar/", include("rodtrad.placements.urls")),
    path("uppdrag/", include("rodtrad.commissions.urls")),
    path("uppfoljning/", include("rodtrad.followup.urls")),
    path("dokument/", include("rodtrad.letters.urls")),
    path("frister/", include("rodtrad.worklists.urls")),
    path("statistik/", include("rodtrad.stats.urls")),
    path("egenkontroll/", include("rodtrad.audits.urls")),
    path("api/v1/", api.urls),
]

handler400 = "rodtrad.lib.views.bad_request"
handler403 = "rodtrad.lib.views.permission_denied"
handler404 = "rodtrad.lib.views.page_not_found"
handler500 = "rodtrad.lib.views.server_error"
