"""Reads for the statistics pages (docs/statistics.md, "Snapshots")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from rodtrad.accounts import access
from rodtrad.accounts.models import District
from rodtrad.stats.models import Snapshot

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rodtrad.accounts.models import User


def visible_snapshots(user: User | AnonymousUser) -> QuerySet[Snapshot]:
    """The snapshots whose every district the user sees statistics of: the analyst all, a team
    manager those of their own districts only, everyone else none (deny by default)."""
    visible = access.statistics_districts(user).values_list("pk", flat=True)
    hidden = District.objects.exclude(pk__in=visible)
    if not visible.exists():
        return Snapshot.objects.none()
    return (
        Snapshot.objects.exclude(districts__in=hidden)
        .select_related("created_by")
        .prefetch_related("districts")
    )
