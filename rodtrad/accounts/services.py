"""Every change to users, memberships, sessions and second-factor devices.

Rules that hold here (docs/security-checks.md S05, S08 and S17; docs/security.md, "Decisions"):

* Only an administrator may change accounts (`by=None` is the command line, `channel="cli"`).
* Passwords are checked with AUTH_PASSWORD_VALIDATORS (Swedish messages). There is no
  self-service password reset: an administrator sets a new password, which ends every session
  of the user. A forgotten password therefore goes through the administrator (documented on the
  login page).
* Deactivation and every role change (membership added or ended) delete all server-side
  sessions of the user, so the change takes effect on the user's next request.
* Separation of duties: nobody changes their own memberships, and the administrator role is
  never held together with another role by the same account. An administrator who also works
  with cases needs a second, separate account; both accounts, and who created them, are in the
  journal.
* A membership's unit belongs to its district; an administrator membership has no district and
  no unit; every other role has a district.
* Four eyes (issue 6, §3.5): a role that gives access to case content (FOUR_EYES_ROLES) is only
  *proposed* by the administrator and is not in force until a team manager of the district
  approves it; nobody approves a proposal of their own or a role for themselves. The command
  line (`by=None`) grants directly: whoever runs it already holds the server.
* Activation (red-team finding S-1 on issue 6): the approval that gives an account its first
  role with access to case content removes the account's second-factor devices and issues a
  one-time activation code, shown once to the approving team manager, who hands it over in
  person. Until the code is used, the second factor can only be enrolled with it, so an
  administrator who knows the password (and may have enrolled a device before the approval)
  cannot reach case content as the account.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from rodtrad.accounts.access import active_memberships, can
from rodtrad.accounts.models import (
    ActivationCode,
    District,
    Membership,
    MembershipProposal,
    ProposalStatus,
    Role,
    UnauthenticatedEventCount,
    Unit,
    User,
    UserSession,
)
from rodtrad.journal.services import record

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

TOTP_DEVICE_NAME = "Autentiseringsapp"

# Roles whose grant needs a second person. Intake workers, investigators and team managers
# read their district's cases today; providers (their commissions) and internal reviewers
# (sampled cases) read case content as those features arrive, so their grants are treated the
# same from now on. Analysts see aggregates only, and administrators no case content at all.
FOUR_EYES_ROLES = frozenset(
    {Role.INTAKE_WORKER, Role.INVESTIGATOR, Role.TEAM_MANAGER, Role.PROVIDER, Role.REVIEWER}
)


def needs_second_person(role: str) -> bool:
    """Whether granting this role needs a team manager's approval (four eyes)."""
    return role in FOUR_EYES_ROLES


def _require_administrator(by: User | None) -> None:
    """`by=None` is the command line or the system; anyone else must administer users."""
    if by is not None and not can(by, "administer_users"):
        raise PermissionDenied


def _bump_version(user: User) -> None:
    User.objects.filter(pk=user.pk).update(version=F("version") + 1)
    user.refresh_from_db(fields=["version"])


def end_all_sessions(user: User) -> int:
    """Delete every server-side session the user holds; returns how many were deleted."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    deleted, _details = Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return deleted


def _current_memberships(user: User) -> list[Membership]:
    today = timezone.localdate()
    return list(
        Membership.objects.filter(user=user)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("district", "unit")
    )


def _check_membership(
    user: User,
    *,
    by: User | None,
    role: str,
    district: District | None,
    unit: Unit | None,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
) -> None:
    """Raise ValidationError (field -> Swedish message) if the membership breaks a rule."""
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = _("Okänd roll.")
    elif role == Role.ADMINISTRATOR:
        if district is not None or unit is not None:
            errors["district"] = _(
                "Rollen systemadministratör gäller hela systemet och har ingen stadsdel eller "
                "enhet."
            )
    elif district is None:
        errors["district"] = _("Välj en stadsdel för den här rollen.")
    if district is not None and not district.is_active:
        errors["district"] = _("Stadsdelen är inte aktiv.")
    if unit is not None:
        if not unit.is_active:
            errors["unit"] = _("Enheten är inte aktiv.")
        elif district is not None and unit.district_id != district.pk:
            errors["unit"] = _("Enheten hör inte till den valda stadsdelen.")
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = _("Slutdatumet kan inte vara före startdatumet.")
    if errors:
        raise ValidationError(errors)

    if user.pk is None:
        return  # a user being created has no memberships yet
    if not user.is_active:
        raise ValidationError(_("Användaren är inaktiverad och kan inte få nya roller."))
    if by is not None and by.pk == user.pk:
        raise ValidationError(
            _("Du kan inte ändra dina egna roller. Be en annan administratör om det.")
        )
    current = _current_memberships(user)
    roles = {m.role for m in current}
    pending_case_roles = MembershipProposal.objects.filter(
        user=user, status=ProposalStatus.PENDING
    ).exists()
    if role == Role.ADMINISTRATOR and (roles - {Role.ADMINISTRATOR} or pending_case_roles):
        raise ValidationError(
            {
                "role": _(
                    "En administratör får inte ha andra roller i samma konto "
                    "(åtskillnad av uppgifter). Skapa ett separat administratörskonto."
                )
            }
        )
    if role != Role.ADMINISTRATOR and Role.ADMINISTRATOR in roles:
        raise ValidationError(
            {
                "role": _(
                    "Kontot är ett administratörskonto och kan inte få roller med tillgång till "
                    "ärenden eller personer (åtskillnad av uppgifter). Använd ett separat konto."
                )
            }
        )
    for membership in current:
        if (
            membership.role == role
            and membership.district_id == getattr(district, "pk", None)
            and membership.unit_id == getattr(unit, "pk", None)
        ):
            raise ValidationError({"role": _("Användaren har redan den rollen där.")})


def _scope_codes(district: District | None, unit: Unit | None) -> dict[str, str]:
    return {"district": district.code if district else "", "unit": unit.code if unit else ""}


def _add_membership(
    user: User,
    *,
    by: User | None,
    role: str,
    district: District | None,
    unit: Unit | None,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    journal_data: dict[str, Any] | None = None,
) -> Membership:
    valid_from = valid_from or timezone.localdate()
    _check_membership(
        user,
        by=by,
        role=role,
        district=district,
        unit=unit,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    membership = Membership.objects.create(
        user=user,
        role=role,
        district=district,
        unit=unit,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    record(
        "accounts.membership_added",
        by=by,
        obj=membership,
        district=district.code if district else "",
        data={
            "user_id": user.pk,
            "role": role,
            **_scope_codes(district, unit),
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat() if valid_to else "",
            **(journal_data or {}),
        },
    )
    return membership


def validate_new_password(password: str, user: User) -> None:
    """Run AUTH_PASSWORD_VALIDATORS; raises ValidationError with Swedish messages."""
    password_validation.validate_password(password, user)


def create_user(
    *,
    by: User | None,
    username: str,
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    password: str,
    role: str,
    district: District | None = None,
    unit: Unit | None = None,
) -> User:
    """Create an active user with a validated password and one membership."""
    _require_administrator(by)
    username = username.strip()
    if district is None and unit is not None and role != Role.ADMINISTRATOR:
        district = unit.district
    errors: dict[str, list[str]] = {}
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        errors["username"] = [
            _("Användarnamnet får bara innehålla bokstäver, siffror och tecknen @ . + - _")
        ]
    if not username:
        errors["username"] = [_("Ange ett användarnamn.")]
    elif len(username) > 150:
        errors["username"] = [_("Användarnamnet får ha högst 150 tecken.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("Användarnamnet är upptaget.")]
    user = User(username=username, first_name=first_name, last_name=last_name, title=title)
    try:
        validate_new_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    try:
        _check_membership(
            user,
            by=by,
            role=role,
            district=district,
            unit=unit,
            valid_from=timezone.localdate(),
            valid_to=None,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        user.set_password(password)
        user.save()
        record(
            "accounts.user_created",
            by=by,
            obj=user,
            district=district.code if district else "",
            data={"role": role, **_scope_codes(district, unit)},
        )
        if by is not None and needs_second_person(role):
            _propose_membership(
                user,
                by=by,
                role=role,
                district=district,
                unit=unit,
                valid_from=None,
                valid_to=None,
            )
        else:
            _add_membership(
                user,
                by=by,
                role=role,
                district=district,
                unit=unit,
                valid_from=None,
                valid_to=None,
            )
    return user


def set_password(user: User, *, by: User | None, password: str) -> None:
    """Set a new password chosen by an administrator; ends every session of the user."""
    _require_administrator(by)
    validate_new_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        _bump_version(user)
        ended = end_all_sessions(user)
        record("accounts.password_set", by=by, obj=user, data={"sessions_ended": ended})


def deactivate_user(user: User, *, by: User | None) -> None:
    """Deactivate a user: no more sign-ins, and every open session is deleted at once."""
    _require_administrator(by)
    if by is not None and by.pk == user.pk:
        raise ValidationError(_("Du kan inte inaktivera ditt eget konto."))
    if not user.is_active:
        raise ValidationError(_("Användaren är redan inaktiverad."))
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        _bump_version(user)
        ended = end_all_sessions(user)
        record("accounts.user_deactivated", by=by, obj=user, data={"sessions_ended": ended})


def add_membership(
    user: User,
    *,
    by: User | None,
    role: str,
    district: District | None = None,
    unit: Unit | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> Membership:
    """Give the user a role in a district (or unit); ends the user's sessions (role change).

    Roles that give access to case content are proposed instead (propose_membership), unless
    the command line grants them."""
    _require_administrator(by)
    if by is not None and needs_second_person(role):
        raise ValidationError({"role": str(NEEDS_APPROVAL)})
    with transaction.atomic():
        membership = _add_membership(
            user,
            by=by,
            role=role,
            district=district,
            unit=unit,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        _bump_version(user)
        end_all_sessions(user)
    return membership


NEEDS_APPROVAL = _lazy(
    "Rollen ger tillgång till ärenden och gäller först när en enhetschef i stadsdelen har "
    "godkänt den. Föreslå rollen i stället."
)


def _propose_membership(
    user: User,
    *,
    by: User,
    role: str,
    district: District | None,
    unit: Unit | None,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
) -> MembershipProposal:
    valid_from = valid_from or timezone.localdate()
    _check_membership(
        user,
        by=by,
        role=role,
        district=district,
        unit=unit,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    assert district is not None  # every four-eyes role is scoped (checked above)
    if MembershipProposal.objects.filter(
        user=user, role=role, district=district, unit=unit, status=ProposalStatus.PENDING
    ).exists():
        raise ValidationError({"role": _("Rollen är redan föreslagen och väntar på godkännande.")})
    proposal = MembershipProposal.objects.create(
        user=user,
        role=role,
        district=district,
        unit=unit,
        valid_from=valid_from,
        valid_to=valid_to,
        proposed_by=by,
    )
    record(
        "accounts.membership_proposed",
        by=by,
        obj=proposal,
        district=district.code,
        data={
            "user_id": user.pk,
            "role": role,
            **_scope_codes(district, unit),
            "valid_from": valid_from.isoformat(),
            "valid_to": valid_to.isoformat() if valid_to else "",
        },
    )
    return proposal


def propose_membership(
    user: User,
    *,
    by: User,
    role: str,
    district: District | None = None,
    unit: Unit | None = None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> MembershipProposal:
    """Propose a role that gives access to case content; a team manager of the district
    approves it (approve_membership_proposal) before it is in force."""
    _require_administrator(by)
    if by is None or not needs_second_person(role):
        raise ValidationError({"role": _("Den här rollen läggs till direkt, utan förslag.")})
    if district is None and unit is not None:
        district = unit.district
    with transaction.atomic():
        proposal = _propose_membership(
            user,
            by=by,
            role=role,
            district=district,
            unit=unit,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        _bump_version(user)
    return proposal


def is_district_team_manager(user: User | AnonymousUser, district_id: int | None) -> bool:
    """An active team manager membership in the district (the approvers of four-eyes grants)."""
    return district_id is not None and any(
        m.role == Role.TEAM_MANAGER and m.district_id == district_id
        for m in active_memberships(user)
    )


def may_approve(by: User, proposal: MembershipProposal) -> bool:
    """A team manager of the proposal's district, who neither proposed it nor receives it."""
    return (
        is_district_team_manager(by, proposal.district_id)
        and by.pk != proposal.user_id
        and by.pk != proposal.proposed_by_id
    )


@dataclass(frozen=True)
class IssuedActivationCode:
    """A new activation code: `code` is the only copy of it in clear, for the page that shows
    it once to the team manager; the database keeps only a hash."""

    code: str
    expires_at: datetime.datetime
    user: User


@dataclass(frozen=True)
class Approval:
    """What approving a proposal did: the membership, and the activation code when the role
    was the account's first with access to case content."""

    membership: Membership
    activation_code: IssuedActivationCode | None


def has_case_access_membership(user: User) -> bool:
    """Whether the account holds a role with access to case content that has not ended (in
    force now or starting later)."""
    today = timezone.localdate()
    return (
        Membership.objects.filter(user=user, role__in=FOUR_EYES_ROLES)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .exists()
    )


def approve_membership_proposal(proposal: MembershipProposal, *, by: User) -> Approval:
    """The second pair of eyes: the role is in force from today; the user's sessions end.

    When it is the account's first role with access to case content, the account's
    second-factor devices are removed and an activation code is issued for the approving team
    manager to hand over: whoever enrolled a device before (the administrator who knows the
    password, say) cannot keep it, and a new one needs the code."""
    if not is_district_team_manager(by, proposal.district_id):
        raise PermissionDenied
    with transaction.atomic():
        fresh = (
            MembershipProposal.objects.select_for_update(of=("self",))
            .select_related("user", "district", "unit")
            .get(pk=proposal.pk)
        )
        if fresh.status != ProposalStatus.PENDING:
            raise ValidationError(_("Förslaget är redan avgjort."))
        if by.pk == fresh.user_id:
            raise ValidationError(_("Du kan inte godkänna en roll åt dig själv."))
        if by.pk == fresh.proposed_by_id:
            raise ValidationError(_("Du kan inte godkänna ditt eget förslag."))
        user = fresh.user
        is_first_case_role = not has_case_access_membership(user)
        membership = _add_membership(
            user,
            by=by,
            role=fresh.role,
            district=fresh.district,
            unit=fresh.unit,
            # Not in force before it was approved.
            valid_from=max(fresh.valid_from, timezone.localdate()),
            valid_to=fresh.valid_to,
            journal_data={"proposal_id": fresh.pk, "proposed_by_id": fresh.proposed_by_id},
        )
        fresh.status = ProposalStatus.APPROVED
        fresh.decided_by = by
        fresh.decided_at = timezone.now()
        fresh.membership = membership
        fresh.save(update_fields=["status", "decided_by", "decided_at", "membership"])
        _bump_version(user)
        ended = end_all_sessions(user)
        removed = _remove_second_factor_devices(user) if is_first_case_role else 0
        record(
            "accounts.membership_approved",
            by=by,
            obj=fresh,
            district=fresh.district.code,
            data={
                "user_id": user.pk,
                "role": fresh.role,
                "membership_id": membership.pk,
                "proposed_by_id": fresh.proposed_by_id,
                "sessions_ended": ended,
                "is_first_case_role": is_first_case_role,
                "second_factor_devices_removed": removed,
            },
        )
        issued = (
            _issue_activation_code(user, by=by, district=fresh.district)
            if is_first_case_role
            else None
        )
    proposal.refresh_from_db()
    return Approval(membership=membership, activation_code=issued)


def decline_membership_proposal(proposal: MembershipProposal, *, by: User) -> MembershipProposal:
    """A team manager of the district declines, or an administrator withdraws, a proposal."""
    withdrawn = can(by, "administer_users")
    if not withdrawn and not is_district_team_manager(by, proposal.district_id):
        raise PermissionDenied
    with transaction.atomic():
        fresh = MembershipProposal.objects.select_for_update().get(pk=proposal.pk)
        if fresh.status != ProposalStatus.PENDING:
            raise ValidationError(_("Förslaget är redan avgjort."))
        if by.pk == fresh.user_id:
            raise ValidationError(_("Du kan inte avgöra en roll åt dig själv."))
        fresh.status = ProposalStatus.DECLINED
        fresh.decided_by = by
        fresh.decided_at = timezone.now()
        fresh.save(update_fields=["status", "decided_by", "decided_at"])
        record(
            "accounts.membership_declined",
            by=by,
            obj=fresh,
            district=proposal.district.code,
            data={"user_id": fresh.user_id, "role": fresh.role, "withdrawn": withdrawn},
        )
    proposal.refresh_from_db()
    return proposal


def end_membership(membership: Membership, *, by: User | None) -> Membership:
    """End a membership from today (valid up to yesterday); ends the user's sessions."""
    _require_administrator(by)
    user = membership.user
    if by is not None and by.pk == user.pk:
        raise ValidationError(
            _("Du kan inte ändra dina egna roller. Be en annan administratör om det.")
        )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    if membership.valid_to is not None and membership.valid_to <= yesterday:
        raise ValidationError(_("Rollen är redan avslutad."))
    with transaction.atomic():
        membership.valid_to = yesterday
        membership.save(update_fields=["valid_to"])
        _bump_version(user)
        ended = end_all_sessions(user)
        record(
            "accounts.membership_ended",
            by=by,
            obj=membership,
            district=membership.district.code if membership.district else "",
            data={
                "user_id": user.pk,
                "role": membership.role,
                **_scope_codes(membership.district, membership.unit),
                "valid_to": yesterday.isoformat(),
                "sessions_ended": ended,
            },
        )
    return membership


def start_totp_enrollment(
    user: User, *, key: str, activation_code_id: int | None = None
) -> TOTPDevice:
    """The user's unconfirmed TOTP device (one per user), created with the key the set-up page
    showed when the user first posts a code. Never called on GET (issue 6, §3.10).

    While the account has a pending activation code, only a session that has shown the code
    (`accept_activation_code`, its id as `activation_code_id`) may enrol."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise PermissionDenied
    try:
        _require_activation(user, activation_code_id)
    except PermissionDenied:
        # Journaled: whoever knows the password tried to enrol without the code.
        with transaction.atomic():
            record("accounts.second_factor_enrollment_refused", by=user, obj=user, data={})
        raise
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=False
            )
            record("accounts.second_factor_enrollment_started", by=user, obj=user)
    return device


def confirm_totp_device(
    device: TOTPDevice, *, by: User, token: str, activation_code_id: int | None = None
) -> bool:
    """Confirm the device with a token from the app; journal the outcome either way. A pending
    activation code (which this session must have shown) is used up in the same write."""
    with transaction.atomic():
        code = _require_activation(by, activation_code_id)
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=by)
        allowed, _details = locked.verify_is_allowed()
        if locked.confirmed or not locked.verify_token(token):
            record(
                "accounts.second_factor_failed",
                by=by,
                obj=by,
                data={"stage": "setup", "throttled": not allowed},
            )
            return False
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=by, confirmed=False).delete()
        if code is not None:
            code.used_at = timezone.now()
            code.save(update_fields=["used_at"])
            record(
                "accounts.activation_code_used",
                by=by,
                obj=by,
                data={"activation_code_id": code.pk, "issued_by_id": code.issued_by_id},
            )
        record("accounts.second_factor_enrolled", by=by, obj=by, data={"device": "totp"})
    device.refresh_from_db()
    return True


def verify_second_factor(user: User, token: str) -> tuple[TOTPDevice | None, bool]:
    """(device, throttled): the confirmed device that accepts the token, journaled either way.

    Each token works once: django-otp keeps the time step of the last accepted token (last_t)
    and accepts only later steps. Failures slow further attempts down (django-otp throttling).
    """
    from django_otp import devices_for_user, verify_token

    throttled = False
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True):
            allowed, _details = device.verify_is_allowed()
            throttled = throttled or not allowed
            verified = verify_token(user, device.persistent_id, token)
            if verified is not None:
                record(
                    "accounts.second_factor_verified",
                    by=user,
                    obj=user,
                    data={"device": "totp"},
                )
                return verified, False
    record(
        "accounts.second_factor_failed",
        by=user,
        obj=user,
        data={"stage": "verify", "throttled": throttled},
    )
    return None, throttled


def step_up_needs_code(user: User) -> bool:
    """Whether `confirm_second_factor` needs a code from this user: always, but for a demo user
    without a device in demo mode (who signed in without one)."""
    if settings.DEMO_MODE and user.is_demo:
        return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())
    return True


@dataclass(frozen=True)
class StepUp:
    """What confirm_second_factor() found: true when the code was right; `throttled` when
    earlier wrong codes made the device refuse to check for a while."""

    confirmed: bool
    throttled: bool = False

    def __bool__(self) -> bool:
        return self.confirmed


def wrong_code_message(throttled: bool) -> str:
    """What a user is told about a refused code, at sign-in and at step-up alike."""
    if throttled:
        return _("För många felaktiga försök. Vänta en stund och försök sedan igen.")
    return _(
        "Koden stämmer inte eller har redan använts. Vänta på nästa kod i appen och försök igen."
    )


def confirm_second_factor(user: User, token: str, *, purpose: str) -> StepUp:
    """Step-up: the signed-in user enters a code from their app again before a sensitive act
    (`purpose`, e.g. "stats.export"; docs/statistics.md, "Step-up"). Journaled either way
    (`accounts.second_factor_confirmed` or `accounts.second_factor_failed` with stage
    "step_up"), in a transaction of its own, so that a failure stays in the journal although
    the act it guarded is refused. Each token works once, as at sign-in (django-otp's last_t),
    and failures slow further attempts down (django-otp throttling).

    A demo user without a device in demo mode, who signed in without a second factor
    (`middleware.needs_second_factor`), confirms without a code, journaled as such.
    """
    from django_otp import verify_token

    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=True))
        if not devices and settings.DEMO_MODE and user.is_demo:
            record(
                "accounts.second_factor_confirmed",
                by=user,
                obj=user,
                data={"purpose": purpose, "device": "demo"},
            )
            return StepUp(True)
        throttled = False
        for device in devices:
            allowed, _details = device.verify_is_allowed()
            throttled = throttled or not allowed
            if verify_token(user, device.persistent_id, token) is not None:
                record(
                    "accounts.second_factor_confirmed",
                    by=user,
                    obj=user,
                    data={"purpose": purpose, "device": "totp"},
                )
                return StepUp(True)
        record(
            "accounts.second_factor_failed",
            by=user,
            obj=user,
            data={"stage": "step_up", "purpose": purpose, "throttled": throttled},
        )
    return StepUp(False, throttled=throttled)


def forget_expired_session(session_key: str) -> bool:
    """Remove an expired session row (and its tracking row) that a browser still presents."""
    deleted, _details = Session.objects.filter(
        session_key=session_key, expire_date__lte=timezone.now()
    ).delete()
    if not Session.objects.filter(session_key=session_key).exists():
        UserSession.objects.filter(session_key=session_key).delete()
    return bool(deleted)


# --- Activation codes (red-team finding S-1 on issue 6) -----------------------------------------

ACTIVATION_CODE_VALID_DAYS = 7
# No 0/O, 1/I/L: read aloud or copied from paper without mistakes. 12 characters of 31 give
# about 59 bits; a guess per request can never find one within its seven days.
ACTIVATION_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACTIVATION_CODE_LENGTH = 12


def normalise_activation_code(text: str) -> str:
    """What the user typed, without spaces or dashes, in capitals."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


def format_activation_code(code: str) -> str:
    """ABCD-EFGH-JKMN: groups of four, as shown to the team manager."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def pending_activation_code(user: User) -> ActivationCode | None:
    """The account's activation code that is neither used nor replaced (maybe expired)."""
    return (
        ActivationCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True)
        .order_by("-issued_at", "-pk")
        .first()
    )


def _remove_second_factor_devices(user: User) -> int:
    """Delete every second-factor device of the account (TOTP and static), confirmed or not."""
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    return removed


def _issue_activation_code(
    user: User, *, by: User, district: District | None
) -> IssuedActivationCode:
    now = timezone.now()
    replaced = ActivationCode.objects.filter(
        user=user, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    code = "".join(secrets.choice(ACTIVATION_CODE_ALPHABET) for _i in range(ACTIVATION_CODE_LENGTH))
    row = ActivationCode.objects.create(
        user=user,
        code_hash=make_password(code),
        issued_by=by,
        issued_at=now,
        expires_at=now + datetime.timedelta(days=ACTIVATION_CODE_VALID_DAYS),
    )
    # Who issued it, for whom and until when; never the code.
    record(
        "accounts.activation_code_issued",
        by=by,
        obj=user,
        district=district.code if district else "",
        data={
            "activation_code_id": row.pk,
            "expires_at": row.expires_at.isoformat(),
            "replaced": replaced,
        },
    )
    return IssuedActivationCode(
        code=format_activation_code(code), expires_at=row.expires_at, user=user
    )


def activation_districts(user: User) -> set[int]:
    """The districts where the account holds a role with access to case content that has not
    ended: their team managers hand out its activation codes."""
    today = timezone.localdate()
    return set(
        Membership.objects.filter(user=user, role__in=FOUR_EYES_ROLES)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .values_list("district_id", flat=True)
    )


def may_issue_activation_code(by: User, user: User) -> bool:
    """A team manager of a district where the account has case access, never for themself."""
    return by.pk != user.pk and any(
        is_district_team_manager(by, district_id) for district_id in activation_districts(user)
    )


def issue_activation_code(user: User, *, by: User) -> IssuedActivationCode:
    """A new activation code for an account that has not been activated yet (the old code was
    lost or has expired): the old code stops working. Only a team manager of a district where
    the account has case access; never the administrator, who must never see a code."""
    if not may_issue_activation_code(by, user):
        raise PermissionDenied
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise ValidationError(_("Användaren är inaktiverad."))
        if pending_activation_code(user) is None:
            raise ValidationError(
                _(
                    "Kontot är redan aktiverat. En aktiveringskod behövs bara innan användaren "
                    "har aktiverat tvåstegsverifieringen."
                )
            )
        district = next(
            (
                m.district
                for m in active_memberships(by)
                if m.role == Role.TEAM_MANAGER and m.district_id in activation_districts(user)
            ),
            None,
        )
        issued = _issue_activation_code(user, by=by, district=district)
        _bump_version(user)
    return issued


def accept_activation_code(user: User, *, code: str) -> ActivationCode | None:
    """The account's pending activation code if `code` is it and it has not expired; else
    None. Journaled either way (never the typed text). Using it up is left to the enrolment
    (`confirm_totp_device`), so that a user who stops half-way can start again."""
    with transaction.atomic():
        pending = pending_activation_code(user)
        typed = normalise_activation_code(code)
        matches = pending is not None and check_password(typed, pending.code_hash)
        expired = pending is not None and pending.is_expired()
        if pending is None or not matches or expired:
            record(
                "accounts.activation_code_failed",
                by=user,
                obj=user,
                data={"is_expired": bool(matches and expired)},
            )
            return None
        record(
            "accounts.activation_code_accepted",
            by=user,
            obj=user,
            data={"activation_code_id": pending.pk},
        )
    return pending


def _require_activation(user: User, activation_code_id: int | None) -> ActivationCode | None:
    """The pending activation code that this session has shown, or None when the account has
    none; PermissionDenied when it has one and the session has not shown it (or it has
    expired or been replaced since)."""
    pending = pending_activation_code(user)
    if pending is not None and (activation_code_id != pending.pk or pending.is_expired()):
        raise PermissionDenied
    return pending


# --- Security events of requests without a signed-in user (issue 6, §3.6) --------------------


def _window_start(moment: datetime.datetime, seconds: int) -> datetime.datetime:
    start = int(moment.timestamp()) // seconds * seconds
    return datetime.datetime.fromtimestamp(start, tz=datetime.UTC)


def record_unauthenticated_event(
    action: str,
    *,
    by: User | None = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    is_about_an_account: bool = False,
) -> bool:
    """Journal an event that anyone can cause without signing in, within a budget.

    The first RODTRAD_UNAUTHENTICATED_EVENTS_PER_WINDOW events of each action in each window
    are journaled one by one, as before; after that they are only counted, and the window gets
    one summary entry (`security.unauthenticated_events_counted`) when it has closed. Returns
    whether this event got its own entry.

    `is_about_an_account`: the event concerns an existing account (a failed sign-in with its
    username, its lockout) and is always journaled one by one, so that noise about made-up
    usernames cannot hide an attack on a real account (red-team finding S-3 on issue 6). It
    takes the same path (counted in the same row) so that the answer and its timing do not
    depend on whether the username exists (S04); lockout bounds how many there can be.
    """
    seconds = settings.RODTRAD_UNAUTHENTICATED_EVENT_WINDOW_SECONDS
    start = _window_start(timezone.now(), seconds)
    with transaction.atomic():
        _summarise_closed_windows(before=start)
        row, _created = UnauthenticatedEventCount.objects.select_for_update().get_or_create(
            action=action, window_start=start
        )
        individual = (
            is_about_an_account
            or row.journaled < settings.RODTRAD_UNAUTHENTICATED_EVENTS_PER_WINDOW
        )
        UnauthenticatedEventCount.objects.filter(pk=row.pk).update(
            count=F("count") + 1, journaled=F("journaled") + (1 if individual else 0)
        )
        if individual:
            record(action, by=by, obj=obj, data=data)
    return individual


def _summarise_closed_windows(*, before: datetime.datetime) -> int:
    seconds = settings.RODTRAD_UNAUTHENTICATED_EVENT_WINDOW_SECONDS
    written = 0
    rows = UnauthenticatedEventCount.objects.select_for_update().filter(
        is_summarised=False, window_start__lt=before
    )
    for row in rows.order_by("window_start", "action"):
        if row.count > row.journaled:
            record(
                "security.unauthenticated_events_counted",
                by=None,
                data={
                    "action": row.action,
                    "window_start": row.window_start.isoformat(),
                    "window_seconds": seconds,
                    "count": row.count,
                    "journaled_one_by_one": row.journaled,
                },
            )
            written += 1
        UnauthenticatedEventCount.objects.filter(pk=row.pk).update(is_summarised=True)
    return written


def summarise_unauthenticated_events() -> int:
    """Write the summary entries of every closed window now (also done by the next event);
    returns how many were written. Run from cron with `manage.py summarise_security_events`."""
    seconds = settings.RODTRAD_UNAUTHENTICATED_EVENT_WINDOW_SECONDS
    with transaction.atomic():
        return _summarise_closed_windows(before=_window_start(timezone.now(), seconds))
