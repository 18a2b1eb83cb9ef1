"""Search the register by identity number or name."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rodtrad.accounts.access import CASE_ROLES, can, has_role, signed_in_user
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_accesses
from rodtrad.people import queries
from rodtrad.people.forms import PersonSearchForm
from rodtrad.people.identity import InvalidIdentityNumber
from rodtrad.people.masking import person_view
from rodtrad.people.views._common import GET_OR_POST, SENSITIVE_POST


@login_required
@GET_OR_POST
@SENSITIVE_POST
def person_search(request: HttpRequest) -> HttpResponse:
    """GET: the search form. POST: search by number or name; the term never enters a URL."""
    if not has_role(request.user, *CASE_ROLES):
        raise PermissionDenied
    form = PersonSearchForm(request.POST if request.method == "POST" else None)
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = queries.search_persons(request.user, form.cleaned_data["query"])
        except InvalidIdentityNumber as exc:
            form.add_error("query", str(exc))
        else:
            record_accesses(
                by=signed_in_user(request),
                persons=result.persons,
                action=AccessAction.SEARCHED,
                route="people:person-search",
            )
    return render(
        request,
        "people/person_search.html",
        {
            "form": form,
            "result": result,
            "hits": [person_view(p, request.user) for p in result.persons] if result else [],
            "may_create": can(request.user, "create_person"),
            "limit": queries.SEARCH_LIMIT,
        },
    )
