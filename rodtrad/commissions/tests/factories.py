"""Factories for commissions and goals (rows only; no journal entry).

CommissionFactory(intervention=intervention)            a draft to the intervention's unit
CommissionFactory(sent=True)                            sent to the provider
GoalFactory(commission=commission, needs=[need])        a goal tied to a need
"""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from rodtrad.accounts.tests.factories import UserFactory
from rodtrad.commissions.models import Commission, CommissionStatus, Goal
from rodtrad.decisions.tests.factories import InterventionFactory


class CommissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commission

    intervention = factory.SubFactory(InterventionFactory)
    case = factory.LazyAttribute(lambda o: o.intervention.case)
    provider_unit = factory.LazyAttribute(lambda o: o.intervention.provider_unit)
    frequency = "En gång i veckan"
    created_by = factory.SubFactory(UserFactory)

    class Params:
        sent = factory.Trait(
            status=CommissionStatus.SENT, sent_at=factory.LazyFunction(timezone.now)
        )


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal
        skip_postgeneration_save = True

    commission = factory.SubFactory(CommissionFactory)
    text = "Barnet går till skolan varje dag."
    level_minus_2 = "Går inte alls."
    level_minus_1 = "Går en dag i veckan."
    level_0 = "Går tre dagar i veckan."
    level_plus_1 = "Går fyra dagar i veckan."
    level_plus_2 = "Går varje dag."
    recorded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def needs(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if extracted:
            self.needs.set(extracted)
