"""Benchmark: the worklists and searches at city scale, against the same pages at 1 000 reports.

    python bench/pages.py [--reports 50000] [--small 1000] [--rounds 7] [--rebuild]

Issue 7, point 7 (docs/performance.md): a page must not get slower because the database
holds years of closed history. Two SQLite databases are built once and cached under
var/bench/: the demo (`rodtrad demo`) plus generated history (`rodtrad generate`) up to
--small and up to --reports reports in all; the demo users' open work is the same in both
(the generator adds open work only where they do not work). Each page is then requested with
the Django test client, alternately on the small and the large database (so that whatever
else the machine does hits both alike), and the median of --rounds requests is printed with
the ratio large/small and the number of queries of each.

`make bench` runs it with the default --reports 50000 (built in a few minutes the first
time); the figures in docs/performance.md are from `--reports 500000`. The target there: on
SQLite every page under 100 ms at the large size and within 1.5× of its time at the small
(the emergency review list: the time alone), with no more queries at the large size; a page
that misses one is marked "target missed" and the last line counts them. Exits non-zero only
when a page does not answer 200.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_DIR = ROOT / "var" / "bench"
SEED = 7
# Goes up when `rodtrad generate` writes more or other rows, so that a cached database from
# before is built again (2: the red thread after the pre-assessment, population).
GENERATOR_VERSION = "g2"

# The target (docs/performance.md, "The target").
TARGET_MS = 100.0
TARGET_RATIO = 1.5
TIME_ONLY = {"emergency review list"}


def _rodtrad(database: Path, *args: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "RODTRAD_DEMO": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    subprocess.run([sys.executable, "-m", "rodtrad.cli", *args], cwd=ROOT, env=env, check=True)


def build(reports: int, *, rebuild: bool) -> Path:
    """var/bench/reports-N.sqlite3: the demo, then history up to N reports in all."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    target = BENCH_DIR / f"reports-{reports}-{GENERATOR_VERSION}.sqlite3"
    if target.exists() and not rebuild:
        # Indexes added since the database was built (cheap next to building it again).
        _rodtrad(target, "migrate", "-v", "0")
        _settle(target)
        return target
    demo = BENCH_DIR / "demo.sqlite3"
    if not demo.exists() or rebuild:
        demo.unlink(missing_ok=True)
        print(f"building {demo.name} (rodtrad demo)", flush=True)
        _rodtrad(demo, "demo", "--no-serve")
        _settle(demo)
    partial = target.with_suffix(".partial")
    shutil.copyfile(demo, partial)
    _rodtrad(partial, "migrate", "-v", "0")
    existing = _count_reports(partial)
    if reports > existing:
        print(f"building {target.name}: {reports - existing} reports of history", flush=True)
        started = time.monotonic()
        _rodtrad(partial, "generate", "--reports", str(reports - existing), "--seed", str(SEED))
        print(f"  built in {time.monotonic() - started:.0f} s", flush=True)
        _settle(partial)
    partial.rename(target)
    return target


def _settle(database: Path) -> None:
    """Fold the write-ahead log into the file (the databases run in WAL mode), so that the
    file alone can be copied or renamed without losing the last writes."""
    import sqlite3

    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def _count_reports(database: Path) -> int:
    import sqlite3

    # Closed at once: an open connection keeps _settle from leaving WAL mode ("locked").
    connection = sqlite3.connect(database)
    try:
        return int(connection.execute("SELECT COUNT(*) FROM intake_report").fetchone()[0])
    finally:
        connection.close()


class Page:
    """One page as one user sees it: a name, the user, and how to request it."""

    def __init__(
        self, name: str, username: str, request: Callable[[Any, dict[str, Any]], Any]
    ) -> None:
        self.name = name
        self.username = username
        self.request = request


def _pages() -> list[Page]:
    def get(url: str) -> Callable[[Any, dict[str, Any]], Any]:
        return lambda client, subjects: client.get(url.format(**subjects))

    def post(url: str, data: dict[str, str]) -> Callable[[Any, dict[str, Any]], Any]:
        return lambda client, subjects: client.post(
            url, {key: value.format(**subjects) for key, value in data.items()}
        )

    return [
        Page("start page, intake worker", "mottagning", get("/")),
        Page("start page, investigator", "utredare", get("/")),
        Page("start page, team manager", "chef", get("/")),
        Page("Mina frister, intake worker", "mottagning", get("/frister/")),
        Page("team view, team manager", "chef", get("/frister/team/")),
        Page("intake queue", "mottagning", get("/mottagning/")),
        Page("case list HTML, team manager", "chef", get("/arenden/")),
        Page("case list HTML, investigator", "utredare", get("/arenden/")),
        Page("case list API, team manager", "chef", get("/api/v1/cases")),
        Page("name search", "utredare", post("/personer/", {"query": "{name}"})),
        Page("name search, full name", "utredare", post("/personer/", {"query": "{full_name}"})),
        Page("identity number search", "utredare", post("/personer/", {"query": "{number}"})),
        Page("case page", "utredare", get("/arenden/{case}/")),
        Page("emergency review list", "chef", get("/arenden/nodatkomst/granska/")),
        # Issue 10 point 7: the red thread (the case page of a case with an intervention and
        # the team manager's list of broken threads), the provider's list, the dashboards.
        Page("red thread: case with intervention", "chef", get("/arenden/{thread_case}/")),
        Page("red thread: broken threads", "chef", get("/uppfoljning/rod-trad/")),
        Page("provider's commission list", "utforare", get("/uppdrag/")),
        Page("dashboard, analyst", "analytiker", get("/statistik/?year={year}")),
        Page("dashboard, team manager", "chef", get("/statistik/?year={year}")),
    ]


def _subjects() -> dict[str, Any]:
    """A child of Bromma from the demo itself: the same person and case in both databases."""
    from rodtrad.cases.models import Case

    case = (
        Case.objects.filter(district__code="bromma")
        .exclude(status="closed")
        .select_related("child")
        .order_by("pk")
        .first()
    )
    if case is None:
        raise SystemExit("the demo has no open case in Bromma")
    from django.utils import timezone

    from rodtrad.decisions.models import Intervention

    thread = (
        Intervention.objects.filter(case__district__code="bromma")
        .order_by("pk")
        .values_list("case_id", flat=True)
        .first()
    )
    return {
        "thread_case": thread or case.pk,
        "year": timezone.localdate().year - 1,
        "case": case.pk,
        "number": case.child.identity_number,
        "name": case.child.given_name,
        "full_name": f"{case.child.given_name} {case.child.family_name}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--reports",
        type=int,
        default=int(os.environ.get("RODTRAD_BENCH_REPORTS", "50000")),
        help="reports in the large database (default 50000; RODTRAD_BENCH_REPORTS)",
    )
    parser.add_argument("--small", type=int, default=1000, help="reports in the small one")
    parser.add_argument("--rounds", type=int, default=7, help="requests per page and size")
    parser.add_argument("--rebuild", action="store_true", help="build the databases again")
    args = parser.parse_args(argv)

    small = build(args.small, rebuild=args.rebuild)
    large = build(args.reports, rebuild=args.rebuild)

    os.environ["DATABASE_URL"] = f"sqlite:///{small}"
    os.environ["RODTRAD_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from rodtrad.accounts.models import User

    pages = _pages()
    databases = {"small": small, "large": large}
    clients: dict[tuple[str, str], Client] = {}
    subjects: dict[str, dict[str, Any]] = {}

    def use(size: str) -> None:
        connection.close()
        connection.settings_dict["NAME"] = str(databases[size])

    for size in databases:
        use(size)
        subjects[size] = _subjects()
        for username in {page.username for page in pages}:
            client = Client()
            client.force_login(User.objects.get(username=username))
            clients[(size, username)] = client

    print(
        f"pages benchmark: SQLite, {_count_small(small)} and {_count_small(large)} reports, "
        f"median of {args.rounds} requests each, interleaved"
    )
    print(f"{'page':<34} {'small ms':>9} {'large ms':>9} {'ratio':>6} {'queries':>9}")
    failed = False
    missed = 0
    for page in pages:
        times: dict[str, list[float]] = {"small": [], "large": []}
        queries: dict[str, int] = {}
        for round_number in range(args.rounds + 1):
            for size in ("small", "large"):
                use(size)
                client = clients[(size, page.username)]
                reset_queries()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = page.request(client, subjects[size])
                    elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    print(f"{page.name}: {size} answered {response.status_code}")
                    failed = True
                if round_number:  # the first round warms caches and is not counted
                    times[size].append(elapsed)
                queries[size] = len(captured.captured_queries)
        small_ms = statistics.median(times["small"])
        large_ms = statistics.median(times["large"])
        ratio = large_ms / small_ms
        miss = (
            large_ms >= TARGET_MS
            or (ratio > TARGET_RATIO and page.name not in TIME_ONLY)
            or queries["large"] > queries["small"]
        )
        missed += miss
        print(
            f"{page.name:<34} {small_ms:9.1f} {large_ms:9.1f} {ratio:6.2f} "
            f"{queries['small']:>4}/{queries['large']:<4}" + ("  target missed" if miss else "")
        )
    print(
        f"targets: each page under {TARGET_MS:.0f} ms and within {TARGET_RATIO}× of its time at "
        f"the small size (the emergency review list: the time), no more queries; {missed} missed"
    )
    return 1 if failed else 0


def _count_small(database: Path) -> str:
    return f"{_count_reports(database):,}".replace(",", " ")


if __name__ == "__main__":
    sys.exit(main())
