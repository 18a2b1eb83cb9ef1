"""Placements: the care plan, the implementation plan, the six-monthly reviews and the custody
transfer considerations of a placement (docs/red-thread.md, "Placements").

A placement is an `Intervention` (rodtrad/decisions) whose catalogue code has
`placement = true` in the `intervention-catalogue` code list. Nothing here changes the
intervention: the plans and records point at it.

* `CarePlan` (vårdplan, SoL 9:12 and SoF 2025:468 10 kap. 2 §) and `ImplementationPlan`
  (genomförandeplan, SoF 10 kap. 3 §) are signable documents: a draft until signed, locked
  when signed, corrected by a new draft with a reason; a revision (SoL 9:13) is a new plan
  that `revises` the signed one.
* `PlacementReview` (övervägande, SoL 22:13, LVU 13 §) and `CustodyTransferConsideration`
  (SoL 22:14, LVU 13 c §) are decisions of the subcommittee, recorded once as facts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.models import Case, SignableDocument
from rodtrad.decisions.models import DecisionLevel, Intervention


class PlacementDocument(SignableDocument):
    """A plan of one placement (the intervention it is about)."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, related_name="+", verbose_name=_("placering")
    )
    # A revision (SoL 9:13) is a new plan that replaces the signed plan it revises.
    revises = models.ForeignKey(
        "self", on_delete=models.PROTECT, related_name="revisions", null=True, blank=True
    )

    class Meta:
        abstract = True


class CarePlan(PlacementDocument):
    """Vårdplan (SoL 9:12, SoF 2025:468 10 kap. 2 §)."""

    interventions_needed = models.TextField(_("Vilka insatser som behövs"), blank=True)
    contact_arrangements = models.TextField(
        _(
            "Hur umgänge och kontakt med föräldrar, vårdnadshavare, syskon och andra "
            "närstående ordnas"
        ),
        blank=True,
    )
    care_goal = models.TextField(_("Målet med vården"), blank=True)
    child_views = models.TextField(_("Barnets syn på den planerade vården"), blank=True)
    guardian_views = models.TextField(_("Vårdnadshavarnas syn på den planerade vården"), blank=True)
    other_authorities_measures = models.TextField(
        _("Insatser som andra huvudmän ansvarar för (region, skola)"), blank=True
    )
    long_term_arrangement = models.TextField(
        _("Barnets långsiktiga boendeförhållanden"), blank=True
    )

    CONTENT_FIELDS = (
        "interventions_needed",
        "contact_arrangements",
        "care_goal",
        "child_views",
        "guardian_views",
        "other_authorities_measures",
        "long_term_arrangement",
    )

    class Meta:
        ordering = ["event_on", "pk"]
        constraints = [
            # One draft at a time per placement (corrections and revisions included).
            models.UniqueConstraint(
                fields=["intervention"],
                condition=models.Q(status="draft"),
                name="care_plan_one_draft",
            )
        ]

    def __str__(self) -> str:
        return f"Vårdplan {self.pk}"


class ImplementationPlan(PlacementDocument):
    """Genomförandeplan (SoL 9:12, SoF 2025:468 10 kap. 3 §)."""

    goals = models.TextField(_("Målen med insatserna"), blank=True)
    how_carried_out = models.TextField(_("När och hur insatserna genomförs"), blank=True)
    follow_up = models.TextField(_("När och hur planen följs upp"), blank=True)
    other_authorities_access = models.TextField(
        _("Hur barnet får del av insatser som andra huvudmän ansvarar för"), blank=True
    )
    contact_arrangements = models.TextField(_("När och hur umgänge ordnas"), blank=True)
    committee_contact = models.TextField(
        _("När och hur barnet har kontakt med socialnämnden"), blank=True
    )
    child_views = models.TextField(_("Barnets syn på hur vården genomförs"), blank=True)
    guardian_views = models.TextField(_("Vårdnadshavarnas syn på hur vården genomförs"), blank=True)

    CONTENT_FIELDS = (
        "goals",
        "how_carried_out",
        "follow_up",
        "other_authorities_access",
        "contact_arrangements",
        "committee_contact",
        "child_views",
        "guardian_views",
    )

    class Meta:
        ordering = ["event_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention"],
                condition=models.Q(status="draft"),
                name="implementation_plan_one_draft",
            )
        ]

    def __str__(self) -> str:
        return f"Genomförandeplan {self.pk}"


class ReviewOutcome(models.TextChoices):
    CONTINUES = "continues", _("Vården fortsätter som planerat")
    CHANGES = "changes", _("Vården fortsätter med ändringar")
    ENDS = "ends", _("Vården ska upphöra")


class PlacementReview(models.Model):
    """Övervägande (SoL 22:13, LVU 13 §): whether care is still needed and how it is directed
    and designed, decided by the subcommittee (SoL 30:6–7: not on delegation)."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, related_name="placement_reviews"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("datum för övervägandet"))
    level = models.CharField(
        _("beslutsnivå"),
        max_length=20,
        choices=DecisionLevel.choices,
        default=DecisionLevel.SUBCOMMITTEE,
    )
    minutes_reference = models.CharField(_("protokollsparagraf"), max_length=120, blank=True)
    outcome = models.CharField(_("utfall"), max_length=20, choices=ReviewOutcome.choices)
    note = models.TextField(_("kommentar"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["held_on", "pk"]
        indexes = [models.Index(fields=["intervention", "held_on"], name="review_by_placement")]

    def __str__(self) -> str:
        return f"Övervägande {self.pk}"


class CustodyOutcome(models.TextChoices):
    NO_APPLICATION = "no_application", _("Nämnden ansöker inte om vårdnadsöverflyttning nu")
    APPLICATION = "application", _("Nämnden ansöker om vårdnadsöverflyttning")


class CustodyTransferConsideration(models.Model):
    """A consideration of applying for a custody transfer (SoL 22:14, LVU 13 c §; FB 6:8)
    after two years in the same familjehem, then every year."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.PROTECT, related_name="custody_considerations"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    considered_on = models.DateField(_("datum för övervägandet"))
    level = models.CharField(
        _("beslutsnivå"),
        max_length=20,
        choices=DecisionLevel.choices,
        default=DecisionLevel.SUBCOMMITTEE,
    )
    minutes_reference = models.CharField(_("protokollsparagraf"), max_length=120, blank=True)
    outcome = models.CharField(_("utfall"), max_length=20, choices=CustodyOutcome.choices)
    note = models.TextField(_("skäl och kommentar"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["considered_on", "pk"]
        indexes = [
            models.Index(fields=["intervention", "considered_on"], name="custody_by_placement")
        ]

    def __str__(self) -> str:
        return f"Övervägande om vårdnadsöverflyttning {self.pk}"
