"""Small-cell suppression of a two-way table of counts before it leaves the query layer.

Pure functions on plain counts: no ORM, no Django settings. The rules, the default threshold
and the worked examples are in docs/statistics-methods.md ("Small-cell suppression").

A table is its cells (groups × categories) with every row total, column total and the grand
total published beside them. Suppression has two steps:

1. **Primary**: every count, cell or total, with 0 < count < threshold (default 5). Zeros are
   shown.
2. **Secondary**: more counts, the smallest first, until no suppressed count can be worked out
   from the published ones. See the table with its totals as a (rows + 1) × (columns + 1)
   "extended" table in which every line (a row or column, totals included) adds up. Draw a
   graph with a node per line and an edge per suppressed count, joining its row and its
   column. The published numbers give one equation per line; a suppressed count is determined
   by them exactly when its edge is a bridge of that graph (on no cycle), and otherwise it can
   be moved up and down along a cycle. So secondary suppression adds counts until the graph
   has no bridge. It only ever adds counts greater than zero: a suppressed zero can be
   recovered from the knowledge that counts are not negative (a line whose suppressed counts
   sum to 0 holds only zeros), and with every suppressed count positive a cycle can move in
   both directions, so no suppressed value is determined even by an attacker who uses that
   knowledge. Each bridge is closed by the cheapest path (smallest sum of added counts) that
   joins its two sides.

The result carries no suppressed value, only None and the reason. Shares and rates built
from a suppressed count are suppressed too (`share`, `rate`).

A count and its part published side by side (reports, and the investigations opened from
them) are suppressed together by `suppress_nested` (docs/statistics-methods.md, "Tables
published together").

What this does not do (docs/statistics-methods.md): protect against bounds narrower than the
count's possible range (interval disclosure), or against differencing between other tables
that share margins; those need the tables to be designed together.
"""

from __future__ import annotations

import enum
import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

DEFAULT_THRESHOLD: Final = 5
"""Counts from 1 to 4 are suppressed by default (inside the municipality)."""


class Reason(enum.StrEnum):
    """Why a number is not shown."""

    PRIMARY = "primary"
    """The count itself is above 0 and below the threshold."""

    SECONDARY = "secondary"
    """The count is large enough, but showing it would reveal a primary one."""

    LINKED = "linked"
    """The count is large enough, but showing it beside the table it is published with (a
    count and its part, `suppress_nested`) would reveal a small difference or a hidden count."""


@dataclass(frozen=True)
class Entry:
    """One published number: its value, or None and why it is suppressed."""

    value: int | None
    reason: Reason | None = None

    @property
    def is_suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Derived:
    """A share or rate computed from published numbers, or None and why it is suppressed."""

    value: float | None
    reason: Reason | None = None


@dataclass(frozen=True)
class SuppressedTable:
    """A table ready to publish: cells, row totals, column totals and the grand total."""

    cells: tuple[tuple[Entry, ...], ...]
    row_totals: tuple[Entry, ...]
    column_totals: tuple[Entry, ...]
    grand_total: Entry
    threshold: int

    def entries(self) -> list[tuple[tuple[int, int], Entry]]:
        """Every number of the extended table with its position; totals at index rows/columns."""
        rows, columns = len(self.row_totals), len(self.column_totals)
        found = [((i, j), self.cells[i][j]) for i in range(rows) for j in range(columns)]
        found += [((i, columns), self.row_totals[i]) for i in range(rows)]
        found += [((rows, j), self.column_totals[j]) for j in range(columns)]
        found.append(((rows, columns), self.grand_total))
        return found

    def share_of_row(self, row: int, column: int) -> Derived:
        """The cell as a share (0–1) of its row total, suppressed if either is."""
        return share(self.cells[row][column], self.row_totals[row])

    def share_of_column(self, row: int, column: int) -> Derived:
        """The cell as a share (0–1) of its column total, suppressed if either is."""
        return share(self.cells[row][column], self.column_totals[column])


def share(part: Entry, whole: Entry) -> Derived:
    """`part` / `whole`, suppressed when either is (with the part's reason first).

    A whole of 0 gives no share (None without a reason: there is nothing to divide).
    """
    if part.value is None:
        return Derived(None, part.reason)
    if whole.value is None:
        return Derived(None, whole.reason)
    if whole.value == 0:
        return Derived(None)
    return Derived(part.value / whole.value)


def rate(count: Entry, population: int, *, per: int = 100) -> Derived:
    """`count` per `per` of a population (public, never suppressed), suppressed with the count."""
    if population <= 0:
        raise ValueError(f"a rate needs a population above 0, not {population!r}")
    if count.value is None:
        return Derived(None, count.reason)
    return Derived(count.value * per / population)


Position = tuple[int, int]


def _checked_cells(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    rows = [list(row) for row in cells]
    if not rows or not rows[0]:
        raise ValueError("a table needs at least one row and one column")
    if any(len(row) != len(rows[0]) for row in rows):
        raise ValueError("every row of a table has the same number of columns")
    for row in rows:
        for count in row:
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"counts are whole numbers of 0 or more, not {count!r}")
    return rows


def extended_table(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    """The cells with each row's total appended and a last row of column totals and the total."""
    rows = _checked_cells(cells)
    extended = [[*row, sum(row)] for row in rows]
    extended.append([sum(column) for column in zip(*extended, strict=True)])
    return extended


def suppress(
    cells: Sequence[Sequence[int]], *, threshold: int = DEFAULT_THRESHOLD
) -> SuppressedTable:
    """Suppress `cells` and their totals (computed here, so they always add up) for publishing.

    A table that leaves out a category (an "unknown" column) and publishes totals including it
    must pass that category as a column: the totals are the sums of the cells given.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"the threshold is a whole number of 1 or more, not {threshold!r}")
    extended = extended_table(cells)
    return _published(extended, _suppression(extended, threshold), threshold)


def _suppression(extended: list[list[int]], threshold: int) -> dict[Position, Reason]:
    """Which numbers of the extended table to suppress, and why."""
    reasons = _primary(extended, threshold)
    _close_bridges(extended, reasons)
    return reasons


def _primary(extended: list[list[int]], threshold: int) -> dict[Position, Reason]:
    return {
        (i, j): Reason.PRIMARY
        for i, row in enumerate(extended)
        for j, value in enumerate(row)
        if 0 < value < threshold
    }


def _close_bridges(extended: list[list[int]], reasons: dict[Position, Reason]) -> bool:
    """Secondary suppression until no suppressed number is a bridge; whether it added any."""
    added = False
    while (bridge := _first_bridge(reasons)) is not None:
        for position in _cheapest_path_around(bridge, reasons, extended):
            reasons[position] = Reason.SECONDARY
            added = True
    return added


def _published(
    extended: list[list[int]], reasons: dict[Position, Reason], threshold: int
) -> SuppressedTable:
    rows = [
        [
            Entry(None, reasons[(i, j)]) if (i, j) in reasons else Entry(value)
            for j, value in enumerate(row)
        ]
        for i, row in enumerate(extended)
    ]
    return SuppressedTable(
        cells=tuple(tuple(row[:-1]) for row in rows[:-1]),
        row_totals=tuple(row[-1] for row in rows[:-1]),
        column_totals=tuple(rows[-1][:-1]),
        grand_total=rows[-1][-1],
        threshold=threshold,
    )


def suppress_nested(
    whole: Sequence[Sequence[int]],
    part: Sequence[Sequence[int]],
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> tuple[SuppressedTable, SuppressedTable]:
    """Suppress two tables published together, where `part` counts some of what `whole`
    counts, cell by cell (the reports, and the investigations opened from them, by district
    and violence reason), so that differencing across them reveals nothing either.

    `whole` − `part` (the reports that did not lead to an investigation) is never published,
    but anyone can work it out wherever both numbers are shown. So, besides each table's own
    primary and secondary suppression (docs/statistics-methods.md, "Tables published
    together"):

    1. Where both numbers are shown, their difference must be 0 or at least the threshold;
       otherwise both are hidden.
    2. Where both are above 0, both are hidden or both shown. A hidden part can then be moved
       along a cycle of its table together with the whole (the difference stays the same,
       every moved number is above 0), so the pair reveals nothing the single table would
       not; where the part is 0 it stays shown (a hidden zero leaks, as in one table).
    3. Each table's bridges are closed again, and the rules applied again, until nothing
       changes (numbers are only ever added, so this ends).
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"the threshold is a whole number of 1 or more, not {threshold!r}")
    big, small = extended_table(whole), extended_table(part)
    if len(big) != len(small) or len(big[0]) != len(small[0]):
        raise ValueError("a table and its part have the same rows and columns")
    positions = [(i, j) for i in range(len(big)) for j in range(len(big[0]))]
    if any(small[i][j] > big[i][j] for i, j in positions):
        raise ValueError("a part counts no more than its whole, cell by cell")
    big_reasons, small_reasons = _primary(big, threshold), _primary(small, threshold)
    changed = True
    while changed:
        changed = False
        for i, j in positions:
            hidden_big, hidden_small = (i, j) in big_reasons, (i, j) in small_reasons
            difference = big[i][j] - small[i][j]
            both_positive = small[i][j] > 0  # the whole is at least the part
            if not hidden_big and not hidden_small and 0 < difference < threshold:
                if both_positive:
                    big_reasons[(i, j)] = small_reasons[(i, j)] = Reason.LINKED
                else:  # the part is 0, so the whole is the small difference itself
                    big_reasons[(i, j)] = Reason.LINKED
                changed = True
            elif both_positive and hidden_big != hidden_small:
                target = small_reasons if hidden_big else big_reasons
                target[(i, j)] = Reason.LINKED
                changed = True
        changed = _close_bridges(big, big_reasons) or changed
        changed = _close_bridges(small, small_reasons) or changed
    return _published(big, big_reasons, threshold), _published(small, small_reasons, threshold)


# The graph: a node per line of the extended table, ("r", i) for row i and ("c", j) for
# column j; a suppressed number at (i, j) is the edge between ("r", i) and ("c", j).
Node = tuple[str, int]


def _neighbours(
    node: Node, suppressed: dict[Position, Reason] | set[Position], skip: Position | None
) -> list[tuple[Node, Position]]:
    kind, index = node
    found: list[tuple[Node, Position]] = []
    for i, j in suppressed:
        if (i, j) == skip:
            continue
        if kind == "r" and i == index:
            found.append((("c", j), (i, j)))
        elif kind == "c" and j == index:
            found.append((("r", i), (i, j)))
    return found


def _component(start: Node, suppressed: dict[Position, Reason], skip: Position) -> set[Node]:
    """The nodes reachable from `start` over suppressed numbers other than `skip`."""
    seen = {start}
    frontier = [start]
    while frontier:
        node = frontier.pop()
        for neighbour, _position in _neighbours(node, suppressed, skip):
            if neighbour not in seen:
                seen.add(neighbour)
                frontier.append(neighbour)
    return seen


def _first_bridge(suppressed: dict[Position, Reason]) -> Position | None:
    """A suppressed number on no cycle (so determined by the published ones), or None.

    Tables here are small (districts × categories), so each edge is tested by a search
    without it rather than with Tarjan's algorithm: simpler to read, fast enough.
    """
    for i, j in sorted(suppressed):
        if ("c", j) not in _component(("r", i), suppressed, skip=(i, j)):
            return (i, j)
    return None


def _cheapest_path_around(
    bridge: Position, suppressed: dict[Position, Reason], extended: list[list[int]]
) -> list[Position]:
    """Numbers to suppress so that `bridge` lies on a cycle: the cheapest joining path.

    Dijkstra from every node on the bridge's row side to any node on its column side;
    suppressed numbers (other than the bridge) cost 0, published ones their value, and zeros
    are never used. A path always exists: the totals join every non-empty line through the
    grand total, which is above 0 whenever anything is suppressed.
    """
    row, column = bridge
    start_side = _component(("r", row), suppressed, skip=bridge)
    goal_side = _component(("c", column), suppressed, skip=bridge)
    rows, columns = len(extended), len(extended[0])
    queue: list[tuple[int, int, Node, list[Position]]] = []
    order = 0  # ties are broken by insertion order, so the choice is deterministic
    for node in sorted(start_side):
        queue.append((0, order, node, []))
        order += 1
    heapq.heapify(queue)
    settled: set[Node] = set()
    while queue:
        cost, _order, node, path = heapq.heappop(queue)
        if node in settled:
            continue
        settled.add(node)
        if node in goal_side:
            return path
        kind, index = node
        steps = (
            [(("c", j), (index, j)) for j in range(columns)]
            if kind == "r"
            else [(("r", i), (i, index)) for i in range(rows)]
        )
        for neighbour, position in steps:
            if position == bridge or neighbour in settled:
                continue
            if position in suppressed:
                heapq.heappush(queue, (cost, order, neighbour, path))
            elif extended[position[0]][position[1]] > 0:
                value = extended[position[0]][position[1]]
                heapq.heappush(queue, (cost + value, order, neighbour, [*path, position]))
            order += 1
    raise AssertionError("no path around a suppressed number; the table has no positive total")
