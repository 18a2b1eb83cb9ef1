"""Tables published together: a count and its part (the reports, and the investigations opened
from them), suppressed so that differencing across the two reveals nothing
(docs/statistics-methods.md, "Tables published together"). No database.

The attacker knows every published number of both tables, every line equation, that counts
are not negative and that the part is at most the whole, cell by cell; for every hidden number,
and for every difference whole − part (the reports that opened no investigation, never
published), it computes the smallest and largest value (a linear programme each).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from rodtrad.stats.suppression import (
    DEFAULT_THRESHOLD,
    Reason,
    SuppressedTable,
    extended_table,
    suppress,
    suppress_nested,
)

pytestmark = pytest.mark.no_database  # CI runs it once, in the SQLite pass

Position = tuple[int, int]


def _lines(rows: int, columns: int) -> list[tuple[list[Position], Position]]:
    lines = [([(i, j) for j in range(columns)], (i, columns)) for i in range(rows)]
    lines += [([(i, j) for i in range(rows)], (rows, j)) for j in range(columns)]
    lines.append(([(i, columns) for i in range(rows)], (rows, columns)))
    lines.append(([(rows, j) for j in range(columns)], (rows, columns)))
    return lines


def attack(
    tables: Sequence[SuppressedTable],
) -> tuple[dict[tuple[int, Position], tuple[float, float]], dict[Position, tuple[float, float]]]:
    """Bounds of every hidden number (table index, position) and of every difference
    table 0 − table 1 at each position, from everything published."""
    whole, part = tables
    rows, columns = len(whole.row_totals), len(whole.column_totals)
    published = [dict(t.entries()) for t in tables]
    hidden = [
        (k, position)
        for k, t in enumerate(tables)
        for position, entry in t.entries()
        if entry.value is None
    ]
    index = {key: n for n, key in enumerate(hidden)}

    def term(k: int, position: Position) -> tuple[np.ndarray, float]:
        coefficients = np.zeros(len(hidden))
        value = published[k][position].value
        if value is None:
            coefficients[index[(k, position)]] = 1.0
            return coefficients, 0.0
        return coefficients, float(value)

    equations, right = [], []
    for k in range(2):
        for parts, total in _lines(rows, columns):
            coefficients, constant = -term(k, total)[0], -term(k, total)[1]
            for position in parts:
                c, v = term(k, position)
                coefficients = coefficients + c
                constant += v
            if coefficients.any():
                equations.append(coefficients)
                right.append(-constant)
    inequalities, upper = [], []
    positions = [(i, j) for i in range(rows + 1) for j in range(columns + 1)]
    for position in positions:  # part − whole ≤ 0
        c_part, v_part = term(1, position)
        c_whole, v_whole = term(0, position)
        coefficients = c_part - c_whole
        if coefficients.any():
            inequalities.append(coefficients)
            upper.append(v_whole - v_part)

    def bounds_of(objective: np.ndarray, constant: float) -> tuple[float, float]:
        if not hidden:
            return constant, constant
        ends = []
        for direction in (1.0, -1.0):
            result = linprog(
                direction * objective,
                A_eq=np.array(equations) if equations else None,
                b_eq=np.array(right) if right else None,
                A_ub=np.array(inequalities) if inequalities else None,
                b_ub=np.array(upper) if upper else None,
                bounds=[(0, None)] * len(hidden),
                method="highs",
            )
            assert result.status in (0, 3), result.message
            ends.append(direction * result.fun + constant if result.status == 0 else np.inf)
        return ends[0], ends[1]

    numbers = {}
    for key, n in index.items():
        objective = np.zeros(len(hidden))
        objective[n] = 1.0
        numbers[key] = bounds_of(objective, 0.0)
    differences = {}
    for position in positions:
        c_whole, v_whole = term(0, position)
        c_part, v_part = term(1, position)
        differences[position] = bounds_of(c_whole - c_part, v_whole - v_part)
    return numbers, differences


def disclosures(
    whole: list[list[int]], part: list[list[int]], tables: Sequence[SuppressedTable], threshold: int
) -> list[str]:
    """What the attacker learns that the tables were meant to hide."""
    found = []
    numbers, differences = attack(tables)
    for (k, position), (low, high) in numbers.items():
        if high - low < 1 - 1e-6:
            found.append(f"table {k} {position} is exactly {low:g}")
    big, small = extended_table(whole), extended_table(part)
    for (i, j), (low, high) in differences.items():
        true = big[i][j] - small[i][j]
        if high - low < 1 - 1e-6 and 0 < true < threshold:
            found.append(f"difference at {(i, j)} is exactly {true}")
    return found


def test_suppressed_one_by_one_the_difference_gives_a_small_count_away() -> None:
    # Reports by district × (violence, other) and the investigations opened from them: every
    # count is at least 5, so each table alone is published whole, yet 8 − 6 says that two
    # violence reports in the first district led to no investigation.
    whole = [[8, 20], [12, 30]]
    part = [[6, 10], [7, 15]]
    apart = (suppress(whole), suppress(part))
    assert "difference at (0, 0) is exactly 2" in disclosures(whole, part, apart, 5)
    together = suppress_nested(whole, part)
    assert disclosures(whole, part, together, 5) == []
    assert together[0].cells[0][0].reason is Reason.LINKED
    assert together[1].cells[0][0].reason is Reason.LINKED


def test_suppressed_one_by_one_a_hidden_part_is_given_away_by_its_whole() -> None:
    # The part's 1 (row 0) is hidden with partners in its own table; but in row 1 the whole
    # publishes 12 and 12 where the part hides 12 and 12, and a part is at most its whole, so
    # the attacker pins row 1 of the part, and then the 1 (found by the attacker of the test
    # below, run on tables suppressed one by one).
    whole = [[8, 11], [12, 12], [0, 5]]
    part = [[1, 7], [12, 12], [0, 2]]
    apart = (suppress(whole), suppress(part))
    assert "table 1 (0, 0) is exactly 1" in disclosures(whole, part, apart, 5)
    assert disclosures(whole, part, suppress_nested(whole, part), 5) == []


def test_a_part_larger_than_its_whole_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="part"):
        suppress_nested([[1, 2]], [[2, 2]])
    with pytest.raises(ValueError, match="rows and columns"):
        suppress_nested([[1, 2]], [[1], [1]])


@st.composite
def nested_tables(draw: st.DrawFn) -> tuple[list[list[int]], list[list[int]]]:
    rows = draw(st.integers(1, 4))
    columns = draw(st.integers(1, 3))
    whole = [
        [draw(st.one_of(st.integers(0, 8), st.integers(0, 30))) for _ in range(columns)]
        for _ in range(rows)
    ]
    part = [[draw(st.integers(0, value)) for value in row] for row in whole]
    return whole, part


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=nested_tables(), threshold=st.sampled_from([DEFAULT_THRESHOLD, 3]))
def test_differencing_across_the_two_tables_reveals_nothing(
    tables: tuple[list[list[int]], list[list[int]]], threshold: int
) -> None:
    whole, part = tables
    published = suppress_nested(whole, part, threshold=threshold)
    for table, cells in zip(published, (whole, part), strict=True):
        extended = extended_table(cells)
        for (i, j), entry in table.entries():
            if entry.value is not None:
                assert entry.value == extended[i][j]
                assert not 0 < entry.value < threshold
            else:
                assert extended[i][j] > 0, "zeros are never suppressed"
    assert disclosures(whole, part, published, threshold) == []
