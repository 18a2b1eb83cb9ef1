"""A person's page: the person, relationships, their cases and reports."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from rodtrad.accounts import access
from rodtrad.accounts.access import (
    can,
    editable_persons,
    get_person_for,
    signed_in_user,
    visible_persons,
)
from rodtrad.frameworks.queries import code_labels
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_accesses
from rodtrad.people import queries
from rodtrad.people.masking import person_view
from rodtrad.people.views._common import seen


def _relationship_rows(request: HttpRequest, relationships: Any, *, as_child: bool) -> list[dict]:
    """Table rows for relationships. A related person the reader may not see is shown as
    "person utanför din behörighet" with the kind of relationship only: no name, number or
    link (S11), and no access event, because nothing about them is shown."""
    relationships = list(relationships)
    related = [r.other if as_child else r.child for r in relationships]
    visible_ids = set(
        visible_persons(request.user)
        .filter(pk__in=[p.pk for p in related])
        .values_list("pk", flat=True)
    )
    editable_ids = set(
        editable_persons(request.user)
        .filter(pk__in=[r.child_id for r in relationships])
        .values_list("pk", flat=True)
    )
    today = timezone.localdate()
    rows = []
    for relationship, person in zip(relationships, related, strict=True):
        is_visible = person.pk in visible_ids
        is_current = relationship.valid_to is None or relationship.valid_to >= today
        rows.append(
            {
                "relationship": relationship,
                "person": person_view(person, request.user) if is_visible else None,
                "model": person if is_visible else None,
                "person_is_visible": is_visible,
                "is_current": is_current,
                "can_end": relationship.valid_to is None and relationship.child_id in editable_ids,
            }
        )
    return rows


@login_required
@require_http_methods(["GET"])
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk)
    seen(request, person, "people:person-detail")
    rows = _relationship_rows(request, queries.relationships_of(person), as_child=True)
    rows_as_other = _relationship_rows(
        request, queries.relationships_as_other(person), as_child=False
    )
    # The person's own cases and reports, as far as the reader may see them (one query each).
    cases = list(access.cases_of_child(request.user, person).select_related("responsible"))
    reports = list(access.reports_about(request.user, person).select_related("district"))
    kinds = code_labels("report-kinds") if reports else {}
    record_accesses(  # the related persons' names and the cases are shown on this page too
        by=signed_in_user(request),
        cases=cases,
        persons=[row["model"] for row in rows + rows_as_other if row["model"] is not None],
        action=AccessAction.LISTED,
        route="people:person-detail",
    )
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person_view(person, request.user),
            "relationship_rows": rows,
            "relationship_rows_as_other": rows_as_other,
            "cases": cases,
            "report_rows": [(r, kinds.get(r.kind, r.kind)) for r in reports],
            "can_edit": editable_persons(request.user).filter(pk=person.pk).exists(),
            "can_appoint": can(request.user, "appoint_protected_handler", person),
            "today": timezone.localdate(),
        },
    )
