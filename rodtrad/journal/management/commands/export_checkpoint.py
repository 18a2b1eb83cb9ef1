"""`manage.py export_checkpoint [--output FILE|-] [--by LABEL]`: a signed checkpoint, now.

Seals the access events written since the last seal, exports the journal's head (seq + hash)
signed with the key outside the database, and stores it in the checkpoint folder
(RODTRAD_CHECKPOINT_DIR), exactly as the daily task does (journal/tasks.py). `--output FILE`
writes a copy to FILE as well; `--output -` prints the JSON instead of the summary line.
Copy the folder's files on to storage the database's administrators cannot change.
`verify_journal` checks the newest one. Wrapped by `rodtrad export-checkpoint`.
"""

from __future__ import annotations

import getpass
import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from rodtrad.journal import checkpoints
from rodtrad.journal.services import write_checkpoint
from rodtrad.lib import request_context

EXIT_UNWRITABLE = 2


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


class Command(BaseCommand):
    help = _(
        "Förseglar nya åtkomsthändelser och skriver en signerad kontrollpunkt av journalen "
        "(antal poster och huvudets hash) till mappen för kontrollpunkter."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--output",
            metavar="FILE",
            help=_("skriv också en kopia till filen (- skriver JSON till standard ut)"),
        )
        parser.add_argument(
            "--by",
            metavar="LABEL",
            default=None,
            help=_("vem som exporterar (standard: inloggningsnamnet på servern)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        token = request_context.activate(request_context.RequestContext(channel="cli"))
        try:
            written = write_checkpoint(by_label=options["by"] or _login_name())
        except OSError as exc:
            self._unwritable(exc, getattr(exc, "filename", None) or checkpoints.checkpoint_dir())
        finally:
            request_context.deactivate(token)
        output = options["output"]
        if output == "-":
            self.stdout.write(json.dumps(written.data, indent=2))
            return
        if output:
            try:
                checkpoints.write_file(Path(output), dict(written.data))
            except OSError as exc:
                self._unwritable(exc, output)
        if written.seal is not None:
            self.stdout.write(
                _("%(count)d åtkomsthändelser förseglade i journalpost #%(seq)d")
                % {"count": written.seal.data["count"], "seq": written.seal.seq}
            )
        self.stdout.write(
            _("Signerad kontrollpunkt vid post #%(seq)d sparad i %(file)s")
            % {"seq": written.data["seq"], "file": written.path}
        )
        if output:
            self.stdout.write(_("Kopia skriven till %(file)s") % {"file": output})

    def _unwritable(self, exc: OSError, file: Any) -> NoReturn:
        self.stderr.write(
            json.dumps(
                {
                    "error": "checkpoint_unwritable",
                    "file": str(file),
                    "message": _("Kontrollpunkten kunde inte skrivas: %(reason)s")
                    % {"reason": exc.strerror or exc.__class__.__name__},
                },
                ensure_ascii=False,
            )
        )
        raise SystemExit(EXIT_UNWRITABLE) from exc
