"""Statistics: the population the rates are computed on, and the historical imports.

docs/statistics.md (the indicators) and docs/import-format.md (the imports). The records an
import creates are the ordinary ones of the lower apps (Person, Report, Case, PreAssessment,
Investigation, ExtensionDecision); what only the import knows lives here, above them: the run
(file, hash, counts), the row each imported report came from, and the pseudonyms (`ref:…`)
that stand for a child without an identity number. The report itself carries its id in the
earlier system (`intake.Report.external_id`), which the pages show as "Importerad".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_AGE = 20  # the 0–20 population the rates are per 100 of (docs/statistics.md)


class Sex(models.TextChoices):
    """Sex as population statistics count it (SCB: kvinnor F, män M)."""

    FEMALE = "F", _("Flickor")
    MALE = "M", _("Pojkar")


class Population(models.Model):
    """The number of children of one age and sex in a district on 31 December of a year."""

    district = models.ForeignKey(
        "accounts.District", on_delete=models.PROTECT, related_name="+", verbose_name=_("stadsdel")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    age = models.PositiveSmallIntegerField(_("ålder"))
    sex = models.CharField(_("kön"), max_length=1, choices=Sex.choices)
    count = models.PositiveIntegerField(_("antal"))

    class Meta:
        ordering = ["district", "year", "age", "sex"]
        verbose_name = _("befolkning")
        verbose_name_plural = _("befolkning")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year", "age", "sex"], name="population_one_row_per_cell"
            ),
            models.CheckConstraint(
                condition=Q(age__gte=0) & Q(age__lte=MAX_AGE), name="population_age_0_to_20"
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="population_sex_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.year} {self.age} {self.sex}: {self.count}"


class ImportKind(models.TextChoices):
    DISTRICTS = "districts", _("Stadsdelar")
    POPULATION = "population", _("Befolkning")
    REPORTS = "reports", _("Aktualiseringar")


class ImportRun(models.Model):
    """One import of one file: which file (name and SHA-256), what it did, who ran it."""

    kind = models.CharField(_("slag"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("fil"), max_length=255)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rader"))
    created = models.PositiveIntegerField(_("nya"))
    updated = models.PositiveIntegerField(_("ändrade"))
    unchanged = models.PositiveIntegerField(_("oförändrade"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("importerad"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("import")
        verbose_name_plural = _("importer")

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.kind})"


class ImportedReport(models.Model):
    """The row an imported report came from: a re-import of the same `report_id` compares
    the row's hash with this one (docs/import-format.md, "Importing again")."""

    report = models.OneToOneField("intake.Report", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="reports")
    row_sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"Importerad aktualisering {self.report_id}"


class Pseudonym(models.Model):
    """A child known to the earlier system only by a pseudonym (`ref:…` in the file): the
    person created for it, so that every later row with the same pseudonym is that child."""

    ref = models.CharField(max_length=200, unique=True)
    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="pseudonyms")

    def __str__(self) -> str:
        return f"Pseudonym {self.pk}"


class Snapshot(models.Model):
    """A dashboard report frozen for the committee (docs/statistics.md, "Snapshots"): the
    published tables as they were, already suppressed, with the indicators' codes and versions,
    the filters and the moment the numbers were computed. Shown and exported from `tables`,
    never recomputed; written once by `services.create_snapshot`, never changed."""

    title = models.CharField(_("rubrik"), max_length=200)
    year = models.PositiveSmallIntegerField(_("år"))
    districts = models.ManyToManyField(
        "accounts.District", related_name="+", verbose_name=_("stadsdelar")
    )
    filters = models.JSONField(_("urval"))
    indicators = models.JSONField(_("indikatorer"))  # [{"code": …, "version": …}, …]
    threshold = models.PositiveSmallIntegerField(_("gräns för små tal"))
    data_at = models.DateTimeField(_("uppgifter per"))
    tables = models.JSONField(_("tabeller"))  # exports.table_to_json of each, in page order
    reason = models.TextField(_("varför"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("skapad"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ögonblicksbild")
        verbose_name_plural = _("ögonblicksbilder")

    def __str__(self) -> str:
        return f"Ögonblicksbild {self.pk}"
