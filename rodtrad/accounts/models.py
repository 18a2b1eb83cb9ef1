"""Users, the organisation (districts and units) and who holds which role where."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of docs/principles.md rule 3; a user may hold several, each scoped."""

    INTAKE_WORKER = "intake_worker", _("Mottagningssekreterare")
    INVESTIGATOR = "investigator", _("Utredande socialsekreterare")
    PROVIDER = "provider", _("Utförare")
    TEAM_MANAGER = "team_manager", _("Enhetschef")
    ANALYST = "analyst", _("Analytiker")
    REVIEWER = "reviewer", _("Intern granskare")
    ADMINISTRATOR = "administrator", _("Systemadministratör")


class UnitKind(models.TextChoices):
    INTAKE = "intake", _("Mottagning")
    INVESTIGATION = "investigation", _("Utredning")
    PROVIDER = "provider", _("Öppenvård/utförare")
    PLACEMENT = "placement", _("Placering")


class District(models.Model):
    """A stadsdelsområde (or a whole municipality): the outer boundary of case access."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("namn"), max_length=120)
    municipality = models.CharField(_("kommun"), max_length=120, default="Stockholm")
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("stadsdel")
        verbose_name_plural = _("stadsdelar")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """An organisational unit inside a district: intake, investigation, provider or placement."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="units")
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("namn"), max_length=160)
    kind = models.CharField(_("typ"), max_length=20, choices=UnitKind.choices)
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["district__name", "name"]
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who works in Rodtrad. Roles come from memberships, never from flags."""

    title = models.CharField(_("titel"), max_length=120, blank=True)
    # Generated demo users may skip TOTP in demo mode only (settings.DEMO_MODE).
    is_demo = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A role held by a user in a district, optionally narrowed to one unit."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="memberships", null=True, blank=True
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="memberships", null=True, blank=True
    )
    valid_from = models.DateField(_("gäller från"), default=timezone.localdate)
    valid_to = models.DateField(_("gäller till"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "role"]
        constraints = [
            # Only the administrator may be unscoped; everyone else works in a district.
            models.CheckConstraint(
                condition=models.Q(district__isnull=False) | models.Q(role="administrator"),
                name="membership_scoped_unless_administrator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} – {self.unit or self.district or '–'}"


class UserSession(models.Model):
    """Which server-side sessions a user holds, so that they can all be destroyed at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tracked_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)


class EmergencyAccessStatus(models.TextChoices):
    ACTIVE = "active", _("Aktiv")
    PENDING = "pending", _("Väntar på godkännande")
    REJECTED = "rejected", _("Avslagen")
    # An active grant whose time ran out, marked so when the user asks again for the same case
    # (and by the migration that added the constraint below): only an open grant is unique.
    EXPIRED = "expired", _("Utgången")


# A grant that is open: active (until it expires) or waiting for approval. One per user and
# case (docs/security.md, S16).
OPEN_EMERGENCY_STATUSES = (EmergencyAccessStatus.ACTIVE, EmergencyAccessStatus.PENDING)


class EmergencyAccess(models.Model):
    """Break the glass: read-only access to one case outside the user's scope, for a time."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="emergency_accesses")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("skäl"))
    status = models.CharField(
        max_length=10, choices=EmergencyAccessStatus.choices, default=EmergencyAccessStatus.ACTIVE
    )
    requested_at = models.DateTimeField(default=timezone.now)
    starts_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    review_note = models.TextField(_("granskningskommentar"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["user", "expires_at"])]
        constraints = [
            # At most one open grant per user and case; a partial unique index on SQLite and
            # PostgreSQL alike. The service returns the open grant instead of a second one.
            models.UniqueConstraint(
                fields=["user", "case"],
                condition=models.Q(status__in=["active", "pending"]),
                name="one_open_emergency_access_per_user_and_case",
            ),
        ]

    @property
    def has_expired(self) -> bool:
        """Whether the grant's time is over (whatever its status says)."""
        return self.status == EmergencyAccessStatus.EXPIRED or (
            self.expires_at is not None and self.expires_at <= timezone.now()
        )


class UnauthenticatedEventCount(models.Model):
    """Security events of one kind caused by requests nobody is signed in for, per window.

    Anyone can send such requests (CSP reports, failed or token-less sign-ins), so the journal
    takes only the first few of each kind and window one by one, and then one summary entry
    with the count: anonymous requests cannot grow the hash chain without bound (issue 6,
    §3.6). This table is not chained; its rows are bounded by kinds × windows, not requests.
    """

    action = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    journaled = models.PositiveIntegerField(default=0)
    is_summarised = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action", "window_start"], name="one_event_count_per_action_and_window"
            )
        ]
        indexes = [models.Index(fields=["is_summarised", "window_start"])]


class LoginFailureCount(models.Model):
    """Failed sign-ins from one client address in one window, across every username.

    django-axes locks a username + address pair after three failures; this count limits one
    address trying many usernames (password spraying). See rodtrad/accounts/lockout.py.
    """

    ip_address = models.CharField(max_length=45)
    window_start = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ip_address", "window_start"], name="one_failure_count_per_ip_and_window"
            )
        ]
        indexes = [models.Index(fields=["window_start"])]


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Väntar på godkännande")
    APPROVED = "approved", _("Godkänd")
    DECLINED = "declined", _("Avslagen")


class MembershipProposal(models.Model):
    """A role that gives access to case content, proposed by an administrator and not in force
    until a team manager of the district approves it (four eyes, docs/security.md).

    Approval creates the Membership; until then the user holds nothing. Memberships created
    directly (the command line, the demo generator, tests) need no proposal.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="membership_proposals")
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    valid_from = models.DateField(_("gäller från"))
    valid_to = models.DateField(_("gäller till"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    membership = models.OneToOneField(
        Membership, on_delete=models.PROTECT, related_name="proposal", null=True, blank=True
    )

    class Meta:
        ordering = ["proposed_at", "pk"]
        indexes = [models.Index(fields=["status", "district"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} – {self.unit or self.district}"


class ActivationCode(models.Model):
    """A one-time code that the approving team manager hands over in person: the account's
    second factor cannot be enrolled without it once the account has been given access to
    case content (docs/security.md, "Activation of accounts with case access").

    Only a hash of the code is stored; the code itself is shown once, to the team manager.
    A code is pending until it is used or replaced by a newer one (`revoked_at`); a pending
    code that has expired still blocks enrolment until a new one is issued.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="activation_codes")
    code_hash = models.CharField(max_length=256)
    issued_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(used_at__isnull=True, revoked_at__isnull=True),
                name="one_pending_activation_code_per_user",
            )
        ]

    def is_expired(self, *, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at
