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
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.INTAKE
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["district", "status"]), models.Index(fields=["unit"])]

    def __str__(self) -> str:
        return f"Ärende {self.pk}"
