"""Factories for cases.

CaseFactory(child__district=bromma, unit=unit)            a case in intake
CaseFactory(in_investigation=True, unit=unit)             a case whose status is investigation
"""

from __future__ import annotations

import factory

from rodtrad.cases.models import Case, CaseStatus
from rodtrad.people.tests.factories import PersonFactory


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    child = factory.SubFactory(PersonFactory)
    district = factory.LazyAttribute(lambda o: o.child.district)
    unit = None

    class Params:
        in_pre_assessment = factory.Trait(status=CaseStatus.PRE_ASSESSMENT)
        in_investigation = factory.Trait(status=CaseStatus.INVESTIGATION)
