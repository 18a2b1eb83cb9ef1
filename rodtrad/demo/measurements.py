"""The demo's ratings of open-care interventions (docs/followup-instruments.md).

Every started open-care intervention gets a series with the shipped four-item example by the
child (from 6, the youngest band of the example) and by a guardian: one session a week
from the start until the end or today, written through `followup.services.record_measurement`
on the session's day. Each intervention follows one trajectory for both raters: most improve,
some stay flat, a few get worse, so the page shows every classification and the early warning.
A separate random generator, seeded from the dates, and events planned at a given minute keep
the rest of the demo's choices as they were.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.utils import timezone

from rodtrad.accounts.models import User
from rodtrad.decisions.models import Intervention
from rodtrad.followup import services
from rodtrad.followup.models import Instrument, RaterRole
from rodtrad.people.queries import age_on

INSTRUMENT = "example-four-item"
SESSION_DAYS = 7  # weekly sessions, as family treatment and support talks usually have
# (trajectory, weight): the change of the total per session, before noise.
TRAJECTORIES = (("improving", 6), ("flat", 3), ("deteriorating", 1))
STEP = {"improving": Decimal("2.2"), "flat": Decimal(0), "deteriorating": Decimal("-1.6")}
YOUNGEST_RATER_AGE = 6
# Sessions a series needs before its shape shows as a classification (reliable change 6 on the
# example: −1.6 a session needs six sessions, +2.2 five).
SESSIONS_TO_SHOW = {"deteriorating": 7, "improving": 5, "flat": 2}


class Planner(Protocol):
    def at(
        self, day: date, hour: int, action: Callable[[], None], minute: int | None = None
    ) -> None: ...


def _items(rng: random.Random, total: Decimal) -> dict[str, Decimal | int | None]:
    """Four item scores (0–10, one decimal) around a quarter of `total` each."""
    scores: dict[str, Decimal | int | None] = {}
    for n in range(1, 5):
        value = total / 4 + Decimal(rng.randint(-8, 8)) / 10
        scores[f"item_{n}"] = min(Decimal(10), max(Decimal(0), value)).quantize(Decimal("0.1"))
    return scores


def plan_series(
    timeline: Planner,
    *,
    worker: User,
    state: dict[str, Any],
    start_day: date,
    end_day: date,
    open_care: bool,
    flags: dict[str, Any],
) -> None:
    """Plan the ratings of the intervention in `state` (open care only), one event a session."""
    if not open_care:
        return
    rng = random.Random(start_day.toordinal() * 1000 + end_day.toordinal() % 1000)
    trajectory = rng.choices([t for t, _ in TRAJECTORIES], weights=[w for _, w in TRAJECTORIES])[0]
    last_day = min(end_day, timezone.localdate() - timedelta(days=1))
    sessions = (last_day - start_day).days // SESSION_DAYS + 1 if last_day >= start_day else 0
    shown = flags.setdefault("trajectories", set())
    # Every shape on every day the demo is made: the first series long enough to be classified
    # as getting worse (or better, or flat) does, whatever the draw.
    for wanted in ("deteriorating", "improving", "flat"):
        if wanted not in shown and sessions >= SESSIONS_TO_SHOW[wanted]:
            trajectory = wanted
            break
    shown.add(trajectory)
    baselines: dict[str, Decimal] = {
        RaterRole.CHILD: Decimal(rng.randint(150, 250)) / 10,
        RaterRole.GUARDIAN: Decimal(rng.randint(160, 260)) / 10,
    }
    day = start_day
    session = 0
    while day <= last_day:
        action = _session(rng, worker, state, day, session, trajectory, baselines)
        timeline.at(day, 12, action, minute=rng.randrange(0, 60))
        day += timedelta(days=SESSION_DAYS)
        session += 1


def _session(
    rng: random.Random,
    worker: User,
    state: dict[str, Any],
    day: date,
    session: int,
    trajectory: str,
    baselines: dict[str, Decimal],
) -> Callable[[], None]:
    noise = {role: Decimal(rng.randint(-15, 15)) / 10 for role in baselines}
    items = {
        role: _items(rng, baseline + STEP[trajectory] * session + noise[role])
        for role, baseline in baselines.items()
    }

    def rate() -> None:
        intervention = Intervention.objects.select_related("case__child").get(
            pk=state["intervention"].pk
        )
        if intervention.started_on is None or intervention.ended_on is not None:
            return
        instrument = Instrument.objects.get(code=INSTRUMENT, is_active=True)  # the edition in use
        guardians = services.guardians_of(intervention, on=day)
        raters: list[tuple[str, int | None]] = []
        if age_on(intervention.case.child.birth_date, day) >= YOUNGEST_RATER_AGE:
            raters.append((RaterRole.CHILD, None))
        if guardians:
            raters.append((RaterRole.GUARDIAN, guardians[0].pk))
        for role, rater_id in raters:
            services.record_measurement(
                intervention,
                by=worker,
                instrument=instrument,
                rater_role=role,
                rater_id=rater_id,
                administered_on=day,
                item_scores=items[role],
            )

    return rate
