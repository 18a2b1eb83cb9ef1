"""S37: SQLite under concurrent writes: 4 gunicorn workers, 16 clients, no errors, chain intact.

Each POST /csp-report/ appends to the hash-chained journal under a lock on the chain head: the
most contended write the application has. With `transaction_mode=IMMEDIATE` and a busy
timeout, writers queue instead of failing with "database is locked".
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from e2e.harness import E2EDatabase, copy_sqlite, running_server

pytestmark = [pytest.mark.e2e, pytest.mark.sqlite]

CLIENTS = 16
SECONDS = 10.0
MAX_REQUESTS_PER_CLIENT = 250  # bounded in count as well as in time
WORKERS = 4
REPORT = json.dumps(
    {"csp-report": {"violated-directive": "script-src-elem", "document-uri": "about:blank"}}
).encode()


def hammer(url: str, deadline: float) -> Counter[str]:
    """POST CSP reports until the deadline; count the outcomes by status code or error."""
    outcomes: Counter[str] = Counter()
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= deadline:
            break
        request = urllib.request.Request(
            f"{url}/csp-report/",
            data=REPORT,
            headers={"Content-Type": "application/csp-report"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                outcomes[str(response.status)] += 1
        except urllib.error.HTTPError as error:
            outcomes[str(error.code)] += 1
            error.close()
        except OSError as error:
            outcomes[type(error).__name__] += 1
    return outcomes


def test_s37_sqlite_concurrent_writes(sqlite_demo_template: E2EDatabase, tmp_path: Path) -> None:
    database = copy_sqlite(sqlite_demo_template, tmp_path / "var", f"SQLite in {tmp_path}")
    # CSP reports are anonymous, so normally only the first few per hour are journaled one by
    # one (issue 6, §3.6); here every one is, to load the chain head.
    database.env["RODTRAD_UNAUTHENTICATED_EVENTS_PER_WINDOW"] = "1000000"
    before = database.journal_count()

    with running_server(database, tmp_path / "gunicorn.log", workers=WORKERS) as server:
        deadline = time.monotonic() + SECONDS
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            results = list(pool.map(hammer, [server.url] * CLIENTS, [deadline] * CLIENTS))
        log = server.log_tail()

    outcomes: Counter[str] = sum(results, Counter())
    written = outcomes["204"]
    print(f"S37: {written} journaled writes in {SECONDS:.0f} s from {CLIENTS} clients: {outcomes}")
    assert outcomes["500"] == 0, f"HTTP 500 under concurrent writes: {outcomes}\n{log}"
    assert set(outcomes) == {"204"}, f"not every write succeeded: {outcomes}\n{log}"
    assert written >= CLIENTS * 5, f"too few writes to say anything: {outcomes}"

    # Every accepted write is in the journal, exactly once, and the chain is unbroken.
    assert database.journal_count() == before + written
    verified = database.manage("verify_journal", check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
