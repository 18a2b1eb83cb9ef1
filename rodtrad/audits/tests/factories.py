"""Rows of the internal control for tests (the permission matrix's world uses them too)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from rodtrad.audits.models import (
    Checklist,
    Finding,
    LogReview,
    LogReviewItem,
    LogRule,
    ReviewerAssignment,
    ReviewProgramme,
    SampledCase,
)
from rodtrad.journal.models import AccessAction, AccessEvent


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


def access_event(user: Any, *, case: Any = None, person: Any = None, **fields: Any) -> AccessEvent:
    """An access event as journal.services.record_access writes it (time: now, or `occurred_at`)."""
    if person is None and case is not None:
        person = case.child
    values: dict[str, Any] = {
        "occurred_at": timezone.now(),
        "user": user,
        "username": user.username,
        "action": AccessAction.VIEWED,
        "person_id": person.pk if person is not None else None,
        "case_id": case.pk if case is not None else None,
        "is_protected": person is not None and person.is_protected,
    }
    values.update(fields)
    return AccessEvent.objects.create(**values)


def log_review(*, created_by: Any, seed: int = 4711) -> LogReview:
    return LogReview.objects.create(
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        sample_size=10,
        seed=seed,
        population_hash="0" * 64,
        created_by=created_by,
    )


def log_item(review: LogReview, event: AccessEvent, kind: str = LogRule.SAMPLE) -> LogReviewItem:
    return LogReviewItem.objects.create(review=review, event=event, kind=kind)
