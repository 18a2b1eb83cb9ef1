"""Reading the ratings of an intervention as series, classified and checked for the early
warning (docs/followup-instruments.md). The caller has read the intervention through
`decisions.queries.get_intervention_for`, which checks the reader's scope."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from django.conf import settings
from django.utils.translation import gettext as _

from rodtrad.decisions.models import Intervention
from rodtrad.followup import scoring
from rodtrad.followup.models import Instrument, Measurement, RaterRole
from rodtrad.people.models import Person
from rodtrad.people.queries import age_on


@dataclass(frozen=True)
class Series:
    """One rater's ratings with one instrument on one intervention, in session order."""

    instrument: Instrument
    rater_role: str
    rater: Person | None
    measurements: tuple[Measurement, ...]
    band: scoring.ScaleBand | None
    change: scoring.Change | None
    needs_attention: bool

    @property
    def key(self) -> str:
        """A stable id for the page (SVG title and description ids)."""
        first = self.measurements[0]
        return f"serie-{first.instrument_id}-{self.rater_role}-{first.rater_id or 0}"

    @property
    def rater_label(self) -> str:
        role = RaterRole(self.rater_role).label
        if self.rater is None:
            return str(role)
        return f"{role}: {self.rater.given_name} {self.rater.family_name}"

    @property
    def totals(self) -> list[Decimal]:
        return [m.total for m in self.measurements if m.total is not None]

    @property
    def is_rating_scale(self) -> bool:
        return self.instrument.is_rating_scale

    @property
    def classification_label(self) -> str:
        return _(self.change.classification.label) if self.change else ""

    @property
    def classification_description(self) -> str:
        return _(self.change.classification.description) if self.change else ""

    @property
    def why_not_classified(self) -> str:
        if not self.is_rating_scale or self.change is not None:
            return ""
        if self.band is None:
            return _("Instrumentet har inget gränsvärde för barnets ålder vid första mätningen.")
        return _("Minst två mätningar behövs för att bedöma förändringen.")


def warning_session() -> int:
    return int(settings.RODTRAD_FOLLOWUP_WARNING_SESSION)


def series_of(intervention: Intervention) -> list[Series]:
    """The intervention's series (one query), each classified from its first to its last total
    with the band for the child's age at the first session, and checked for the early warning
    (`scoring.needs_attention` by session `RODTRAD_FOLLOWUP_WARNING_SESSION`)."""
    rows = list(
        Measurement.objects.filter(intervention=intervention)
        .select_related("instrument", "rater")
        .order_by("instrument__name", "instrument_id", "rater_role", "rater_id", "session_number")
    )
    birth_date = intervention.case.child.birth_date
    result = []
    for (_instrument, role, _rater), group in groupby(
        rows, key=lambda m: (m.instrument_id, m.rater_role, m.rater_id)
    ):
        measurements = tuple(group)
        first = measurements[0]
        instrument = first.instrument
        band = None
        change = None
        attention = False
        if instrument.is_rating_scale:
            band = scoring.band_for_age(
                instrument.spec(), age_on(birth_date, first.administered_on)
            )
            totals = [m.total for m in measurements if m.total is not None]
            if band is not None:
                if len(totals) >= 2:
                    change = scoring.classify_series(totals, band)
                attention = intervention.ended_on is None and scoring.needs_attention(
                    totals, band.reliable_change, by_session=warning_session()
                )
        result.append(
            Series(
                instrument=instrument,
                rater_role=role,
                rater=first.rater,
                measurements=measurements,
                band=band,
                change=change,
                needs_attention=attention,
            )
        )
    return result
