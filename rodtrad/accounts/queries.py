"""Reads for user administration: users and their memberships, never case or person data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from rodtrad.accounts.access import active_memberships, can
from rodtrad.accounts.models import (
    ActivationCode,
    Membership,
    MembershipProposal,
    ProposalStatus,
    Role,
    User,
)
from rodtrad.accounts.services import FOUR_EYES_ROLES, may_approve


def users_with_memberships() -> QuerySet[User]:
    """Every user, each with `current_memberships` (valid today) and `pending_proposals`
    (roles waiting for a team manager's approval) for the administration list."""
    today = timezone.localdate()
    current = (
        Membership.objects.filter(valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("district", "unit")
        .order_by("role", "pk")
    )
    pending = MembershipProposal.objects.filter(status=ProposalStatus.PENDING).select_related(
        "district", "unit"
    )
    return User.objects.order_by("username").prefetch_related(
        Prefetch("memberships", queryset=current, to_attr="current_memberships"),
        Prefetch("membership_proposals", queryset=pending, to_attr="pending_proposals"),
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


@dataclass(frozen=True)
class ProposalRow:
    proposal: MembershipProposal
    may_approve: bool
    # The approval gives the account its first role with case access: an activation code.
    needs_activation_code: bool


def pending_proposals_for(user: User) -> list[ProposalRow]:
    """Role proposals the user may act on: a team manager's districts (never the user's own
    grants), or every pending proposal for an administrator (to withdraw)."""
    pending = MembershipProposal.objects.filter(status=ProposalStatus.PENDING).select_related(
        "user", "district", "unit", "proposed_by"
    )
    if not can(user, "administer_users"):
        districts = {m.district_id for m in active_memberships(user) if m.role == Role.TEAM_MANAGER}
        pending = pending.filter(district_id__in=districts).exclude(user=user)
    proposals = list(pending.order_by("proposed_at", "pk"))
    user_ids = [p.user_id for p in proposals]
    # Whether the account already has a role with case access: if not, approving it removes
    # the account's second factor and issues an activation code (services).
    with_case_access = set(
        Membership.objects.filter(user_id__in=user_ids, role__in=FOUR_EYES_ROLES)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate()))
        .values_list("user_id", flat=True)
    )
    return [
        ProposalRow(
            proposal=p,
            may_approve=may_approve(user, p),
            needs_activation_code=p.user_id not in with_case_access,
        )
        for p in proposals
    ]


def proposals_of(user: User) -> QuerySet[MembershipProposal]:
    """Every role proposed for the user, newest first (the user's administration page)."""
    return (
        MembershipProposal.objects.filter(user=user)
        .select_related("district", "unit", "proposed_by", "decided_by")
        .order_by("-proposed_at", "-pk")
    )


def awaiting_activation_for(user: User) -> list[ActivationCode]:
    """Accounts in the team manager's districts whose activation code has not been used yet
    (the code's issue and expiry, never the code): the manager may issue a new one. Each row is
    the pending ActivationCode with its `user`; empty for everyone but team managers."""
    districts = {m.district_id for m in active_memberships(user) if m.role == Role.TEAM_MANAGER}
    if not districts:
        return []
    today = timezone.localdate()
    in_district = (
        Membership.objects.filter(district_id__in=districts, role__in=FOUR_EYES_ROLES)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .values("user_id")
    )
    return list(
        ActivationCode.objects.filter(
            used_at__isnull=True, revoked_at__isnull=True, user_id__in=in_district
        )
        .exclude(user=user)
        .filter(user__is_active=True)
        .select_related("user", "issued_by")
        .order_by("issued_at", "pk")
    )


def pending_activation_of(user: User) -> ActivationCode | None:
    """The account's activation code that waits to be used (issue and expiry only), for the
    administrator's page: the administrator sees that the account waits, never the code."""
    return (
        ActivationCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True)
        .select_related("issued_by")
        .first()
    )


def has_second_factor(user: User) -> bool:
    """Whether the user has enrolled an authenticator app (never the key itself)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_handler_proposals_for(user: User) -> list[Any]:
    """Protected-person handler proposals in the team manager's districts that the user may
    approve or decline (not their own appointment). Only staff names and dates are shown
    here, never the person's: the link leads to the person's page, which is journaled."""
    # people is above accounts in the layers (docs/architecture.md, "Layers"): its model is
    # named by its label, as a ForeignKey would name it.
    HandlerProposal: Any = apps.get_model("people", "HandlerProposal")
    districts = {m.district_id for m in active_memberships(user) if m.role == Role.TEAM_MANAGER}
    if not districts:
        return []
    return list(
        HandlerProposal._default_manager.filter(
            status=HandlerProposal.Status.PENDING, person__district_id__in=districts
        )
        .exclude(user=user)
        .select_related("user", "proposed_by")
        .order_by("proposed_at", "pk")
    )
