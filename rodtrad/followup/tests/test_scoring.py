"""Follow-up scoring on hand-worked examples, its boundaries and its properties (no database).

The formulas and the same examples are in docs/followup-instruments.md; the facts behind them
in docs/domain.md §3.1 (ORS/SRS kind, Jacobson–Truax) and §3.2 (GAS).
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rodtrad.followup.scoring import (
    EXAMPLE_INSTRUMENT,
    GAS_RHO,
    Change,
    Classification,
    InstrumentSpec,
    InvalidAnswers,
    InvalidGoalRatings,
    InvalidItemScores,
    InvalidScores,
    Problem,
    ScaleBand,
    band_for_age,
    classify_change,
    classify_series,
    for_display,
    gas_t_score,
    gas_t_score_unweighted,
    needs_attention,
    satisfaction_mean,
    total,
)

D = Decimal

# --- GAS: worked by hand ------------------------------------------------------------------


def test_three_unweighted_goals_at_0_plus_1_and_minus_1_give_50() -> None:
    """Σx = 0 + 1 − 1 = 0, so T = 50 + 10 · 0 / sqrt(…) = 50 whatever the denominator."""
    assert gas_t_score([(0, 1), (1, 1), (-1, 1)]) == 50
    assert gas_t_score_unweighted([0, 1, -1]) == 50


def test_two_unweighted_goals_at_plus_1_give_62_4() -> None:
    """Two goals, both +1, weights 1, ρ = 0.3:

    Σwx = 1 + 1 = 2
    Σw² = 1 + 1 = 2, (Σw)² = 2² = 4
    denominator = sqrt(0.7 · 2 + 0.3 · 4) = sqrt(1.4 + 1.2) = sqrt(2.6) = 1.612451…
    T = 50 + 10 · 2 / 1.612451… = 50 + 12.403473… = 62.403473… → shown as 62.4
    """
    t = gas_t_score([(1, 1), (1, 1)])

    assert t == pytest.approx(62.403473458920845, abs=1e-12)
    assert for_display(t) == D("62.4")
    assert gas_t_score_unweighted([1, 1]) == pytest.approx(t, abs=1e-12)


def test_weighted_goals_give_61_0() -> None:
    """Goals (level, weight) = (+2, 3), (−1, 1), (0, 2), ρ = 0.3:

    Σwx = 3·2 + 1·(−1) + 2·0 = 6 − 1 + 0 = 5
    Σw² = 9 + 1 + 4 = 14, Σw = 6, (Σw)² = 36
    denominator = sqrt(0.7 · 14 + 0.3 · 36) = sqrt(9.8 + 10.8) = sqrt(20.6) = 4.538722…
    T = 50 + 10 · 5 / 4.538722… = 50 + 11.016316… = 61.016316… → shown as 61.0
    """
    t = gas_t_score([(2, 3), (-1, 1), (0, 2)])

    assert t == pytest.approx(61.01631623098079, abs=1e-12)
    assert for_display(t) == D("61.0")


def test_one_goal_moves_t_by_10_per_level() -> None:
    """n = 1: denominator = sqrt(0.7 · 1 + 0.3 · 1) = 1, so T = 50 + 10 · x: 30, 40 … 70."""
    assert [gas_t_score([(level, 1)]) for level in range(-2, 3)] == [30, 40, 50, 60, 70]


def test_three_goals_all_at_plus_2_give_77_4() -> None:
    """Σx = 6; denominator = sqrt(0.7 · 3 + 0.3 · 9) = sqrt(4.8) = 2.190890…;
    T = 50 + 60 / 2.190890… = 50 + 27.386127… = 77.386127… → 77.4."""
    assert for_display(gas_t_score_unweighted([2, 2, 2])) == D("77.4")


def test_rho_0_makes_the_denominator_the_root_of_the_sum_of_squared_weights() -> None:
    """ρ = 0, two goals at +1: 50 + 10 · 2 / sqrt(2) = 50 + 14.142… = 64.142…."""
    assert gas_t_score([(1, 1), (1, 1)], rho=0) == pytest.approx(50 + 20 / math.sqrt(2))


# --- GAS: what is refused -------------------------------------------------------------------


def test_no_goals_is_refused_for_the_whole_list() -> None:
    with pytest.raises(InvalidGoalRatings) as raised:
        gas_t_score([])

    assert raised.value.problems == {
        None: Problem("Minst ett mål behövs för att räkna ut ett T-värde.")
    }


def test_each_bad_level_and_weight_is_named_by_its_position() -> None:
    with pytest.raises(InvalidGoalRatings) as raised:
        gas_t_score([(0, 1), (3, 1), (1, 0), (-3, 2), (1, -1.5), (1, math.nan)])

    messages = {position: str(problem) for position, problem in raised.value.problems.items()}
    assert messages == {
        1: "Nivån måste vara ett heltal från −2 till +2.",
        2: "Vikten måste vara ett tal större än 0.",
        3: "Nivån måste vara ett heltal från −2 till +2.",
        4: "Vikten måste vara ett tal större än 0.",
        5: "Vikten måste vara ett tal större än 0.",
    }


def test_a_level_that_is_not_a_whole_number_is_refused() -> None:
    with pytest.raises(InvalidGoalRatings):
        gas_t_score([(0.5, 1)])  # type: ignore[list-item]
    with pytest.raises(InvalidGoalRatings):
        gas_t_score_unweighted([True])


def test_rho_outside_0_to_1_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="rho"):
        gas_t_score([(1, 1)], rho=1.5)
    with pytest.raises(ValueError, match="rho"):
        gas_t_score_unweighted([1], rho=-0.1)


def test_invalid_ratings_are_a_value_error_and_an_invalid_scores() -> None:
    with pytest.raises(InvalidScores):
        gas_t_score([(5, 1)])
    with pytest.raises(ValueError, match="0: Nivån"):
        gas_t_score([(5, 1)])


# --- GAS: properties ----------------------------------------------------------------------

LEVELS = st.integers(min_value=-2, max_value=2)
WEIGHTS = st.floats(min_value=0.1, max_value=100, allow_nan=False, allow_infinity=False)
RATINGS = st.lists(st.tuples(LEVELS, WEIGHTS), min_size=1, max_size=12)
RHOS = st.floats(min_value=0, max_value=1)


@settings(database=None)  # no example database (.hypothesis/) written into the checkout
@given(weights=st.lists(WEIGHTS, min_size=1, max_size=12), rho=RHOS)
def test_all_goals_at_the_expected_level_give_50(weights: list[float], rho: float) -> None:
    assert gas_t_score([(0, weight) for weight in weights], rho=rho) == 50


@settings(database=None)
@given(ratings=RATINGS, data=st.data())
def test_raising_one_goal_by_a_level_raises_t(
    ratings: list[tuple[int, float]], data: st.DataObject
) -> None:
    position = data.draw(st.integers(min_value=0, max_value=len(ratings) - 1))
    level, weight = ratings[position]
    if level == 2:
        return  # no level above +2
    raised = [*ratings[:position], (level + 1, weight), *ratings[position + 1 :]]

    assert gas_t_score(raised) > gas_t_score(ratings)


@settings(database=None)
@given(ratings=RATINGS, rho=RHOS)
def test_negating_every_level_mirrors_t_around_50(
    ratings: list[tuple[int, float]], rho: float
) -> None:
    mirrored = [(-level, weight) for level, weight in ratings]

    assert gas_t_score(mirrored, rho=rho) == pytest.approx(100 - gas_t_score(ratings, rho=rho))


@settings(database=None)
@given(levels=st.lists(LEVELS, min_size=1, max_size=30), rho=RHOS)
def test_the_unweighted_formula_is_the_weighted_one_with_weights_1(
    levels: list[int], rho: float
) -> None:
    weighted = gas_t_score([(level, 1) for level in levels], rho=rho)

    assert gas_t_score_unweighted(levels, rho=rho) == pytest.approx(weighted)


@settings(database=None)
@given(ratings=RATINGS, factor=st.floats(min_value=0.01, max_value=100))
def test_scaling_every_weight_alike_leaves_t_unchanged(
    ratings: list[tuple[int, float]], factor: float
) -> None:
    scaled = [(level, weight * factor) for level, weight in ratings]

    assert gas_t_score(scaled) == pytest.approx(gas_t_score(ratings))


@settings(database=None)
@given(ratings=RATINGS)
def test_t_stays_between_all_at_minus_2_and_all_at_plus_2(
    ratings: list[tuple[int, float]],
) -> None:
    lowest = gas_t_score([(-2, weight) for _level, weight in ratings])
    highest = gas_t_score([(2, weight) for _level, weight in ratings])

    assert lowest - 1e-9 <= gas_t_score(ratings) <= highest + 1e-9


# --- Display rounding ---------------------------------------------------------------------


def test_display_rounds_half_up() -> None:
    assert for_display(62.45) == D("62.5")
    assert for_display(37.55) == D("37.6")
    assert for_display(50.0) == D("50.0")
    assert for_display(61.016316, decimals=2) == D("61.02")
    assert for_display(3.5, decimals=0) == D("4")


# --- Rating-scale instruments: totals ------------------------------------------------------

FOUR_ITEMS = InstrumentSpec(code="test", items=("a", "b", "c", "d"))


def test_the_total_is_the_sum_of_the_items_with_one_decimal() -> None:
    """6.5 + 7 + 8.0 + 9.1 = 30.6."""
    scores = {"a": D("6.5"), "b": 7, "c": D("8.0"), "d": 9.1}

    assert total(FOUR_ITEMS, scores) == D("30.6")
    assert str(total(FOUR_ITEMS, scores)) == "30.6"


def test_the_ends_of_the_scale_are_allowed() -> None:
    assert total(FOUR_ITEMS, dict.fromkeys("abcd", 0)) == 0
    assert total(FOUR_ITEMS, dict.fromkeys("abcd", D("10.0"))) == 40


def test_a_trailing_zero_is_not_a_second_decimal() -> None:
    assert total(FOUR_ITEMS, {"a": D("6.50"), "b": 1, "c": 1, "d": 1}) == D("9.5")


def test_an_item_outside_0_to_10_gets_the_range_message() -> None:
    with pytest.raises(InvalidItemScores) as raised:
        total(FOUR_ITEMS, {"a": D("10.1"), "b": D("-0.1"), "c": 5, "d": 11})

    messages = {code: str(problem) for code, problem in raised.value.problems.items()}
    assert messages == {
        "a": "Värdet måste vara mellan 0 och 10.",
        "b": "Värdet måste vara mellan 0 och 10.",
        "d": "Värdet måste vara mellan 0 och 10.",
    }
    assert raised.value.problems["a"].message == "Värdet måste vara mellan %(min)s och %(max)s."
    assert raised.value.problems["a"].params == {"min": 0, "max": 10}


def test_every_wrong_item_is_named_not_only_the_first() -> None:
    with pytest.raises(InvalidItemScores) as raised:
        total(FOUR_ITEMS, {"a": D("6.55"), "b": None, "c": math.inf, "x": 3})

    messages = {code: str(problem) for code, problem in raised.value.problems.items()}
    assert messages == {
        "a": "Ange högst en decimal.",
        "b": "Ange ett värde.",
        "c": "Ange ett tal.",
        "d": "Ange ett värde.",
        "x": "Frågan finns inte i formuläret.",
    }


def test_the_decimal_message_follows_the_instruments_decimals() -> None:
    whole = InstrumentSpec(code="whole", items=("a",), decimals=0)
    two = InstrumentSpec(code="two", items=("a",), decimals=2)

    with pytest.raises(InvalidItemScores) as no_decimals:
        total(whole, {"a": D("6.5")})
    with pytest.raises(InvalidItemScores) as two_decimals:
        total(two, {"a": D("6.555")})

    assert str(no_decimals.value.problems["a"]) == "Ange ett heltal."
    assert str(two_decimals.value.problems["a"]) == "Ange högst 2 decimaler."
    assert total(two, {"a": D("6.55")}) == D("6.55")


def test_a_float_with_binary_noise_is_refused_not_rounded() -> None:
    with pytest.raises(InvalidItemScores):
        total(FOUR_ITEMS, {"a": 0.1 + 0.2, "b": 1, "c": 1, "d": 1})


def test_a_boolean_is_not_a_score() -> None:
    with pytest.raises(InvalidItemScores):
        total(FOUR_ITEMS, {"a": True, "b": 1, "c": 1, "d": 1})


@settings(database=None)
@given(tenths=st.lists(st.integers(min_value=0, max_value=100), min_size=4, max_size=4))
def test_any_four_valid_scores_total_exactly(tenths: list[int]) -> None:
    scores = {code: D(value) / 10 for code, value in zip("abcd", tenths, strict=True)}

    assert total(FOUR_ITEMS, scores) == D(sum(tenths)) / 10


# --- Rating-scale instruments: specification and age bands -------------------------------


def test_the_example_instrument_has_the_published_bands() -> None:
    """Ages 6–12: cut-off 32, RCI 6; 13–17: 28, 6; 18 and over: 25, 5 (docs/domain.md §3.1)."""
    child = band_for_age(EXAMPLE_INSTRUMENT, 6)
    youth = band_for_age(EXAMPLE_INSTRUMENT, 17)
    adult = band_for_age(EXAMPLE_INSTRUMENT, 18)

    assert child is not None and (child.clinical_cutoff, child.reliable_change) == (32, 6)
    assert band_for_age(EXAMPLE_INSTRUMENT, 12) == child
    assert youth is not None and (youth.clinical_cutoff, youth.reliable_change) == (28, 6)
    assert band_for_age(EXAMPLE_INSTRUMENT, 13) == youth
    assert adult is not None and (adult.clinical_cutoff, adult.reliable_change) == (25, 5)
    assert band_for_age(EXAMPLE_INSTRUMENT, 97) == adult


def test_an_age_without_a_band_has_none() -> None:
    """Under 6 the ORS family is pictorial and gives no total to classify."""
    assert band_for_age(EXAMPLE_INSTRUMENT, 5) is None
    assert band_for_age(FOUR_ITEMS, 30) is None


def test_the_example_instrument_names_no_item_wording() -> None:
    assert EXAMPLE_INSTRUMENT.items == ("item_1", "item_2", "item_3", "item_4")
    assert (EXAMPLE_INSTRUMENT.min_total, EXAMPLE_INSTRUMENT.max_total) == (0, 40)


def _band(min_age: int, max_age: int | None, cutoff: int = 25) -> ScaleBand:
    return ScaleBand(min_age, max_age, clinical_cutoff=D(cutoff), reliable_change=D(5))


@pytest.mark.parametrize(
    ("items", "bands", "message"),
    [
        ((), (), "no items"),
        (("a", "a"), (), "twice"),
        (("a",), (_band(6, 12), _band(12, 17)), "overlap"),
        (("a",), (_band(18, None), _band(30, 40)), "overlap"),
        (("a",), (_band(18, None, cutoff=11),), "cut-off"),
    ],
)
def test_an_inconsistent_instrument_is_refused(
    items: tuple[str, ...], bands: tuple[ScaleBand, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        InstrumentSpec(code="bad", items=items, bands=bands)


def test_an_empty_age_band_or_a_zero_reliable_change_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        _band(13, 12)
    with pytest.raises(ValueError, match="reliable_change"):
        ScaleBand(18, None, clinical_cutoff=D(25), reliable_change=D(0))


# --- Classification at the end of a series ------------------------------------------------

ADULT = ScaleBand(18, None, clinical_cutoff=D(25), reliable_change=D(5))


def _classify(first: str, last: str) -> Change:
    return classify_change(D(first), D(last), reliable_change=D(5), clinical_cutoff=D(25))


@pytest.mark.parametrize(
    ("first", "last", "expected", "started_above"),
    [
        # Δ = 5 exactly, 18 → 23 stays below 25: reliable change counts at RCI itself.
        ("18", "23", Classification.RELIABLY_IMPROVED, False),
        # Δ = 4.9: one tenth short of reliable.
        ("18", "22.9", Classification.NO_RELIABLE_CHANGE, False),
        # Δ = −5 exactly: deteriorated at −RCI itself.
        ("23", "18", Classification.DETERIORATED, False),
        # Δ = −4.9: not reliably worse.
        ("23", "18.1", Classification.NO_RELIABLE_CHANGE, False),
        # 20 → 25: Δ = 5 and lands exactly on the cut-off: recovered.
        ("20", "25", Classification.RECOVERED, False),
        # 24.9 → 29.9: from just below to above, Δ = 5: recovered.
        ("24.9", "29.9", Classification.RECOVERED, False),
        # 19.9 → 24.9: Δ = 5 but ends a tenth below the cut-off: improved only.
        ("19.9", "24.9", Classification.RELIABLY_IMPROVED, False),
        # 23 → 26 crosses the cut-off but Δ = 3 < 5: no reliable change.
        ("23", "26", Classification.NO_RELIABLE_CHANGE, False),
        # Starts exactly at the cut-off (not clinical): can only be improved, never recovered.
        ("25", "31", Classification.RELIABLY_IMPROVED, True),
        ("30", "38", Classification.RELIABLY_IMPROVED, True),
        # Starts above, falls into the clinical range by 6: deteriorated.
        ("30", "24", Classification.DETERIORATED, True),
        ("30", "30", Classification.NO_RELIABLE_CHANGE, True),
    ],
)
def test_classification_boundaries(
    first: str, last: str, expected: Classification, started_above: bool
) -> None:
    change = _classify(first, last)

    assert change.classification is expected
    assert change.started_above_cutoff is started_above
    assert change.change == D(last) - D(first)


def test_a_change_of_exactly_rci_is_exact_where_floats_would_miss_it() -> None:
    """In floating point 8.2 − 3.2 = 4.999999999999999 < 5; the totals are Decimals."""
    assert 8.2 - 3.2 < 5  # the trap
    assert _classify("3.2", "8.2").classification is Classification.RELIABLY_IMPROVED


def test_a_series_is_classified_by_its_first_and_last_total() -> None:
    """18 → 30 → 12 → 24: the peak and the dip in between do not count; Δ = 6, ends below 25."""
    change = classify_series([D(18), D(30), D(12), D(24)], ADULT)

    assert change == Change(
        first=D(18),
        last=D(24),
        change=D(6),
        classification=Classification.RELIABLY_IMPROVED,
        started_above_cutoff=False,
    )


def test_a_series_of_one_cannot_be_classified() -> None:
    with pytest.raises(ValueError, match="two totals"):
        classify_series([D(18)], ADULT)


def test_a_zero_reliable_change_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="reliable_change"):
        classify_change(D(1), D(2), reliable_change=D(0), clinical_cutoff=D(25))


def test_every_class_has_a_swedish_label_and_description() -> None:
    assert [kind.label for kind in Classification] == [
        "Återhämtad",
        "Tydligt förbättrad",
        "Ingen tydlig förändring",
        "Tydligt försämrad",
    ]
    assert all(kind.description.endswith(".") for kind in Classification)
    assert Classification("recovered") is Classification.RECOVERED


TOTALS = st.decimals(min_value=0, max_value=40, places=1)


@settings(database=None)
@given(first=TOTALS, last=TOTALS)
def test_exactly_one_class_and_it_agrees_with_the_change(first: Decimal, last: Decimal) -> None:
    change = classify_change(first, last, reliable_change=D(5), clinical_cutoff=D(25))
    kind = change.classification

    assert (kind is Classification.DETERIORATED) == (last - first <= -5)
    assert (kind in {Classification.RECOVERED, Classification.RELIABLY_IMPROVED}) == (
        last - first >= 5
    )
    if kind is Classification.RECOVERED:
        assert first < 25 <= last
    if change.started_above_cutoff:
        assert kind is not Classification.RECOVERED


# --- Early warning ------------------------------------------------------------------------


def _totals(*values: str) -> list[Decimal]:
    return [D(value) for value in values]


def test_no_warning_before_session_4() -> None:
    assert not needs_attention(_totals("18"), D(5))
    assert not needs_attention(_totals("18", "18", "17"), D(5))


def test_warning_at_session_4_without_reliable_improvement() -> None:
    """Baseline 18; sessions 2–4 reach at most 22.9, Δ = 4.9 < 5."""
    assert needs_attention(_totals("18", "20", "22.9", "19"), D(5))


def test_no_warning_when_a_session_reached_the_reliable_change() -> None:
    """Session 3 is 23, exactly 5 above the baseline 18: improvement counts at RCI itself."""
    assert not needs_attention(_totals("18", "20", "23", "19"), D(5))


def test_improvement_later_than_session_4_clears_the_warning() -> None:
    assert needs_attention(_totals("18", "18", "18", "18", "18"), D(5))
    assert not needs_attention(_totals("18", "18", "18", "18", "24"), D(5))


def test_a_fall_below_the_baseline_is_no_improvement() -> None:
    assert needs_attention(_totals("30", "25", "20", "15"), D(5))


def test_the_session_is_configurable() -> None:
    series = _totals("18", "19", "20")

    assert needs_attention(series, D(5), by_session=3)
    assert not needs_attention(series, D(5), by_session=6)
    assert not needs_attention(series, D(2), by_session=3)


def test_the_warning_needs_a_session_after_the_baseline_and_a_positive_rci() -> None:
    with pytest.raises(ValueError, match="by_session"):
        needs_attention(_totals("18", "18"), D(5), by_session=1)
    with pytest.raises(ValueError, match="rci"):
        needs_attention(_totals("18", "18", "18", "18"), D(0))


# --- Satisfaction -------------------------------------------------------------------------


def test_the_mean_leaves_out_unanswered_items() -> None:
    """(4 + 5 + 3) / 3 = 4.0; the two None are left out (3 of 5 answered, more than half)."""
    assert satisfaction_mean([4, None, 5, 3, None]) == 4.0


def test_exactly_half_answered_is_enough_and_fewer_is_not() -> None:
    """2 of 4 answered: (2 + 5) / 2 = 3.5. 1 of 4: None. 2 of 5: None (2 · 2 < 5)."""
    assert satisfaction_mean([2, None, 5, None]) == 3.5
    assert satisfaction_mean([2, None, None, None]) is None
    assert satisfaction_mean([2, 3, None, None, None]) is None


def test_nothing_answered_gives_none() -> None:
    assert satisfaction_mean([]) is None
    assert satisfaction_mean([None, None]) is None


def test_the_mean_is_not_rounded_until_shown() -> None:
    """(4 + 4 + 5) / 3 = 4.333…; shown as 4.3."""
    mean = satisfaction_mean([4, 4, 5])

    assert mean == pytest.approx(13 / 3)
    assert mean is not None and for_display(mean) == D("4.3")


def test_an_answer_outside_the_scale_is_named_by_its_position() -> None:
    with pytest.raises(InvalidAnswers) as raised:
        satisfaction_mean([1, 0, 6, None, 5])

    messages = {position: str(problem) for position, problem in raised.value.problems.items()}
    assert messages == {
        1: "Svaret måste vara ett heltal från 1 till 5.",
        2: "Svaret måste vara ett heltal från 1 till 5.",
    }


def test_another_scale_can_be_given() -> None:
    assert satisfaction_mean([0, 10], min_value=0, max_value=10) == 5.0
    with pytest.raises(InvalidAnswers):
        satisfaction_mean([11], min_value=0, max_value=10)


def test_the_default_rho_is_the_convention() -> None:
    assert GAS_RHO == 0.3


def test_display_takes_a_decimal_too() -> None:
    assert for_display(D("30.55")) == D("30.6")
