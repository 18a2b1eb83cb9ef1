"""Factories for the follow-up ratings (rows only, docs/howto/team-conventions.md, "Test data"):
a `MeasurementFactory` row has no journal entry. Tests of what the service guarantees call
`rodtrad.followup.services.record_measurement`.

    example_instrument()                                   the shipped four-item example
    MeasurementFactory(intervention=i, total=Decimal(20))  the child's rating at session 1
"""

from __future__ import annotations

from decimal import Decimal

import factory

from rodtrad.accounts.tests.factories import UserFactory
from rodtrad.decisions.tests.factories import InterventionFactory
from rodtrad.followup.models import Instrument, InstrumentKind, Measurement, RaterRole

EXAMPLE = "example-four-item"
SATISFACTION = "example-satisfaction"


def example_instrument() -> Instrument:
    """The four-item example the data migration loads (bands 6–12, 13–17, 18+)."""
    return Instrument.objects.get(code=EXAMPLE)


def satisfaction_instrument() -> Instrument:
    return Instrument.objects.get(code=SATISFACTION)


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument

    code = factory.Sequence(lambda n: f"instrument-{n}")
    name = factory.Sequence(lambda n: f"Formulär {n}")
    kind = InstrumentKind.RATING_SCALE
    items = factory.LazyFunction(
        lambda: [{"code": "a", "label": "Fråga A"}, {"code": "b", "label": "Fråga B"}]
    )
    bands = factory.LazyFunction(
        lambda: [{"min_age": 0, "max_age": None, "clinical_cutoff": "10", "reliable_change": "3"}]
    )


def _items(total: Decimal) -> dict[str, str]:
    """Four item scores that add up to `total` (the first three equal, the rest in the last)."""
    share = (total / 4).quantize(Decimal("0.1"))
    return {
        "item_1": str(share),
        "item_2": str(share),
        "item_3": str(share),
        "item_4": str(total - 3 * share),
    }


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    intervention = factory.SubFactory(InterventionFactory, started=True)
    instrument = factory.LazyFunction(example_instrument)
    instrument_edition = factory.LazyAttribute(lambda o: o.instrument.edition)
    session_number = 1
    administered_on = factory.LazyAttribute(lambda o: o.intervention.started_on)
    rater_role = RaterRole.CHILD
    rater = factory.LazyAttribute(lambda o: o.intervention.case.child)
    total = Decimal(20)
    item_scores = factory.LazyAttribute(lambda o: _items(o.total))
    recorded_by = factory.SubFactory(UserFactory)
