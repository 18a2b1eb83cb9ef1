"""Rows of the internal control for tests (the permission matrix's world uses them too)."""

from __future__ import annotations

from datetime import date
from typing import Any

from rodtrad.audits.models import (
    Checklist,
    Finding,
    ReviewerAssignment,
    ReviewProgramme,
    SampledCase,
)


def checklist(key: str = "violence-cases") -> Checklist:
    """A shipped checklist's current edition (migration 0002 loads them)."""
    return Checklist.objects.get(key=key, is_current=True)


def programme(
    *,
    created_by: Any,
    districts: list[Any],
    key: str = "violence-cases",
    review_ends_on: date = date(2099, 12, 31),
    name: str = "Våldsärenden 2026",
) -> ReviewProgramme:
    made = ReviewProgramme.objects.create(
        name=name,
        checklist=checklist(key),
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        sample_per_stratum=20,
        seed=12345,
        population_hash="0" * 64,
        review_ends_on=review_ends_on,
        created_by=created_by,
    )
    made.districts.set(districts)
    return made


def sampled_case(
    case: Any, *, of: ReviewProgramme | None = None, reviewers: tuple[Any, ...] = (), **kwargs: Any
) -> SampledCase:
    """`case` drawn into `of` (or a new programme of its district), given to `reviewers`."""
    if of is None:
        creator = kwargs.pop("created_by", None) or (reviewers[0] if reviewers else None)
        of = programme(created_by=creator, districts=[case.district], **kwargs)
    sampled = SampledCase.objects.create(
        programme=of,
        case=case,
        stratum=case.district,
        draw_order=of.sampled_cases.count() + 1,
    )
    for position, reviewer in enumerate(reviewers, start=1):
        ReviewerAssignment.objects.create(
            sampled_case=sampled, reviewer=reviewer, position=position
        )
    return sampled


def finding(sampled: SampledCase, *, by: Any, note: str = "Riskbedömning saknas.") -> Finding:
    return Finding.objects.create(sampled_case=sampled, note=note, flagged_by=by)
