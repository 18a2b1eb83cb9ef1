"""Internal control (docs/internal-control.md): checklists, review programmes, their sampled
cases, the reviewers' answers and the findings sent to a team manager.

Checklists are versioned as the code lists are (docs/architecture.md, frameworks): a new
edition is a new `Checklist` row with its own items, never an edit of the old one, so the
answers of a programme always mean what the reviewer was asked. A programme's sample is drawn
once, when it is created (`sampling.draw`), from the stored seed; a new draw is a new programme.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    YES_NO = "yes_no", _("Ja / nej / ej aktuellt")
    ORDINAL = "ordinal", _("Skala med nivåer")
    TEXT = "text", _("Fritext")


# The answers of a yes/no item; "na" is "ej aktuellt" and is left out of shares.
YES, NO, NOT_APPLICABLE = "yes", "no", "na"
YES_NO_ANSWERS = (
    (YES, _("Ja")),
    (NO, _("Nej")),
    (NOT_APPLICABLE, _("Ej aktuellt")),
)


class Checklist(models.Model):
    """One edition of a checklist; `key` is shared by the editions, `edition` tells them apart."""

    key = models.SlugField(_("nyckel"), max_length=80)
    edition = models.CharField(_("utgåva"), max_length=40)
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    source = models.TextField(_("källa"), blank=True)
    # The edition this one replaced (null for the first).
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_current = models.BooleanField(_("gällande utgåva"), default=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-recorded_at"]
        verbose_name = _("checklista")
        verbose_name_plural = _("checklistor")
        constraints = [
            models.UniqueConstraint(fields=["key", "edition"], name="checklist_key_edition"),
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(is_current=True), name="checklist_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.edition})"


class ChecklistItem(models.Model):
    """One question of a checklist edition."""

    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="items")
    key = models.SlugField(_("nyckel"), max_length=80)
    text = models.TextField(_("fråga"))
    help_text = models.TextField(_("vägledning"), blank=True)
    group = models.CharField(_("grupp"), max_length=120, blank=True)
    kind = models.CharField(_("svarstyp"), max_length=10, choices=ItemKind.choices)
    # Ordinal items: [{"value": "high", "label": "I högre grad", "description": "…"}, …], best
    # first; the order is the scale (weighted kappa, docs/internal-control.md).
    levels = models.JSONField(_("nivåer"), default=list, blank=True)
    # A rule that reads the answer from the record (record_rules.RULES), or "".
    record_rule = models.CharField(_("regel i journalen"), max_length=60, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["checklist", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "key"], name="checklist_item_key"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def answer_values(self) -> list[str]:
        """The answers the item accepts, in scale order (empty for free text)."""
        if self.kind == ItemKind.YES_NO:
            return [value for value, _label in YES_NO_ANSWERS]
        if self.kind == ItemKind.ORDINAL:
            return [str(level["value"]) for level in self.levels]
        return []

    @property
    def answer_labels(self) -> dict[str, str]:
        if self.kind == ItemKind.YES_NO:
            return {value: str(label) for value, label in YES_NO_ANSWERS}
        return {str(level["value"]): str(level["label"]) for level in self.levels}


class CasePhase(models.TextChoices):
    """How far a case must have come to be in a programme's population."""

    ANY = "any", _("Alla ärenden")
    INVESTIGATED = "investigated", _("Ärenden med utredning")
    INTERVENTION = "intervention", _("Ärenden med beviljad insats")


class Openness(models.TextChoices):
    ANY = "any", _("Öppna och avslutade")
    OPEN = "open", _("Bara öppna")
    CLOSED = "closed", _("Bara avslutade")


class ReviewProgramme(models.Model):
    """A review: a population of cases, a sample drawn from it and the checklist to use."""

    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("syfte"), blank=True)
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="programmes")
    # The population: cases recorded in the period, in these districts, of this phase and
    # openness, with at least one of the report reasons (empty: any reason).
    districts = models.ManyToManyField("accounts.District", related_name="+")
    period_start = models.DateField(_("perioden börjar"))
    period_end = models.DateField(_("perioden slutar"))
    phase = models.CharField(
        _("fas"), max_length=20, choices=CasePhase.choices, default=CasePhase.ANY
    )
    openness = models.CharField(
        _("öppna eller avslutade"), max_length=10, choices=Openness.choices, default=Openness.ANY
    )
    reason_codes = models.JSONField(_("anmälningsorsaker"), default=list, blank=True)
    sample_per_stratum = models.PositiveIntegerField(_("antal ärenden per stadsdel"))
    # random.Random(seed) draws the sample (sampling.py); shown on the programme page.
    seed = models.BigIntegerField(_("slumptalsfrö"))
    # What the sample was drawn from: cases per district and a SHA-256 of the sorted case ids,
    # so that the draw can be repeated and checked (docs/internal-control.md).
    population_counts = models.JSONField(default=dict)
    population_hash = models.CharField(max_length=64)
    review_ends_on = models.DateField(_("granskningen pågår till och med"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("granskningsprogram")
        verbose_name_plural = _("granskningsprogram")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="programme_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SampledCase(models.Model):
    """One case drawn into a programme, in its stratum (the case's district when drawn)."""

    programme = models.ForeignKey(
        ReviewProgramme, on_delete=models.PROTECT, related_name="sampled_cases"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    stratum = models.ForeignKey("accounts.District", on_delete=models.PROTECT, related_name="+")
    draw_order = models.PositiveIntegerField()

    class Meta:
        ordering = ["programme", "stratum__name", "draw_order"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "case"], name="sample_case_once"),
        ]

    def __str__(self) -> str:
        return f"Urval {self.programme_id}:{self.case_id}"


class ReviewerAssignment(models.Model):
    """A reviewer given a sampled case; `position` orders them (rater 1, rater 2, …)."""

    sampled_case = models.ForeignKey(
        SampledCase, on_delete=models.PROTECT, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField()
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sampled_case", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["sampled_case", "reviewer"], name="assignment_reviewer_once"
            ),
        ]


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Inlämnad")


class CaseReview(models.Model):
    """One reviewer's answers on one sampled case: {item key: answer} (free text as text)."""

    sampled_case = models.ForeignKey(SampledCase, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(default=dict, blank=True)
    note = models.TextField(_("kommentar"), blank=True)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["sampled_case", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["sampled_case", "reviewer"], name="review_one_per_reviewer"
            ),
        ]

    @property
    def is_submitted(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED


class Finding(models.Model):
    """A reviewer's flag on a sampled case for the team managers of its district (a task on
    their start page), and what the manager did about it."""

    sampled_case = models.ForeignKey(SampledCase, on_delete=models.PROTECT, related_name="findings")
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("vad granskaren såg"))
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    flagged_at = models.DateTimeField(auto_now_add=True)
    action_note = models.TextField(_("vad som gjordes"), blank=True)
    action_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["flagged_at", "pk"]
        indexes = [
            models.Index(
                fields=["flagged_at"],
                name="finding_open",
                condition=models.Q(action_at__isnull=True),
            )
        ]

    @property
    def is_open(self) -> bool:
        return self.action_at is None

    @property
    def case_id(self) -> int:
        return int(self.sampled_case.case_id)


# --- The log review (docs/internal-control.md, "The log review") -------------------------------


class LogRule(models.TextChoices):
    """Why an access event is an item of a log review: drawn in the sample, or a rule's flag
    (logreview.py has the rules)."""

    SAMPLE = "sample", _("Slumpvis urval")
    PROTECTED = "protected", _("Skyddad person, läsaren är inte namngiven handläggare")
    EMERGENCY = "emergency", _("Nödåtkomst")
    OUTSIDE_DISTRICT = "outside_district", _("Ärende utanför läsarens stadsdel")
    NAMESAKE = "namesake", _("Samma efternamn som läsaren")
    AFTER_HOURS = "after_hours", _("Utanför arbetstid")
    MANY_PERSONS = "many_persons", _("Ovanligt många personer på en dag")


class LogAnswer(models.TextChoices):
    JUSTIFIED = "justified", _("Befogad")
    NOT_JUSTIFIED = "not_justified", _("Inte befogad")
    REFERRED = "referred", _("Lämnad vidare")


class LogReview(models.Model):
    """A review of the access log over a period: a random sample of its access events and the
    events the rules flag, each to be answered (docs/internal-control.md)."""

    period_start = models.DateField(_("perioden börjar"))
    period_end = models.DateField(_("perioden slutar"))
    # Per stratum: the reader's districts and the Stockholm month (logreview.strata).
    sample_size = models.PositiveIntegerField(
        _("antal slumpvis valda händelser per stadsdel och månad")
    )
    # random.Random(seed) draws the sample from each stratum's event ids, ascending, strata in
    # sorted order (sampling.draw); shown on the page so the draw can be repeated.
    seed = models.BigIntegerField(_("slumptalsfrö"))
    population_count = models.PositiveIntegerField(default=0)
    # {stratum: events}, e.g. {"bromma 2026-06": 812}.
    population_counts = models.JSONField(default=dict)
    population_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("loggranskning")
        verbose_name_plural = _("loggranskningar")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="log_review_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Loggranskning {self.pk}"


class LogReviewItem(models.Model):
    """One access event to be answered in a log review, and why (`kind`): an event both drawn
    and flagged, or flagged by two rules, is one item per reason."""

    review = models.ForeignKey(LogReview, on_delete=models.PROTECT, related_name="items")
    event = models.ForeignKey("journal.AccessEvent", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=LogRule.choices)
    # What the rule saw, e.g. {"persons": 500, "median": 12} for many_persons.
    detail = models.JSONField(default=dict, blank=True)
    answer = models.CharField(max_length=20, choices=LogAnswer.choices, blank=True)
    note = models.TextField(_("kommentar"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["review", "kind", "event__occurred_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "event", "kind"], name="log_review_item_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Loggranskning {self.review_id}: {self.kind} {self.event_id}"

    @property
    def is_answered(self) -> bool:
        return bool(self.answer)
