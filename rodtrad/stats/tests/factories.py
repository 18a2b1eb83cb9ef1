"""Factories for the statistics tests (and the permission matrix)."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from rodtrad.accounts.tests.factories import UserFactory
from rodtrad.stats.models import Snapshot


class SnapshotFactory(factory.django.DjangoModelFactory):
    """A frozen report with one small table (use `districts=[…]`)."""

    class Meta:
        model = Snapshot
        skip_postgeneration_save = True

    title = "Nämndens sammanträde"
    year = 2026
    filters = factory.LazyAttribute(lambda o: {"year": o.year, "districts": []})
    indicators = factory.LazyFunction(lambda: [{"code": "violence_share", "version": 1}])
    threshold = 5
    data_at = factory.LazyFunction(timezone.now)
    tables = factory.LazyFunction(list)
    reason = "Underlag till nämnden."
    created_by = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def districts(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.districts.set(extracted)
