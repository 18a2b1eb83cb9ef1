"""Measurement instruments as data and the ratings made with them (docs/followup-instruments.md).

An `Instrument` is what the municipality uses to rate an intervention session by session: item
codes with the wording the municipality enters (ORS/SRS wording is licensed, so Rodtrad ships
none), the item scale, and the age bands with their cut-off and reliable change. The bands are
kept as JSON on the instrument (a handful of rows that are always read together with it), and
`spec()` turns the row into the pure `scoring.InstrumentSpec` that every calculation uses.

A `Measurement` is one rating: one rater (the child, a guardian or the provider) filling in one
instrument at one session of one intervention. The ratings of one rater with one instrument on
one intervention, in session order, are a series; the services classify it and raise it early.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rodtrad.followup import scoring


class InstrumentKind(models.TextChoices):
    RATING_SCALE = "rating_scale", _("Skattningsskala")
    SATISFACTION = "satisfaction", _("Nöjdhetsenkät")


class Instrument(models.Model):
    """A rating instrument: item codes and wording, the scale and the age bands (as data)."""

    # The instrument's code, the same for all its editions (one row per edition).
    code = models.SlugField(_("kod"), max_length=60)
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("slag"), max_length=20, choices=InstrumentKind.choices)
    # [{"code": "item_1", "label": "…"}]: the label is the wording the municipality entered.
    items = models.JSONField(_("frågor"), default=list)
    min_item = models.SmallIntegerField(_("lägsta värde per fråga"), default=0)
    max_item = models.SmallIntegerField(_("högsta värde per fråga"), default=10)
    decimals = models.PositiveSmallIntegerField(_("decimaler"), default=1)
    # [{"min_age": 6, "max_age": 12, "clinical_cutoff": "32", "reliable_change": "6"}]
    # (max_age null: no upper limit). Decimals are strings so that JSON keeps them exact.
    bands = models.JSONField(_("åldersband"), default=list, blank=True)
    # The instrument's edition ("1", "2024"): a new edition when items, scale or bands change,
    # so that old ratings are read as they were made (Measurement.instrument_edition).
    edition = models.CharField(_("utgåva"), max_length=40, default="1")
    # The youngest age at which the child rates with the instrument; a younger child's own
    # rating is refused (a guardian or the provider rates on the child's behalf). Null: no limit.
    self_rating_min_age = models.PositiveSmallIntegerField(
        _("lägsta ålder för barnets egen skattning"), null=True, blank=True
    )
    licence_note = models.TextField(_("licens"), blank=True)
    is_active = models.BooleanField(_("används"), default=True)
    # The edition this one replaced (None for the first): a new edition is a new row, and the
    # old row stops being used, so old series keep the items and bands they were rated with.
    previous_edition = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_edition",
        verbose_name=_("föregående utgåva"),
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking (lib/versioning)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["code", "edition"], name="instrument_edition_once"),
            # One edition of an instrument in use at a time: a rating picks it by its code.
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(is_active=True),
                name="instrument_one_edition_in_use",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_next_edition(self) -> bool:
        return Instrument.objects.filter(previous_edition=self).exists()

    @property
    def is_rating_scale(self) -> bool:
        return self.kind == InstrumentKind.RATING_SCALE

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(str(item["code"]) for item in self.items)

    def label_of(self, item_code: str) -> str:
        return next(
            (str(i.get("label") or i["code"]) for i in self.items if i["code"] == item_code),
            item_code,
        )

    def scale_bands(self) -> tuple[scoring.ScaleBand, ...]:
        return tuple(_band(band) for band in self.bands)

    def spec(self) -> scoring.InstrumentSpec:
        """The pure instrument the scoring functions take (raises ValueError if misconfigured)."""
        return scoring.InstrumentSpec(
            code=self.code,
            items=self.item_codes,
            min_item=self.min_item,
            max_item=self.max_item,
            decimals=self.decimals,
            bands=self.scale_bands(),
        )


def _band(data: dict[str, Any]) -> scoring.ScaleBand:
    max_age = data.get("max_age")
    return scoring.ScaleBand(
        min_age=int(data["min_age"]),
        max_age=None if max_age is None else int(max_age),
        clinical_cutoff=Decimal(str(data["clinical_cutoff"])),
        reliable_change=Decimal(str(data["reliable_change"])),
    )


class RaterRole(models.TextChoices):
    CHILD = "child", _("Barnet")
    GUARDIAN = "guardian", _("Vårdnadshavare")
    PROVIDER = "provider", _("Utföraren")


class Measurement(models.Model):
    """One rating: one rater, one instrument, one session of one intervention."""

    intervention = models.ForeignKey(
        "decisions.Intervention", on_delete=models.PROTECT, related_name="measurements"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    # The instrument's edition when the rating was made: items and bands may change later.
    instrument_edition = models.CharField(max_length=40)
    session_number = models.PositiveSmallIntegerField(_("tillfälle"))
    administered_on = models.DateField(_("datum"))
    rater_role = models.CharField(_("vem skattar"), max_length=20, choices=RaterRole.choices)
    # The child or a guardian (a party of the case); null when the provider rates.
    rater = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # {"item_1": "6.5", …}: rating scales as decimal strings, questionnaires as whole numbers
    # or null (not answered).
    item_scores = models.JSONField(default=dict)
    # The sum of the items (rating scales); null for a questionnaire.
    total = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    # The mean of the answered items (questionnaires), unrounded; null when too few answered.
    satisfaction_mean = models.FloatField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["intervention", "instrument", "rater_role", "rater", "session_number"]
        indexes = [
            models.Index(fields=["intervention", "instrument"], name="measurement_series"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "instrument", "rater_role", "rater", "session_number"],
                name="measurement_session_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Skattning {self.pk}"


class FollowUpOutcome(models.TextChoices):
    CONTINUE = "continue", _("Fortsätt som planerat")
    CHANGE = "change", _("Ändra insatsen eller målen")
    END = "end", _("Avsluta insatsen")


class FollowUp(models.Model):
    """A follow-up of a commission (docs/red-thread.md, "Follow-up"): where each goal stands on
    its Goal Attainment Scale, the child's view (or why it could not be had), the guardians'
    view, the provider's report, in a violence case whether violence was followed up, and what
    happens next. Recorded by the case's handler or the provider; never changed afterwards."""

    commission = models.ForeignKey(
        "commissions.Commission", on_delete=models.PROTECT, related_name="follow_ups"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("uppföljningen hölls"))
    child_view = models.TextField(_("barnets syn"), blank=True)
    child_view_missing_reason = models.TextField(_("varför barnets syn saknas"), blank=True)
    guardians_view = models.TextField(_("vårdnadshavarnas syn"), blank=True)
    provider_report = models.TextField(_("utförarens rapport"), blank=True)
    # Violence cases only (None otherwise): was violence asked about and followed up?
    violence_followed_up = models.BooleanField(_("våldet följdes upp"), null=True, blank=True)
    outcome = models.CharField(_("fortsättning"), max_length=20, choices=FollowUpOutcome.choices)
    note = models.TextField(_("kommentar"), blank=True)
    # The GAS T-score of the goals' levels (scoring.gas_t_score, ρ = 0.3), kept as recorded.
    gas_t_score = models.FloatField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "pk"]
        indexes = [models.Index(fields=["commission", "held_on"], name="follow_up_commission_day")]

    def __str__(self) -> str:
        return f"Uppföljning {self.pk}"


class GoalRating(models.Model):
    """Where one goal stands at one follow-up: a level −2…+2 of its scale."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="ratings")
    goal = models.ForeignKey("commissions.Goal", on_delete=models.PROTECT, related_name="ratings")
    level = models.SmallIntegerField(_("nivå"))

    class Meta:
        ordering = ["goal_id"]
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "goal"], name="goal_rating_once"),
            models.CheckConstraint(
                condition=models.Q(level__gte=-2, level__lte=2), name="goal_rating_level_range"
            ),
        ]


class CaseFollowUpBasis(models.TextChoices):
    """Why the case was followed up: which law, and from what the six months count."""

    INVESTIGATION = "investigation", _("Efter en utredning utan insats (SoL 23 kap. 1 §)")
    PLACEMENT = "placement", _("Efter en placering (SoL 23 kap. 2 §)")
    LVU_CARE = "lvu_care", _("Efter vård enligt LVU (LVU 21 b §)")
    INTERVENTIONS = "interventions", _("Efter avslutade insatser")


# The bases the law governs: the child from 15 and the guardians are told when the follow-up
# starts and ends (SoL 23 kap. 3 §, LVU 21 c §).
STATUTORY_BASES = frozenset(
    {CaseFollowUpBasis.INVESTIGATION, CaseFollowUpBasis.PLACEMENT, CaseFollowUpBasis.LVU_CARE}
)


class CaseFollowUpContact(models.TextChoices):
    CHILD = "child", _("Barnet")
    GUARDIANS = "guardians", _("Vårdnadshavarna")
    SCHOOL = "school", _("Skola eller förskola")
    HEALTH = "health", _("Hälso- och sjukvården")
    FAMILY_HOME = "family_home", _("Familjehemmet eller boendet")
    OTHER = "other", _("Någon annan")


class CaseFollowUpOutcome(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", _("Inga fler åtgärder – barnet har det bra")
    VOLUNTARY_SUPPORT = "voluntary_support", _("Familjen tar emot stöd frivilligt")
    NEW_INVESTIGATION = "new_investigation", _("Ny utredning inleds")
    OTHER = "other", _("Annat")


class CaseFollowUp(models.Model):
    """What the follow-up of a case found (docs/red-thread.md, "The follow-up of a case"):
    written when the follow-up ends and the case closes, after a follow-up decision (SoL 23
    kap. 1–2 §§, LVU 21 b §) or after the last intervention ended. Never changed."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    # The follow-up decision it was made under; null after the last intervention ended.
    decision = models.ForeignKey(
        "decisions.Decision", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    basis = models.CharField(_("grund"), max_length=20, choices=CaseFollowUpBasis.choices)
    started_on = models.DateField(_("uppföljningen började"))
    ended_on = models.DateField(_("uppföljningen avslutades"))
    # SoL 23 kap. 3 §: the child from 15 and the guardians are told at the start.
    start_informed_on = models.DateField(
        _("barnet och vårdnadshavarna informerades"), null=True, blank=True
    )
    contacts = models.JSONField(_("kontakter"), default=list)  # CaseFollowUpContact values
    child_view = models.TextField(_("barnets syn"), blank=True)
    child_view_missing_reason = models.TextField(_("varför barnets syn saknas"), blank=True)
    guardians_view = models.TextField(_("vårdnadshavarnas syn"), blank=True)
    findings = models.TextField(_("hur barnet har det nu"))
    outcome = models.CharField(
        _("vad som händer nu"), max_length=20, choices=CaseFollowUpOutcome.choices
    )
    # SoL 23 kap. 3 §: told that the follow-up ends (statutory bases only; null otherwise).
    end_informed = models.BooleanField(
        _("informerade om att uppföljningen avslutas"), null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ended_on", "pk"]
        indexes = [models.Index(fields=["case", "ended_on"], name="case_follow_up_case_day")]

    def __str__(self) -> str:
        return f"Uppföljning av ärende {self.case_id}"

    @property
    def contact_labels(self) -> list[str]:
        labels = dict(CaseFollowUpContact.choices)
        return [str(labels.get(code, code)) for code in self.contacts]
