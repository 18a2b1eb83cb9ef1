"""The production system check: no demo mode and no switched-off second factor in production."""

from __future__ import annotations

from django.core.checks import run_checks
from django.test import override_settings


def _ids() -> set[str]:
    return {message.id for message in run_checks() if message.id.startswith("accounts.")}


def test_development_settings_pass():
    assert _ids() == set()


@override_settings(PRODUCTION=True, DEMO_MODE=False, MFA_REQUIRED=True)
def test_production_with_the_second_factor_and_without_demo_mode_passes():
    assert _ids() == set()


@override_settings(PRODUCTION=True, DEMO_MODE=True, MFA_REQUIRED=True)
def test_production_in_demo_mode_fails():
    assert _ids() == {"accounts.E001"}


@override_settings(PRODUCTION=True, DEMO_MODE=False, MFA_REQUIRED=False)
def test_production_without_the_second_factor_fails():
    assert _ids() == {"accounts.E002"}


@override_settings(PRODUCTION=False, DEMO_MODE=True, MFA_REQUIRED=False)
def test_development_may_use_demo_mode_and_switch_mfa_off():
    assert _ids() == set()
