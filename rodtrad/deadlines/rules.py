"""Statutory deadlines: the law's date arithmetic and the one table of child-welfare time limits.

Pure functions on plain `datetime.date` values: no ORM, no Django settings, no clock. Legal
dates are Europe/Stockholm calendar dates; callers convert (`timezone.localdate()`) before
calling. docs/principles.md rule 6; docs/domain.md §2.2 (the paragraphs) and §2.4 (the arithmetic);
docs/deadlines.md explains the two dates a deadline carries.

Arithmetic, lag (1930:173) om beräkning av lagstadgad tid:

- 1 §: a period in weeks ends on the day with the same weekday name; a period in months ends on
  the same date number, or on the last day of the end month when that month lacks the number
  (31 October + 4 months = 28/29 February).
- 2 §: when the last day falls on a Saturday, a Sunday or another public holiday,
  midsommarafton, julafton or nyårsafton, the action may be taken on the next weekday.

Every deadline carries two dates: `due_strict`, the calendar result that alerts are driven
from, and `due`, rolled per 2 §, that compliance is judged against.

| Key                   | Swedish name               | Paragraph | Period                 | 2 § |
|-----------------------|----------------------------|-----------|------------------------|-----|
| protection_assessment | Skyddsbedömning            | SoL 20:1  | same day as receipt    | no  |
| pre_assessment        | Förhandsbedömning          | SoL 20:2  | receipt + 14 days      | yes |
| reporter_information  | Information till anmälaren | SoL 19:6  | decision + 1 week      | yes |
| investigation         | Utredning                  | SoL 20:3  | opening + 4 months     | yes*|
| placement_review      | Övervägande                | SoL 22:13 | last review + 6 months | yes |
| follow_up             | Uppföljning efter avslut   | SoL 23:5  | closure + ≤ 6 months   | no  |
| custody_transfer_first| Vårdnadsöverflyttning      | SoL 22:14 | placement + 2 years    | yes |
| custody_transfer      | Vårdnadsöverflyttning      | SoL 22:14 | last consid. + 1 year  | yes |
| care_plan_revision    | Revidering av vårdplan     | SoL 9:13  | placement + 2 years    | yes |

Receipt = the day the report came in (day 0); decision = to open or not open an investigation;
last review = the placement's start or its last övervägande; closure = the investigation
closed or the placement ended; placement = the day the placement started (verkställdes);
last consid. = the last time the nämnd considered a custody transfer. "2 §" = whether `due`
moves to the next weekday. (*) An extension's end date is the date the decision sets, never
moved (`investigation_deadline`).

The protection assessment is due "genast", the same day, including weekends; and the follow-up
period is a limit on how long the nämnd may follow up, not a time for an action, so neither
moves to the next weekday (docs/deadlines.md, "Uncertain points").
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType
from typing import Final

import holidays

SOON_WITHIN_DAYS: Final = 3
"""A deadline this many days away or fewer is "soon"."""


def gettext_noop(message: str) -> str:
    """Mark a Swedish msgid for `makemessages` without importing Django.

    rules.py stays free of Django settings, so it cannot call `gettext`; callers translate
    the message with `gettext(error.message) % error.params`.
    """
    return message


# --- Arithmetic, lag (1930:173) 1 § -------------------------------------------------------


def add_days(start: date, days: int) -> date:
    """The day `days` days after `start`; the start day is day 0 ("inom fjorton dagar efter")."""
    return start + timedelta(days=days)


def add_weeks(start: date, weeks: int) -> date:
    """The day with the same weekday name `weeks` weeks later (lag 1930:173 1 §)."""
    return start + timedelta(weeks=weeks)


def add_months(start: date, months: int) -> date:
    """The same date number `months` months later, or that month's last day (lag 1930:173 1 §).

    31 October + 4 months = 28 (or 29) February; 29 February + 12 months = 28 February.
    """
    month_index = start.year * 12 + (start.month - 1) + months
    year, month_zero_based = divmod(month_index, 12)
    month = month_zero_based + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


# --- Non-working days, lag (1930:173) 2 § -------------------------------------------------


def _is_midsummer_eve(day: date) -> bool:
    """Midsommarafton: the Friday before midsommardagen (Saturday 20–26 June)."""
    return day.month == 6 and 19 <= day.day <= 25 and day.weekday() == calendar.FRIDAY


@cache
def _days_off_in(year: int) -> frozenset[date]:
    """Public holidays (lag 1989:253) and the three eves that 1930:173 2 § adds, for one year.

    Saturdays and Sundays are checked by weekday, not listed here. Older releases of
    `holidays` list every Sunday for Sweden by default, newer ones do not; asking explicitly
    keeps the set the same size whatever release is installed.
    """
    public_holidays = holidays.country_holidays("SE", years=year, include_sundays=False)
    days = set(public_holidays.keys())
    days.add(date(year, 12, 24))  # julafton
    days.add(date(year, 12, 31))  # nyårsafton
    days.update(
        date(year, 6, day) for day in range(19, 26) if _is_midsummer_eve(date(year, 6, day))
    )
    return frozenset(days)


def is_non_working_day(day: date) -> bool:
    """Saturday, Sunday, public holiday, midsommarafton, julafton or nyårsafton (1930:173 2 §)."""
    return day.weekday() >= calendar.SATURDAY or day in _days_off_in(day.year)


def roll_to_weekday(day: date) -> date:
    """`day` itself, or the next day that is not a non-working day (lag 1930:173 2 §)."""
    while is_non_working_day(day):
        day += timedelta(days=1)
    return day


# --- The table of time limits ---------------------------------------------------------------


class PeriodUnit(enum.StrEnum):
    """How a rule's period is counted."""

    DAYS = "days"
    WEEKS = "weeks"  # 1930:173 1 §: same weekday name
    MONTHS = "months"  # 1930:173 1 §: same date number or the month's last day


PROTECTION_ASSESSMENT: Final = "protection_assessment"
PRE_ASSESSMENT: Final = "pre_assessment"
REPORTER_INFORMATION: Final = "reporter_information"
INVESTIGATION: Final = "investigation"
PLACEMENT_REVIEW: Final = "placement_review"
FOLLOW_UP: Final = "follow_up"
CUSTODY_TRANSFER_FIRST: Final = "custody_transfer_first"
CUSTODY_TRANSFER: Final = "custody_transfer"
CARE_PLAN_REVISION: Final = "care_plan_revision"
NOT_CARRIED_OUT: Final = "not_carried_out"


@dataclass(frozen=True)
class DeadlineRule:
    """One statutory time limit: what starts it, how long it runs, and the paragraph."""

    key: str
    name: str  # Swedish, as staff say it
    citation: str  # "SoL 20:3" = socialtjänstlagen (2025:400) 20 kap. 3 §
    start_event: str  # Swedish: the event whose date starts the period
    amount: int
    unit: PeriodUnit
    is_rolled_to_weekday: bool  # whether 1930:173 2 § moves the last day to the next weekday

    def end_of_period(self, start: date) -> date:
        """The calendar end of the period (lag 1930:173 1 §), before any rolling."""
        if self.unit is PeriodUnit.MONTHS:
            return add_months(start, self.amount)
        if self.unit is PeriodUnit.WEEKS:
            return add_weeks(start, self.amount)
        return add_days(start, self.amount)


RULES: Final[Mapping[str, DeadlineRule]] = MappingProxyType(
    {
        rule.key: rule
        for rule in (
            # SoL 20:1: on a report, assess "genast" whether the child needs immediate
            # protection. Same day, weekends included: never moved to the next weekday.
            DeadlineRule(
                key=PROTECTION_ASSESSMENT,
                name="Skyddsbedömning",
                citation="SoL 20:1",
                start_event="Anmälan kom in",
                amount=0,
                unit=PeriodUnit.DAYS,
                is_rolled_to_weekday=False,
            ),
            # SoL 20:2: decide whether to open an investigation "inom fjorton dagar efter det
            # att anmälan har kommit in"; the day the report came in is day 0.
            DeadlineRule(
                key=PRE_ASSESSMENT,
                name="Förhandsbedömning",
                citation="SoL 20:2",
                start_event="Anmälan kom in",
                amount=14,
                unit=PeriodUnit.DAYS,
                is_rolled_to_weekday=True,
            ),
            # SoL 19:6 (from 2026-01-15): tell a mandatory reporter, at the latest one week
            # after the decision to open or not open an investigation.
            DeadlineRule(
                key=REPORTER_INFORMATION,
                name="Information till anmälaren",
                citation="SoL 19:6",
                start_event="Beslut att inleda eller inte inleda utredning",
                amount=1,
                unit=PeriodUnit.WEEKS,
                is_rolled_to_weekday=True,
            ),
            # SoL 20:3: complete the investigation within four months from when it was
            # opened; extensions "för viss tid" are handled by `investigation_deadline`.
            DeadlineRule(
                key=INVESTIGATION,
                name="Utredning",
                citation="SoL 20:3",
                start_event="Utredningen inleddes",
                amount=4,
                unit=PeriodUnit.MONTHS,
                is_rolled_to_weekday=True,
            ),
            # SoL 22:13: at least every six months consider whether care in a placement is
            # still needed (övervägande); counted from the start or the last review.
            DeadlineRule(
                key=PLACEMENT_REVIEW,
                name="Övervägande",
                citation="SoL 22:13",
                start_event="Placeringen började eller senaste övervägandet",
                amount=6,
                unit=PeriodUnit.MONTHS,
                is_rolled_to_weekday=True,
            ),
            # SoL 23:5: a follow-up ends at the latest six months after the investigation
            # closed or the placement ended. A limit on the nämnd's power, not a time for an
            # action, so the end is not moved later.
            DeadlineRule(
                key=FOLLOW_UP,
                name="Uppföljning efter avslut",
                citation="SoL 23:5",
                start_event="Utredningen avslutades eller placeringen upphörde",
                amount=6,
                unit=PeriodUnit.MONTHS,
                is_rolled_to_weekday=False,
            ),
            # SoL 22:14 (LVU 13 c § alike): when a child has been placed in the same
            # familjehem for two years from the placement's start, the nämnd considers
            # whether to apply for a transfer of custody (FB 6:8); then at least once a year
            # after the last consideration (CUSTODY_TRANSFER). Years count as 1930:173 1 §
            # months: 29 February + 2 years = 28 February.
            DeadlineRule(
                key=CUSTODY_TRANSFER_FIRST,
                name="Vårdnadsöverflyttning",
                citation="SoL 22:14",
                start_event="Placeringen i familjehemmet började",
                amount=24,
                unit=PeriodUnit.MONTHS,
                is_rolled_to_weekday=True,
            ),
            DeadlineRule(
                key=CUSTODY_TRANSFER,
                name="Vårdnadsöverflyttning",
                citation="SoL 22:14",
                start_event="Senaste övervägandet om vårdnadsöverflyttning",
                amount=12,
                unit=PeriodUnit.MONTHS,
                is_rolled_to_weekday=True,
            ),
            # SoL 9:13: the care plan is revised when needed, for a child at the latest when
            # the child has been placed for two years (the revision addresses the long-term
            # living arrangements). A statutory last day for an action, so rolled like the
            # reviews.
            DeadlineRule(
                key=CARE_PLAN_REVISION,
                name="Revidering av vårdplan",
                citation="SoL 9:13",
                start_event="Placeringen började",
                amount=24,
                unit=PeriodUnit.MONTHS,
                is_rolled_to_weekday=True,
            ),
            # SoL 34:1: a granted decision not carried out within three months is reported
            # to IVO and the auditors each quarter. A limit for starting the intervention;
            # the report counts from the calendar date, so it is not moved later.
            DeadlineRule(
                key=NOT_CARRIED_OUT,
                name="Verkställighet",
                citation="SoL 34:1",
                start_event="Beslutet om insats fattades",
                amount=3,
                unit=PeriodUnit.MONTHS,
                is_rolled_to_weekday=False,
            ),
        )
    }
)


# --- Deadlines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A computed deadline: the calendar date for alerts, the rolled date for compliance."""

    rule: str  # a key of RULES
    due_strict: date  # the calendar result (1930:173 1 §); alerts are driven from it
    due: date  # moved per 1930:173 2 § when the rule allows; compliance is judged against it

    def __post_init__(self) -> None:
        if self.due < self.due_strict:
            raise ValueError("due must not be before due_strict")


def _deadline(rule: DeadlineRule, due_strict: date) -> Deadline:
    due = roll_to_weekday(due_strict) if rule.is_rolled_to_weekday else due_strict
    return Deadline(rule=rule.key, due_strict=due_strict, due=due)


def deadline_for(rule_key: str, start: date) -> Deadline:
    """The deadline of rule `rule_key` for a period starting on `start` (see RULES)."""
    rule = RULES[rule_key]
    return _deadline(rule, rule.end_of_period(start))


def placement_review_deadline(started_on: date, last_review_on: date | None) -> Deadline:
    """The next övervägande (SoL 22:13, LVU 13 §): six months after the placement started,
    then six months after the last review. A review held before the start does not count."""
    if last_review_on is None or last_review_on < started_on:
        return deadline_for(PLACEMENT_REVIEW, started_on)
    return deadline_for(PLACEMENT_REVIEW, last_review_on)


def custody_transfer_deadline(started_on: date, last_considered_on: date | None) -> Deadline:
    """The next consideration of a custody transfer (SoL 22:14, LVU 13 c §): two years after
    the placement in the same familjehem started, then a year after the last consideration.

    A consideration before the two years (allowed: the nämnd may consider it earlier) starts
    the yearly clock from then on, so the next one is never later than a year after it.
    """
    if last_considered_on is None or last_considered_on < started_on:
        return deadline_for(CUSTODY_TRANSFER_FIRST, started_on)
    return deadline_for(CUSTODY_TRANSFER, last_considered_on)


class InvalidExtension(ValueError):
    """An extension that does not move the investigation's last day later (SoL 20:3)."""

    message: Final = gettext_noop(
        "Det nya slutdatumet %(extended_to)s måste vara senare än utredningens "
        "nuvarande sista dag %(due)s."
    )

    def __init__(self, *, extended_to: date, due: date) -> None:
        self.params = {"extended_to": extended_to.isoformat(), "due": due.isoformat()}
        super().__init__(self.message % self.params)


def investigation_deadline(opened_on: date, extensions: Sequence[date] = ()) -> Deadline:
    """The investigation's deadline after its extensions (SoL 20:3, lag 1930:173 1–2 §§).

    Four months from `opened_on` (rolled per 2 §); `extensions` are the new end dates set by
    extension decisions, oldest decision first, so the newest wins. Each must be later than
    the deadline it extends (its `due`), or `InvalidExtension` is raised. Whether each
    decision was made in time is checked separately with `is_extension_decided_in_time`.

    An extension's end date is the date the decision sets, as it stands: it is not moved to
    the next weekday. The manager chose that day knowing the calendar; 1930:173 2 § is about
    periods the law counts, and "för viss tid" is a period the decision fixes
    (docs/deadlines.md, "Extending an investigation").
    """
    deadline = deadline_for(INVESTIGATION, opened_on)
    for extended_to in extensions:
        if extended_to <= deadline.due:
            raise InvalidExtension(extended_to=extended_to, due=deadline.due)
        deadline = Deadline(rule=INVESTIGATION, due_strict=extended_to, due=extended_to)
    return deadline


def latest_extension_end(current_due: date, max_months: int) -> date:
    """The latest end date an extension may set: `max_months` months after the current last
    day (lag 1930:173 1 §: same date number, or the month's last day).

    SoL 20:3 allows an extension "för viss tid" and sets no maximum; the bound is Rodtrad's
    sanity check against typing errors and open-ended extensions (docs/deadlines.md). A
    longer investigation gets a new decision before the new last day.
    """
    return add_months(current_due, max_months)


def is_extension_decided_in_time(decided_on: date, current_due: date) -> bool:
    """Whether an extension was decided on or before the deadline it extends (SoL 20:3).

    An extension decided after the time ran out cannot revive it; the investigation was late.
    """
    return decided_on <= current_due


# --- Time left ------------------------------------------------------------------------------


class Urgency(enum.StrEnum):
    """How close a deadline is, for lists and reminders."""

    OVERDUE = "overdue"
    TODAY = "today"
    SOON = "soon"  # within SOON_WITHIN_DAYS days
    LATER = "later"


def days_left(due: date, today: date) -> int:
    """Days from `today` to `due`: 0 on the day itself, negative when overdue."""
    return (due - today).days


def urgency(due: date, today: date) -> Urgency:
    """Overdue, today, soon (at most SOON_WITHIN_DAYS days left) or later."""
    left = days_left(due, today)
    if left < 0:
        return Urgency.OVERDUE
    if left == 0:
        return Urgency.TODAY
    if left <= SOON_WITHIN_DAYS:
        return Urgency.SOON
    return Urgency.LATER
