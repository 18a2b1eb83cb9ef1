"""Factories for cases."""

from __future__ import annotations

import factory

from rodtrad.cases.models import Case
from rodtrad.people.tests.factories import PersonFactory


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    child = factory.SubFactory(PersonFactory)
    district = factory.LazyAttribute(lambda o: o.child.district)
    unit = None
