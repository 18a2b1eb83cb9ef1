"""The access events of a page that lib draws (the conflict page of lib/versioning.py).

lib is below the journal in the layers (docs/architecture.md, "Layers"), so the journal
registers `record_page_read` with lib when Django starts (`JournalConfig.ready`).
"""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest

from rodtrad.journal.services import record_access_once, subjects_of


def record_page_read(request: HttpRequest, about: models.Model) -> None:
    """One access event per case and person the page is about (`subjects_of`), unless the
    view already wrote one for it in this request."""
    user = request.user
    if not user.is_authenticated:
        return  # lib/versioning only calls this for a signed-in user
    match = request.resolver_match
    route = match.view_name if match is not None else ""
    cases, persons = subjects_of(about, by=user)
    for case in cases:
        record_access_once(by=user, case=case, route=route)
    for person in persons:
        record_access_once(by=user, person=person, route=route)
