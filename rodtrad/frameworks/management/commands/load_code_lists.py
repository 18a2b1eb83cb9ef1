"""`manage.py load_code_lists [--directory DIR]`: load the code list files (journaled)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rodtrad.frameworks.loader import CodeListFileError
from rodtrad.frameworks.services import load_code_lists


class Command(BaseCommand):
    help = (
        "Load the code lists from rodtrad/frameworks/data/*.toml: creates missing lists and "
        "codes, never deletes, never overwrites what an administrator has edited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directory", help="read the *.toml files from this directory instead")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_code_lists(by=None, directory=options.get("directory"))
        except CodeListFileError as exc:
            raise CommandError(f"Inget lästes in. {exc}") from exc
        self.stdout.write(
            f"{len(result.list_keys)} listor: {result.lists_created} nya, "
            f"{result.lists_updated} ändrade, {result.lists_unchanged} oförändrade. "
            f"Koder: {result.codes_created} nya, {result.codes_updated} ändrade, "
            f"{result.codes_unchanged} oförändrade, {result.codes_kept_local} med lokala "
            f"ändringar som behölls, {result.codes_not_in_file} finns inte i filerna (orörda)."
        )
