"""Signed checkpoints kept outside the database (docs/security-checks.md S22).

A checkpoint names the journal's head (seq + hash) at a moment. Someone who can rewrite the
database can rewrite the whole journal and re-chain it, and the chain alone will look intact;
only a copy of an earlier head kept where that person cannot reach shows the rewrite. So:

- checkpoints are signed with HMAC-SHA256 under a key that lives in a file, never in the
  database or the repository (`RODTRAD_CHECKPOINT_KEY_FILE`, default `var/checkpoint.key`;
  created on first use with mode 0600). Changing a checkpoint file, or writing a new one,
  needs the key;
- they are written into a folder outside the database (`RODTRAD_CHECKPOINT_DIR`, default
  `var/checkpoints/`) daily by the task in `tasks.py` and on demand by
  `rodtrad export-checkpoint`, and are meant to be copied on to write-once storage;
- `rodtrad verify-journal` checks the newest one (by the seq inside it) by default.

Before each checkpoint the access events written since the last seal are sealed into the
journal (seals.py), so the checkpoint protects them too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from rodtrad.journal.chain import canonical_json
from rodtrad.journal.verify import ChainCheckpoint, CheckpointFormatError, load_checkpoint

SIGNATURE_ALGORITHM = "hmac-sha256"
FILE_PREFIX = "checkpoint-"
_KEY_BYTES = 32


class CheckpointKeyMissing(RuntimeError):
    """The signing key file does not exist (verification never creates one)."""


def key_path() -> Path:
    return Path(settings.RODTRAD_CHECKPOINT_KEY_FILE)


def checkpoint_dir() -> Path:
    return Path(settings.RODTRAD_CHECKPOINT_DIR)


def signing_key(*, create: bool = False) -> bytes:
    """The HMAC key from its file; with create=True a new random key is made on first use."""
    path = key_path()
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        if not create:
            raise CheckpointKeyMissing(str(path)) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes creating the key at once end up with one key, not two.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return signing_key(create=False)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(_KEY_BYTES) + "\n")
    return signing_key(create=False)


def key_id(key: bytes) -> str:
    """A short, public name for a key, so that a checkpoint says which key signed it."""
    return hashlib.sha256(b"rodtrad-checkpoint-key:" + key).hexdigest()[:16]


def _signed_bytes(payload: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in payload.items() if k != "signature"}
    return canonical_json(unsigned).encode("utf-8")


def sign(payload: dict[str, Any], key: bytes) -> dict[str, Any]:
    """The payload with `signature_algorithm`, `key_id` and `signature` added."""
    signed = dict(payload, signature_algorithm=SIGNATURE_ALGORITHM, key_id=key_id(key))
    signed["signature"] = hmac.new(key, _signed_bytes(signed), hashlib.sha256).hexdigest()
    return signed


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint whose signature has been checked, and the file it came from (if any)."""

    checkpoint: ChainCheckpoint
    path: Path | None = None


def load_signed_checkpoint(text: str, *, key: bytes | None = None) -> ChainCheckpoint:
    """Parse a checkpoint and check its signature; CheckpointFormatError when it is unusable."""
    checkpoint = load_checkpoint(text)
    payload = json.loads(text)
    signature = payload.get("signature")
    if not isinstance(signature, str):
        raise CheckpointFormatError(_("kontrollpunkten är inte signerad"))
    if payload.get("signature_algorithm") != SIGNATURE_ALGORITHM:
        raise CheckpointFormatError(_("okänd signaturalgoritm"))
    try:
        key = key if key is not None else signing_key()
    except CheckpointKeyMissing as exc:
        raise CheckpointFormatError(
            _("signaturnyckeln %(path)s saknas; utan den kan signaturen inte kontrolleras")
            % {"path": exc}
        ) from None
    if payload.get("key_id") != key_id(key):
        raise CheckpointFormatError(_("kontrollpunkten är signerad med en annan nyckel"))
    expected = hmac.new(key, _signed_bytes(payload), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise CheckpointFormatError(
            _("signaturen stämmer inte; kontrollpunkten har ändrats efter att den skrevs")
        )
    return checkpoint


def file_name(payload: dict[str, Any]) -> str:
    """checkpoint-20261201T020000123456Z-000000012345.json: sorts by time of export."""
    stamp = str(payload["exported_at"]).replace("-", "").replace(":", "").replace(".", "")
    return f"{FILE_PREFIX}{stamp}-{int(payload['seq']):012d}.json"


def store(payload: dict[str, Any], *, folder: Path | None = None) -> Path:
    """Write a signed checkpoint into the folder (atomically: a reader never sees half)."""
    folder = folder if folder is not None else checkpoint_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(payload)
    write_file(path, payload)
    return path


def write_file(path: Path, payload: dict[str, Any]) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def stored_files(folder: Path | None = None) -> list[Path]:
    """The checkpoint files in the folder, oldest first."""
    folder = folder if folder is not None else checkpoint_dir()
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{FILE_PREFIX}*.json"))


class UnreadableCheckpointFile(CheckpointFormatError):
    """A file in the checkpoint folder that cannot be read as a checkpoint."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(reason)
        self.path = path


def newest_file(folder: Path | None = None) -> Path | None:
    """The checkpoint with the highest seq inside the file, not the one whose name sorts last:
    a file name is not signed, and an old checkpoint renamed to sort last must not hide newer
    ones (red-team finding S-4). Two checkpoints of the same head: the later export. The
    signature of the chosen file is checked by whoever verifies against it, so a forged file
    with a high seq is refused there, never skipped. A file that cannot be read as a checkpoint
    raises UnreadableCheckpointFile: the folder is evidence, and nobody can tell whether that
    file was the newest."""
    newest: tuple[tuple[int, str], Path] | None = None
    for path in stored_files(folder):
        try:
            checkpoint = load_checkpoint(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UnreadableCheckpointFile(path, exc.strerror or type(exc).__name__) from exc
        except UnicodeDecodeError as exc:
            raise UnreadableCheckpointFile(path, _("filen är inte UTF-8-text")) from exc
        except CheckpointFormatError as exc:
            raise UnreadableCheckpointFile(path, str(exc)) from exc
        order = (checkpoint.seq, checkpoint.exported_at)
        if newest is None or order > newest[0]:
            newest = (order, path)
    return newest[1] if newest is not None else None
