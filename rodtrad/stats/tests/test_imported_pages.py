"""Imported records are the ordinary record: the case and report pages show them, marked
"Importerad" (docs/import-format.md, "What is created")."""

from __future__ import annotations

from django.urls import reverse

from conftest import sign_in
from rodtrad.intake.models import Report
from rodtrad.stats import services
from rodtrad.stats.tests.test_import import GOOD


def test_case_and_report_pages_show_imported_records(client, districts, admin, own_units):
    from rodtrad.accounts.models import Role
    from rodtrad.accounts.tests.factories import UserFactory

    services.import_reports(GOOD, file_name="reports.csv", by=admin)
    manager = UserFactory(
        username="manager", role=Role.TEAM_MANAGER, role__district=own_units["intake"].district
    )
    sign_in(client, manager)
    for report in Report.objects.filter(district__code="bromma"):
        case = report.children.get().case
        page = client.get(reverse("cases:case-detail", args=[case.pk]))
        assert page.status_code == 200, report.external_id
        assert "Importerad" in page.content.decode()
        page = client.get(reverse("intake:report-detail", args=[report.pk]))
        assert page.status_code == 200, report.external_id
        assert 'id="imported"' in page.content.decode()
