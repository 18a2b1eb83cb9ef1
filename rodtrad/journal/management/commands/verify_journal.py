"""`manage.py verify_journal [--checkpoint FILE] [--require-checkpoint] [--skip-access-events]`.

Recomputes the journal's hash chain, checks it against the newest signed checkpoint in the
checkpoint folder (the highest seq inside the files, never the file names) or FILE: signature
valid, the entry at its seq still has its hash, the journal not shorter; then recomputes every
seal over the access events.

Exit 0: intact (a line for the journal, a line for the access events, on stdout; a warning on
stderr when there is no checkpoint or the newest is old). Exit 1: broken; one line on stderr
names the first broken entry or seal. Exit 2: the checkpoint cannot be used (unreadable,
unsigned, wrong signature, key missing), or none exists and `--require-checkpoint` was given
(a full rewrite of the journal, or a deleted checkpoint folder, would otherwise pass as
intact); one JSON object on stderr says why. Wrapped by `rodtrad verify-journal`.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from rodtrad.journal import checkpoints
from rodtrad.journal.seals import verify_seals
from rodtrad.journal.verify import ChainCheckpoint, CheckpointFormatError, verify_chain

EXIT_BROKEN = 1
EXIT_UNUSABLE_CHECKPOINT = 2
# The daily task writes one a day; older than this and it has probably stopped running.
STALE_AFTER = timedelta(days=2)


class Command(BaseCommand):
    help = _(
        "Kontrollerar journalens hashkedja mot den senaste signerade kontrollpunkten och "
        "förseglingarna av åtkomsthändelser, och namnger det första som är brutet."
    )
    # Verifying the evidence must not depend on unrelated configuration checks passing.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help=_("signerad kontrollpunkt att verifiera mot (standard: den senaste i mappen)"),
        )
        parser.add_argument(
            "--require-checkpoint",
            action="store_true",
            help=_(
                "avsluta med kod 2 om det inte finns någon signerad kontrollpunkt (för cron och "
                "övervakning)"
            ),
        )
        parser.add_argument(
            "--skip-access-events",
            action="store_true",
            help=_("kontrollera inte förseglingarna av åtkomsthändelser"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["checkpoint"]) if options["checkpoint"] else self._newest_file()
        checkpoint = self._read_checkpoint(path) if path is not None else None
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
            line += _(", den signerade kontrollpunkten vid post #%(seq)d stämmer (%(file)s)") % {
                "seq": checkpoint.seq,
                "file": path,
            }
        self.stdout.write(line)
        if not options["skip_access_events"]:
            self._verify_seals()
        if checkpoint is None and options["require_checkpoint"]:
            self._unusable(
                "checkpoint_missing",
                checkpoints.checkpoint_dir(),
                _(
                    "Det finns ingen signerad kontrollpunkt i %(folder)s. Utan en kontrollpunkt "
                    "utanför databasen syns inte att hela journalen har skrivits om. Skapa en "
                    "med: rodtrad export-checkpoint"
                )
                % {"folder": checkpoints.checkpoint_dir()},
            )
        if checkpoint is None:
            self.stderr.write(
                _(
                    "Varning: det finns ingen signerad kontrollpunkt i %(folder)s. Utan en "
                    "kontrollpunkt utanför databasen syns inte att hela journalen har skrivits "
                    "om. Skapa en med: rodtrad export-checkpoint"
                )
                % {"folder": checkpoints.checkpoint_dir()}
            )
        else:
            self._warn_if_stale(checkpoint)

    def _verify_seals(self) -> None:
        seals = verify_seals()
        if seals.broken is not None:
            self.stderr.write(
                _(
                    "Åtkomsthändelserna #%(first)d–#%(last)d (förseglade i journalpost "
                    "#%(seq)d) stämmer inte: %(detail)s"
                )
                % {
                    "first": seals.broken.after_id + 1,
                    "last": seals.broken.last_id,
                    "seq": seals.broken.seq,
                    "detail": seals.broken.detail,
                }
            )
            raise SystemExit(EXIT_BROKEN)
        self.stdout.write(
            _(
                "Åtkomsthändelserna är intakta: %(sealed)d i %(seals)d förseglingar; "
                "%(unsealed)d ännu inte förseglade"
            )
            % {
                "sealed": seals.sealed_events,
                "seals": seals.seals,
                "unsealed": seals.unsealed_events,
            }
        )

    def _warn_if_stale(self, checkpoint: ChainCheckpoint) -> None:
        try:
            # exported_at is always UTC with a Z (chain.canonical_timestamp).
            exported = datetime.fromisoformat(checkpoint.exported_at)
        except ValueError:
            return
        age = timezone.now() - exported
        if age > STALE_AFTER:
            self.stderr.write(
                _(
                    "Varning: den senaste kontrollpunkten är %(days)d dagar gammal; körs den "
                    "dagliga uppgiften (docs/deployment.md)?"
                )
                % {"days": age.days}
            )

    def _read_checkpoint(self, path: Path) -> ChainCheckpoint:
        try:
            return checkpoints.load_signed_checkpoint(path.read_text(encoding="utf-8"))
        except OSError as exc:
            reason = exc.strerror or exc.__class__.__name__
        except UnicodeDecodeError:
            reason = _("filen är inte UTF-8-text")
        except CheckpointFormatError as exc:
            reason = str(exc)
        self._unusable(
            "checkpoint_unusable",
            path,
            _("Kontrollpunkten kan inte användas: %(reason)s") % {"reason": reason},
        )

    def _newest_file(self) -> Path | None:
        try:
            return checkpoints.newest_file()
        except checkpoints.UnreadableCheckpointFile as exc:
            self._unusable(
                "checkpoint_unusable",
                exc.path,
                _("Kontrollpunkten kan inte användas: %(reason)s") % {"reason": exc},
            )

    def _unusable(self, error: str, path: Path, message: str) -> NoReturn:
        self.stderr.write(
            json.dumps({"error": error, "file": str(path), "message": message}, ensure_ascii=False)
        )
        raise SystemExit(EXIT_UNUSABLE_CHECKPOINT)
