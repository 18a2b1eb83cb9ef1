"""Benchmark: every statistic at city scale, against the same aggregation in DuckDB.

    python bench/indicators.py [--reports 50000] [--year YEAR] [--rounds 3] [--rebuild]

Issue 10, point 7 (docs/performance.md, "Statistics"): on the SQLite database that
bench/pages.py builds (`rodtrad demo` plus `rodtrad generate --reports N`, cached under
var/bench/), each indicator of rodtrad/stats/indicators.py — the command line's `compute`
and each dashboard table's `publish` for one year and every district, each breakdown of the
report table — and the whole dashboard page as the analyst sees it (Django test client) are
timed against DuckDB computing the same numbers from the same rows.

DuckDB cannot read the SQLite file here (its sqlite extension is downloaded from the
internet, which this machine does not reach), so the tables the statistics read are exported
once to Parquet and loaded into an in-memory DuckDB database with their types; only the
queries are timed. Rules that are code, not data — the four-month deadline per lag
1930:173, the three months of "not carried out", the rating scales' cut-offs, the code
lists' labels — come from the same Python functions on both sides (the deadlines as a
calendar table built before timing). Every DuckDB result is turned into the published
numbers and compared with the indicator's, computed without suppression (threshold 1): the
bench stops with an error if any number differs, so the ratio compares the same work.

Targets at 500 000 reports (issue 10): each statistic under 1 s and within 10× of DuckDB.
The bench prints "target missed" beside each one that is not; like every benchmark it exits
non-zero only when the work itself is wrong (bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import pages  # noqa: E402  (bench/pages.py builds and caches the databases)

TARGET_SECONDS = 1.0
TARGET_RATIO = 10.0

# The tables and columns the statistics read, with their DuckDB types.
TABLES: dict[str, dict[str, str]] = {
    "accounts_district": {"id": "INTEGER", "name": "VARCHAR", "code": "VARCHAR"},
    "stats_population": {"district_id": "INTEGER", "year": "INTEGER", "count": "INTEGER"},
    "intake_report": {
        "id": "INTEGER",
        "district_id": "INTEGER",
        "received_at": "TIMESTAMP",
        "stated_received_at": "TIMESTAMP",
        "reporter_category": "VARCHAR",
    },
    "intake_reportchild": {
        "id": "INTEGER",
        "report_id": "INTEGER",
        "child_id": "INTEGER",
        "case_id": "INTEGER",
        "is_attached_to_open_investigation": "BOOLEAN",
    },
    "intake_reportreason": {"report_id": "INTEGER", "code": "VARCHAR"},
    "intake_preassessment": {
        "case_id": "INTEGER",
        "decision": "VARCHAR",
        "status": "VARCHAR",
        "corrects_id": "INTEGER",
    },
    "people_person": {"id": "INTEGER", "birth_date": "DATE", "legal_sex": "VARCHAR"},
    "cases_case": {
        "id": "INTEGER",
        "district_id": "INTEGER",
        "child_id": "INTEGER",
        "responsible_id": "INTEGER",
    },
    "investigation_investigation": {
        "id": "INTEGER",
        "case_id": "INTEGER",
        "opened_on": "DATE",
        "closed_on": "DATE",
    },
    "investigation_extensiondecision": {"investigation_id": "INTEGER"},
    "investigation_contact": {
        "investigation_id": "INTEGER",
        "kind": "VARCHAR",
        "child_alone": "BOOLEAN",
        "covered_violence": "BOOLEAN",
    },
    "investigation_riskassessment": {
        "investigation_id": "INTEGER",
        "status": "VARCHAR",
        "instrument_code": "VARCHAR",
    },
    "investigation_investigationplan": {"investigation_id": "INTEGER", "status": "VARCHAR"},
    "investigation_analysis": {"investigation_id": "INTEGER", "status": "VARCHAR"},
    "investigation_areaassessment": {
        "investigation_id": "INTEGER",
        "status": "VARCHAR",
        "framework": "VARCHAR",
        "area": "VARCHAR",
    },
    "investigation_need": {"id": "INTEGER", "framework": "VARCHAR", "area": "VARCHAR"},
    "decisions_decision": {
        "id": "INTEGER",
        "case_id": "INTEGER",
        "kind": "VARCHAR",
        "decided_on": "DATE",
        "replaces_id": "INTEGER",
    },
    "decisions_decision_needs": {"decision_id": "INTEGER", "need_id": "INTEGER"},
    "decisions_intervention": {
        "id": "INTEGER",
        "decision_id": "INTEGER",
        "case_id": "INTEGER",
        "catalogue_code": "VARCHAR",
        "started_on": "DATE",
        "ended_on": "DATE",
        "end_reason": "VARCHAR",
        "problem_codes": "VARCHAR",
    },
    "commissions_commission": {
        "id": "INTEGER",
        "intervention_id": "INTEGER",
        "case_id": "INTEGER",
        "sent_at": "TIMESTAMP",
        "replaces_id": "INTEGER",
    },
    "followup_followup": {
        "id": "INTEGER",
        "commission_id": "INTEGER",
        "held_on": "DATE",
        "gas_t_score": "DOUBLE",
    },
    "followup_measurement": {
        "id": "INTEGER",
        "intervention_id": "INTEGER",
        "instrument_id": "INTEGER",
        "rater_role": "VARCHAR",
        "rater_id": "INTEGER",
        "session_number": "INTEGER",
        "administered_on": "DATE",
        "total": "DECIMAL(7,1)",
        "satisfaction_mean": "DOUBLE",
    },
    "followup_instrument": {"id": "INTEGER", "kind": "VARCHAR"},
}


def export(database: Path, directory: Path) -> Any:
    """The tables above from SQLite to Parquet to an in-memory DuckDB database, typed."""
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = sqlite3.connect(database)
    duck = duckdb.connect()
    try:
        for table, columns in TABLES.items():
            names = list(columns)
            rows = source.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall()
            arrays = []
            for n, name in enumerate(names):
                values = [row[n] for row in rows]
                kind = columns[name]
                if kind in {"VARCHAR", "DATE", "TIMESTAMP"}:
                    values = [None if v is None else str(v) for v in values]
                    arrays.append(pa.array(values, type=pa.string()))
                elif kind in {"DOUBLE", "DECIMAL(7,1)"}:
                    arrays.append(
                        pa.array([None if v is None else float(v) for v in values], pa.float64())
                    )
                else:
                    arrays.append(pa.array(values, type=pa.int64()))
            target = directory / f"{table}.parquet"
            pq.write_table(pa.Table.from_arrays(arrays, names=names), target)
            casts = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in columns.items())
            duck.execute(f"CREATE TABLE {table} AS SELECT {casts} FROM read_parquet('{target}')")
    finally:
        source.close()
    return duck


# --- The same numbers from DuckDB -------------------------------------------------------------


class Context:
    """What both sides share: the year, its bounds as UTC (as SQLite stores), the districts,
    the code lists' labels and the deadline calendars."""

    def __init__(self, duck: Any, year: int) -> None:
        from django.utils import timezone

        from rodtrad.accounts.models import District
        from rodtrad.stats import indicators as ind

        self.duck = duck
        self.year = year
        start, end = ind.year_bounds(year)
        self.start = start.astimezone(UTC).replace(tzinfo=None)
        self.end = end.astimezone(UTC).replace(tzinfo=None)
        self.first, self.next_first = date(year, 1, 1), date(year + 1, 1, 1)
        self.districts = ind._by_name(list(District.objects.all()))
        self.violence = sorted(ind.violence_reason_codes())
        self.today = timezone.localdate()

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return self.duck.execute(sql, list(params)).fetchall()


def calendars(duck: Any) -> None:
    """The deadlines the indicators compute in Python, as tables (built before timing)."""
    from rodtrad.deadlines import rules
    from rodtrad.investigation.models import investigation_deadline

    opened = [
        r[0]
        for r in duck.execute(
            "SELECT DISTINCT opened_on FROM investigation_investigation"
        ).fetchall()
    ]
    decided = [
        r[0] for r in duck.execute("SELECT DISTINCT decided_on FROM decisions_decision").fetchall()
    ]
    duck.execute("CREATE TABLE due_investigation (opened_on DATE, due DATE)")
    duck.executemany(
        "INSERT INTO due_investigation VALUES (?, ?)",
        [(d, investigation_deadline(d, []).due) for d in opened],
    )
    duck.execute("CREATE TABLE due_not_carried_out (decided_on DATE, due DATE)")
    duck.executemany(
        "INSERT INTO due_not_carried_out VALUES (?, ?)",
        [(d, rules.deadline_for(rules.NOT_CARRIED_OUT, d).due) for d in decided],
    )


REPORTS_CTE = """
WITH opened AS (
    SELECT DISTINCT case_id FROM intake_preassessment
    WHERE decision = 'open' AND status = 'signed' AND corrects_id IS NULL
), rc AS (
    SELECT rc.id, rc.report_id, rc.child_id, r.district_id, r.reporter_category,
           rc.is_attached_to_open_investigation AS attached,
           (o.case_id IS NOT NULL) AS was_opened
    FROM intake_reportchild rc
    JOIN intake_report r ON r.id = rc.report_id
    LEFT JOIN opened o ON o.case_id = rc.case_id
    WHERE coalesce(r.stated_received_at, r.received_at) >= ?
      AND coalesce(r.stated_received_at, r.received_at) < ?
)
"""

CLOSED_CTE = """
WITH closed AS (
    SELECT i.id, i.case_id, i.opened_on, i.closed_on, c.district_id
    FROM investigation_investigation i JOIN cases_case c ON c.id = i.case_id
    WHERE i.closed_on >= ? AND i.closed_on < ?
), violent_case AS (
    SELECT DISTINCT rc.case_id FROM intake_reportreason rr
    JOIN intake_reportchild rc ON rc.report_id = rr.report_id
    WHERE rr.code IN (SELECT unnest(?::VARCHAR[]))
)
"""

Published = dict[str, dict[str, Any]]


def _published(table: Any) -> Published:
    """A published table as {row label: {column key: value}} (suppressed cells as '..')."""
    keys = [column.key for column in table.columns]
    return {
        label: {k: (".." if c.suppressed else c.value) for k, c in zip(keys, cells, strict=True)}
        for label, cells in table.rows
    }


def _computed(table: Any) -> Published:
    """A command-line Table as the same shape."""
    return {str(row[0]): dict(zip(table.columns[1:], row[1:], strict=True)) for row in table.rows}


def _district_rows(
    ctx: Context,
    per: dict[int, list[Any]],
    build: Callable[[list[Any]], dict[str, Any]],
    width: int,
) -> Published:
    """Rows by district (every district, by name) and `Totalt` from summed raw counts."""
    from rodtrad.stats.indicators import TOTAL

    result: Published = {}
    total: list[Any] | None = None
    for district in ctx.districts:
        raw = per.get(district.pk) or [0] * width
        result[district.name] = build(raw)
        total = list(raw) if total is None else [a + b for a, b in zip(total, raw, strict=True)]
    if total is not None:
        result[TOTAL] = build(total)
    return result


def duck_reports_cli(ctx: Context) -> Published:
    from rodtrad.stats.indicators import ReportsAndInvestigations

    counts = dict(
        (d, (r, i))
        for d, r, i in ctx.rows(
            REPORTS_CTE
            + "SELECT district_id, count(*), count(*) FILTER (WHERE was_opened AND NOT attached)"
            " FROM rc GROUP BY district_id",
            ctx.start,
            ctx.end,
        )
    )
    population = dict(
        ctx.rows(
            "SELECT district_id, sum(count) FROM stats_population WHERE year = ? GROUP BY 1",
            ctx.year,
        )
    )
    rows = []
    totals = [0, 0, 0]
    by_name = sorted(
        (d for d in ctx.districts if d.pk in population), key=lambda d: (d.name, d.code)
    )
    for district in by_name:
        r, i = counts.get(district.pk, (0, 0))
        p = int(population[district.pk])
        rows.append(ReportsAndInvestigations._row(district.name, r, i, p))
        totals = [totals[0] + r, totals[1] + i, totals[2] + p]
    rows.append(ReportsAndInvestigations._row("Totalt", *totals))
    return {
        str(row[0]): dict(zip(ReportsAndInvestigations.columns[1:], row[1:], strict=True))
        for row in rows
    }


def duck_durations_cli(ctx: Context) -> Published:
    from rodtrad.stats.indicators import InvestigationDurations, half_up

    population = {
        r[0]
        for r in ctx.rows(
            "SELECT DISTINCT district_id FROM stats_population WHERE year = ?", ctx.year
        )
    }
    raw = ctx.rows(
        CLOSED_CTE
        + """
        , ext AS (SELECT DISTINCT investigation_id FROM investigation_extensiondecision)
        SELECT c.district_id, count(*), sum(c.closed_on - c.opened_on),
               median(c.closed_on - c.opened_on),
               count(*) FILTER (WHERE c.closed_on > d.due),
               count(*) FILTER (WHERE c.closed_on > d.due AND e.investigation_id IS NULL)
        FROM closed c JOIN due_investigation d ON d.opened_on = c.opened_on
        LEFT JOIN ext e ON e.investigation_id = c.id
        GROUP BY c.district_id
        """,
        ctx.first,
        ctx.next_first,
        ctx.violence,
    )
    total_median = ctx.rows(
        CLOSED_CTE + "SELECT median(closed_on - opened_on) FROM closed"
        " WHERE district_id IN (SELECT unnest(?::INTEGER[]))",
        ctx.first,
        ctx.next_first,
        ctx.violence,
        sorted(population),
    )[0][0]
    per = {row[0]: row[1:] for row in raw}

    def row(
        name: str, n: int, total: int, median: Any, over: int, unextended: int
    ) -> tuple[Any, ...]:
        if not n:
            return (name, 0, None, None, over, unextended)
        return (
            name,
            n,
            half_up(Decimal(int(total)) / Decimal(n)),
            half_up(Decimal(str(median))),
            over,
            unextended,
        )

    rows = []
    sums = [0, 0, 0, 0]
    for district in ctx.districts:
        if district.pk not in population:
            continue
        n, total, median, over, unext = per.get(district.pk, (0, 0, None, 0, 0))
        rows.append(row(district.name, n, total or 0, median, over, unext))
        sums = [sums[0] + n, sums[1] + int(total or 0), sums[2] + over, sums[3] + unext]
    rows.append(row("Totalt", sums[0], sums[1], total_median, sums[2], sums[3]))
    return {
        str(r[0]): dict(zip(InvestigationDurations.columns[1:], r[1:], strict=True)) for r in rows
    }


def duck_violence_share(ctx: Context) -> Published:
    from rodtrad.stats.indicators import percent

    per = {
        d: list(rest)
        for d, *rest in ctx.rows(
            REPORTS_CTE
            + """
            , violent AS (SELECT DISTINCT report_id FROM intake_reportreason
                          WHERE code IN (SELECT unnest(?::VARCHAR[])))
            SELECT district_id, count(*), count(v.report_id),
                   count(*) FILTER (WHERE was_opened AND NOT attached),
                   count(v.report_id) FILTER (WHERE was_opened AND NOT attached)
            FROM rc LEFT JOIN violent v ON v.report_id = rc.report_id GROUP BY district_id
            """,
            ctx.start,
            ctx.end,
            ctx.violence,
        )
    }
    return _district_rows(
        ctx,
        per,
        lambda r: {
            "reports": r[0],
            "reports_violence": r[1],
            "reports_violence_pct": percent(r[1], r[0]),
            "investigations": r[2],
            "investigations_violence": r[3],
            "investigations_violence_pct": percent(r[3], r[2]),
        },
        4,
    )


def duck_child_participation(ctx: Context) -> Published:
    from rodtrad.stats.indicators import percent

    per = {
        d: list(rest)
        for d, *rest in ctx.rows(
            CLOSED_CTE
            + """
            , talk AS (
                SELECT investigation_id, bool_or(child_alone) AS alone,
                       bool_or(covered_violence) AS about
                FROM investigation_contact WHERE kind = 'child_conversation' GROUP BY 1)
            SELECT c.district_id, count(*), count(t.investigation_id),
                   count(*) FILTER (WHERE t.alone),
                   count(v.case_id), count(v.case_id) FILTER (WHERE t.about)
            FROM closed c LEFT JOIN talk t ON t.investigation_id = c.id
            LEFT JOIN violent_case v ON v.case_id = c.case_id
            GROUP BY c.district_id
            """,
            ctx.first,
            ctx.next_first,
            ctx.violence,
        )
    }
    return _district_rows(
        ctx,
        per,
        lambda r: {
            "closed": r[0],
            "met": r[1],
            "met_pct": percent(r[1], r[0]),
            "met_alone": r[2],
            "met_alone_pct": percent(r[2], r[0]),
            "violence_cases": r[3],
            "asked_about_violence": r[4],
            "asked_about_violence_pct": percent(r[4], r[3]),
        },
        5,
    )


def duck_needs_interventions(ctx: Context) -> Published:
    from rodtrad.frameworks.models import Code
    from rodtrad.frameworks.queries import code_labels
    from rodtrad.stats import indicators as ind

    categories = {
        code: (attributes or {}).get("national_category", ind.NO_CATEGORY) or ind.NO_CATEGORY
        for code, attributes in Code.objects.filter(
            code_list__key=ind.INTERVENTION_CATALOGUE
        ).values_list("code", "attributes")
    }
    raw = ctx.rows(
        """
        SELECT n.framework, n.area, i.catalogue_code, count(DISTINCT d.id)
        FROM decisions_decision_needs dn
        JOIN decisions_decision d ON d.id = dn.decision_id
        JOIN investigation_need n ON n.id = dn.need_id
        JOIN cases_case c ON c.id = d.case_id
        JOIN decisions_intervention i ON i.decision_id = d.id
        WHERE d.kind IN ('granted', 'placement') AND d.decided_on >= ? AND d.decided_on < ?
          AND c.district_id IN (SELECT unnest(?::INTEGER[]))
        GROUP BY 1, 2, 3
        """,
        ctx.first,
        ctx.next_first,
        [d.pk for d in ctx.districts],
    )
    cells: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    labels: dict[str, dict[str, str]] = {}
    for framework, area, code, n in raw:
        if framework not in labels:
            labels[framework] = code_labels(framework)
        category = categories.get(code, ind.NO_CATEGORY) or "no_category"
        cells[labels[framework].get(area, area)][category] += n
    result: Published = {}
    column_totals: dict[str, int] = defaultdict(int)
    for area, by_category in cells.items():
        result[area] = {**by_category, "total": sum(by_category.values())}
        for category, n in by_category.items():
            column_totals[category] += n
    if cells:
        result[ind.TOTAL] = {**column_totals, "total": sum(column_totals.values())}
    return result


def duck_report_breakdown(breakdown: str) -> Callable[[Context], Published]:
    def compute(ctx: Context) -> Published:
        from rodtrad.stats import indicators as ind

        _field, _expression, labels = ind.ReportBreakdown(breakdown)._groups(ctx.year)
        if breakdown == "sex":
            group = "p.legal_sex"
        elif breakdown in ind.AGE_BANDS:
            whens = " ".join(
                f"WHEN p.birth_date <= DATE '{ind._born_by(ctx.year, lo)}' "
                f"AND p.birth_date > DATE '{ind._born_by(ctx.year, hi + 1)}' THEN '{label}'"
                for label, lo, hi in ind.AGE_BANDS[breakdown]
            )
            group = f"CASE {whens} ELSE '{ind.OTHER}' END"
        elif breakdown == "reason":
            group = "rr.code"
        else:
            group = "rc.reporter_category"
        join = (
            "LEFT JOIN intake_reportreason rr ON rr.report_id = rc.report_id"
            if breakdown == "reason"
            else ""
        )
        raw = ctx.rows(
            REPORTS_CTE
            + f"""
            SELECT {group}, count(*) FILTER (WHERE was_opened AND NOT attached), count(*)
            FROM rc JOIN people_person p ON p.id = rc.child_id {join}
            WHERE rc.district_id IN (SELECT unnest(?::INTEGER[]))
            GROUP BY 1
            """,
            ctx.start,
            ctx.end,
            [d.pk for d in ctx.districts],
        )
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for key, opened, n in raw:
            counts[key or ind.NO_CATEGORY][0] += opened
            counts[key or ind.NO_CATEGORY][1] += n
        result: Published = {}
        total = [0, 0]
        for key, (opened, n) in counts.items():
            result[str(labels.get(key, key))] = {
                "reports": n,
                "investigations": opened,
                "share_opened_pct": ind.percent(opened, n),
            }
            total = [total[0] + opened, total[1] + n]
        if counts:
            result[ind.TOTAL] = {
                "reports": total[1],
                "investigations": total[0],
                "share_opened_pct": ind.percent(total[0], total[1]),
            }
        return result

    return compute


def duck_durations(ctx: Context) -> Published:
    from rodtrad.stats.indicators import half_up, percent

    query = (
        CLOSED_CTE
        + """
        , ext AS (SELECT DISTINCT investigation_id FROM investigation_extensiondecision)
        SELECT {group} count(*), sum(c.closed_on - c.opened_on), median(c.closed_on - c.opened_on),
               count(*) FILTER (WHERE c.closed_on > d.due),
               count(*) FILTER (WHERE c.closed_on > d.due AND e.investigation_id IS NULL)
        FROM closed c JOIN due_investigation d ON d.opened_on = c.opened_on
        LEFT JOIN ext e ON e.investigation_id = c.id
        WHERE c.district_id IN (SELECT unnest(?::INTEGER[]))
        {by}
        """
    )
    pks = [d.pk for d in ctx.districts]
    per = {
        row[0]: row[1:]
        for row in ctx.rows(
            query.format(group="c.district_id,", by="GROUP BY 1"),
            ctx.first,
            ctx.next_first,
            ctx.violence,
            pks,
        )
    }
    total = ctx.rows(query.format(group="", by=""), ctx.first, ctx.next_first, ctx.violence, pks)[0]

    def row(n: int, days: Any, median: Any, over: int, unext: int) -> dict[str, Any]:
        hidden = not n
        return {
            "closed": n,
            "mean_days": None if hidden else half_up(Decimal(int(days)) / Decimal(n)),
            "median_days": None if hidden else half_up(Decimal(str(median))),
            "over_deadline": over,
            "over_deadline_pct": percent(over, n),
            "over_without_extension": unext,
            "over_without_extension_pct": percent(unext, n),
        }

    result = {d.name: row(*per.get(d.pk, (0, 0, None, 0, 0))) for d in ctx.districts}
    result["Totalt"] = row(total[0], total[1] or 0, total[2], total[3] or 0, total[4] or 0)
    return result


def duck_placements(ctx: Context) -> Published:
    from rodtrad.stats.indicators import _reference_day

    day = _reference_day(ctx.year)
    ongoing = dict(
        ctx.rows(
            """
            SELECT c.district_id, count(*) FROM decisions_intervention i
            JOIN decisions_decision d ON d.id = i.decision_id
            JOIN cases_case c ON c.id = i.case_id
            WHERE d.kind = 'placement' AND i.started_on <= ?
              AND (i.ended_on IS NULL OR i.ended_on > ?) GROUP BY 1
            """,
            day,
            day,
        )
    )
    new = dict(
        ctx.rows(
            """
            SELECT c.district_id, count(*) FROM decisions_decision d
            JOIN cases_case c ON c.id = d.case_id
            WHERE d.kind = 'placement' AND d.decided_on >= ? AND d.decided_on < ?
              AND d.replaces_id IS NULL GROUP BY 1
            """,
            ctx.first,
            ctx.next_first,
        )
    )
    per = {d.pk: [ongoing.get(d.pk, 0), new.get(d.pk, 0)] for d in ctx.districts}
    return _district_rows(ctx, per, lambda r: {"ongoing": r[0], "new_decisions": r[1]}, 2)


def duck_caseload(ctx: Context) -> Published:
    from rodtrad.stats.indicators import half_up

    days = [
        min(
            date(ctx.year, m + 1, 1) - timedelta(days=1) if m < 12 else date(ctx.year, 12, 31),
            ctx.today,
        )
        for m in range(1, 13)
        if date(ctx.year, m, 1) <= ctx.today
    ]
    if not days:
        return {}
    rows = ctx.rows(
        """
        WITH open_inv AS (
            SELECT i.opened_on, i.closed_on, c.responsible_id FROM investigation_investigation i
            JOIN cases_case c ON c.id = i.case_id
            WHERE c.district_id IN (SELECT unnest(?::INTEGER[]))
              AND i.opened_on <= ? AND (i.closed_on IS NULL OR i.closed_on > ?)
        ), days AS (SELECT unnest(?::DATE[]) AS day)
        SELECT day,
               count(o.opened_on) FILTER (WHERE responsible_id IS NOT NULL),
               count(o.opened_on) FILTER (WHERE responsible_id IS NULL),
               count(DISTINCT responsible_id)
        FROM days LEFT JOIN open_inv o
          ON o.opened_on <= day AND (o.closed_on IS NULL OR o.closed_on > day)
        GROUP BY day ORDER BY day
        """,
        [d.pk for d in ctx.districts],
        days[-1],
        days[0],
        days,
    )
    return {
        f"{day.year}-{day.month:02d}": {
            "open_with_investigator": with_,
            "open_without_investigator": without,
            "investigators": investigators,
            "mean_per_investigator": half_up(Decimal(with_) / Decimal(investigators))
            if investigators
            else None,
        }
        for day, with_, without, investigators in rows
    }


def duck_risk(ctx: Context) -> Published:
    from rodtrad.stats.indicators import percent

    per = {
        d: list(rest)
        for d, *rest in ctx.rows(
            CLOSED_CTE
            + """
            , signed AS (
                SELECT investigation_id, bool_or(instrument_code <> '') AS instrumented
                FROM investigation_riskassessment WHERE status = 'signed' GROUP BY 1)
            SELECT c.district_id, count(*), count(s.investigation_id),
                   count(*) FILTER (WHERE s.instrumented)
            FROM closed c JOIN violent_case v ON v.case_id = c.case_id
            LEFT JOIN signed s ON s.investigation_id = c.id
            GROUP BY 1
            """,
            ctx.first,
            ctx.next_first,
            ctx.violence,
        )
    }
    return _district_rows(
        ctx,
        per,
        lambda r: {
            "violence_cases": r[0],
            "assessed": r[1],
            "assessed_pct": percent(r[1], r[0]),
            "with_instrument": r[2],
            "with_instrument_pct": percent(r[2], r[0]),
        },
        3,
    )


ENDED_CTE = """
WITH ended AS (
    SELECT i.id, i.catalogue_code, c.district_id, c.child_id
    FROM decisions_intervention i JOIN cases_case c ON c.id = i.case_id
    WHERE i.ended_on >= ? AND i.ended_on < ? AND i.end_reason <> 'never_started'
      AND c.district_id IN (SELECT unnest(?::INTEGER[]))
)
"""


def duck_follow_up_coverage(ctx: Context) -> Published:
    from rodtrad.stats.indicators import percent

    per = {
        d: list(rest)
        for d, *rest in ctx.rows(
            ENDED_CTE
            + """
            , followed AS (SELECT DISTINCT cm.intervention_id FROM followup_followup f
                           JOIN commissions_commission cm ON cm.id = f.commission_id)
            , measured AS (SELECT DISTINCT intervention_id FROM followup_measurement)
            SELECT e.district_id, count(*), count(f.intervention_id), count(m.intervention_id)
            FROM ended e LEFT JOIN followed f ON f.intervention_id = e.id
            LEFT JOIN measured m ON m.intervention_id = e.id GROUP BY 1
            """,
            ctx.first,
            ctx.next_first,
            [d.pk for d in ctx.districts],
        )
    }
    return _district_rows(
        ctx,
        per,
        lambda r: {
            "ended": r[0],
            "followed_up": r[1],
            "followed_up_pct": percent(r[1], r[0]),
            "measured": r[2],
            "measured_pct": percent(r[2], r[0]),
        },
        3,
    )


def duck_commissions_by_problem(ctx: Context) -> Published:
    from rodtrad.frameworks.queries import code_labels
    from rodtrad.stats import indicators as ind

    bands = ind.AGE_BANDS["age_band"]
    whens = " ".join(
        f"WHEN p.birth_date <= DATE '{ind._born_by(ctx.year, lo)}' "
        f"AND p.birth_date > DATE '{ind._born_by(ctx.year, hi + 1)}' THEN '{label}'"
        for label, lo, hi in bands
    )
    raw = ctx.rows(
        f"""
        SELECT i.problem_codes, CASE {whens} ELSE '{ind.OTHER}' END, count(*)
        FROM commissions_commission cm
        JOIN decisions_intervention i ON i.id = cm.intervention_id
        JOIN cases_case c ON c.id = cm.case_id
        JOIN people_person p ON p.id = c.child_id
        WHERE cm.sent_at >= ? AND cm.sent_at < ? AND cm.replaces_id IS NULL
          AND c.district_id IN (SELECT unnest(?::INTEGER[]))
        GROUP BY 1, 2
        """,
        ctx.start,
        ctx.end,
        [d.pk for d in ctx.districts],
    )
    labels = code_labels(ind.OPEN_CARE_PROBLEMS)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for problems, band, n in raw:
        for code in json.loads(problems or "[]") or [ind.NONE_KEY]:
            name = str(ind.NO_PROBLEM_CODE) if code == ind.NONE_KEY else str(labels.get(code, code))
            key = band if band != ind.OTHER else "other_age"
            counts[name][key] += n
    result: Published = {}
    totals: dict[str, int] = defaultdict(int)
    for name, by_band in counts.items():
        result[name] = {**by_band, "total": sum(by_band.values())}
        for band, n in by_band.items():
            totals[band] += n
    if counts:
        result[ind.TOTAL] = {**totals, "total": sum(totals.values())}
    return result


def duck_outcomes(ctx: Context) -> Published:
    from rodtrad.followup import scoring
    from rodtrad.followup.models import Instrument, InstrumentKind
    from rodtrad.frameworks.queries import code_labels
    from rodtrad.people.masking import age_on
    from rodtrad.stats import indicators as ind

    params = (ctx.first, ctx.next_first, [d.pk for d in ctx.districts])
    ended = dict(
        ctx.rows(ENDED_CTE + "SELECT catalogue_code, count(*) FROM ended GROUP BY 1", *params)
    )
    series = ctx.rows(
        ENDED_CTE
        + """
        , rated AS (
            SELECT m.intervention_id, m.instrument_id, m.session_number, m.administered_on,
                   m.total, e.catalogue_code, e.child_id,
                   min(m.session_number) OVER s AS first_session,
                   max(m.session_number) OVER s AS last_session,
                   last_value(m.total) OVER (PARTITION BY m.intervention_id, m.instrument_id,
                        m.rater_role, coalesce(m.rater_id, 0) ORDER BY m.session_number
                        ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last_total
            FROM followup_measurement m
            JOIN ended e ON e.id = m.intervention_id
            JOIN followup_instrument ins ON ins.id = m.instrument_id
            WHERE ins.kind = 'rating_scale' AND m.total IS NOT NULL
            WINDOW s AS (PARTITION BY m.intervention_id, m.instrument_id, m.rater_role,
                         coalesce(m.rater_id, 0))
        )
        SELECT r.catalogue_code, r.instrument_id, p.birth_date, r.administered_on, r.total,
               r.last_total, count(*)
        FROM rated r JOIN people_person p ON p.id = r.child_id
        WHERE r.session_number = r.first_session AND r.last_session > r.first_session
        GROUP BY ALL
        """,
        *params,
    )
    specs = {i.pk: i.spec() for i in Instrument.objects.filter(kind=InstrumentKind.RATING_SCALE)}
    changes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, instrument, born, first_on, first, last, n in series:
        band = scoring.band_for_age(specs[instrument], age_on(born, first_on))
        if band is None:
            continue
        change = scoring.classify_change(
            Decimal(str(first)),
            Decimal(str(last)),
            reliable_change=band.reliable_change,
            clinical_cutoff=band.clinical_cutoff,
        )
        improved = change.classification in {
            scoring.Classification.RELIABLY_IMPROVED,
            scoring.Classification.RECOVERED,
        }
        changes[code][0 if improved else 1] += n
    gas = {
        code: (total, n)
        for code, total, n in ctx.rows(
            ENDED_CTE
            + """
            , last_gas AS (
                SELECT cm.intervention_id, f.gas_t_score,
                       row_number() OVER (PARTITION BY cm.intervention_id
                                          ORDER BY f.held_on DESC, f.id DESC) AS n
                FROM followup_followup f JOIN commissions_commission cm ON cm.id = f.commission_id
                WHERE f.gas_t_score IS NOT NULL)
            SELECT e.catalogue_code, sum(g.gas_t_score), count(*)
            FROM last_gas g JOIN ended e ON e.id = g.intervention_id WHERE g.n = 1 GROUP BY 1
            """,
            *params,
        )
    }
    satisfaction = {
        code: (total, ratings, interventions)
        for code, total, ratings, interventions in ctx.rows(
            ENDED_CTE
            + """
            SELECT e.catalogue_code, sum(m.satisfaction_mean), count(*),
                   count(DISTINCT m.intervention_id)
            FROM followup_measurement m JOIN ended e ON e.id = m.intervention_id
            JOIN followup_instrument ins ON ins.id = m.instrument_id
            WHERE ins.kind = 'satisfaction' AND m.satisfaction_mean IS NOT NULL GROUP BY 1
            """,
            *params,
        )
    }
    labels = code_labels(ind.INTERVENTION_CATALOGUE)

    def row(codes: list[str]) -> dict[str, Any]:
        n = sum(ended.get(c, 0) for c in codes)
        improved = sum(changes.get(c, [0, 0])[0] for c in codes)
        rated = sum(sum(changes.get(c, [0, 0])) for c in codes)
        gas_sum = sum(gas.get(c, (0.0, 0))[0] for c in codes)
        gas_n = sum(gas.get(c, (0.0, 0))[1] for c in codes)
        sat_sum = sum(satisfaction.get(c, (0.0, 0, 0))[0] for c in codes)
        sat_ratings = sum(satisfaction.get(c, (0.0, 0, 0))[1] for c in codes)
        sat_n = sum(satisfaction.get(c, (0.0, 0, 0))[2] for c in codes)
        return {
            "ended": n,
            "series": rated,
            "improved": improved,
            "improved_pct": ind.percent(improved, rated),
            "gas_t_score_mean": ind._mean(gas_sum / gas_n if gas_n else None, gas_n, 1).value,
            "satisfaction_mean": ind._mean(
                sat_sum / sat_ratings if sat_ratings else None, sat_n, 1
            ).value,
        }

    result = {str(labels.get(c, c)): row([c]) for c in ended}
    if ended:
        result[ind.TOTAL] = row(list(ended))
    return result


def duck_not_carried_out(ctx: Context) -> Published:
    from rodtrad.stats.indicators import percent

    per = {
        d: list(rest)
        for d, *rest in ctx.rows(
            """
            SELECT c.district_id,
                   count(*) FILTER (WHERE i.started_on IS NULL AND ? > u.due),
                   count(*) FILTER (WHERE i.started_on > u.due),
                   count(*) FILTER (WHERE i.started_on <= u.due),
                   count(*) FILTER (WHERE i.started_on IS NULL AND ? <= u.due)
            FROM decisions_decision d
            JOIN decisions_intervention i ON i.decision_id = d.id
            JOIN cases_case c ON c.id = d.case_id
            JOIN due_not_carried_out u ON u.decided_on = d.decided_on
            WHERE d.kind IN ('granted', 'placement') AND d.decided_on >= ? AND d.decided_on < ?
              AND c.district_id IN (SELECT unnest(?::INTEGER[]))
            GROUP BY 1
            """,
            ctx.today,
            ctx.today,
            ctx.first,
            ctx.next_first,
            [d.pk for d in ctx.districts],
        )
    }
    return _district_rows(
        ctx,
        per,
        lambda r: {
            "granted": sum(r),
            "not_carried_out": r[0] + r[1],
            "not_carried_out_pct": percent(r[0] + r[1], sum(r)),
            "still_not_started": r[0],
            "within_time": r[3],
        },
        4,
    )


def _coverage(found: list[tuple[str, int]], base: int) -> Published:
    from decimal import Decimal as D

    from django.utils.translation import gettext

    from rodtrad.stats.indicators import percent

    if not base:
        return {}
    result: Published = {
        name: {"with_document": n, "with_document_pct": percent(n, base)} for name, n in found
    }
    result[gettext("Avslutade utredningar")] = {"with_document": base, "with_document_pct": D(100)}
    return result


def duck_document_use(ctx: Context) -> Published:
    from rodtrad.stats.indicators import DOCUMENT_TYPES

    tables = {
        "plan": "investigation_investigationplan",
        "area_assessment": "investigation_areaassessment",
        "risk_assessment": "investigation_riskassessment",
        "analysis": "investigation_analysis",
    }
    exists = ", ".join(
        "count(*) FILTER (WHERE c.id IN"
        f" (SELECT investigation_id FROM {t} WHERE status = 'signed'))"
        for t in tables.values()
    )
    row = ctx.rows(
        CLOSED_CTE
        + f"""
        SELECT count(*), {exists},
               count(*) FILTER (WHERE c.id IN (SELECT investigation_id FROM investigation_contact
                                               WHERE kind = 'child_conversation'))
        FROM closed c WHERE c.district_id IN (SELECT unnest(?::INTEGER[]))
        """,
        ctx.first,
        ctx.next_first,
        ctx.violence,
        [d.pk for d in ctx.districts],
    )[0]
    from django.utils.translation import gettext

    names = [str(label) for _key, label, _model in DOCUMENT_TYPES] + [gettext("Samtal med barnet")]
    return _coverage(list(zip(names, row[1:], strict=True)), row[0])


def duck_area_coverage(ctx: Context) -> Published:
    from rodtrad.frameworks.queries import code_labels

    params = (ctx.first, ctx.next_first, ctx.violence, [d.pk for d in ctx.districts])
    base = ctx.rows(
        CLOSED_CTE
        + "SELECT count(*) FROM closed WHERE district_id IN (SELECT unnest(?::INTEGER[]))",
        *params,
    )[0][0]
    found = ctx.rows(
        CLOSED_CTE
        + """
        SELECT a.framework, a.area, count(DISTINCT a.investigation_id)
        FROM investigation_areaassessment a JOIN closed c ON c.id = a.investigation_id
        WHERE a.status = 'signed' AND c.district_id IN (SELECT unnest(?::INTEGER[]))
        GROUP BY 1, 2
        """,
        *params,
    )
    labels: dict[str, dict[str, str]] = {}
    named = []
    for framework, area, n in found:
        if framework not in labels:
            labels[framework] = code_labels(framework)
        named.append((str(labels[framework].get(area, area)), n))
    return _coverage(named, base)


# --- The run -------------------------------------------------------------------------------


class Statistic:
    def __init__(
        self,
        name: str,
        django: Callable[[int, list[Any], int | None], Published],
        duck: Callable[[Context], Published],
    ) -> None:
        self.name = name
        self.django = django
        self.duck = duck


def _statistics() -> list[Statistic]:
    from rodtrad.stats import indicators as ind

    def cli(cls: type[ind.Indicator]) -> Callable[[int, list[Any], int | None], Published]:
        return lambda year, _districts, _threshold: _computed(cls().compute(year))

    def dashboard(
        cls: type[ind.DashboardIndicator], breakdown: str | None = None
    ) -> Callable[[int, list[Any], int | None], Published]:
        return lambda year, districts, threshold: _published(
            cls(breakdown).publish(year, districts, threshold=threshold)
        )

    found = [
        Statistic("stats reports (CLI)", cli(ind.ReportsAndInvestigations), duck_reports_cli),
        Statistic("stats durations (CLI)", cli(ind.InvestigationDurations), duck_durations_cli),
        Statistic("violence_share", dashboard(ind.ViolenceShare), duck_violence_share),
        Statistic(
            "child_participation",
            dashboard(ind.ChildParticipationIndicator),
            duck_child_participation,
        ),
        Statistic(
            "needs_interventions", dashboard(ind.NeedsAndInterventions), duck_needs_interventions
        ),
    ]
    found += [
        Statistic(
            f"report_breakdown {b}",
            dashboard(ind.ReportBreakdown, b),
            duck_report_breakdown(b),
        )
        for b in ind.BREAKDOWNS
    ]
    found += [
        Statistic("durations", dashboard(ind.InvestigationDurationsDashboard), duck_durations),
        Statistic("placements", dashboard(ind.Placements), duck_placements),
        Statistic("caseload", dashboard(ind.Caseload), duck_caseload),
        Statistic("risk_assessments", dashboard(ind.RiskAssessmentsInViolenceCases), duck_risk),
        Statistic("follow_up_coverage", dashboard(ind.FollowUpCoverage), duck_follow_up_coverage),
        Statistic(
            "commissions_by_problem",
            dashboard(ind.CommissionsByProblem),
            duck_commissions_by_problem,
        ),
        Statistic("outcomes", dashboard(ind.OutcomesByIntervention), duck_outcomes),
        Statistic("not_carried_out", dashboard(ind.DecisionsNotCarriedOut), duck_not_carried_out),
        Statistic("document_use", dashboard(ind.DocumentUse), duck_document_use),
        Statistic("area_coverage", dashboard(ind.AreaCoverage), duck_area_coverage),
    ]
    return found


def _normalised(table: Published) -> dict[str, dict[str, Any]]:
    """Zero counts and absent cells are the same; Decimals compared as numbers."""
    return {
        label: {key: value for key, value in cells.items() if value not in (0, None)}
        for label, cells in table.items()
    }


def _median_time(function: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(rounds):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--reports",
        type=int,
        default=int(os.environ.get("RODTRAD_BENCH_REPORTS", "50000")),
        help="reports in the database (default 50000; RODTRAD_BENCH_REPORTS)",
    )
    parser.add_argument("--year", type=int, help="the year (default: the last full year)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per statistic and side")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    args = parser.parse_args(argv)

    database = pages.build(args.reports, rebuild=args.rebuild)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["RODTRAD_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from rodtrad.accounts.models import User
    from rodtrad.stats import indicators as ind

    year = args.year or timezone.localdate().year - 1
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        duck = export(database, Path(directory))
        calendars(duck)
        exported = time.perf_counter() - started
        ctx = Context(duck, year)
        reports = pages._count_reports(database)
        print(
            f"statistics benchmark: SQLite {sqlite3.sqlite_version} with "
            f"{f'{reports:,}'.replace(',', ' ')} reports "
            f"vs DuckDB {duck.execute('SELECT version()').fetchone()[0]} in memory "
            f"(export to Parquet and load: {exported:.1f} s, not timed); year {year}, "
            f"{len(ctx.districts)} districts, median of {args.rounds} runs"
        )
        print(f"{'statistic':<32} {'SQLite ms':>10} {'DuckDB ms':>10} {'ratio':>7}  queries")
        missed = failed = 0
        duck_total = 0.0
        for stat in _statistics():
            expected = stat.django(year, ctx.districts, 1)  # nothing suppressed: every number
            duck_s, found = _median_time(partial(stat.duck, ctx), args.rounds)
            if _normalised(found) != _normalised(expected):
                failed += 1
                print(f"{stat.name}: DuckDB and the indicator disagree")
                print(f"  indicator: {_normalised(expected)}")
                print(f"  DuckDB:    {_normalised(found)}")
            reset_queries()  # the log keeps 9 000 queries: a full one captures nothing
            with CaptureQueriesContext(connection) as captured:
                stat.django(year, ctx.districts, None)
            django_s, _ = _median_time(partial(stat.django, year, ctx.districts, None), args.rounds)
            duck_total += duck_s
            ratio = django_s / duck_s if duck_s else float("inf")
            flag = ""
            if django_s > TARGET_SECONDS or ratio > TARGET_RATIO:
                missed += 1
                flag = "  target missed"
            print(
                f"{stat.name:<32} {django_s * 1000:10.1f} {duck_s * 1000:10.1f} {ratio:7.1f}"
                f"  {len(captured.captured_queries):>3}{flag}"
            )
        # The whole dashboard as the analyst sees it, every table shown.
        client = Client()
        client.force_login(User.objects.get(username="analytiker"))
        url = f"/statistik/?year={year}&" + "&".join(f"show={c}" for c in ind.DASHBOARD_INDICATORS)
        response = client.get(url)
        if response.status_code != 200:
            print(f"dashboard: {response.status_code}")
            failed += 1
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        # Counted now: every later request empties the log (request_started → reset_queries).
        page_queries = len(captured.captured_queries)
        page_s, _ = _median_time(lambda: client.get(url), args.rounds)
        ratio = page_s / duck_total if duck_total else float("inf")
        flag = "  target missed" if page_s > TARGET_SECONDS or ratio > TARGET_RATIO else ""
        print(
            f"{'dashboard page, analyst, all':<32} {page_s * 1000:10.1f} {duck_total * 1000:10.1f}"
            f" {ratio:7.1f}  {page_queries:>3}{flag}"
        )
        print(
            f"targets: each under {TARGET_SECONDS:.0f} s and within {TARGET_RATIO:.0f}× of DuckDB; "
            f"{missed + bool(flag)} missed"
        )
        duck.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
