"""The Case: one child's episode with the service, from report to closure."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    """Phases of a case; the allowed transitions live in workflow.py (issue: case spine)."""

    INTAKE = "intake", _("Aktualisering")
    PRE_ASSESSMENT = "pre_assessment", _("Förhandsbedömning")
    INVESTIGATION = "investigation", _("Utredning")
    # The investigation ended with a proposal of interventions; nothing is decided yet. The
    # decisions (a later issue) move the case on to intervention or close it.
    PROPOSAL_AWAITING_DECISION = "proposal_awaiting_decision", _("Förslag – väntar på beslut")
    INTERVENTION = "intervention", _("Insats pågår")
    FOLLOW_UP = "follow_up", _("Uppföljning")
    CLOSED = "closed", _("Avslutat")


class Case(models.Model):
    """One child's episode: everything about that child from a report to closure."""

    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    district = models.ForeignKey("accounts.District", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="responsible_cases",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=30, choices=CaseStatus.choices, default=CaseStatus.INTAKE
    )
    # Set when a protection assessment finds that the child needs immediate protection (SoL
    # 20:1) and cleared when the protective action taken is recorded: lists and the case page
    # show the case as urgent meanwhile. Only intake.services changes it, in the same
    # transaction as the assessment or the action (docs/architecture.md, the case spine).
    is_urgent = models.BooleanField(_("brådskande"), default=False)
    recorded_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["district", "status"]),
            models.Index(fields=["unit"]),
            # "Mina frister" reads the user's open cases and the intake unit's open queue,
            # not their closed history (worklists/queries.py, my_cases).
            models.Index(fields=["responsible", "status"], name="case_open_by_responsible_idx"),
            models.Index(fields=["unit", "status"], name="case_open_by_unit_idx"),
            # The case list's default order walks this index and stops after a page, instead
            # of sorting every case of the district (docs/performance.md).
            models.Index(fields=["district", "recorded_at"], name="case_district_recorded"),
            # A unit's cases in a district (the scope of a unit member) without reading the
            # rest of the district's.
            models.Index(fields=["unit", "district"], name="case_unit_district"),
            # "Who is responsible for a case I can see" (the list's filter) per user, by index.
            models.Index(fields=["responsible", "district"], name="case_responsible_district"),
            # The same for a unit member's scope: one seek per user and unit (cases/queries.py,
            # responsible_choices), not a read of every case of the user in the district.
            models.Index(
                fields=["responsible", "unit", "district"], name="case_responsible_unit_district"
            ),
        ]

    def __str__(self) -> str:
        return f"Ärende {self.pk}"


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SIGNED = "signed", _("Signerad")


class SignableDocument(models.Model):
    """A document that is evidence (docs/principles.md rule 4): a draft that autosaves until it is
    signed; signing locks it; a correction is a new document pointing at the one it corrects.

    Every document belongs to a case (access follows the case) and keeps the server's
    `recorded_at` beside the user-entered `event_on`; a document recorded more than
    settings.RODTRAD_LATE_RECORDING_DAYS after its event is marked as recorded late.
    Concrete documents add their own content fields and list them in CONTENT_FIELDS.
    """

    CONTENT_FIELDS: tuple[str, ...] = ()

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    event_on = models.DateField(_("datum för händelsen"))
    recorded_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("senast sparad"), auto_now=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    signed_at = models.DateTimeField(_("signerad"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # SHA-256 over the signed content: later proof that the text is what was signed.
    content_hash = models.CharField(max_length=64, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="corrections", null=True, blank=True
    )
    correction_reason = models.TextField(_("skäl till rättelsen"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    @property
    def is_signed(self) -> bool:
        return self.status == DocumentStatus.SIGNED

    @property
    def recorded_days_after_event(self) -> int:
        from django.utils import timezone

        return (timezone.localtime(self.recorded_at).date() - self.event_on).days

    @property
    def is_recorded_late(self) -> bool:
        return self.recorded_days_after_event > settings.RODTRAD_LATE_RECORDING_DAYS
