"""The commission to the provider (uppdrag) for one intervention, and its goals.

A commission is what the provider gets instead of the investigation (docs/red-thread.md,
"What the provider sees"): the needs the intervention answers, goals tied to them with a Goal
Attainment Scale, the child's own goals and view, how often and with whom, when it is
followed up and with which instruments, and what the provider must know about safety. It is
drafted by the case's handler, sent to the provider unit, and accepted by the provider; once
sent it does not change (a change is a new commission for the same intervention).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.models import Case


class CommissionStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SENT = "sent", _("Skickat till utföraren")
    ACCEPTED = "accepted", _("Mottaget av utföraren")
    REPLACED = "replaced", _("Ersatt av ett nytt uppdrag")


class Commission(models.Model):
    intervention = models.ForeignKey(
        "decisions.Intervention", on_delete=models.PROTECT, related_name="commissions"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="commissions")
    # The municipality's provider unit that gets the commission (copied from the intervention
    # when it is created); the provider role of that unit sees it. An external provider gets
    # it on paper: provider_unit is then empty.
    provider_unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        related_name="commissions",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CommissionStatus.choices, default=CommissionStatus.DRAFT
    )
    participants = models.TextField(_("vilka i familjen som deltar"), blank=True)
    frequency = models.CharField(_("hur ofta"), max_length=200, blank=True)
    child_goals = models.TextField(_("barnets egna mål"), blank=True)
    child_view = models.TextField(_("barnets syn på målen"), blank=True)
    child_view_missing_reason = models.TextField(_("varför barnets syn saknas"), blank=True)
    first_follow_up_on = models.DateField(_("första uppföljning"), null=True, blank=True)
    follow_up_every_weeks = models.PositiveSmallIntegerField(
        _("uppföljning var … vecka"), null=True, blank=True
    )
    instruments = models.TextField(_("instrument att använda"), blank=True)
    reporting = models.TextField(_("vad utföraren rapporterar och när"), blank=True)
    safety_information = models.TextField(_("säkerhet"), blank=True)
    # In violence cases: what the risk assessment said, and how violence is followed up
    # during the intervention (the seeds' checklist item "violence followed up").
    risk_summary = models.TextField(_("vad riskbedömningen visade"), blank=True)
    violence_follow_up = models.TextField(_("hur våldet följs upp under insatsen"), blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="replaced_by", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1)

    # The fields the handler writes while drafting (also the conflict page's fields).
    CONTENT_FIELDS = (
        "participants",
        "frequency",
        "child_goals",
        "child_view",
        "child_view_missing_reason",
        "first_follow_up_on",
        "follow_up_every_weeks",
        "instruments",
        "reporting",
        "safety_information",
        "risk_summary",
        "violence_follow_up",
    )

    class Meta:
        ordering = ["pk"]
        indexes = [
            # The provider's inbox: the unit's commissions that are sent or accepted.
            models.Index(
                fields=["provider_unit", "status"],
                name="commission_unit_status",
                condition=~models.Q(status="draft"),
            )
        ]

    def __str__(self) -> str:
        return f"Uppdrag {self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == CommissionStatus.DRAFT


class Goal(models.Model):
    """One goal of a commission, tied to one or more needs, with its Goal Attainment Scale:
    what −2 … +2 would look like for this child (docs/followup-instruments.md)."""

    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="goals")
    needs = models.ManyToManyField("investigation.Need", related_name="goals")
    text = models.TextField(_("mål"))
    # Written by the child (the child's own words) or with the child.
    is_childs_own = models.BooleanField(_("barnets eget mål"), default=False)
    level_minus_2 = models.TextField(_("−2: mycket sämre än väntat"))
    level_minus_1 = models.TextField(_("−1: något sämre än väntat"))
    level_0 = models.TextField(_("0: förväntad nivå"))
    level_plus_1 = models.TextField(_("+1: något bättre än väntat"))
    level_plus_2 = models.TextField(_("+2: mycket bättre än väntat"))
    # Where the child is when the goal is set (the common child-welfare convention: −1).
    baseline_level = models.SmallIntegerField(_("nivå vid start"), default=-1)
    weight = models.DecimalField(_("vikt"), max_digits=4, decimal_places=1, default=Decimal("1.0"))
    target_on = models.DateField(_("nås senast"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    LEVEL_FIELDS = ("level_minus_2", "level_minus_1", "level_0", "level_plus_1", "level_plus_2")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Mål {self.pk}"

    def levels(self) -> list[tuple[int, str]]:
        return [
            (level, getattr(self, name))
            for level, name in zip(range(-2, 3), self.LEVEL_FIELDS, strict=True)
        ]
