"""Values every page needs: demo mode, the user's roles for navigation.

In accounts, not lib: the roles come from access.py, and lib imports no domain app
(docs/architecture.md, "Layers")."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from rodtrad.accounts.access import active_roles


def rodtrad(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    roles: set[str] = set()
    if user is not None and user.is_authenticated:
        roles = active_roles(user)
    return {
        "demo_mode": settings.DEMO_MODE,
        "user_roles": roles,
        "request_id": getattr(request, "request_id", ""),
    }
