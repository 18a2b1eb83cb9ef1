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
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from rodtrad.accounts.access import active_memberships, can
from rodtrad.accounts.models import (
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


def is_district_team_manager(user: Any, district_id: int | None) -> bool:
    """An active team manager membership in the district (the approvers of four-eyes grants)."""
    return district_id is not None and any(
        m.role == Role.TEAM_MANAGER and m.district_id == district_id
        for m in active_memberships(user)
    )


def may_approve(by: Any, proposal: MembershipProposal) -> bool:
    """A team manager of the proposal's district, who neither proposed it nor receives it."""
    return (
        is_district_team_manager(by, proposal.district_id)
        and by.pk != proposal.user_id
        and by.pk != proposal.proposed_by_id
    )


def approve_membership_proposal(proposal: MembershipProposal, *, by: User) -> Membership:
    """The second pair of eyes: the role is in force from today; the user's sessions end."""
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
            },
        )
    proposal.refresh_from_db()
    return membership


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


def start_totp_enrollment(user: User, *, key: str) -> TOTPDevice:
    """The user's unconfirmed TOTP device (one per user), created with the key the set-up page
    showed when the user first posts a code. Never called on GET (issue 6, §3.10)."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise PermissionDenied
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=False
            )
            record("accounts.second_factor_enrollment_started", by=user, obj=user)
    return device


def confirm_totp_device(device: TOTPDevice, *, by: User, token: str) -> bool:
    """Confirm the device with a token from the app; journal the outcome either way."""
    with transaction.atomic():
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


def forget_expired_session(session_key: str) -> bool:
    """Remove an expired session row (and its tracking row) that a browser still presents."""
    deleted, _details = Session.objects.filter(
        session_key=session_key, expire_date__lte=timezone.now()
    ).delete()
    if not Session.objects.filter(session_key=session_key).exists():
        UserSession.objects.filter(session_key=session_key).delete()
    return bool(deleted)


# --- Security events of requests without a signed-in user (issue 6, §3.6) --------------------


def _window_start(moment: datetime.datetime, seconds: int) -> datetime.datetime:
    start = int(moment.timestamp()) // seconds * seconds
    return datetime.datetime.fromtimestamp(start, tz=datetime.UTC)


def record_unauthenticated_event(
    action: str, *, by: Any = None, obj: Any = None, data: dict[str, Any] | None = None
) -> bool:
    """Journal an event that anyone can cause without signing in, within a budget.

    The first RODTRAD_UNAUTHENTICATED_EVENTS_PER_WINDOW events of each action in each window
    are journaled one by one, as before; after that they are only counted, and the window gets
    one summary entry (`security.unauthenticated_events_counted`) when it has closed. Returns
    whether this event got its own entry.
    """
    seconds = settings.RODTRAD_UNAUTHENTICATED_EVENT_WINDOW_SECONDS
    start = _window_start(timezone.now(), seconds)
    with transaction.atomic():
        _summarise_closed_windows(before=start)
        row, _created = UnauthenticatedEventCount.objects.select_for_update().get_or_create(
            action=action, window_start=start
        )
        individual = row.journaled < settings.RODTRAD_UNAUTHENTICATED_EVENTS_PER_WINDOW
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
