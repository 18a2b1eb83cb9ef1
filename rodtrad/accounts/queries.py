"""Reads for user administration: users and their memberships, never case or person data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from rodtrad.accounts.models import Membership, User


def users_with_memberships() -> QuerySet[User]:
    """Every user, each with `current_memberships` (valid today) for the administration list."""
    today = timezone.localdate()
    current = (
        Membership.objects.filter(valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("district", "unit")
        .order_by("role", "pk")
    )
    return User.objects.order_by("username").prefetch_related(
        Prefetch("memberships", queryset=current, to_attr="current_memberships")
    )


@dataclass(frozen=True)
class MembershipRow:
    membership: Membership
    is_current: bool
    is_ended: bool


def memberships_of(user: User, *, today: datetime.date | None = None) -> list[MembershipRow]:
    """The user's memberships with their state today (current, ended or starting later)."""
    today = today or timezone.localdate()
    rows = []
    for membership in (
        Membership.objects.filter(user=user)
        .select_related("district", "unit")
        .order_by("-valid_from", "pk")
    ):
        ended = membership.valid_to is not None and membership.valid_to < today
        current = membership.valid_from <= today and not ended
        rows.append(MembershipRow(membership=membership, is_current=current, is_ended=ended))
    return rows
