"""Views that journal security events: CSP violation reports and rejected CSRF tokens.

They were in `rodtrad/lib/views.py`; they write to the journal through the accounts
services, and `lib` imports no domain app (docs/architecture.md, "Layers").
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rodtrad.accounts.middleware import is_script_request
from rodtrad.accounts.services import record_unauthenticated_event
from rodtrad.journal.services import record


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Browsers post CSP violations here; we keep the directive, never the page content."""
    try:
        body = json.loads(request.body[:10_000] or b"{}")
        report = body.get("csp-report", body) if isinstance(body, dict) else {}
        directive = str(report.get("violated-directive") or report.get("effectiveDirective", ""))
    except (ValueError, AttributeError):
        directive = "unparseable"
    # Anyone can post here: journaled within a budget per hour, then only counted (§3.6).
    record_unauthenticated_event(
        "security.csp_violation_reported", data={"directive": directive[:100]}
    )
    return HttpResponse(status=204)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        record("security.csrf_rejected", by=user, data={})
    else:
        # A token-less POST needs no account: journaled within a budget, then counted.
        record_unauthenticated_event("security.csrf_rejected", data={})
    message = _("Formuläret hade gått ut. Ladda om sidan och försök igen.")
    if is_script_request(request):
        # An autosave with a token rotated by a sign-in in another tab: a short text the
        # page's script can act on (fetch the new token, try again), never a page.
        return HttpResponse(message, content_type="text/plain; charset=utf-8", status=403)
    return render(
        request,
        "errors/403_csrf.html",
        {"message": message},
        status=403,
    )
