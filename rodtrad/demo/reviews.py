"""Demo internal control (docs/internal-control.md, "Demo"): two sampled reviews of the violence
cases of Bromma and Farsta, an earlier and a later period, to compare; both demo reviewers on
part of each sample, blind to each other, disagreeing on some answers.

Made through the audits services as the administrator and the reviewers would, at the end of
the demo's history, so the reviewers' start pages, the programmes' results, their agreement
(kappa) and the comparison of the two are not empty. The log review is `demo/log_review.py`.

The periods (`programme_periods`) are true on every day of the year: the history reaches
`HISTORY_DAYS` back, so two calendar years are used only when each holds a fair part of it
(from March to June); otherwise the history is cut in two at a month's start and each
programme is named by its months.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from rodtrad.accounts.models import District, User
from rodtrad.audits.models import NO, NOT_APPLICABLE, YES, CasePhase, Checklist, ItemKind
from rodtrad.audits.services import assign_reviewers, create_programme, save_review
from rodtrad.demo.history import HISTORY_DAYS
from rodtrad.stats.indicators import violence_reason_codes

DISTRICTS = ("bromma", "farsta")  # where the demo users work (the most history)
SAMPLE = 3  # per district
SECOND_REVIEWER_CASES = 2  # per district: the first drawn also go to the second reviewer
# Two calendar years only when each holds at least this many days of the history.
MIN_DAYS_IN_YEAR = 60
# The item on which the second reviewer is made to disagree once (the others by chance).
DISPUTED_ITEM = "offered-intervention"
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


@dataclass(frozen=True)
class Period:
    label: str  # "2026", or "maj–augusti 2026", "november 2026–februari 2027"
    start: date
    end: date


def _month_label(start: date, end: date) -> str:
    first, last = MONTHS[start.month - 1], MONTHS[end.month - 1]
    if start.year != end.year:
        return f"{first} {start.year}–{last} {end.year}"
    if start.month == end.month:
        return f"{first} {start.year}"
    return f"{first}–{last} {start.year}"


def programme_periods(today: date) -> tuple[Period, Period]:
    """The earlier and the later programme's period: the previous calendar year and this year
    so far when each holds at least MIN_DAYS_IN_YEAR days of the history, else the history's
    months cut in two at the month its middle falls in. Every period ends by today and its
    label names exactly its months (or year)."""
    history_start = today - timedelta(days=HISTORY_DAYS)
    new_year = date(today.year, 1, 1)
    if (today - new_year).days >= MIN_DAYS_IN_YEAR and (
        new_year - history_start
    ).days >= MIN_DAYS_IN_YEAR:
        last_year = today.year - 1
        return (
            Period(str(last_year), date(last_year, 1, 1), date(last_year, 12, 31)),
            Period(str(today.year), new_year, today),
        )
    split = (history_start + timedelta(days=HISTORY_DAYS // 2)).replace(day=1)
    earlier_start = history_start.replace(day=1)
    earlier_end = split - timedelta(days=1)
    return (
        Period(_month_label(earlier_start, earlier_end), earlier_start, earlier_end),
        Period(_month_label(split, today), split, today),
    )


def _other(value: str) -> str:
    return NO if value == YES else YES


def generate_reviews(*, seed: int, users: dict[str, User], districts: dict[str, District]) -> int:
    """Returns the number of sampled cases over both programmes (a programme whose period
    holds no investigated violence case on this day is left out)."""
    admin = users["admin"]
    first_reviewer, second_reviewer = users["granskare"], users["granskare2"]
    checklist = Checklist.objects.get(key="violence-cases", is_current=True)
    items = list(checklist.items.all())
    yes_no = [item.key for item in items if item.kind == ItemKind.YES_NO]
    today = timezone.localdate()
    history_start = today - timedelta(days=HISTORY_DAYS)
    names = " och ".join(districts[code].name for code in DISTRICTS)
    sampled_total = 0
    periods = programme_periods(today)
    for index, period in enumerate(periods):
        try:
            programme = create_programme(
                by=admin,
                name=f"Våldsärenden {names} {period.label}",
                description=(
                    "Slumpvis urval av utredda ärenden med våld som anmälningsorsak. "
                    f"Demons historik börjar {history_start.isoformat()}: "
                    "äldre ärenden finns inte."
                ),
                checklist=checklist,
                districts=[districts[code] for code in DISTRICTS],
                period_start=period.start,
                period_end=period.end,
                sample_per_stratum=SAMPLE,
                review_ends_on=today + timedelta(days=60),
                phase=CasePhase.INVESTIGATED,
                reason_codes=violence_reason_codes(),
                seed=seed + index,
            )
        except ValidationError:
            continue  # no investigated violence case in this period on this day
        sampled = list(programme.sampled_cases.order_by("stratum__code", "draw_order"))
        sampled_total += len(sampled)
        double = [s for s in sampled if s.draw_order <= SECOND_REVIEWER_CASES]
        assign_reviewers(
            by=admin, programme=programme, sampled_cases=sampled, reviewer_users=[first_reviewer]
        )
        if double:
            assign_reviewers(
                by=admin,
                programme=programme,
                sampled_cases=double,
                reviewer_users=[second_reviewer],
            )
        # Deterministic from the demo's seed, apart from the rest of the demo.
        rng = random.Random(f"reviews-{seed}-{index}")
        is_later = index == len(periods) - 1
        pair = 0  # the how-manieth case with two reviewers
        # In the later programme the first reviewer is still at work: one of her cases is not
        # begun and one only begun (a draft), so her start page has work left and the browser
        # journey has two cases to review. Cases without a second reviewer are taken first,
        # so that the pairs for the agreement stay whole where the sample allows.
        pool = [s for s in sampled if s not in double] + [
            s for s in reversed(sampled) if s in double
        ]
        waiting = {pool[0].pk} if is_later and len(pool) > 1 else set()
        begun = {pool[1].pk} if is_later and len(pool) > 1 else set()
        for sampled_case in sampled:
            first = {
                key: rng.choices((YES, NO, NOT_APPLICABLE), weights=(6, 3, 1))[0] for key in yes_no
            }
            if sampled_case in double:
                # The second reviewer mostly reads the file as the first did; some answers
                # differ by chance, and the disputed item (answered both ways by the first)
                # differs on the second pair for certain: its kappa is neither 1 nor undefined.
                second = {
                    key: (_other(value) if rng.random() < 0.2 else value)
                    for key, value in first.items()
                }
                if DISPUTED_ITEM in first:
                    first[DISPUTED_ITEM] = NO if pair % 3 == 0 else YES
                    second[DISPUTED_ITEM] = (
                        _other(first[DISPUTED_ITEM]) if pair == 1 else first[DISPUTED_ITEM]
                    )
                pair += 1
                save_review(
                    by=second_reviewer, sampled_case=sampled_case, answers=second, submit=True
                )
            if sampled_case.pk in waiting:
                continue
            if sampled_case.pk in begun:
                save_review(
                    by=first_reviewer,
                    sampled_case=sampled_case,
                    answers={yes_no[0]: first[yes_no[0]]},
                )
                continue
            save_review(by=first_reviewer, sampled_case=sampled_case, answers=first, submit=True)
    return sampled_total
