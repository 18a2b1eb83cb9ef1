"""A child's relationships: add one (the other person found by number), end one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rodtrad.accounts.access import get_person_for, signed_in_user
from rodtrad.lib.forms import form_conflict, handle_form
from rodtrad.lib.versioning import StaleVersion
from rodtrad.people import queries, services
from rodtrad.people.forms import RelationshipEndForm, RelationshipForm
from rodtrad.people.masking import person_view
from rodtrad.people.views._common import GET_OR_POST, SENSITIVE_POST, seen


@login_required
@GET_OR_POST
@SENSITIVE_POST
def relationship_add(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_person_for(request.user, pk, for_edit=True)

    def save(data: dict[str, Any]) -> Any:
        # Only persons the user sees without an emergency grant can be linked (S16).
        other = queries.find_by_identity_number(
            request.user, data["other_identity_number"], include_emergency=False
        )
        if other is None:
            raise ValidationError(
                {
                    "other_identity_number": _(
                        "Det finns ingen person med det numret bland de personer du har "
                        "tillgång till. Registrera personen först och lägg sedan till relationen."
                    )
                }
            )
        return services.add_relationship(
            child,
            other,
            by=signed_in_user(request),
            kind=data["kind"],
            has_custody=data["has_custody"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
        )

    def page(form: RelationshipForm) -> HttpResponse:
        seen(request, child, "people:relationship-add")
        return render(
            request,
            "people/relationship_form.html",
            {"form": form, "person": person_view(child, request.user)},
        )

    return handle_form(
        request,
        RelationshipForm(request.POST if request.method == "POST" else None),
        save=save,
        field_map={"other": "other_identity_number"},
        success=_("Relationen är sparad."),
        then=reverse("people:person-detail", args=[child.pk]),
        render=page,
    )


@login_required
@require_POST
@SENSITIVE_POST
def relationship_end(request: HttpRequest, pk: int) -> HttpResponse:
    relationship = queries.get_relationship_for(request.user, pk, for_edit=True)
    child = relationship.child
    form = RelationshipEndForm(request.POST)

    def conflict(exc: StaleVersion) -> HttpResponse:
        seen(request, child, "people:relationship-end")
        return form_conflict(
            request,
            form,
            exc,
            title=_("Någon annan har ändrat relationen"),
            reload_url=reverse("people:person-detail", args=[child.pk]),
            shows=child,
        )

    def page(form: RelationshipEndForm) -> HttpResponse:
        seen(request, child, "people:relationship-end")
        return render(
            request,
            "people/relationship_end.html",
            {
                "form": form,
                "relationship": relationship,
                "person": person_view(child, request.user),
            },
        )

    return handle_form(
        request,
        form,
        save=lambda data: services.end_relationship(
            relationship,
            by=signed_in_user(request),
            valid_to=data["valid_to"],
            expected_version=data["version"],
        ),
        on_conflict=conflict,
        success=_("Relationen är avslutad."),
        then=reverse("people:person-detail", args=[child.pk]),
        render=page,
    )
