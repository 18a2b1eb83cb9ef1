"""Background tasks of the journal (django-tasks; the database backend's worker runs them).

`write_daily_checkpoint` is enqueued once a day by `rodtrad enqueue-checkpoint` from cron
(docs/deployment.md, "The journal"); it does what `rodtrad export-checkpoint` does.
"""

from __future__ import annotations

from django_tasks import task

from rodtrad.journal.services import write_checkpoint
from rodtrad.lib import request_context


@task()
def write_daily_checkpoint() -> str:
    """Seal new access events and store a signed checkpoint; returns the file's path."""
    token = request_context.activate(request_context.RequestContext(channel="system"))
    try:
        written = write_checkpoint(by_label="task")
    finally:
        request_context.deactivate(token)
    return str(written.path)
