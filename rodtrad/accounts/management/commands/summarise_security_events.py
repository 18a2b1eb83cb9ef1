"""Journal the counts of unauthenticated security events for every closed window.

    rodtrad summarise-security-events     # e.g. hourly from cron

The next such event writes these summaries anyway; the command makes sure a quiet hour after
an attack is summarised too. Prints one JSON line: {"summaries": N}.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from rodtrad.accounts import services
from rodtrad.lib import request_context


class Command(BaseCommand):
    help = "Journal the counts of unauthenticated security events for closed windows."

    def handle(self, *args: Any, **options: Any) -> None:
        token = request_context.activate(request_context.RequestContext(channel="cli"))
        try:
            written = services.summarise_unauthenticated_events()
        finally:
            request_context.deactivate(token)
        self.stdout.write(json.dumps({"summaries": written}))
