"""Deploy checks for the journal's evidence (docs/security-checks.md S22; docs/deployment.md).

The key that signs checkpoints must live apart from what it protects: whoever can change the
database (or its backups) and read the key can rewrite the journal and sign a checkpoint that
matches. So in production `check --deploy` fails when RODTRAD_CHECKPOINT_KEY_FILE is not set
(the default, `var/checkpoint.key`, sits next to the SQLite database), or when the key file lies
inside the folder of an SQLite database or inside the checkpoint folder (whose files are copied
on to other storage).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


def _database_folders() -> list[Path]:
    """The folders of the SQLite databases (a PostgreSQL database has no folder here)."""
    folders = []
    for database in settings.DATABASES.values():
        name = str(database.get("NAME") or "")
        in_memory = name == ":memory:" or name.startswith("file:")  # the test suite's
        if "sqlite" in str(database.get("ENGINE", "")) and name and not in_memory:
            folders.append(Path(name).resolve().parent)
    return folders


def _is_inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@register(Tags.security, deploy=True)
def check_checkpoint_key_location(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """In production: the checkpoint key is configured, and not beside what it protects."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors: list[CheckMessage] = []
    if not os.environ.get("RODTRAD_CHECKPOINT_KEY_FILE", "").strip():
        errors.append(
            Error(
                "RODTRAD_CHECKPOINT_KEY_FILE is not set in production: the default key file "
                "lies in the var/ folder, next to the SQLite database.",
                hint="Set RODTRAD_CHECKPOINT_KEY_FILE to a file outside the installation, the "
                "database's folder and the checkpoint folder (docs/deployment.md).",
                id="journal.E001",
            )
        )
    key = Path(settings.RODTRAD_CHECKPOINT_KEY_FILE).resolve()
    places = [("the database's folder", folder) for folder in _database_folders()]
    places.append(("the checkpoint folder", Path(settings.RODTRAD_CHECKPOINT_DIR).resolve()))
    for label, folder in places:
        if _is_inside(key, folder):
            errors.append(
                Error(
                    f"The checkpoint key file {key} is inside {label} ({folder}): whoever can "
                    "change or copy that folder could sign a forged checkpoint.",
                    hint="Move the key file elsewhere and point RODTRAD_CHECKPOINT_KEY_FILE at "
                    "it (docs/deployment.md).",
                    id="journal.E002",
                )
            )
    return errors
