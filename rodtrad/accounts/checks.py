"""System checks: production must never run in demo mode or without the second factor."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security)
def check_production_authentication(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Runs with every management command, so a bad production configuration cannot start."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors: list[CheckMessage] = []
    if getattr(settings, "DEMO_MODE", False):
        errors.append(
            Error(
                "DEMO_MODE is on in production: demo users would skip the second factor.",
                hint="Unset RODTRAD_DEMO in the production environment.",
                id="accounts.E001",
            )
        )
    if not getattr(settings, "MFA_REQUIRED", True):
        errors.append(
            Error(
                "MFA_REQUIRED is off in production: every user must verify a second factor.",
                hint="Remove whatever sets MFA_REQUIRED = False for production.",
                id="accounts.E002",
            )
        )
    return errors
