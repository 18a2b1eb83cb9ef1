"""Benchmark: the cost of writing access events, as page views and lists write them.

    python bench/access_event_write.py [--events 3000] [--list-size 50] [--database-url URL]

Access events are written on every page that shows a person or case, and one per row of a
list (docs/security-checks.md S19), so their write path is the hottest write in the system
(docs/principles.md "Scale": the journal is the largest table). Three scenarios, each in its own
simulated request (a fresh request context, as the middleware makes one):

- page: one `record_access` per request (a case page);
- list: one `record_accesses` of --list-size cases per request (a case list);
- page with a grant: as "page", for a reader who also holds an emergency grant, so the
  journal has to work out whether each read goes through it.

Runs against a throw-away database (SQLite by default; pass a postgres:// URL to use a fresh
database on that server). Prints microseconds per access event, then how fast the events are
sealed and the seals verified; asserts nothing about timing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rodtrad.lib.testing import throwaway_database  # noqa: E402  (needs ROOT on sys.path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000, help="access events per scenario")
    parser.add_argument("--list-size", type=int, default=50, help="rows of a list page")
    parser.add_argument(
        "--database-url", default="sqlite://", help="backend/server (default: SQLite)"
    )
    args = parser.parse_args(argv)

    with throwaway_database(database_url=args.database_url, name_prefix="rodtrad_bench") as db:
        os.environ.update(db.environ())
        import django

        django.setup()
        from django.db import connections

        world = _world(args.list_size)
        print(f"access-event benchmark: {db.vendor}, {args.events} events per scenario")
        _page_views("page", world["reader"], world["cases"], args.events)
        _lists("list", world["reader"], world["cases"], args.events, args.list_size)
        _page_views("page with a grant", world["grant_holder"], world["cases"], args.events)

        from rodtrad.journal.models import AccessEvent

        written = AccessEvent.objects.count()
        _seal_and_verify(written)
        expected = 3 * args.events
        connections.close_all()  # so that a PostgreSQL database can be dropped at once
        if written != expected:
            print(f"wrong count: {written} access events, expected {expected}")
            return 1
        return 0


def _world(list_size: int) -> dict[str, Any]:
    import random

    from django.utils import timezone

    from rodtrad.accounts.models import District, EmergencyAccess, Membership, Unit, User
    from rodtrad.cases.models import Case
    from rodtrad.people.identity import fictitious_identity_number
    from rodtrad.people.models import Person

    today = timezone.localdate()
    rng = random.Random(20261202)
    own = District.objects.create(code="bromma", name="Bromma")
    other = District.objects.create(code="farsta", name="Farsta")
    units = {
        d.code: Unit.objects.create(district=d, kind="investigation", code=f"{d.code}-inv")
        for d in (own, other)
    }

    def person(district: Any, n: int) -> Person:
        born = today.replace(year=today.year - 8, day=1) - timedelta(days=n)
        return Person.objects.create(
            given_name=f"Bench{n}",
            legal_sex="female",
            family_name="Testsson",
            birth_date=born,
            identity_kind="personnummer",
            identity_number=fictitious_identity_number(born, legal_sex="female", rng=rng),
            district=district,
        )

    cases = [
        Case.objects.create(child=person(own, n), district=own, unit=units["bromma"])
        for n in range(max(list_size, 100))
    ]
    reader = User.objects.create(username="reader")
    grant_holder = User.objects.create(username="grant_holder")
    for user in (reader, grant_holder):
        Membership.objects.create(
            user=user, role="investigator", district=own, unit=units["bromma"], valid_from=today
        )
    granted = Case.objects.create(child=person(other, 999), district=other, unit=units["farsta"])
    now = timezone.now()
    EmergencyAccess.objects.create(
        user=grant_holder,
        case=granted,
        reason="Bench: socialjouren, akut placering i natt.",
        starts_at=now,
        expires_at=now + timedelta(hours=12),
    )
    return {"reader": reader, "grant_holder": grant_holder, "cases": cases}


def _in_request(work: Any) -> None:
    from rodtrad.lib import request_context

    token = request_context.activate(request_context.RequestContext(channel="web"))
    try:
        work()
    finally:
        request_context.deactivate(token)


def _page_views(label: str, user: Any, cases: list[Any], events: int) -> None:
    from rodtrad.journal.services import record_access

    started = time.perf_counter()
    for n in range(events):
        case = cases[n % len(cases)]
        _in_request(lambda case=case: record_access(by=user, case=case, route="cases:case-detail"))
    _report(label, events, time.perf_counter() - started)


def _lists(label: str, user: Any, cases: list[Any], events: int, list_size: int) -> None:
    from rodtrad.journal.models import AccessAction
    from rodtrad.journal.services import record_accesses

    page = cases[:list_size]
    requests = events // list_size
    started = time.perf_counter()
    for _n in range(requests):
        _in_request(
            lambda: record_accesses(
                by=user, cases=page, action=AccessAction.LISTED, route="cases:case-list"
            )
        )
    rest = events - requests * list_size
    if rest:
        _in_request(
            lambda: record_accesses(
                by=user, cases=page[:rest], action=AccessAction.LISTED, route="cases:case-list"
            )
        )
    _report(f"{label} of {list_size}", events, time.perf_counter() - started)


def _seal_and_verify(count: int) -> None:
    """Sealing and re-checking the events just written (what the daily task and
    verify-journal do), when this code has seals."""
    from datetime import timedelta

    try:
        from rodtrad.journal.seals import verify_seals
        from rodtrad.journal.services import seal_access_events
    except ImportError:
        return
    started = time.perf_counter()
    seal_access_events(margin=timedelta(0))
    sealed = time.perf_counter() - started
    started = time.perf_counter()
    result = verify_seals()
    verified = time.perf_counter() - started
    print(f"{'seal':>22}: {count} events in {sealed:.2f} s = {count / sealed:,.0f} events/s")
    print(
        f"{'verify seals':>22}: {result.sealed_events} events in {verified:.2f} s = "
        f"{result.sealed_events / verified:,.0f} events/s ({'intact' if result.ok else 'BROKEN'})"
    )


def _report(label: str, count: int, seconds: float) -> None:
    micros = seconds / count * 1_000_000 if count else 0.0
    print(f"{label:>22}: {count} events in {seconds:.2f} s = {micros:,.0f} µs per event")


if __name__ == "__main__":
    sys.exit(main())
