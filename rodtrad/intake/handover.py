"""What intake hands over to the next phase: opening the investigation.

A pre-assessment that decides to open an investigation (SoL 2025:400 19 kap.) ends intake's
part; the investigation itself belongs to the investigation app, which is above intake in the
layers (docs/architecture.md, "Layers"). So investigation registers its service here when
Django starts (`InvestigationConfig.ready`), and intake calls it through `open_investigation`
in the same transaction, without importing the investigation app.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# (case, *, by, opened_on) -> the new investigation
InvestigationOpener = Callable[..., Any]

_opener: InvestigationOpener | None = None


def register_investigation_opener(opener: InvestigationOpener) -> None:
    """Called once by the investigation app at start-up; a second call replaces the first."""
    global _opener
    _opener = opener


def open_investigation(case: Any, *, by: Any, opened_on: date) -> Any:
    if _opener is None:
        raise ImproperlyConfigured(
            "No investigation opener registered: rodtrad.investigation must be installed "
            "(InvestigationConfig.ready registers investigation.services.open_investigation)."
        )
    return _opener(case, by=by, opened_on=opened_on)
