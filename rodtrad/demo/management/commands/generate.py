"""`manage.py generate --reports N`: add N reports of history to the demo database (used by
`rodtrad generate`; rodtrad/demo/scale.py says what is written and why)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rodtrad.demo.scale import GenerationError, generate_reports


class Command(BaseCommand):
    help = (
        "Lägger till N påhittade aktualiseringar som historik i demodatabasen (avslutade "
        "ärenden i alla stadsdelar, pågående bara där demoanvändarna inte arbetar)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reports", type=int, required=True)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        reports = options["reports"]
        if reports < 1:
            raise CommandError("--reports must be at least 1")
        started = time.monotonic()

        def progress(done: int) -> None:
            if options["verbosity"] > 0:
                self.stdout.write(f"  {done} av {reports} ({time.monotonic() - started:.0f} s)")

        try:
            summary = generate_reports(reports=reports, seed=options["seed"], progress=progress)
        except GenerationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Historik skapad på {time.monotonic() - started:.0f} s: {summary.reports} "
            f"aktualiseringar ({summary.closed} avslutade, {summary.open} pågående), "
            f"{summary.persons} personer, {summary.journal_entries} journalposter, "
            f"{summary.access_events} åtkomsthändelser, {summary.grants} nödåtkomster, "
            f"{summary.investigations} utredningar, {summary.decisions} beviljade insatser, "
            f"{summary.measurements} skattningar, {summary.population_rows} befolkningsrader."
        )
