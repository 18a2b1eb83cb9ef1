"""What intake hands over to the next phase: opening the investigation.

A pre-assessment that decides to open an investigation (SoL 2025:400 19 kap.) ends intake's
part; the investigation itself belongs to the investigation app, which is above intake in the
layers (docs/architecture.md, "Layers"). So investigation registers its service here when
Django starts (`InvestigationConfig.ready`), and intake calls it through `open_investigation`
in the same transaction, without importing the investigation app.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from rodtrad.accounts.models import User
    from rodtrad.cases.models import Case
    from rodtrad.investigation.models import Investigation


class InvestigationOpener(Protocol):
    """investigation.services.open_investigation: (case, *, by, opened_on) -> the new one."""

    def __call__(self, case: Case, *, by: User, opened_on: date) -> Investigation: ...


_opener: InvestigationOpener | None = None


def register_investigation_opener(opener: InvestigationOpener) -> None:
    """Called once by the investigation app at start-up; a second call replaces the first."""
    global _opener
    _opener = opener


def open_investigation(case: Case, *, by: User, opened_on: date) -> Investigation:
    if _opener is None:
        raise ImproperlyConfigured(
            "No investigation opener registered: rodtrad.investigation must be installed "
            "(InvestigationConfig.ready registers investigation.services.open_investigation)."
        )
    return _opener(case, by=by, opened_on=opened_on)
