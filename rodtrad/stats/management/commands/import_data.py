"""`rodtrad import districts|population|reports FILE --by USERNAME` (docs/import-format.md).

On errors, every one is printed on standard error, one a line (`rad N, kolumn NAMN: …`),
nothing is saved and the exit code is 1. Progress is written to standard error every
5 000 rows, and only when it is a terminal.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rodtrad.accounts.models import User
from rodtrad.stats import services
from rodtrad.stats.importing import ImportFailed

EXIT_ERRORS = 1
KINDS = ("districts", "population", "reports")


class Command(BaseCommand):
    help = "Importerar stadsdelar, befolkning eller aktualiseringar från en CSV-fil."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", help="CSV-fil (UTF-8, komma, rubrikrad)")
        parser.add_argument(
            "--by",
            required=True,
            help="användarnamnet på systemadministratören som importerar (journalförs)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Filen går inte att läsa: {path} ({exc.strerror})") from exc
        by = User.objects.filter(username=options["by"], is_active=True).first()
        if by is None:
            raise CommandError(f"Ingen aktiv användare heter {options['by']}.")
        started = time.monotonic()
        show_progress = sys.stderr.isatty() and options["verbosity"] > 0

        def progress(done: int, total: int) -> None:
            if show_progress:
                elapsed = time.monotonic() - started
                sys.stderr.write(f"\r  {done} av {total} rader ({elapsed:.0f} s)")
                sys.stderr.flush()

        kind = options["kind"]
        try:
            if kind == "reports":
                run = services.import_reports(data, file_name=path.name, by=by, progress=progress)
            elif kind == "population":
                run = services.import_population(data, file_name=path.name, by=by)
            else:
                run = services.import_districts(data, file_name=path.name, by=by)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(str(error))
            self.stderr.write(f"{len(failure.errors)} fel: ingenting har sparats.")
            raise SystemExit(EXIT_ERRORS) from None
        if show_progress:
            sys.stderr.write("\n")
        self.stdout.write(
            f"Import {run.pk} ({run.kind}) klar på {time.monotonic() - started:.1f} s: "
            f"{run.rows} rader, {run.created} nya, {run.updated} ändrade, "
            f"{run.unchanged} oförändrade. SHA-256 {run.file_sha256}."
        )
