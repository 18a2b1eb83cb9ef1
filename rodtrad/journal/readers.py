"""What the journal asks about a reader: roles, memberships, emergency grants and scope.

The journal is below accounts in the layers (docs/architecture.md, "Layers"): every service
of every app writes to it, accounts.access among them (a refused read is journaled). So it
cannot import accounts.access, which answers these questions; accounts registers access.py
here when Django starts (`AccountsConfig.ready`), and the journal asks through `scope()`.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet


class ReaderScopeSource(Protocol):
    """The part of rodtrad/accounts/access.py that the journal uses (the module itself is
    registered, so these are its functions)."""

    def active_roles(self, user: Any) -> set[str]: ...

    def active_memberships(self, user: Any) -> list[Any]: ...

    def active_emergency_accesses(self, user: Any) -> QuerySet[Any]: ...

    def editable_cases(self, user: Any) -> QuerySet[Any]: ...

    def visible_cases(self, user: Any, *, include_emergency: bool = True) -> QuerySet[Any]: ...

    def visible_persons(self, user: Any, *, include_emergency: bool = True) -> QuerySet[Any]: ...


_source: ReaderScopeSource | None = None


def register(source: ReaderScopeSource) -> None:
    """Called once by accounts at start-up; a second call replaces the first."""
    global _source
    _source = source


def scope() -> ReaderScopeSource:
    if _source is None:
        raise ImproperlyConfigured(
            "No reader scope registered with the journal: rodtrad.accounts must be installed "
            "(AccountsConfig.ready registers accounts.access)."
        )
    return _source
