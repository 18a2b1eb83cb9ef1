"""Comparisons on hand-worked textbook examples, their edge cases and properties (no database).

The rules and the same examples are in docs/statistics-methods.md. Agreement with scipy is
checked too, but that is nearly free (scipy computes); the hand-worked values are what would
catch a wrong choice of test, a continuity correction that should not be there, or a swapped
argument.
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from rodtrad.stats.significance import (
    DEFAULT_LEVEL,
    EXACT_TABLE_LIMIT,
    SEED_LEVEL,
    Comparison,
    Method,
    Reason,
    Undefined,
    UndefinedComparison,
    compare_durations,
    compare_shares,
    expected_counts,
    freeman_halton_p,
    mark_cells,
    tables_with_margins,
    wilson_interval,
)

pytestmark = pytest.mark.no_database  # CI runs it once, in the SQLite pass

# --- Shares: hand-worked -------------------------------------------------------------------


def test_chi_square_of_a_two_by_two_table_worked_by_hand() -> None:
    # Expected counts 12, 18, 28, 42; every (O − E)² is 4, so
    # χ² = 4 · (1/12 + 1/18 + 1/28 + 1/42) = 4 · 25/126 = 50/63, without continuity correction.
    result = compare_shares([[10, 20], [30, 40]])
    assert result.test is Method.CHI_SQUARE
    assert result.reason is Reason.EXPECTED_COUNTS_LARGE
    assert result.statistic == pytest.approx(50 / 63, rel=1e-12)
    assert result.degrees_of_freedom == 1
    assert result.min_expected == 12
    assert result.group_sizes == (30, 70)
    # With one degree of freedom, P(χ² > x) = erfc(sqrt(x / 2)).
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(50 / 63 / 2)), rel=1e-12)
    assert result.p_value == pytest.approx(0.3730, abs=5e-5)


def test_chi_square_for_three_groups_worked_by_hand() -> None:
    # Shares 10/50, 20/50, 30/50: expected 20 and 30 in every row, χ² = (100 + 0 + 100)/20
    # + (100 + 0 + 100)/30 = 10 + 20/3 = 50/3 with 2 degrees of freedom: p = exp(−x/2).
    result = compare_shares([[10, 40], [20, 30], [30, 20]])
    assert result.test is Method.CHI_SQUARE
    assert result.statistic == pytest.approx(50 / 3)
    assert result.degrees_of_freedom == 2
    assert result.p_value == pytest.approx(math.exp(-25 / 3), rel=1e-12)


def test_fisher_on_the_lady_tasting_tea() -> None:
    # Fisher (1935): 4 cups of each kind, 3 of each guessed right. Expected 2 < 5, so the exact
    # test; p = (C(4,3)·C(4,1)·2 + C(4,4)·C(4,0)·2) / C(8,4) = (32 + 2) / 70 = 0.4857.
    result = compare_shares([[3, 1], [1, 3]])
    assert result.test is Method.FISHER_EXACT
    assert result.reason is Reason.EXPECTED_COUNT_SMALL
    assert result.p_value == pytest.approx(34 / 70, rel=1e-12)
    assert result.statistic == 9.0  # the sample odds ratio 3·3 / 1·1
    assert result.min_expected == 2


def test_fisher_is_chosen_by_one_small_expected_count_even_in_a_large_table() -> None:
    # Expected count of the first cell: 20 · 6 / 220 = 0.545.
    result = compare_shares([[3, 17], [3, 197]])
    assert result.test is Method.FISHER_EXACT
    assert result.min_expected == pytest.approx(20 * 6 / 220)
    assert result.p_value == pytest.approx(stats.fisher_exact([[3, 17], [3, 197]]).pvalue)


def test_chi_square_at_exactly_five_expected() -> None:
    # Expected counts are all exactly 5: chi-square (the rule is "at least 5").
    result = compare_shares([[7, 3], [3, 7]])
    assert expected_counts([[7, 3], [3, 7]]) == [(5, 5), (5, 5)]
    assert result.test is Method.CHI_SQUARE
    assert result.statistic == pytest.approx(4 * 4 / 5)


def test_freeman_halton_for_three_groups_counted_by_hand() -> None:
    # Groups of 4 with 3, 1 and 0 "with": margins 4, 4, 4 and 4, 8; 15 tables. The observed
    # table has probability 4·4·1/495; p sums the tables no more probable than that.
    result = compare_shares([[3, 1], [1, 3], [0, 4]])
    assert result.test is Method.FREEMAN_HALTON_EXACT
    assert result.statistic is None
    assert tables_with_margins([[3, 1], [1, 3], [0, 4]]) == 15
    assert result.p_value == pytest.approx(_brute_force_exact_p([[3, 1], [1, 3], [0, 4]]))
    assert result.p_value == pytest.approx(99 / 495)


def _brute_force_exact_p(table: list[list[int]]) -> float:
    """Freeman–Halton by the definition, with whole numbers (independent of the module)."""
    sizes = [a + b for a, b in table]
    column = sum(a for a, _ in table)

    def weight(xs: tuple[int, ...]) -> int:
        return math.prod(math.comb(n, x) for n, x in zip(sizes, xs, strict=True))

    observed = weight(tuple(a for a, _ in table))
    tables = [xs for xs in itertools.product(*(range(n + 1) for n in sizes)) if sum(xs) == column]
    return sum(weight(xs) for xs in tables if weight(xs) <= observed) / math.comb(
        sum(sizes), column
    )


def test_many_tables_are_simulated_with_a_fixed_seed() -> None:
    table = [[3, 400], [1, 300], [10, 400], [20, 300], [2, 500], [6, 600]]
    assert tables_with_margins(table) > EXACT_TABLE_LIMIT
    first, second = compare_shares(table), compare_shares(table)
    assert first.test is Method.FREEMAN_HALTON_MONTE_CARLO
    assert first.reason is Reason.EXPECTED_COUNT_SMALL_MANY_TABLES
    assert first == second  # reproducible: a frozen report gives the same p next year
    assert first.p_value < 0.001


def test_the_simulated_p_value_is_close_to_the_exact_one() -> None:
    table = [[2, 30], [6, 25], [1, 40], [4, 20]]
    exact = freeman_halton_p(table)
    simulated = stats.fisher_exact(
        table, method=stats.MonteCarloMethod(n_resamples=20_000, rng=1)
    ).pvalue
    assert exact == pytest.approx(simulated, abs=0.02)


# --- Shares: edge cases --------------------------------------------------------------------


def test_a_group_without_observations_cannot_be_compared() -> None:
    with pytest.raises(UndefinedComparison) as raised:
        compare_shares([[3, 4], [0, 0]])
    assert raised.value.code is Undefined.EMPTY_GROUP
    assert raised.value.group == 1
    assert "saknar observationer" in raised.value.message


def test_an_empty_table_cannot_be_compared() -> None:
    with pytest.raises(UndefinedComparison):
        compare_shares([[0, 0], [0, 0]])


@pytest.mark.parametrize("table", [[[0, 5], [0, 3]], [[5, 0], [3, 0]], [[0, 50], [0, 30], [0, 20]]])
def test_nobody_or_everybody_with_the_attribute_gives_p_one(table: list[list[int]]) -> None:
    # Only one table has these margins: the exact test is chosen (expected 0) and p = 1.
    result = compare_shares(table)
    assert result.test in (Method.FISHER_EXACT, Method.FREEMAN_HALTON_EXACT)
    assert result.p_value == 1.0
    assert result.min_expected == 0


def test_all_in_one_cell_is_an_empty_group() -> None:
    with pytest.raises(UndefinedComparison):
        compare_shares([[5, 0], [0, 0]])


@pytest.mark.parametrize(
    "table",
    [[[1, 2]], [[1, 2, 3], [4, 5, 6]], [[-1, 2], [3, 4]], [[1.5, 2], [3, 4]], [[True, 2], [3, 4]]],
)
def test_malformed_counts_are_a_programming_error(table: list[list[object]]) -> None:
    with pytest.raises(ValueError) as raised:
        compare_shares(table)  # type: ignore[arg-type]
    assert not isinstance(raised.value, UndefinedComparison)


# --- Shares: properties --------------------------------------------------------------------

group = st.tuples(st.integers(0, 40), st.integers(0, 40)).filter(lambda pair: sum(pair) > 0)


@settings(max_examples=300, deadline=None)
@given(st.lists(group, min_size=2, max_size=4))
def test_shares_properties(table: list[tuple[int, int]]) -> None:
    result = compare_shares(table)
    assert 0.0 <= result.p_value <= 1.0
    small = min(min(pair) for pair in expected_counts(table)) < 5
    # The exact test is chosen exactly when an expected count is below 5.
    assert (result.test is not Method.CHI_SQUARE) == small
    # The order of the groups does not matter.
    assert compare_shares(table[::-1]).p_value == pytest.approx(result.p_value, rel=1e-9, abs=1e-12)
    # Agreement with scipy on the same counts.
    if result.test is Method.CHI_SQUARE:
        assert result.p_value == pytest.approx(
            stats.chi2_contingency(table, correction=False).pvalue, rel=1e-9, abs=1e-15
        )
    elif result.test is Method.FISHER_EXACT:
        assert result.p_value == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=2, max_size=2))
def test_freeman_halton_on_two_groups_is_fishers_test(table: list[tuple[int, int]]) -> None:
    if any(sum(pair) == 0 for pair in table):
        return
    assert freeman_halton_p(table) == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=3, max_size=4))
def test_freeman_halton_agrees_with_the_definition(table: list[tuple[int, int]]) -> None:
    if any(sum(pair) == 0 for pair in table):
        return
    rows = [list(pair) for pair in table]
    assert freeman_halton_p(rows) == pytest.approx(_brute_force_exact_p(rows), rel=1e-9)


# --- Durations -----------------------------------------------------------------------------


def test_mann_whitney_on_separated_samples_worked_by_hand() -> None:
    # Every first-group value is below every second-group value: U = 0. Of the C(6,3) = 20
    # equally likely rankings, one gives U = 0 and one U = 9, so the two-sided p is 2/20.
    result = compare_durations([10, 20, 30], [40, 50, 60])
    assert result.test is Method.MANN_WHITNEY_U
    assert result.reason is Reason.DURATIONS_SMALL_NO_TIES
    assert result.statistic == 0
    assert result.p_value == pytest.approx(0.1)
    assert result.group_sizes == (3, 3)


def test_mann_whitney_exact_small_example_worked_by_hand() -> None:
    # x = 1, 4 and y = 2, 3, 5: pairs with x > y are (4,2), (4,3): U = 2. Of C(5,2) = 10
    # rankings of x, U ≤ 2 in 4 (ranks {1,2}, {1,3}, {1,4}, {2,3}), so p = 2 · 4/10 = 0.8.
    result = compare_durations([1, 4], [2, 3, 5])
    assert result.statistic == 2
    assert result.p_value == pytest.approx(0.8)


def test_mann_whitney_with_ties_uses_the_corrected_normal_approximation() -> None:
    # x = 1, 2, 2, 3 and y = 2, 3, 4, 4, 5. U of x: pairs x > y count 1, ties ½:
    # 1: 0; 2: ½ (vs 2); 2: ½; 3: 1 (vs 2) + ½ (vs 3) = 1.5; U = 2.5.
    # n₁n₂/2 = 10; tie groups 2 (×3), 3 (×2), 4 (×2): Σ(t³ − t) = 24 + 6 + 6 = 36;
    # σ² = n₁n₂/12 · (n + 1 − Σ(t³ − t) / (n(n − 1))) = 20/12 · (10 − 36/72) = 15.8333;
    # z = (|2.5 − 10| − ½) / σ = 7 / 3.9791 = 1.7592; p = erfc(z / √2) = 0.0785.
    x, y = [1, 2, 2, 3], [2, 3, 4, 4, 5]
    result = compare_durations(x, y)
    assert result.reason is Reason.DURATIONS_LARGE_OR_TIED
    assert result.statistic == 2.5
    sigma = math.sqrt(20 / 12 * (10 - 36 / 72))
    assert result.p_value == pytest.approx(math.erfc((7.5 - 0.5) / sigma / math.sqrt(2)))
    assert result.p_value == pytest.approx(0.0785, abs=5e-5)


def test_large_samples_use_the_normal_approximation() -> None:
    result = compare_durations(list(range(0, 100, 2)), list(range(1, 120, 2)))
    assert result.reason is Reason.DURATIONS_LARGE_OR_TIED
    assert result.group_sizes == (50, 60)


def test_equal_durations_everywhere_give_p_one() -> None:
    result = compare_durations([30, 30], [30, 30, 30])
    assert result.reason is Reason.DURATIONS_ALL_EQUAL
    assert result.p_value == 1.0
    assert result.statistic == 3.0


def test_an_empty_sample_cannot_be_compared() -> None:
    with pytest.raises(UndefinedComparison) as raised:
        compare_durations([], [3, 4])
    assert raised.value.group == 0
    with pytest.raises(UndefinedComparison):
        compare_durations([], [])


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, True])
def test_impossible_durations_are_a_programming_error(bad: float) -> None:
    with pytest.raises(ValueError):
        compare_durations([1, bad], [3, 4])


durations = st.lists(st.integers(0, 400), min_size=1, max_size=60)


@settings(max_examples=200, deadline=None)
@given(durations, durations)
def test_durations_properties(first: list[int], second: list[int]) -> None:
    result = compare_durations(first, second)
    assert 0.0 <= result.p_value <= 1.0
    swapped = compare_durations(second, first)
    assert swapped.p_value == pytest.approx(result.p_value, rel=1e-9)
    assert result.statistic is not None and swapped.statistic is not None
    assert result.statistic + swapped.statistic == len(first) * len(second)
    if result.reason is not Reason.DURATIONS_ALL_EQUAL:
        method = "exact" if result.reason is Reason.DURATIONS_SMALL_NO_TIES else "asymptotic"
        expected = stats.mannwhitneyu(first, second, method=method).pvalue
        assert result.p_value == pytest.approx(min(1.0, expected), rel=1e-9)


# --- Marks ---------------------------------------------------------------------------------


def _result(p: float) -> Comparison:
    return Comparison(
        test=Method.CHI_SQUARE,
        reason=Reason.EXPECTED_COUNTS_LARGE,
        statistic=1.0,
        p_value=p,
        group_sizes=(10, 10),
    )


def test_a_result_is_significant_at_a_level_it_reaches_or_passes() -> None:
    assert _result(0.05).is_significant()
    assert not _result(0.0501).is_significant()
    assert _result(0.005).is_significant(SEED_LEVEL)
    assert not _result(0.0051).is_significant(SEED_LEVEL)
    assert [_result(p).mark() for p in (0.2, 0.05, 0.01, 0.005, 0.0001)] == [
        "",
        "*",
        "*",
        "**",
        "**",
    ]
    assert _result(0.01).levels_met() == (DEFAULT_LEVEL,)


def test_cells_of_a_table_are_marked_at_the_chosen_level() -> None:
    cells = {
        ("Bromma", "2024"): _result(0.003),
        ("Bromma", "2025"): _result(0.03),
        ("Farsta", "2024"): _result(0.4),
        ("Farsta", "2025"): None,
    }
    assert mark_cells(cells) == {
        ("Bromma", "2024"): True,
        ("Bromma", "2025"): True,
        ("Farsta", "2024"): False,
        ("Farsta", "2025"): False,
    }
    assert mark_cells(cells, level=SEED_LEVEL) == {
        ("Bromma", "2024"): True,
        ("Bromma", "2025"): False,
        ("Farsta", "2024"): False,
        ("Farsta", "2025"): False,
    }
    with pytest.raises(ValueError):
        mark_cells(cells, level=0)


def test_a_result_names_its_test_and_reason_in_swedish() -> None:
    result = compare_shares([[3, 1], [1, 3]])
    assert result.test_name == "Fishers exakta test"
    assert "under 5" in result.reason_text


# --- Wilson interval -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "total", "low", "high"),
    [
        # Newcombe (1998), Table I, method 3 (score interval without continuity correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_matches_newcombe(count: int, total: int, low: float, high: float) -> None:
    interval = wilson_interval(count, total)
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)
    assert interval.confidence == 0.95


def test_wilson_interval_at_all_of_them_reaches_one() -> None:
    interval = wilson_interval(20, 20)
    assert interval.high == 1.0
    assert interval.low == pytest.approx(1 - 0.1611, abs=5e-5)


def test_wilson_interval_of_nothing_is_undefined() -> None:
    with pytest.raises(UndefinedComparison):
        wilson_interval(0, 0)


@pytest.mark.parametrize(("count", "total"), [(5, 4), (-1, 4), (1.0, 4), (True, 4)])
def test_wilson_interval_rejects_impossible_counts(count: int, total: int) -> None:
    with pytest.raises(ValueError):
        wilson_interval(count, total)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_properties(pair: tuple[int, int]) -> None:
    count, total = pair
    interval = wilson_interval(count, total)
    assert 0.0 <= interval.low <= count / total <= interval.high <= 1.0
    reference = stats.binomtest(count, total).proportion_ci(method="wilson")
    assert interval.low == pytest.approx(reference.low, abs=1e-12)
    assert interval.high == pytest.approx(reference.high, abs=1e-12)
