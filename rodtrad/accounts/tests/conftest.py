"""Fixtures for the accounts tests: password-only sign-in, TOTP devices and codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from rodtrad.accounts.tests.factories import TEST_PASSWORD, TOTPDeviceFactory


def current_token(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def post_login(client: Client, username: str, password: str = TEST_PASSWORD, **extra: Any) -> Any:
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


@pytest.fixture
def totp_device() -> Any:
    """`totp_device(user)`: a confirmed TOTP device for the user."""

    def _device(user: Any) -> TOTPDevice:
        device: TOTPDevice = TOTPDeviceFactory(user=user)
        return device

    return _device
