"""Factories for placements (rows only, docs/howto/team-conventions.md, "Test data"): no
journal entry. Tests of what the services guarantee call `rodtrad.placements.services`.

    PlacementFactory(decision__case=case)                a familjehem placement started today
    CarePlanFactory(intervention=placement, signed=True)  a signed care plan
    PlacementReviewFactory(intervention=placement)
"""

from __future__ import annotations

import factory
from django.utils import timezone

from rodtrad.accounts.tests.factories import UserFactory
from rodtrad.cases.models import DocumentStatus
from rodtrad.decisions.models import DecisionKind, DecisionLevel
from rodtrad.decisions.tests.factories import DecisionFactory, InterventionFactory
from rodtrad.placements.models import (
    CarePlan,
    CustodyOutcome,
    CustodyTransferConsideration,
    ImplementationPlan,
    PlacementReview,
    ReviewOutcome,
)


class PlacementFactory(InterventionFactory):
    """A started placement in a familjehem (catalogue code with placement = true)."""

    decision = factory.SubFactory(
        DecisionFactory,
        kind=DecisionKind.PLACEMENT,
        legal_ground="sol-22-2",
        level=DecisionLevel.SUBCOMMITTEE,
    )
    catalogue_code = "familjehem"
    external_provider = ""
    started_on = factory.LazyAttribute(lambda o: o.planned_start)


class _PlanFactory(factory.django.DjangoModelFactory):
    intervention = factory.SubFactory(PlacementFactory)
    case = factory.LazyAttribute(lambda o: o.intervention.case)
    event_on = factory.LazyFunction(timezone.localdate)
    author = factory.SubFactory(UserFactory)

    class Params:
        signed = factory.Trait(
            status=DocumentStatus.SIGNED,
            signed_at=factory.LazyFunction(timezone.now),
            signed_by=factory.SelfAttribute("author"),
            content_hash="0" * 64,
        )


class CarePlanFactory(_PlanFactory):
    class Meta:
        model = CarePlan

    interventions_needed = "Familjehem med stöd av familjehemssekreterare."
    contact_arrangements = "Umgänge med mamma varannan helg."
    care_goal = "Barnet ska bo tryggt och gå i skolan."
    child_views = "Barnet vill bo kvar i familjehemmet."
    guardian_views = "Mamma samtycker till placeringen."


class ImplementationPlanFactory(_PlanFactory):
    class Meta:
        model = ImplementationPlan

    goals = "Barnet går i skolan varje dag."
    how_carried_out = "Familjehemmet följer barnet till skolan."
    follow_up = "Vid besök varannan månad."
    contact_arrangements = "Varannan helg hos mamma."
    committee_contact = "Socialsekreteraren besöker barnet varannan månad."
    child_views = "Barnet tycker att planen är bra."
    guardian_views = "Mamma har inga invändningar."


class PlacementReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlacementReview

    intervention = factory.SubFactory(PlacementFactory)
    case = factory.LazyAttribute(lambda o: o.intervention.case)
    held_on = factory.LazyFunction(timezone.localdate)
    level = DecisionLevel.SUBCOMMITTEE
    outcome = ReviewOutcome.CONTINUES
    recorded_by = factory.SubFactory(UserFactory)


class CustodyTransferConsiderationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustodyTransferConsideration

    intervention = factory.SubFactory(PlacementFactory)
    case = factory.LazyAttribute(lambda o: o.intervention.case)
    considered_on = factory.LazyFunction(timezone.localdate)
    level = DecisionLevel.SUBCOMMITTEE
    outcome = CustodyOutcome.NO_APPLICATION
    note = "Barnet har stark anknytning till föräldrarna; ingen ansökan nu."
    recorded_by = factory.SubFactory(UserFactory)
