"""What the people pages share."""

from __future__ import annotations

from django.http import HttpRequest
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from rodtrad.accounts.access import signed_in_user
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access
from rodtrad.people.models import Person

GET_OR_POST = require_http_methods(["GET", "POST"])
# Identity numbers, names and addresses arrive in POST bodies: keep them out of error reports.
SENSITIVE_POST = sensitive_post_parameters()


def seen(
    request: HttpRequest, person: Person, route: str, action: str = AccessAction.VIEWED
) -> None:
    record_access(by=signed_in_user(request), action=action, person=person, route=route)
