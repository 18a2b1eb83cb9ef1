"""The red thread to its end: need → goal → intervention (commissions/thread.py) → where each
goal stands and how the ratings changed, naming the broken links of the follow-up as well
(docs/red-thread.md, "The red-thread view"): a goal never followed up, a follow-up overdue,
a series of ratings ended without a classification. One computation for the case page and the
team manager's list, in a fixed number of queries for any number of cases."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max

from rodtrad.commissions import thread as structure
from rodtrad.commissions.models import Commission, Goal
from rodtrad.followup.models import GoalRating, InstrumentKind, Measurement
from rodtrad.followup.services import FOLLOWED_UP, next_follow_up_on

GOAL_NOT_FOLLOWED_UP = "goal_not_followed_up"
FOLLOW_UP_OVERDUE = "follow_up_overdue"
SERIES_UNCLASSIFIED = "series_unclassified"
KINDS = (
    structure.NO_INTERVENTION,
    structure.NO_GOAL,
    structure.NO_NEED,
    GOAL_NOT_FOLLOWED_UP,
    FOLLOW_UP_OVERDUE,
    SERIES_UNCLASSIFIED,
)


@dataclass
class FullThread:
    structure: structure.Thread
    latest_level: dict[int, tuple[int, date]] = field(default_factory=dict)  # goal → level, day
    breaks: Counter[str] = field(default_factory=Counter)  # the follow-up's broken links

    def count(self, kind: str) -> int:
        if kind in self.breaks:
            return self.breaks[kind]
        return self.structure.count(kind)

    @property
    def broken(self) -> int:
        return self.structure.broken + sum(self.breaks.values())


def threads(case_ids: Iterable[int], *, today: date) -> dict[int, FullThread]:
    ids = sorted(set(case_ids))
    result = {case_id: FullThread(structure=s) for case_id, s in structure.threads(ids).items()}
    # Where each goal last stood.
    for rating in (
        GoalRating.objects.filter(goal__commission__case_id__in=ids)
        .select_related("follow_up")
        .order_by("follow_up__held_on", "follow_up_id")
    ):
        case_id = rating.follow_up.case_id
        result[case_id].latest_level[rating.goal_id] = (rating.level, rating.follow_up.held_on)
    # A goal of a followed-up commission whose first follow-up has passed, never rated.
    for goal in Goal.objects.filter(
        commission__case_id__in=ids,
        commission__status__in=list(FOLLOWED_UP),
        commission__first_follow_up_on__lt=today,
        ratings__isnull=True,
    ).values("commission__case_id"):
        result[goal["commission__case_id"]].breaks[GOAL_NOT_FOLLOWED_UP] += 1
    # A commission of a running intervention whose next follow-up has passed.
    for commission in (
        Commission.objects.filter(
            case_id__in=ids,
            status__in=list(FOLLOWED_UP),
            intervention__ended_on__isnull=True,
        )
        .annotate(last_held_on=Max("follow_ups__held_on"))
        .only("pk", "case_id", "first_follow_up_on", "follow_up_every_weeks")
    ):
        due = next_follow_up_on(commission, getattr(commission, "last_held_on", None))
        if due is not None and due < today:
            result[commission.case_id].breaks[FOLLOW_UP_OVERDUE] += 1
    # An ended intervention's rating series with fewer than two ratings: never classified.
    for series in (
        Measurement.objects.filter(
            intervention__case_id__in=ids,
            intervention__ended_on__isnull=False,
            instrument__kind=InstrumentKind.RATING_SCALE,
        )
        .values(
            "intervention__case_id", "intervention_id", "instrument_id", "rater_role", "rater_id"
        )
        .annotate(sessions=Count("pk"))
        .filter(sessions__lt=2)
    ):
        result[series["intervention__case_id"]].breaks[SERIES_UNCLASSIFIED] += 1
    return result


def thread_of(case_id: int, *, today: date) -> FullThread:
    return threads([case_id], today=today)[case_id]
