"""`manage.py verify_journal [--checkpoint FILE]`: recompute the journal's hash chain.

Exit 0: intact (one line on stdout). Exit 1: broken; one line on stderr names the first broken
entry. Exit 2: the checkpoint file cannot be used; one JSON object on stderr says why.
Wrapped by `rodtrad verify-journal`.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from rodtrad.journal.verify import (
    ChainCheckpoint,
    CheckpointFormatError,
    load_checkpoint,
    verify_chain,
)

EXIT_BROKEN = 1
EXIT_UNUSABLE_CHECKPOINT = 2


class Command(BaseCommand):
    help = _(
        "Kontrollerar journalens hashkedja och namnger den första brutna posten. "
        "Med --checkpoint jämförs också mot en tidigare exporterad kontrollpunkt."
    )
    # Verifying the evidence must not depend on unrelated configuration checks passing.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help=_("kontrollpunkt (JSON från export_checkpoint) att verifiera mot"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = None
        if options["checkpoint"]:
            checkpoint = self._read_checkpoint(options["checkpoint"])
        result = verify_chain(checkpoint=checkpoint)
        if result.broken is not None:
            self.stderr.write(
                _("Journalen är bruten vid post #%(seq)d: %(detail)s")
                % {"seq": result.broken.seq, "detail": result.broken.detail}
            )
            raise SystemExit(EXIT_BROKEN)
        line = _("Journalen är intakt: %(entries)d poster, huvud %(hash)s") % {
            "entries": result.entries,
            "hash": result.head_hash,
        }
        if checkpoint is not None:
            line += _(", kontrollpunkten vid post #%(seq)d stämmer") % {"seq": checkpoint.seq}
        self.stdout.write(line)

    def _read_checkpoint(self, path: str) -> ChainCheckpoint:
        try:
            return load_checkpoint(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
        except UnicodeDecodeError:
            reason = _("filen är inte UTF-8-text")
        except CheckpointFormatError as exc:
            reason = str(exc)
        self.stderr.write(
            json.dumps(
                {
                    "error": "checkpoint_unusable",
                    "file": path,
                    "message": _("Kontrollpunkten kan inte användas: %(reason)s")
                    % {"reason": reason},
                },
                ensure_ascii=False,
            )
        )
        raise SystemExit(EXIT_UNUSABLE_CHECKPOINT)
