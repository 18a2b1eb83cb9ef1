"""The investigation of a child's needs (SoL 20:3–7) and its documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.models import Case


class Investigation(models.Model):
    """One investigation of a case (barnavårdsutredning), opened by a pre-assessment decision."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="investigations")
    opened_on = models.DateField(_("inledd"))
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField(_("avslutad"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_on"]

    def __str__(self) -> str:
        return f"Utredning {self.pk}"
