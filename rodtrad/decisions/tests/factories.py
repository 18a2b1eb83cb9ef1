"""Factories for decisions and interventions (rows only, docs/howto/team-conventions.md,
"Test data"): a `DecisionFactory` row has no journal entry and does not move the case. Tests
of what the services guarantee call `rodtrad.decisions.services.record_decision`.

    DecisionFactory(case=case)                               a granting decision on delegation
    InterventionFactory(decision__case=case, started=True)   an ongoing intervention
"""

from __future__ import annotations

import factory
from django.utils import timezone

from rodtrad.accounts.tests.factories import UserFactory
from rodtrad.cases.models import CaseStatus
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.decisions.models import Decision, DecisionKind, DecisionLevel, Intervention


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    case = factory.SubFactory(CaseFactory, status=CaseStatus.INTERVENTION)
    kind = DecisionKind.GRANTED
    legal_ground = "sol-11-1"
    level = DecisionLevel.DELEGATE
    decided_on = factory.LazyFunction(timezone.localdate)
    effective_from = factory.LazyAttribute(lambda o: o.decided_on)
    reasons = "Barnet behöver stöd i vardagen."
    appealable = True
    decided_by = factory.SubFactory(UserFactory)
    content_hash = "0" * 64


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    decision = factory.SubFactory(DecisionFactory)
    case = factory.LazyAttribute(lambda o: o.decision.case)
    catalogue_code = "familjebehandling"
    external_provider = "Familjebehandlingen"
    planned_start = factory.LazyAttribute(lambda o: o.decision.decided_on)

    class Params:
        started = factory.Trait(started_on=factory.LazyAttribute(lambda o: o.planned_start))
