"""Code lists as data (docs/principles.md rule 7): BBIC areas, report reasons, reporter categories.

Lists and their codes are loaded from the TOML files in `rodtrad/frameworks/data/` (see
`loader.py`) and may then be edited by the administrator (`services.py`).

Validity is a half-open interval of calendar dates: a code (or list) is in use on day `d` when
`valid_from <= d < valid_to`; an empty bound is open. `valid_to` is therefore the first day on
which the code is no longer offered, so retiring a code "today" removes it from today's choices.
A code is never deleted: old records keep pointing at it and `code_label()` still resolves it.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class CodeStatus(models.TextChoices):
    """Where a code stands on a given day."""

    CURRENT = "current", _("Gäller")
    RETIRED = "retired", _("Avslutad")
    FUTURE = "future", _("Gäller ännu inte")


def valid_on(day: datetime.date, prefix: str = "") -> Q:
    """Q for rows whose half-open validity interval contains `day`."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def _status(
    valid_from: datetime.date | None, valid_to: datetime.date | None, day: datetime.date
) -> str:
    if valid_to is not None and valid_to <= day:
        return CodeStatus.RETIRED
    if valid_from is not None and valid_from > day:
        return CodeStatus.FUTURE
    return CodeStatus.CURRENT


class CodeList(models.Model):
    """One versioned code list, e.g. the BBIC 2018 areas or the report reasons A–Y."""

    key = models.SlugField(_("nyckel"), max_length=80, unique=True)
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    # The list's own edition ("2018", "2026-01-15"); `version` below is for optimistic locking.
    edition = models.CharField(_("utgåva"), max_length=40)
    source = models.TextField(_("källa"))
    is_editable_labels = models.BooleanField(_("benämningar får ändras"), default=True)
    valid_from = models.DateField(_("gäller från"), null=True, blank=True)
    valid_to = models.DateField(_("gäller inte från och med"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kodlista")
        verbose_name_plural = _("kodlistor")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="codelist_valid_to_not_before_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def status(self, on: datetime.date | None = None) -> str:
        return _status(self.valid_from, self.valid_to, on or timezone.localdate())


class Code(models.Model):
    """One entry of a code list; retired by setting `valid_to`, never deleted."""

    code_list = models.ForeignKey(CodeList, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(_("kod"), max_length=60)
    label_sv = models.CharField(_("benämning (svenska)"), max_length=200)
    label_en = models.CharField(_("benämning (engelska)"), max_length=200, blank=True)
    description_sv = models.TextField(_("förklaring"), blank=True)
    group = models.CharField(_("grupp"), max_length=120, blank=True)
    # A triangle side is the parent of its areas; the loader only accepts parents in the list.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
        verbose_name=_("överordnad kod"),
    )
    sort_order = models.IntegerField(_("ordning"), default=0)
    valid_from = models.DateField(_("gäller från"), null=True, blank=True)
    valid_to = models.DateField(_("gäller inte från och med"), null=True, blank=True)
    is_uncertain = models.BooleanField(_("osäker benämning"), default=False)
    uncertainty_note = models.TextField(_("varför benämningen är osäker"), blank=True)
    attributes = models.JSONField(_("egenskaper"), default=dict, blank=True)
    # Added by an administrator rather than loaded from a file.
    is_local = models.BooleanField(_("tillagd lokalt"), default=False)
    # Fields an administrator has set; the loader never overwrites them (loader.py).
    locally_edited_fields = models.JSONField(default=list, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["code_list", "sort_order", "code"]
        verbose_name = _("kod")
        verbose_name_plural = _("koder")
        constraints = [
            models.UniqueConstraint(fields=["code_list", "code"], name="code_unique_in_list"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="code_valid_to_not_before_valid_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.label_sv}"

    @property
    def label(self) -> str:
        """The label in the active language (Swedish when there is no English label)."""
        if (get_language() or "").startswith("en") and self.label_en:
            return self.label_en
        return self.label_sv

    def status(self, on: datetime.date | None = None) -> str:
        return _status(self.valid_from, self.valid_to, on or timezone.localdate())

    def is_current(self, on: datetime.date | None = None) -> bool:
        return self.status(on) == CodeStatus.CURRENT
