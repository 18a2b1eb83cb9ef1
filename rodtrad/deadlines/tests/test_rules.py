"""Deadline rules: the law's arithmetic on hand-checked dates, and its properties (no database).

Lag (1930:173) 1 § (weeks, months), 2 § (next weekday), SoL 2025:400 time limits; see
docs/domain.md §2.2 and §2.4. The dates are calendar dates, so no clock is involved.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rodtrad.deadlines.rules import (
    CARE_PLAN_REVISION,
    CUSTODY_TRANSFER,
    CUSTODY_TRANSFER_FIRST,
    FOLLOW_UP,
    INVESTIGATION,
    NOT_CARRIED_OUT,
    PLACEMENT_REVIEW,
    PRE_ASSESSMENT,
    PROTECTION_ASSESSMENT,
    REPORTER_INFORMATION,
    RULES,
    Deadline,
    InvalidExtension,
    Urgency,
    add_days,
    add_months,
    add_weeks,
    custody_transfer_deadline,
    days_left,
    deadline_for,
    investigation_deadline,
    is_extension_decided_in_time,
    is_non_working_day,
    latest_extension_end,
    placement_review_deadline,
    roll_to_weekday,
    urgency,
)

# Years the `holidays` package knows Swedish holidays for, and well inside `date`'s range.
DATES = st.dates(min_value=date(1960, 1, 1), max_value=date(2199, 12, 31))


# --- 1930:173 1 §: months, weeks, days ------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2025, 10, 31), 4, date(2026, 2, 28)),  # February lacks the 31st
        (date(2027, 10, 31), 4, date(2028, 2, 29)),  # leap year
        (date(2025, 8, 30), 6, date(2026, 2, 28)),
        (date(2027, 8, 30), 6, date(2028, 2, 29)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 3, 15), 4, date(2026, 7, 15)),
        (date(2026, 2, 28), 4, date(2026, 6, 28)),  # the date number, not "end of month"
        (date(2025, 11, 30), 2, date(2026, 1, 30)),  # over the year boundary
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months_keeps_the_date_number_or_takes_the_last_day_of_the_month(
    start: date, months: int, end: date
) -> None:
    assert add_months(start, months) == end


@pytest.mark.parametrize(
    ("start", "weeks", "end"),
    [
        (date(2026, 2, 11), 1, date(2026, 2, 18)),
        (date(2025, 12, 29), 1, date(2026, 1, 5)),
        (date(2028, 2, 26), 1, date(2028, 3, 4)),
    ],
)
def test_add_weeks_ends_on_the_same_weekday(start: date, weeks: int, end: date) -> None:
    assert add_weeks(start, weeks) == end
    assert add_weeks(start, weeks).weekday() == start.weekday()


def test_add_days_counts_the_start_day_as_day_zero() -> None:
    assert add_days(date(2026, 6, 5), 14) == date(2026, 6, 19)
    assert add_days(date(2026, 12, 25), 14) == date(2027, 1, 8)


# --- 1930:173 2 §: non-working days and the next weekday ------------------------------------


@pytest.mark.parametrize(
    ("last_day", "next_weekday"),
    [
        pytest.param(date(2025, 12, 24), date(2025, 12, 29), id="julafton"),
        pytest.param(date(2025, 12, 25), date(2025, 12, 29), id="juldagen"),
        pytest.param(date(2025, 12, 26), date(2025, 12, 29), id="annandag jul"),
        pytest.param(date(2026, 12, 24), date(2026, 12, 28), id="julafton on a Thursday"),
        pytest.param(date(2025, 12, 31), date(2026, 1, 2), id="nyårsafton, then nyårsdagen"),
        pytest.param(date(2026, 12, 31), date(2027, 1, 4), id="nyårsafton before a weekend"),
        pytest.param(date(2026, 1, 1), date(2026, 1, 2), id="nyårsdagen"),
        pytest.param(date(2026, 1, 6), date(2026, 1, 7), id="trettondedag jul"),
        pytest.param(date(2026, 4, 3), date(2026, 4, 7), id="långfredagen"),
        pytest.param(date(2026, 4, 4), date(2026, 4, 7), id="påskafton (a Saturday)"),
        pytest.param(date(2026, 4, 5), date(2026, 4, 7), id="påskdagen"),
        pytest.param(date(2026, 4, 6), date(2026, 4, 7), id="annandag påsk"),
        pytest.param(date(2026, 5, 14), date(2026, 5, 15), id="Kristi himmelsfärdsdag"),
        pytest.param(date(2026, 5, 1), date(2026, 5, 4), id="1 maj"),
        pytest.param(date(2026, 5, 24), date(2026, 5, 25), id="pingstdagen"),
        pytest.param(date(2025, 6, 6), date(2025, 6, 9), id="nationaldagen on a Friday"),
        pytest.param(date(2028, 6, 6), date(2028, 6, 7), id="nationaldagen on a Tuesday"),
        pytest.param(date(2026, 6, 6), date(2026, 6, 8), id="nationaldagen on a Saturday"),
        pytest.param(date(2026, 6, 19), date(2026, 6, 22), id="midsommarafton"),
        pytest.param(date(2026, 6, 20), date(2026, 6, 22), id="midsommardagen"),
        pytest.param(date(2026, 10, 31), date(2026, 11, 2), id="alla helgons dag"),
        pytest.param(date(2026, 2, 14), date(2026, 2, 16), id="an ordinary Saturday"),
        pytest.param(date(2026, 2, 15), date(2026, 2, 16), id="an ordinary Sunday"),
        pytest.param(date(2026, 2, 11), date(2026, 2, 11), id="an ordinary Wednesday stays"),
        pytest.param(date(2026, 5, 25), date(2026, 5, 25), id="annandag pingst is a weekday"),
    ],
)
def test_a_last_day_on_a_non_working_day_moves_to_the_next_weekday(
    last_day: date, next_weekday: date
) -> None:
    assert roll_to_weekday(last_day) == next_weekday


def test_the_non_working_weekdays_of_2026_are_exactly_the_statutory_ones() -> None:
    # Guards against a `holidays` release adding or dropping a day for Sweden.
    expected = {
        date(2026, 1, 1),  # nyårsdagen
        date(2026, 1, 6),  # trettondedag jul
        date(2026, 4, 3),  # långfredagen
        date(2026, 4, 6),  # annandag påsk
        date(2026, 5, 1),  # första maj
        date(2026, 5, 14),  # Kristi himmelsfärdsdag
        date(2026, 6, 19),  # midsommarafton
        date(2026, 12, 24),  # julafton
        date(2026, 12, 25),  # juldagen
        date(2026, 12, 31),  # nyårsafton
    }
    year = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    weekdays = [day for day in year if day.weekday() < calendar.SATURDAY]
    assert {day for day in weekdays if is_non_working_day(day)} == expected


def test_every_weekend_day_is_a_non_working_day() -> None:
    year = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    assert all(is_non_working_day(day) for day in year if day.weekday() >= calendar.SATURDAY)
    assert sum(1 for day in year if is_non_working_day(day)) == 104 + 10


@pytest.mark.parametrize(
    "midsummer_eve",
    [date(2025, 6, 20), date(2026, 6, 19), date(2027, 6, 25), date(2029, 6, 22)],
)
def test_midsummer_eve_is_the_friday_between_19_and_25_june(midsummer_eve: date) -> None:
    assert is_non_working_day(midsummer_eve)
    assert not is_non_working_day(midsummer_eve - timedelta(days=1))


# --- The rule table -------------------------------------------------------------------------


def test_every_rule_cites_its_paragraph_in_sol_2025_400() -> None:
    assert {key: rule.citation for key, rule in RULES.items()} == {
        PROTECTION_ASSESSMENT: "SoL 20:1",
        PRE_ASSESSMENT: "SoL 20:2",
        INVESTIGATION: "SoL 20:3",
        REPORTER_INFORMATION: "SoL 19:6",
        PLACEMENT_REVIEW: "SoL 22:13",
        FOLLOW_UP: "SoL 23:5",
        CUSTODY_TRANSFER_FIRST: "SoL 22:14",
        CUSTODY_TRANSFER: "SoL 22:14",
        CARE_PLAN_REVISION: "SoL 9:13",
        NOT_CARRIED_OUT: "SoL 34:1",
    }
    assert all(rule.key == key for key, rule in RULES.items())


@pytest.mark.parametrize(
    ("rule_key", "start", "due_strict", "due"),
    [
        # Same day, also on a Saturday: protection cannot wait for Monday.
        (PROTECTION_ASSESSMENT, date(2026, 2, 11), date(2026, 2, 11), date(2026, 2, 11)),
        (PROTECTION_ASSESSMENT, date(2026, 6, 20), date(2026, 6, 20), date(2026, 6, 20)),
        # Received on the Friday two weeks before midsommarafton 2026: day 14 is midsommarafton.
        (PRE_ASSESSMENT, date(2026, 6, 5), date(2026, 6, 19), date(2026, 6, 22)),
        (PRE_ASSESSMENT, date(2026, 2, 11), date(2026, 2, 25), date(2026, 2, 25)),
        # Decided on a Wednesday: one week later is julafton.
        (REPORTER_INFORMATION, date(2025, 12, 17), date(2025, 12, 24), date(2025, 12, 29)),
        # Opened 31 October: 28 February 2026 is a Saturday; 29 February 2028 a Tuesday.
        (INVESTIGATION, date(2025, 10, 31), date(2026, 2, 28), date(2026, 3, 2)),
        (INVESTIGATION, date(2027, 10, 31), date(2028, 2, 29), date(2028, 2, 29)),
        (PLACEMENT_REVIEW, date(2025, 8, 31), date(2026, 2, 28), date(2026, 3, 2)),
        (PLACEMENT_REVIEW, date(2027, 8, 30), date(2028, 2, 29), date(2028, 2, 29)),
        # The follow-up ends at the latest on the calendar date, even a Saturday.
        (FOLLOW_UP, date(2025, 8, 31), date(2026, 2, 28), date(2026, 2, 28)),
        # Two years in the same familjehem: a leap day ends on 28 February (1930:173 1 §),
        # a Saturday 28 February moves to Monday 2 March.
        (CUSTODY_TRANSFER_FIRST, date(2028, 2, 29), date(2030, 2, 28), date(2030, 2, 28)),
        (CUSTODY_TRANSFER_FIRST, date(2024, 2, 28), date(2026, 2, 28), date(2026, 3, 2)),
        # Then yearly: a consideration on 24 December 2025 is due again on julafton 2026.
        (CUSTODY_TRANSFER, date(2025, 12, 24), date(2026, 12, 24), date(2026, 12, 28)),
        (CUSTODY_TRANSFER, date(2027, 2, 28), date(2028, 2, 28), date(2028, 2, 28)),
        # The first revision of the care plan: two years after the placement started.
        (CARE_PLAN_REVISION, date(2024, 6, 10), date(2026, 6, 10), date(2026, 6, 10)),
        (CARE_PLAN_REVISION, date(2024, 6, 19), date(2026, 6, 19), date(2026, 6, 22)),
        # Three months from the decision, on the calendar date (the quarterly report counts
        # it so): 31 March → 30 June; 30 November → 28 February, a Saturday, not moved.
        (NOT_CARRIED_OUT, date(2026, 3, 31), date(2026, 6, 30), date(2026, 6, 30)),
        (NOT_CARRIED_OUT, date(2025, 11, 30), date(2026, 2, 28), date(2026, 2, 28)),
    ],
)
def test_deadline_for_a_rule_gives_the_strict_and_the_rolled_date(
    rule_key: str, start: date, due_strict: date, due: date
) -> None:
    assert deadline_for(rule_key, start) == Deadline(rule=rule_key, due_strict=due_strict, due=due)


def test_an_unknown_rule_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        deadline_for("no_such_rule", date(2026, 2, 11))


def test_a_deadline_cannot_be_due_before_its_strict_date() -> None:
    with pytest.raises(ValueError, match="due_strict"):
        Deadline(rule=INVESTIGATION, due_strict=date(2026, 3, 2), due=date(2026, 2, 28))


# --- Investigation extensions (SoL 20:3) ----------------------------------------------------


def test_an_investigation_without_extensions_ends_four_months_after_opening() -> None:
    assert investigation_deadline(date(2026, 2, 11)) == Deadline(
        rule=INVESTIGATION, due_strict=date(2026, 6, 11), due=date(2026, 6, 11)
    )


def test_the_newest_extension_sets_the_deadline_on_the_very_day_the_manager_set() -> None:
    # Opened 31 Oct 2025: due Monday 2 March 2026; extended to 30 April, then to 6 June
    # (nationaldagen, a Saturday in 2026). The decision's date stands: not moved to Monday.
    deadline = investigation_deadline(date(2025, 10, 31), [date(2026, 4, 30), date(2026, 6, 6)])
    assert deadline == Deadline(
        rule=INVESTIGATION, due_strict=date(2026, 6, 6), due=date(2026, 6, 6)
    )


@pytest.mark.parametrize(
    "extended_to",
    [
        pytest.param(date(2026, 2, 28), id="the strict date itself"),
        pytest.param(date(2026, 3, 2), id="the rolled due date itself"),
        pytest.param(date(2026, 1, 15), id="before the current deadline"),
    ],
)
def test_an_extension_not_after_the_current_due_date_is_refused_in_swedish(
    extended_to: date,
) -> None:
    with pytest.raises(InvalidExtension, match="måste vara senare än") as refused:
        investigation_deadline(date(2025, 10, 31), [extended_to])
    assert isinstance(refused.value, ValueError)
    assert refused.value.params == {"extended_to": extended_to.isoformat(), "due": "2026-03-02"}


def test_a_second_extension_must_go_beyond_the_first() -> None:
    with pytest.raises(InvalidExtension):
        investigation_deadline(date(2025, 10, 31), [date(2026, 4, 30), date(2026, 4, 15)])


@pytest.mark.parametrize(
    ("decided_on", "current_due", "in_time"),
    [
        (date(2026, 3, 1), date(2026, 3, 2), True),
        (date(2026, 3, 2), date(2026, 3, 2), True),  # on the last day is still in time
        (date(2026, 3, 3), date(2026, 3, 2), False),
    ],
)
def test_an_extension_must_be_decided_on_or_before_the_due_date(
    decided_on: date, current_due: date, in_time: bool
) -> None:
    assert is_extension_decided_in_time(decided_on, current_due) is in_time


# --- Time left ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "left", "expected"),
    [
        (date(2026, 2, 10), -1, Urgency.OVERDUE),
        (date(2026, 1, 11), -31, Urgency.OVERDUE),
        (date(2026, 2, 11), 0, Urgency.TODAY),
        (date(2026, 2, 12), 1, Urgency.SOON),
        (date(2026, 2, 14), 3, Urgency.SOON),
        (date(2026, 2, 15), 4, Urgency.LATER),
    ],
)
def test_days_left_and_urgency_count_from_today(due: date, left: int, expected: Urgency) -> None:
    today = date(2026, 2, 11)
    assert days_left(due, today) == left
    assert urgency(due, today) == expected


def test_urgency_values_are_the_plain_strings_templates_use() -> None:
    assert [str(value) for value in Urgency] == ["overdue", "today", "soon", "later"]


@pytest.mark.parametrize(
    ("started_on", "last_review_on", "due_strict"),
    [
        # No review yet: six months after the start (31 August → 28 February).
        (date(2025, 8, 31), None, date(2026, 2, 28)),
        # Then six months after the last review, whenever it was held.
        (date(2025, 8, 31), date(2026, 1, 15), date(2026, 7, 15)),
        (date(2025, 8, 31), date(2025, 8, 31), date(2026, 2, 28)),
        # A review recorded before the placement started does not count.
        (date(2025, 8, 31), date(2025, 6, 1), date(2026, 2, 28)),
        (date(2027, 8, 29), date(2027, 8, 31), date(2028, 2, 29)),
    ],
)
def test_the_next_review_is_six_months_after_the_start_or_the_last_review(
    started_on: date, last_review_on: date | None, due_strict: date
) -> None:
    deadline = placement_review_deadline(started_on, last_review_on)
    assert deadline.rule == PLACEMENT_REVIEW
    assert deadline.due_strict == due_strict


@pytest.mark.parametrize(
    ("started_on", "last_considered_on", "rule", "due_strict"),
    [
        (date(2024, 2, 29), None, CUSTODY_TRANSFER_FIRST, date(2026, 2, 28)),
        (date(2024, 2, 29), date(2026, 2, 20), CUSTODY_TRANSFER, date(2027, 2, 20)),
        # Considered early (after a year): the yearly clock starts from then.
        (date(2024, 5, 2), date(2025, 5, 2), CUSTODY_TRANSFER, date(2026, 5, 2)),
        (date(2024, 5, 2), date(2024, 4, 1), CUSTODY_TRANSFER_FIRST, date(2026, 5, 2)),
    ],
)
def test_custody_transfer_is_considered_after_two_years_then_yearly(
    started_on: date, last_considered_on: date | None, rule: str, due_strict: date
) -> None:
    deadline = custody_transfer_deadline(started_on, last_considered_on)
    assert (deadline.rule, deadline.due_strict) == (rule, due_strict)


# --- Properties -----------------------------------------------------------------------------


@settings(database=None)  # no example database (.hypothesis/) written into the checkout
@given(day=DATES)
def test_rolling_lands_on_a_working_day_within_ten_days(day: date) -> None:
    rolled = roll_to_weekday(day)
    assert not is_non_working_day(rolled)
    assert day <= rolled < day + timedelta(days=10)
    if not is_non_working_day(day):
        assert rolled == day


@settings(database=None)
@given(start=DATES, months=st.integers(min_value=-600, max_value=600))
def test_add_months_lands_in_the_right_month_and_never_past_its_end(
    start: date, months: int
) -> None:
    end = add_months(start, months)
    assert (end.year - start.year) * 12 + (end.month - start.month) == months
    last_day = calendar.monthrange(end.year, end.month)[1]
    assert end.day == min(start.day, last_day)


@settings(database=None)
@given(start=DATES, rule_key=st.sampled_from(sorted(RULES)))
def test_the_rolled_date_is_never_before_the_strict_date(start: date, rule_key: str) -> None:
    deadline = deadline_for(rule_key, start)
    assert deadline.due >= deadline.due_strict
    if RULES[rule_key].is_rolled_to_weekday:
        assert not is_non_working_day(deadline.due)
    else:
        assert deadline.due == deadline.due_strict


@settings(database=None)
@given(
    opened_on=DATES,
    extra_days=st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=4),
)
def test_a_chain_of_later_extensions_ends_on_the_last_one(
    opened_on: date, extra_days: list[int]
) -> None:
    extensions: list[date] = []
    current = investigation_deadline(opened_on)
    for days in extra_days:
        extensions.append(current.due + timedelta(days=days))
        current = investigation_deadline(opened_on, extensions)
    assert current.due_strict == extensions[-1]
    assert current.due == extensions[-1]


@pytest.mark.parametrize(
    ("current_due", "months", "latest"),
    [
        (date(2027, 5, 12), 6, date(2027, 11, 12)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2027, 5, 12), 1, date(2027, 6, 12)),
    ],
)
def test_an_extension_ends_at_the_latest_the_bound_in_months_after_the_current_last_day(
    current_due: date, months: int, latest: date
) -> None:
    assert latest_extension_end(current_due, months) == latest


@settings(database=None)
@given(started_on=DATES, reviews=st.lists(st.integers(min_value=0, max_value=400), max_size=5))
def test_a_placement_review_is_never_more_than_six_months_after_the_last_one(
    started_on: date, reviews: list[int]
) -> None:
    """Whatever the dates (month ends, 29 February), the next review is due six months after
    the start or the last review: in the sixth month after it, never past that month's end,
    and never before it."""
    last: date | None = None
    for days in reviews:
        held_on = (last or started_on) + timedelta(days=days)
        deadline = placement_review_deadline(started_on, held_on)
        assert deadline.due_strict == add_months(held_on, 6)
        assert held_on < deadline.due_strict <= held_on + timedelta(days=184)
        assert not is_non_working_day(deadline.due)
        last = held_on
    first = placement_review_deadline(started_on, None)
    assert first.due_strict == add_months(started_on, 6)


@settings(database=None)
@given(started_on=DATES, considered_after_days=st.one_of(st.none(), st.integers(0, 2000)))
def test_custody_transfer_comes_two_years_after_the_start_or_a_year_after_the_last(
    started_on: date, considered_after_days: int | None
) -> None:
    if considered_after_days is None:
        deadline = custody_transfer_deadline(started_on, None)
        assert deadline.due_strict == add_months(started_on, 24)
        assert deadline.due_strict.month == started_on.month
        # A leap day placement comes round on 28 February.
        if (started_on.month, started_on.day) == (2, 29):
            assert deadline.due_strict.day == 28
    else:
        considered_on = started_on + timedelta(days=considered_after_days)
        deadline = custody_transfer_deadline(started_on, considered_on)
        assert deadline.due_strict == add_months(considered_on, 12)
        assert 365 <= (deadline.due_strict - considered_on).days <= 366
    assert deadline.due >= deadline.due_strict
