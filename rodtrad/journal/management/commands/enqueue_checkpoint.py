"""`manage.py enqueue_checkpoint`: queue the daily checkpoint task for the worker.

Run from cron once a day (docs/deployment.md); the django-tasks-db worker (`rodtrad
db_worker`) then seals the new access events and stores a signed checkpoint. With the
immediate backend (development) the task runs at once. Wrapped by `rodtrad enqueue-checkpoint`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from rodtrad.journal.tasks import write_daily_checkpoint


class Command(BaseCommand):
    help = _("Lägger den dagliga kontrollpunkten i kön för bakgrundsarbetaren.")
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        result = write_daily_checkpoint.enqueue()
        self.stdout.write(
            _("Uppgiften %(id)s är köad (status: %(status)s)")
            % {"id": result.id, "status": result.status}
        )
