"""Decisions in a child's case and the interventions they grant (docs/red-thread.md).

A `Decision` is recorded when it has been made, and is signed as it is recorded: it is a fact
of the record, never a draft (the proposal is the investigation's). A signed decision never
changes; a change is a new decision that `replaces` the old one. Its legal ground is a code of
the `legal-grounds` list, which also holds the delegation table (the lowest level that may
decide on each ground) and whether the decision can be appealed.

A granting decision (an intervention or a placement) grants exactly one `Intervention`: what
was decided (the catalogue entry, the provider, the planned period and dose) and how it is
carried out (the actual start and end, the delivered dose, why it ended). Several
interventions are several decisions, as the municipality's decision letters are.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.models import Case


class DecisionKind(models.TextChoices):
    GRANTED = "granted", _("Bifall – insats beviljas")
    PLACEMENT = "placement", _("Placering utanför hemmet")
    REFUSED = "refused", _("Avslag")
    NO_INTERVENTION = "no_intervention", _("Ingen insats – utredningen avslutas")
    LVU_APPLICATION = "lvu_application", _("Ansökan om vård enligt LVU")
    FOLLOW_UP = "follow_up", _("Uppföljning (SoL 23 kap.)")


# Kinds that grant an intervention (and count as "not carried out" when it never starts).
GRANTING_KINDS = frozenset({DecisionKind.GRANTED, DecisionKind.PLACEMENT})


class DecisionLevel(models.TextChoices):
    """Who decided, lowest first (the order the delegation check compares)."""

    DELEGATE = "delegate", _("Delegat (enhetschef)")
    SUBCOMMITTEE = "subcommittee", _("Individutskottet")
    COMMITTEE = "committee", _("Nämnden")


LEVEL_ORDER = {DecisionLevel.DELEGATE: 0, DecisionLevel.SUBCOMMITTEE: 1, DecisionLevel.COMMITTEE: 2}


class Decision(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    # The investigation whose proposal the decision answers, when there is one.
    investigation = models.ForeignKey(
        "investigation.Investigation",
        on_delete=models.PROTECT,
        related_name="decisions",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("slag av beslut"), max_length=20, choices=DecisionKind.choices)
    legal_ground = models.CharField(_("lagrum"), max_length=60)  # code list legal-grounds
    level = models.CharField(_("beslutsnivå"), max_length=20, choices=DecisionLevel.choices)
    # The protocol paragraph of a subcommittee's or the committee's decision ("IU § 12").
    minutes_reference = models.CharField(_("protokollsparagraf"), max_length=120, blank=True)
    decided_on = models.DateField(_("beslutsdatum"))
    reasons = models.TextField(_("skäl för beslutet"))
    effective_from = models.DateField(_("gäller från"), null=True, blank=True)
    effective_to = models.DateField(_("gäller till och med"), null=True, blank=True)
    review_on = models.DateField(_("omprövas senast"), null=True, blank=True)
    appealable = models.BooleanField(_("kan överklagas"), default=False)
    needs = models.ManyToManyField(
        "investigation.Need", related_name="decisions", blank=True, verbose_name=_("behov")
    )
    no_needs_reason = models.TextField(_("varför beslutet inte knyts till något behov"), blank=True)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="replaced_by",
        null=True,
        blank=True,
        verbose_name=_("ersätter beslut"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("registrerat"), auto_now_add=True)
    # SHA-256 over the decision's content when it was recorded (docs/principles.md rule 4).
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["decided_on", "pk"]
        indexes = [models.Index(fields=["case", "decided_on"], name="decision_case_day")]

    def __str__(self) -> str:
        return f"Beslut {self.pk}"

    @property
    def is_time_limited(self) -> bool:
        return self.effective_to is not None

    @property
    def recorded_days_after(self) -> int:
        """Days between the decision and its recording (nothing can be back-dated: the
        recording's time is the server's; docs/principles.md rule 4)."""
        return (timezone.localtime(self.recorded_at).date() - self.decided_on).days

    @property
    def is_recorded_late(self) -> bool:
        return self.recorded_days_after > settings.RODTRAD_LATE_RECORDING_DAYS


class NoticeChannel(models.TextChoices):
    LETTER = "letter", _("Brev")
    IN_PERSON = "in_person", _("Vid möte")
    DIGITAL_MAILBOX = "digital_mailbox", _("Digital brevlåda")
    PHONE = "phone", _("Telefon")


class DecisionNotice(models.Model):
    """To whom and when the decision was communicated (FL 33 §): the day an appeal's three
    weeks start for that person. The recipient is one of the case's persons, never typed."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="notices")
    recipient = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("mottagare")
    )
    notified_on = models.DateField(_("underrättad"))
    channel = models.CharField(_("hur"), max_length=20, choices=NoticeChannel.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["notified_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "recipient"], name="decision_notice_once_per_recipient"
            )
        ]


class DoseUnit(models.TextChoices):
    SESSIONS = "sessions", _("tillfällen")
    HOURS = "hours", _("timmar")
    DAYS = "days", _("dygn")


class EndReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Målen är nådda")
    COMPLETED = "completed", _("Genomförd enligt plan")
    PARTLY = "partly", _("Delvis genomförd")
    FAMILY_ENDED = "family_ended", _("Familjen eller barnet avbröt")
    MOVED = "moved", _("Familjen har flyttat")
    REPLACED = "replaced", _("Ersatt av en annan insats")
    NEVER_STARTED = "never_started", _("Påbörjades aldrig")
    OTHER = "other", _("Annat skäl")


class Intervention(models.Model):
    """The intervention a granting decision grants, and how it is carried out."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="intervention")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="interventions")
    # code list intervention-catalogue
    catalogue_code = models.CharField(_("insats"), max_length=60)
    provider_unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        related_name="interventions",
        null=True,
        blank=True,
        verbose_name=_("utförare i kommunen"),
    )
    external_provider = models.CharField(_("extern utförare"), max_length=200, blank=True)
    planned_start = models.DateField(_("planerad start"))
    planned_end = models.DateField(_("planerat slut"), null=True, blank=True)
    planned_dose = models.PositiveIntegerField(_("planerad omfattning"), null=True, blank=True)
    dose_unit = models.CharField(
        _("enhet"), max_length=10, choices=DoseUnit.choices, default=DoseUnit.SESSIONS
    )
    started_on = models.DateField(_("påbörjad"), null=True, blank=True)
    ended_on = models.DateField(_("avslutad"), null=True, blank=True)
    delivered_dose = models.PositiveIntegerField(_("genomförd omfattning"), null=True, blank=True)
    end_reason = models.CharField(
        _("skäl till avslut"), max_length=20, choices=EndReason.choices, blank=True
    )
    end_note = models.TextField(_("kommentar vid avslut"), blank=True)
    # Labelled as the investigation was (code list report-reasons) and, for young people, with
    # the open-care problem codes (code list open-care-problems).
    reason_codes = models.JSONField(_("anledningar"), default=list, blank=True)
    problem_codes = models.JSONField(_("problemområden"), default=list, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["planned_start", "pk"]
        indexes = [
            # Open interventions of a case (does closing this one end the case's interventions?)
            # and the decisions not carried out (granted, never started).
            models.Index(
                fields=["case"],
                name="intervention_open_by_case",
                condition=models.Q(ended_on__isnull=True),
            ),
            models.Index(
                fields=["planned_start"],
                name="intervention_not_started",
                condition=models.Q(started_on__isnull=True, ended_on__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Insats {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    @property
    def is_ongoing(self) -> bool:
        return self.started_on is not None and self.ended_on is None


class ClosingReason(models.TextChoices):
    MOVED = "moved", _("Familjen har flyttat till en annan kommun")
    WITHDRAWN = "withdrawn", _("Ansökan har återkallats")
    TURNED_18 = "turned_18", _("Den unga har fyllt 18 år och vill inte ha insatsen")
    DECLINED = "declined", _("Familjen tackade nej till den föreslagna insatsen")
    OTHER = "other", _("Annat skäl")


class ClosingWithoutDecision(models.Model):
    """A case that waited for a decision closed without one, and why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("skäl"), max_length=20, choices=ClosingReason.choices)
    note = models.TextField(_("vad som hände"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
