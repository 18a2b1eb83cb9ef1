"""Sending a document to a secure digital mailbox (docs/letters.md, "Sending").

`Mailbox` is what a provider's client must offer: `deliver(document)` returns a `Receipt` or
raises `DeliveryFailed`. The one built in, `FileSystemMailbox`, writes the PDF and a JSON
receipt under `settings.RODTRAD_MAILBOX_DIR` (no network): the demo and the tests use it. The
file names carry the document's id only, never personal data.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from rodtrad.letters.models import OutgoingDocument


class DeliveryFailed(Exception):
    """The mailbox did not take the document; nothing is recorded as sent."""


@dataclass(frozen=True)
class Receipt:
    provider: str
    reference: str
    delivered_at: str  # ISO 8601, UTC

    def as_json(self) -> dict[str, str]:
        return asdict(self)


class Mailbox(Protocol):
    def deliver(self, document: OutgoingDocument) -> Receipt: ...


class FileSystemMailbox:
    """Writes `<id>.pdf` and `<id>.json` (the receipt) in the mailbox folder."""

    provider = "filsystem"

    def deliver(self, document: OutgoingDocument) -> Receipt:
        folder = settings.RODTRAD_MAILBOX_DIR
        try:
            folder.mkdir(parents=True, exist_ok=True)
            reference = f"dokument-{document.pk}"
            pdf_path = folder / f"{reference}.pdf"
            pdf_path.write_bytes(bytes(document.pdf))
            os.chmod(pdf_path, 0o600)
            receipt = Receipt(
                provider=self.provider,
                reference=reference,
                delivered_at=timezone.now().astimezone(UTC).isoformat(),
            )
            body = {
                **receipt.as_json(),
                "document_id": document.pk,
                "pdf_sha256": document.pdf_sha256,
            }
            (folder / f"{reference}.json").write_text(json.dumps(body, sort_keys=True))
        except OSError as exc:
            raise DeliveryFailed(str(exc.strerror or "")) from exc
        return receipt


def get_mailbox() -> Mailbox:
    mailbox: Mailbox = import_string(settings.RODTRAD_MAILBOX)()
    return mailbox
