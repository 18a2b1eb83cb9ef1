"""What the intake pages share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from rodtrad.accounts import access

GET_OR_POST = require_http_methods(["GET", "POST"])
SENSITIVE_POST = sensitive_post_parameters()


def require_case_role(request: HttpRequest) -> None:
    if not access.has_role(request.user, *access.CASE_ROLES):
        raise PermissionDenied


def sibling_source(sources: list[Any], value: Any, user: Any) -> Any:
    """The sibling document named by a button or a hidden field: one of `sources` (what the
    user may see and copy from), else 404 with a denied access event."""
    wanted = access.parse_id(value)
    for source in sources:
        if source.document.pk == wanted:
            return source
    raise access.not_found(user)
