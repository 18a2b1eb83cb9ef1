"""Small-cell suppression on hand-worked tables, and attackers that try to undo it (no database).

The rules and the same examples are in docs/statistics-methods.md ("Small-cell suppression").
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from rodtrad.stats.suppression import (
    DEFAULT_THRESHOLD,
    Derived,
    Entry,
    Reason,
    SuppressedTable,
    extended_table,
    rate,
    share,
    suppress,
)

pytestmark = pytest.mark.no_database  # CI runs it once, in the SQLite pass

P, S = Reason.PRIMARY, Reason.SECONDARY


def grid(table: SuppressedTable) -> list[list[int | str]]:
    """The extended table as published: numbers, 'P' (primary) and 'S' (secondary)."""
    rows = [[*row, total] for row, total in zip(table.cells, table.row_totals, strict=True)]
    rows.append([*table.column_totals, table.grand_total])
    return [
        [
            entry.value
            if entry.value is not None
            else ("P" if entry.reason is Reason.PRIMARY else "S")
            for entry in row
        ]
        for row in rows
    ]


# --- Hand-worked tables ---------------------------------------------------------------------


def test_a_table_without_small_counts_is_published_whole() -> None:
    table = suppress([[12, 30], [7, 5]])
    assert grid(table) == [[12, 30, 42], [7, 5, 12], [19, 35, 54]]


def test_one_small_cell_gets_the_cheapest_rectangle_of_partners() -> None:
    # 3 is primary. Its row, its column and a fourth cell must go with it; the cheapest
    # rectangle is 3, 10 (its row), 9 (its column) and 11: the sum 30 beats 3, 10, 8, 20 (38).
    table = suppress([[3, 10, 12], [8, 20, 15], [9, 11, 30]])
    assert grid(table) == [
        ["P", "S", 12, 25],
        [8, 20, 15, 43],
        ["S", "S", 30, 50],
        [20, 41, 57, 118],
    ]


def test_a_two_by_two_table_with_a_small_cell_keeps_only_its_totals() -> None:
    # Every cell of a 2 × 2 table is determined by one cell and the totals.
    assert grid(suppress([[3, 10], [8, 20]])) == [["P", "S", 13], ["S", "S", 28], [11, 30, 41]]


def test_zeros_are_shown_and_never_used_as_partners() -> None:
    table = suppress([[2, 0, 12], [8, 0, 15]])
    assert grid(table) == [["P", 0, "S", 14], ["S", 0, "S", 23], [10, 0, 27, 37]]


def test_a_small_total_is_suppressed_with_the_counts_inside_it() -> None:
    # The middle row has 1 + 3 = 4: both cells and the total are primary. Each column, and the
    # column of row totals, needs a second suppressed number; the first row (10 + 12 + 22 = 44)
    # is cheaper than the last (20 + 25 + 45 = 90).
    table = suppress([[10, 12], [1, 3], [20, 25]])
    assert grid(table) == [["S", "S", "S"], ["P", "P", "P"], [20, 25, 45], [31, 40, 71]]


def test_a_tiny_table_is_suppressed_entirely() -> None:
    assert grid(suppress([[2]])) == [["P", "P"], ["P", "P"]]
    assert grid(suppress([[1, 2]])) == [["P", "P", "P"], ["P", "P", "P"]]


def test_an_empty_table_has_nothing_to_suppress() -> None:
    assert grid(suppress([[0, 0], [0, 0]])) == [[0, 0, 0], [0, 0, 0], [0, 0, 0]]


def test_the_threshold_is_configurable() -> None:
    assert grid(suppress([[3, 10], [8, 20]], threshold=3)) == [
        [3, 10, 13],
        [8, 20, 28],
        [11, 30, 41],
    ]
    assert grid(suppress([[3, 10], [8, 20]], threshold=1)) == [
        [3, 10, 13],
        [8, 20, 28],
        [11, 30, 41],
    ]
    assert suppress([[9, 10], [10, 20]], threshold=10).cells[0][0] == Entry(None, P)


def test_the_published_table_holds_no_suppressed_value() -> None:
    table = suppress([[3, 10, 12], [8, 20, 15], [9, 11, 30]])
    hidden = [entry for _position, entry in table.entries() if entry.is_suppressed]
    assert len(hidden) == 4
    assert all(entry.value is None for entry in hidden)
    assert "3" not in repr(table.cells[0][0])


def test_shares_and_rates_of_suppressed_counts_are_suppressed() -> None:
    table = suppress([[3, 10, 12], [8, 20, 15], [9, 11, 30]])
    assert table.share_of_row(0, 0) == Derived(None, P)
    assert table.share_of_row(0, 1) == Derived(None, S)
    assert table.share_of_row(1, 1) == Derived(20 / 43)
    assert table.share_of_column(1, 2) == Derived(15 / 57)
    assert rate(table.cells[2][0], 1_000) == Derived(None, S)
    assert rate(table.row_totals[1], 1_000) == Derived(4.3)
    assert share(Entry(5), Entry(None, P)) == Derived(None, P)
    assert share(Entry(0), Entry(0)) == Derived(None)


@pytest.mark.parametrize(
    "cells",
    [[], [[]], [[1, 2], [3]], [[-1, 4]], [[1.5, 2]], [[True, 2]]],
)
def test_a_malformed_table_is_a_programming_error(cells: list[list[object]]) -> None:
    with pytest.raises(ValueError):
        suppress(cells)  # type: ignore[arg-type]


@pytest.mark.parametrize("threshold", [0, -5, 2.5, True])
def test_a_threshold_below_one_is_a_programming_error(threshold: object) -> None:
    with pytest.raises(ValueError):
        suppress([[3, 4]], threshold=threshold)  # type: ignore[arg-type]


def test_a_rate_needs_a_population() -> None:
    with pytest.raises(ValueError):
        rate(Entry(5), 0)


# --- The attackers --------------------------------------------------------------------------


def _lines(rows: int, columns: int) -> list[tuple[list[tuple[int, int]], tuple[int, int]]]:
    """Each equation of the extended table: the positions that add up to the total's position."""
    lines = [([(i, j) for j in range(columns)], (i, columns)) for i in range(rows)]
    lines += [([(i, j) for i in range(rows)], (rows, j)) for j in range(columns)]
    lines.append(([(i, columns) for i in range(rows)], (rows, columns)))
    lines.append(([(rows, j) for j in range(columns)], (rows, columns)))
    return lines


def eliminate(table: SuppressedTable) -> dict[tuple[int, int], int]:
    """What differencing recovers: repeatedly solve any equation with one unknown, and read a
    line whose unknowns must sum to 0 as all zeros (counts are never negative)."""
    rows, columns = len(table.row_totals), len(table.column_totals)
    known = {
        position: entry.value for position, entry in table.entries() if entry.value is not None
    }
    recovered: dict[tuple[int, int], int] = {}
    changed = True
    while changed:
        changed = False
        for parts, total in _lines(rows, columns):
            unknown = [p for p in [*parts, total] if p not in known]
            if not unknown:
                continue
            if len(unknown) == 1:
                (position,) = unknown
                if position == total:
                    value = sum(known[p] for p in parts)
                else:
                    value = known[total] - sum(known[p] for p in parts if p in known)
                known[position] = recovered[position] = value
                changed = True
            elif total in known and known[total] == sum(known[p] for p in parts if p in known):
                for position in unknown:
                    known[position] = recovered[position] = 0
                changed = True
    return recovered


def linear_bounds(table: SuppressedTable) -> dict[tuple[int, int], tuple[float, float]]:
    """The smallest and largest value each suppressed number can take, given every published
    number, every equation and that counts are not negative (a linear programme per number)."""
    rows, columns = len(table.row_totals), len(table.column_totals)
    entries = table.entries()
    hidden = [position for position, entry in entries if entry.value is None]
    index = {position: k for k, position in enumerate(hidden)}
    equations, right = [], []
    for parts, total in _lines(rows, columns):
        coefficients = np.zeros(len(hidden))
        constant = 0.0
        for position, sign in [*((p, 1.0) for p in parts), (total, -1.0)]:
            value = dict(entries)[position].value
            if value is None:
                coefficients[index[position]] += sign
            else:
                constant -= sign * value
        if coefficients.any():
            equations.append(coefficients)
            right.append(constant)
    bounds: dict[tuple[int, int], tuple[float, float]] = {}
    for position, k in index.items():
        objective = np.zeros(len(hidden))
        objective[k] = 1.0
        ends = []
        for direction in (1.0, -1.0):
            result = linprog(
                direction * objective, A_eq=np.array(equations), b_eq=np.array(right),
                bounds=[(0, None)] * len(hidden), method="highs",
            )  # fmt: skip
            # Status 3, unbounded: no finite upper bound (every number of some line is hidden).
            assert result.status in (0, 3), result.message
            ends.append(direction * result.fun if result.status == 0 else np.inf)
        bounds[position] = (ends[0], ends[1])
    return bounds


def test_the_attackers_recover_a_single_suppressed_cell() -> None:
    # Without secondary suppression the totals give the 3 away: the attackers must see it.
    naive = SuppressedTable(
        cells=((Entry(None, P), Entry(10)), (Entry(8), Entry(20))),
        row_totals=(Entry(13), Entry(28)),
        column_totals=(Entry(11), Entry(30)),
        grand_total=Entry(41),
        threshold=5,
    )
    assert eliminate(naive) == {(0, 0): 3}
    assert linear_bounds(naive)[(0, 0)] == pytest.approx((3, 3))


def test_the_linear_attacker_sees_what_a_line_by_line_rule_misses() -> None:
    # Two rectangles joined by one cell: every line has two suppressed numbers, so
    # differencing line by line is stuck, yet the joining cell (row 1, column 2) is 4:
    # rows 0 and 1 minus columns 0 and 1 leave exactly it.
    cells = [[3, 6, 0, 5], [7, 2, 4, 9], [9, 9, 3, 8], [9, 9, 6, 1]]
    hidden = {(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (2, 3), (3, 2), (3, 3)}
    published = extended_table(cells)
    entries = [
        [Entry(None, P) if (i, j) in hidden else Entry(value) for j, value in enumerate(row)]
        for i, row in enumerate(published)
    ]
    naive = SuppressedTable(
        cells=tuple(tuple(row[:-1]) for row in entries[:-1]),
        row_totals=tuple(row[-1] for row in entries[:-1]),
        column_totals=tuple(entries[-1][:-1]),
        grand_total=entries[-1][-1],
        threshold=5,
    )
    assert eliminate(naive) == {}
    assert linear_bounds(naive)[(1, 2)] == pytest.approx((4, 4))
    # suppress() itself closes that gap.
    protected = suppress(cells)
    low, high = linear_bounds(protected)[(1, 2)]
    assert high - low >= 1


small_tables = st.integers(1, 5).flatmap(
    lambda rows: st.integers(1, 5).flatmap(
        lambda columns: st.lists(
            st.lists(
                st.one_of(st.integers(0, 6), st.integers(0, 40)),
                min_size=columns,
                max_size=columns,
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=small_tables, threshold=st.sampled_from([DEFAULT_THRESHOLD, 3, 10]))
def test_no_suppressed_number_can_be_worked_out(cells: list[list[int]], threshold: int) -> None:
    table = suppress(cells, threshold=threshold)
    extended = extended_table(cells)
    # Primary suppression is complete and shown numbers are the true ones.
    for (i, j), entry in table.entries():
        true_value = extended[i][j]
        if 0 < true_value < threshold:
            assert entry.reason is Reason.PRIMARY
        if entry.value is not None:
            assert entry.value == true_value
        else:
            assert true_value > 0, "zeros are never suppressed"
    # Differencing, line by line, recovers nothing.
    assert eliminate(table) == {}
    # Nor does the whole linear system with non-negativity: every suppressed number can take at
    # least two values (the bounds are whole numbers: the table's constraints are unimodular).
    for position, (low, high) in linear_bounds(table).items():
        assert high - low >= 1 - 1e-6, (position, low, high)
        assert low - 1e-6 <= extended[position[0]][position[1]] <= high + 1e-6


@settings(max_examples=200, deadline=None)
@given(cells=small_tables)
def test_secondary_suppression_only_adds_counts_at_or_above_the_threshold(
    cells: list[list[int]],
) -> None:
    table = suppress(cells)
    extended = extended_table(cells)
    for (i, j), entry in table.entries():
        if entry.reason is Reason.SECONDARY:
            assert extended[i][j] >= DEFAULT_THRESHOLD
