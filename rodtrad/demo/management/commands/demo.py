"""`manage.py demo`: load the generated demo data (used by `rodtrad demo`)."""

from __future__ import annotations

import gc
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from rodtrad.demo import letters
from rodtrad.demo.generator import generate
from rodtrad.demo.users import DEMO_PASSWORD, DEMO_USERS
from rodtrad.lib import snapshot


class Command(BaseCommand):
    help = "Laddar påhittade demodata: stadsdelar, enheter, användare, barn och vårdnadshavare."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--families", type=int, default=180)
        parser.add_argument("--skip-migrate", action="store_true")
        parser.add_argument(
            "--letter-cases",
            type=int,
            default=letters.CASES,
            help="Hur många beslutade ärenden som får brev och utskrifter (PDF).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # A batch job of many short-lived objects: what exists now (modules, settings, the
        # URL configuration) is never garbage, and collecting less often saves about 3 %.
        thresholds = gc.get_threshold()
        gc.collect()
        gc.freeze()
        gc.set_threshold(20_000, 50, 100)
        try:
            if not options["skip_migrate"]:
                # A new SQLite file starts from the migrated schema (rodtrad/lib/snapshot.py);
                # migrate then applies anything newer.
                snapshot.load_if_empty()
                call_command("migrate", interactive=False, verbosity=0)
            summary = generate(
                seed=options["seed"],
                families=options["families"],
                letter_cases=options["letter_cases"],
            )
        finally:  # the server `rodtrad demo` starts next runs with Python's defaults
            gc.set_threshold(*thresholds)
            gc.unfreeze()
        if summary.children:
            self.stdout.write(
                f"Demodata skapade: {summary.districts} stadsdelar, {summary.children} barn, "
                f"{summary.adults} vuxna ({summary.protected} med skyddade personuppgifter), "
                f"{summary.cases} ärenden."
            )
        else:
            self.stdout.write("Demodata fanns redan; inget nytt skapades.")
        self.stdout.write("")
        self.stdout.write("Demoanvändare (lösenord för alla: " + DEMO_PASSWORD + "):")
        for user in DEMO_USERS:
            where = user.district or "hela kommunen"
            self.stdout.write(f"  {user.username:<18} {user.role:<15} {where}")
