"""Benchmark: append N journal entries through record(), then verify the chain.

    python bench/journal_verify.py [--entries 20000] [--chunk-size 2000] [--database-url URL]

Runs against a throw-away database (SQLite by default; pass a postgres:// URL to use a fresh
database on that server), so the checkout's own database is never touched. Each entry is
appended in its own transaction, as the application does. Prints entries per second for
appending and for verifying; it asserts nothing about timing (docs/security-checks.md S22
names the goal: 1 M rows verified in under a second).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rodtrad.lib.testing import throwaway_database  # noqa: E402  (needs ROOT on sys.path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000, help="entries to append")
    parser.add_argument("--chunk-size", type=int, default=2000, help="verify's page size")
    parser.add_argument(
        "--database-url", default="sqlite://", help="backend/server (default: SQLite)"
    )
    args = parser.parse_args(argv)

    with throwaway_database(database_url=args.database_url, name_prefix="rodtrad_bench") as db:
        # Point this process at the throw-away database before Django reads its settings.
        os.environ.update(db.environ())
        import django

        django.setup()
        from rodtrad.journal.services import record
        from rodtrad.journal.verify import verify_chain

        print(f"journal benchmark: {db.vendor}, {args.entries} entries", flush=True)
        started = time.perf_counter()
        for n in range(args.entries):
            record(
                "bench.entry_appended",
                by=None,
                person_id=n % 1000,
                case_id=n % 400,
                district="bromma",
                data={"n": n, "field": "status", "codes": ["A", "B"]},
            )
        appended = time.perf_counter() - started
        _report("append", args.entries, appended)

        started = time.perf_counter()
        result = verify_chain(chunk_size=args.chunk_size)
        verified = time.perf_counter() - started
        _report("verify", result.entries, verified)
        print("chain intact" if result.ok else f"chain BROKEN: {result.broken}")

        from django.db import connections

        connections.close_all()  # so that a PostgreSQL database can be dropped at once
        return 0 if result.ok else 1


def _report(what: str, count: int, seconds: float) -> None:
    rate = count / seconds if seconds > 0 else float("inf")
    print(f"{what:>6}: {count} entries in {seconds:.2f} s = {rate:,.0f} entries/s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
