"""Comparisons of two periods or groups: the right test, its p-value and the cells it marks.

Pure functions on plain counts and durations: no ORM, no Django settings, no clock, so the
indicators call them with numbers the query layer has already counted, and the tests need no
database. The rules, the levels and the worked examples are in docs/statistics-methods.md.

The arithmetic is scipy.stats, the field's own library (results agree with it by
construction); what is ours is the choice of test, written out here so that it can be read,
tested and cited:

- Shares (a table of groups × [with, without]): Pearson's chi-square without continuity
  correction when every expected count is at least 5; otherwise an exact conditional test,
  Fisher's for two groups and its Freeman–Halton extension for more (Agresti 2007, §2.4 and
  §2.6; Cochran 1954). The result says which test was used and why.
- Durations (two samples of days): the two-sided Mann–Whitney U test, exact when both samples
  have fewer than 50 values and there are no ties, otherwise the normal approximation with tie
  and continuity corrections (the rule of R's `wilcox.test`).
- A share's 95 % confidence interval: Wilson's score interval (Newcombe 1998).

A result is significant at a level when p ≤ level. The default level is .05; the seeds' tables
mark p ≤ .005, the second level in `LEVELS`.

A comparison that cannot be made (a group with no observations) raises `UndefinedComparison`,
whose `message` is a Swedish msgid for the page to show. A wrong call (a negative count, one
group) is a programming error and raises a plain `ValueError`.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

import numpy as np
import numpy.typing as npt

# scipy is imported inside the functions that use it: importing scipy.stats takes one to three
# seconds, which every process that loads the URL configuration (the server's workers, the
# demo, each management command) would otherwise pay before it needs a single test.


def gettext_noop(message: str) -> str:
    """Mark a Swedish msgid for `makemessages` without importing Django (as followup/scoring)."""
    return message


DEFAULT_LEVEL: Final = 0.05
"""The significance level used unless the user chooses another."""

SEED_LEVEL: Final = 0.005
"""The level the seeds' tables mark (p ≤ .005)."""

LEVELS: Final = (DEFAULT_LEVEL, SEED_LEVEL)
"""The levels a result is marked at, loosest first: one mark per level met."""

MIN_EXPECTED: Final = 5.0
"""Chi-square is used only when every expected count is at least this (Cochran 1954)."""

EXACT_TABLE_LIMIT: Final = 1_000_000
"""Above this many tables with the observed margins, Freeman–Halton is estimated, not counted."""

MONTE_CARLO_RESAMPLES: Final = 100_000
MONTE_CARLO_SEED: Final = 20_260_101
"""A fixed seed: the same counts give the same p-value on every run (a frozen report)."""

MANN_WHITNEY_EXACT_BELOW: Final = 50
"""Mann–Whitney is exact when both samples are smaller than this and nothing is tied."""

_RELATIVE_TOLERANCE: Final = 1e-7
"""Tables as probable as the observed one up to rounding count as 'as extreme' (as scipy)."""


class Method(enum.StrEnum):
    """The test a comparison used."""

    CHI_SQUARE = "chi_square"
    FISHER_EXACT = "fisher_exact"
    FREEMAN_HALTON_EXACT = "freeman_halton_exact"
    FREEMAN_HALTON_MONTE_CARLO = "freeman_halton_monte_carlo"
    MANN_WHITNEY_U = "mann_whitney_u"


METHOD_NAMES: Final[Mapping[Method, str]] = {
    Method.CHI_SQUARE: gettext_noop("Chitvåtest"),
    Method.FISHER_EXACT: gettext_noop("Fishers exakta test"),
    Method.FREEMAN_HALTON_EXACT: gettext_noop("Fishers exakta test (Freeman–Halton)"),
    Method.FREEMAN_HALTON_MONTE_CARLO: gettext_noop(
        "Fishers exakta test (Freeman–Halton, simulerat p-värde)"
    ),
    Method.MANN_WHITNEY_U: gettext_noop("Mann–Whitneys U-test"),
}


class Reason(enum.StrEnum):
    """Why that test: the decision rule that chose it."""

    EXPECTED_COUNTS_LARGE = "expected_counts_large"
    EXPECTED_COUNT_SMALL = "expected_count_small"
    EXPECTED_COUNT_SMALL_MANY_TABLES = "expected_count_small_many_tables"
    DURATIONS_SMALL_NO_TIES = "durations_small_no_ties"
    DURATIONS_LARGE_OR_TIED = "durations_large_or_tied"
    DURATIONS_ALL_EQUAL = "durations_all_equal"


REASONS: Final[Mapping[Reason, str]] = {
    Reason.EXPECTED_COUNTS_LARGE: gettext_noop(
        "Alla förväntade antal är minst 5, så chitvåtestet ger ett pålitligt p-värde."
    ),
    Reason.EXPECTED_COUNT_SMALL: gettext_noop(
        "Minst ett förväntat antal är under 5, så p-värdet räknas exakt."
    ),
    Reason.EXPECTED_COUNT_SMALL_MANY_TABLES: gettext_noop(
        "Minst ett förväntat antal är under 5, men tabellerna är för många för att räkna "
        "exakt, så p-värdet är simulerat (100 000 tabeller)."
    ),
    Reason.DURATIONS_SMALL_NO_TIES: gettext_noop(
        "Tider är sällan normalfördelade, så grupperna jämförs med rangtest; "
        "p-värdet är exakt eftersom grupperna är små och inga tider är lika."
    ),
    Reason.DURATIONS_LARGE_OR_TIED: gettext_noop(
        "Tider är sällan normalfördelade, så grupperna jämförs med rangtest; "
        "p-värdet bygger på normalapproximation med korrektion för lika tider."
    ),
    Reason.DURATIONS_ALL_EQUAL: gettext_noop(
        "Alla tider är lika långa, så det finns ingen skillnad att pröva (p = 1)."
    ),
}


class Undefined(enum.StrEnum):
    """Why a comparison or interval cannot be computed from these numbers."""

    EMPTY_GROUP = "empty_group"


UNDEFINED_MESSAGES: Final[Mapping[Undefined, str]] = {
    Undefined.EMPTY_GROUP: gettext_noop(
        "Jämförelsen kan inte göras eftersom minst en grupp saknar observationer."
    ),
}


class UndefinedComparison(ValueError):
    """The numbers are valid but the statistic is not defined for them (a group of 0)."""

    def __init__(self, code: Undefined, group: int | None = None) -> None:
        self.code = code
        self.group = group
        self.message = UNDEFINED_MESSAGES[code]
        super().__init__(f"{code.value} (group {group})" if group is not None else code.value)


@dataclass(frozen=True)
class Comparison:
    """The result of one comparison: which test, why, its statistic and p-value.

    `statistic` is chi-square for the chi-square test, the sample odds ratio for Fisher's test
    on two groups (None when it is 0/0), U of the first group for Mann–Whitney, and None for
    Freeman–Halton (which has no statistic beyond the table's probability).
    """

    test: Method
    reason: Reason
    statistic: float | None
    p_value: float
    group_sizes: tuple[int, ...]
    degrees_of_freedom: int | None = None
    min_expected: float | None = None

    @property
    def test_name(self) -> str:
        """The test's Swedish name (a msgid)."""
        return METHOD_NAMES[self.test]

    @property
    def reason_text(self) -> str:
        """Why this test, in Swedish (a msgid)."""
        return REASONS[self.reason]

    def is_significant(self, level: float = DEFAULT_LEVEL) -> bool:
        """p ≤ level."""
        _checked_level(level)
        return self.p_value <= level

    def levels_met(self, levels: Sequence[float] = LEVELS) -> tuple[float, ...]:
        """The levels (of `levels`) at which the result is significant."""
        return tuple(level for level in levels if self.is_significant(level))

    def mark(self, levels: Sequence[float] = LEVELS) -> str:
        """One asterisk per level met: '' above .05, '*' at p ≤ .05, '**' at p ≤ .005."""
        return "*" * len(self.levels_met(levels))


K = TypeVar("K", bound=Hashable)


def mark_cells(
    cells: Mapping[K, Comparison | None], *, level: float = DEFAULT_LEVEL
) -> dict[K, bool]:
    """For each cell of a table, whether its comparison is significant at `level` (p ≤ level).

    A cell without a comparison (None: not compared, or suppressed) is never marked.
    """
    _checked_level(level)
    return {
        key: result is not None and result.is_significant(level) for key, result in cells.items()
    }


def _checked_level(level: float) -> None:
    if not (math.isfinite(level) and 0 < level < 1):
        raise ValueError(f"a significance level is between 0 and 1, not {level!r}")


# --- Shares -----------------------------------------------------------------------------------


def _checked_counts(table: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    rows: list[tuple[int, int]] = []
    for row in table:
        if len(row) != 2:
            raise ValueError("each group is a pair (with, without)")
        for count in row:
            if isinstance(count, bool) or not isinstance(count, int | np.integer) or count < 0:
                raise ValueError(f"counts are whole numbers of 0 or more, not {count!r}")
        rows.append((int(row[0]), int(row[1])))
    if len(rows) < 2:
        raise ValueError("a comparison needs at least two groups")
    return rows


def expected_counts(table: Sequence[Sequence[int]]) -> list[tuple[float, float]]:
    """The counts expected if the share were the same in every group: row total × column total / n.

    Defined only when every group has an observation (else `UndefinedComparison`).
    """
    rows = _checked_counts(table)
    for position, (with_, without) in enumerate(rows):
        if with_ + without == 0:
            raise UndefinedComparison(Undefined.EMPTY_GROUP, group=position)
    n = sum(with_ + without for with_, without in rows)
    column_with = sum(with_ for with_, _ in rows)
    column_without = n - column_with
    return [
        ((with_ + without) * column_with / n, (with_ + without) * column_without / n)
        for with_, without in rows
    ]


def compare_shares(table: Sequence[Sequence[int]]) -> Comparison:
    """Compare a share between groups; each row of `table` is one group's (with, without).

    Two periods: [[with_2024, without_2024], [with_2025, without_2025]]. Chi-square when every
    expected count is at least 5, else the exact test (see the module docstring). A column of
    zeros (nobody, or everybody, has the attribute) is not an error: only one table has those
    margins, so the exact test is chosen (expected 0 < 5) and p = 1.
    """
    from scipy import stats

    rows = _checked_counts(table)
    expected = expected_counts(rows)
    min_expected = min(min(pair) for pair in expected)
    sizes = tuple(with_ + without for with_, without in rows)
    observed = np.array(rows, dtype=np.int64)
    if min_expected >= MIN_EXPECTED:
        chi2 = stats.chi2_contingency(observed, correction=False)
        return Comparison(
            test=Method.CHI_SQUARE,
            reason=Reason.EXPECTED_COUNTS_LARGE,
            statistic=float(chi2.statistic),
            p_value=_probability(chi2.pvalue),
            group_sizes=sizes,
            degrees_of_freedom=int(chi2.dof),
            min_expected=min_expected,
        )
    if len(rows) == 2:
        fisher = stats.fisher_exact(observed)
        odds_ratio = float(fisher.statistic)
        return Comparison(
            test=Method.FISHER_EXACT,
            reason=Reason.EXPECTED_COUNT_SMALL,
            statistic=None if math.isnan(odds_ratio) else odds_ratio,
            p_value=_probability(fisher.pvalue),
            group_sizes=sizes,
            min_expected=min_expected,
        )
    if tables_with_margins(rows) <= EXACT_TABLE_LIMIT:
        return Comparison(
            test=Method.FREEMAN_HALTON_EXACT,
            reason=Reason.EXPECTED_COUNT_SMALL,
            statistic=None,
            p_value=freeman_halton_p(rows),
            group_sizes=sizes,
            min_expected=min_expected,
        )
    simulated = stats.fisher_exact(
        observed,
        method=stats.MonteCarloMethod(
            n_resamples=MONTE_CARLO_RESAMPLES, rng=np.random.default_rng(MONTE_CARLO_SEED)
        ),
    )
    return Comparison(
        test=Method.FREEMAN_HALTON_MONTE_CARLO,
        reason=Reason.EXPECTED_COUNT_SMALL_MANY_TABLES,
        statistic=None,
        p_value=_probability(simulated.pvalue),
        group_sizes=sizes,
        min_expected=min_expected,
    )


def _probability(value: float) -> float:
    """A p-value from scipy as a float, clipped to [0, 1] (rounding can give 1.0000000002)."""
    p = float(value)  # scipy gives a numpy float64
    if math.isnan(p):
        raise ValueError("scipy returned no p-value")
    return min(1.0, max(0.0, p))


def tables_with_margins(table: Sequence[Sequence[int]], *, cap: int = EXACT_TABLE_LIMIT) -> int:
    """How many groups × 2 tables have the group sizes and column totals of `table`.

    Counting stops at `cap` + 1 (the answer is then "more than `cap`"), so a large table costs
    one pass over the first column's total per group and no big integers.
    """
    rows = _checked_counts(table)
    column_with = sum(with_ for with_, _ in rows)
    # ways[s]: partial tables whose first column sums to s, capped at cap + 1.
    ways = np.zeros(column_with + 1, dtype=np.int64)
    ways[0] = 1
    for with_, without in rows:
        size = with_ + without
        running = np.concatenate(([0], np.cumsum(ways)))
        upper = np.arange(column_with + 1) + 1
        lower = np.maximum(upper - size - 1, 0)
        ways = np.minimum(running[upper] - running[lower], cap + 1)
    return int(ways[column_with])


def _log_comb(size: int, x: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """log C(size, x) for each x."""
    from scipy import special

    return np.asarray(
        special.gammaln(size + 1) - special.gammaln(x + 1) - special.gammaln(size - x + 1)
    )


def freeman_halton_p(table: Sequence[Sequence[int]]) -> float:
    """Fisher's exact test for groups × 2 (Freeman & Halton 1951), by counting every table.

    Every table with the observed margins has the multivariate hypergeometric probability
    Π C(nᵢ, xᵢ) / C(n, x·); p is the total probability of the tables no more probable than the
    observed one. For two groups it equals scipy's two-sided `fisher_exact`. The caller keeps
    the number of tables small (`tables_with_margins`).
    """
    rows = _checked_counts(table)
    sizes = [with_ + without for with_, without in rows]
    column_with = sum(with_ for with_, _ in rows)
    observed = math.fsum(
        float(_log_comb(size, np.array([with_]))[0])
        for size, (with_, _) in zip(sizes, rows, strict=True)
    )
    # The feasible partial tables as parallel arrays: the first column's running sum and the
    # log-probability so far. Each group extends each partial table by every count x that
    # still lets the remaining groups reach the column total.
    partial_sums = np.zeros(1, dtype=np.int64)
    partial_logs = np.zeros(1, dtype=np.float64)
    for position, size in enumerate(sizes):
        capacity_after = sum(sizes[position + 1 :])
        lowest = np.maximum(column_with - partial_sums - capacity_after, 0)
        highest = np.minimum(column_with - partial_sums, size)
        lengths = highest - lowest + 1
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        x = np.repeat(lowest, lengths) + np.arange(int(lengths.sum())) - np.repeat(starts, lengths)
        partial_logs = np.repeat(partial_logs, lengths) + _log_comb(size, x)
        partial_sums = np.repeat(partial_sums, lengths) + x
    log_total = float(_log_comb(sum(sizes), np.array([column_with]))[0])
    probabilities = np.exp(partial_logs - log_total)
    threshold = math.exp(observed - log_total) * (1 + _RELATIVE_TOLERANCE)
    return min(1.0, float(probabilities[probabilities <= threshold].sum()))


# --- Durations --------------------------------------------------------------------------------


def compare_durations(first: Sequence[float], second: Sequence[float]) -> Comparison:
    """Compare two samples of durations (days) with the two-sided Mann–Whitney U test.

    Exact when both samples have fewer than 50 values and no value occurs twice, else the
    normal approximation with tie and continuity corrections. When every value in both samples
    is the same there is nothing to test: p = 1 and U = n₁n₂/2 (the approximation would divide
    by a variance of 0).
    """
    from scipy import stats

    for sample in (first, second):
        for value in sample:
            if isinstance(value, bool) or not math.isfinite(value) or value < 0:
                raise ValueError(f"durations are finite numbers of 0 or more, not {value!r}")
    for position, sample in enumerate((first, second)):
        if not sample:
            raise UndefinedComparison(Undefined.EMPTY_GROUP, group=position)
    sizes = (len(first), len(second))
    pooled = [*first, *second]
    if len(set(pooled)) == 1:
        return Comparison(
            test=Method.MANN_WHITNEY_U,
            reason=Reason.DURATIONS_ALL_EQUAL,
            statistic=sizes[0] * sizes[1] / 2,
            p_value=1.0,
            group_sizes=sizes,
        )
    has_ties = len(set(pooled)) < len(pooled)
    exact = not has_ties and max(sizes) < MANN_WHITNEY_EXACT_BELOW
    result = stats.mannwhitneyu(
        first,
        second,
        alternative="two-sided",
        use_continuity=True,
        method="exact" if exact else "asymptotic",
    )
    return Comparison(
        test=Method.MANN_WHITNEY_U,
        reason=Reason.DURATIONS_SMALL_NO_TIES if exact else Reason.DURATIONS_LARGE_OR_TIED,
        statistic=float(result.statistic),
        p_value=_probability(result.pvalue),
        group_sizes=sizes,
    )


# --- Confidence interval of a share ------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A confidence interval for a share, as fractions (0.25 is 25 %)."""

    low: float
    high: float
    confidence: float


def wilson_interval(count: int, total: int, *, confidence: float = 0.95) -> Interval:
    """Wilson's score interval for the share `count` of `total` (Newcombe 1998, method 3).

    (p̂ + z²/2n ± z·sqrt(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n), z the normal quantile. Unlike the
    textbook p̂ ± z·SE it stays inside [0, 1] and is not of width 0 at 0 of n or n of n.
    81 of 263 gives 25.53 %–36.62 %.
    """
    from scipy import stats

    for number in (count, total):
        if isinstance(number, bool) or not isinstance(number, int | np.integer):
            raise ValueError(f"count and total are whole numbers, not {number!r}")
    if not 0 <= count <= total:
        raise ValueError(f"the count ({count}) must be between 0 and the total ({total})")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence is between 0 and 1, not {confidence!r}")
    if total == 0:
        raise UndefinedComparison(Undefined.EMPTY_GROUP, group=0)
    z = float(stats.norm.ppf(1 - (1 - confidence) / 2))
    share = count / total
    denominator = 1 + z * z / total
    centre = (share + z * z / (2 * total)) / denominator
    half_width = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total))
    half_width /= denominator
    # At 0 of n and n of n the bound is exactly 0 or 1; rounding must not move it outside.
    low = 0.0 if count == 0 else max(0.0, centre - half_width)
    high = 1.0 if count == total else min(1.0, centre + half_width)
    return Interval(low=low, high=high, confidence=confidence)
