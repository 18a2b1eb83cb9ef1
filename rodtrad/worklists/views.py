"""The worklists: the start page, my deadlines, and the team manager's overview of the district.

The start page moved here from `rodtrad/lib` (issue 7): it is a worklist of the user's
deadlines and the manager's tasks, and `lib` stays domain-free (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rodtrad.accounts import access
from rodtrad.accounts.models import Role
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_accesses
from rodtrad.worklists import queries


def record_listed(user: Any, items: Iterable[queries.DeadlineItem], *, route: str) -> None:
    """One `listed` access event per case shown on a page, as the case list writes."""
    cases = {item.case_id: item.case for item in items if item.case is not None}
    record_accesses(by=user, cases=cases.values(), action=AccessAction.LISTED, route=route)


def record_listed_tasks(user: Any, tasks: queries.ManagerTasks, *, route: str) -> None:
    """One `listed` access event per case whose child the manager's task lists show."""
    shown = [case for case in tasks.cases if case.pk]
    record_accesses(by=user, cases=shown, action=AccessAction.LISTED, route=route)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """Mina frister: every running deadline on the user's own cases, most urgent first."""
    if not access.has_role(request.user, *access.CASE_ROLES):
        raise PermissionDenied
    today = timezone.localdate()
    items = queries.my_deadlines(request.user, today=today)
    record_listed(request.user, items, route="deadlines:mine")
    return render(request, "deadlines/mine.html", {"items": items, "today": today})


@login_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    """The team manager's overview: per person, the full list, late investigations."""
    if not access.has_role(request.user, Role.TEAM_MANAGER):
        raise PermissionDenied
    today = timezone.localdate()
    overview = queries.team_deadlines(request.user, today=today)
    record_listed(request.user, overview.items, route="deadlines:team")
    record_listed_tasks(request.user, overview.tasks, route="deadlines:team")
    return render(request, "deadlines/team.html", {"team": overview, "today": today})


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The start page. Case roles see what is overdue and due today on their own cases;
    team managers also a count of the team's deadlines and what waits for them. The other
    roles are told what they can do today (deadlines/home.html)."""
    context: dict[str, object] = {}
    if access.has_role(request.user, *access.CASE_ROLES):
        today = timezone.localdate()
        mine = queries.my_deadlines(request.user, today=today)
        urgent = [item for item in mine if item.needs_attention_today]
        record_listed(request.user, urgent, route="home")
        context.update(show_deadlines=True, urgent=urgent, my_count=len(mine))
        if access.has_role(request.user, Role.TEAM_MANAGER):
            team = queries.team_deadlines(request.user, today=today)
            record_listed_tasks(request.user, team.tasks, route="home")
            context["team"] = team
    return render(request, "deadlines/home.html", context)
