"""S22: `check --deploy` in production refuses a checkpoint key kept beside what it protects.

The rule on the SQLite database's folder needs the real settings (the suite's own database is
in memory), so it is tried with `manage.py check --deploy` in a subprocess in
rodtrad/accounts/tests/test_security_headers.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.test import override_settings


def _ids() -> set[str]:
    return {
        message.id
        for message in run_checks(include_deployment_checks=True)
        if message.id and message.id.startswith("journal.")
    }


@pytest.fixture
def key_file_set(monkeypatch: Any, tmp_path: Path) -> Path:
    key = tmp_path / "secrets" / "checkpoint.key"
    monkeypatch.setenv("RODTRAD_CHECKPOINT_KEY_FILE", str(key))
    return key


def test_development_settings_pass(monkeypatch: Any) -> None:
    monkeypatch.delenv("RODTRAD_CHECKPOINT_KEY_FILE", raising=False)
    assert _ids() == set()


def test_s22_production_with_the_key_apart_passes(key_file_set: Path, tmp_path: Path) -> None:
    with override_settings(
        PRODUCTION=True,
        RODTRAD_CHECKPOINT_KEY_FILE=key_file_set,
        RODTRAD_CHECKPOINT_DIR=tmp_path / "checkpoints",
    ):
        assert _ids() == set()


def test_s22_production_without_a_configured_key_file_fails(
    monkeypatch: Any, tmp_path: Path
) -> None:
    monkeypatch.delenv("RODTRAD_CHECKPOINT_KEY_FILE", raising=False)
    with override_settings(
        PRODUCTION=True,
        RODTRAD_CHECKPOINT_KEY_FILE=tmp_path / "var" / "checkpoint.key",
        RODTRAD_CHECKPOINT_DIR=tmp_path / "checkpoints",
    ):
        assert _ids() == {"journal.E001"}


def test_s22_production_with_the_key_in_the_checkpoint_folder_fails(
    key_file_set: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "checkpoints"
    with override_settings(
        PRODUCTION=True,
        RODTRAD_CHECKPOINT_KEY_FILE=folder / "keys" / "checkpoint.key",
        RODTRAD_CHECKPOINT_DIR=folder,
    ):
        assert _ids() == {"journal.E002"}
