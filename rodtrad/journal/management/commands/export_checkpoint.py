"""`manage.py export_checkpoint [--output FILE] [--by LABEL]`: export the journal's head.

Prints the checkpoint as JSON, or writes it to FILE. Keep the file outside the database server
(another machine, write-once storage); `verify_journal --checkpoint FILE` checks against it.
Wrapped by `rodtrad export-checkpoint`.
"""

from __future__ import annotations

import getpass
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from rodtrad.journal.services import export_checkpoint
from rodtrad.lib import request_context

EXIT_UNWRITABLE = 2


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


class Command(BaseCommand):
    help = _("Exporterar journalens kontrollpunkt (antal poster och huvudets hash) som JSON.")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--output", metavar="FILE", help=_("skriv JSON till filen"))
        parser.add_argument(
            "--by",
            metavar="LABEL",
            default=None,
            help=_("vem som exporterar (standard: inloggningsnamnet på servern)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        token = request_context.activate(request_context.RequestContext(channel="cli"))
        try:
            data = export_checkpoint(by_label=options["by"] or _login_name())
        finally:
            request_context.deactivate(token)
        text = json.dumps(data, indent=2) + "\n"
        output = options["output"]
        if not output:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            self.stderr.write(
                json.dumps(
                    {
                        "error": "checkpoint_unwritable",
                        "file": output,
                        "message": _("Kontrollpunkten kunde inte skrivas: %(reason)s")
                        % {"reason": exc.strerror or exc.__class__.__name__},
                    },
                    ensure_ascii=False,
                )
            )
            raise SystemExit(EXIT_UNWRITABLE) from exc
        self.stdout.write(
            _("Kontrollpunkt vid post #%(seq)d skriven till %(file)s")
            % {"seq": data["seq"], "file": output}
        )
