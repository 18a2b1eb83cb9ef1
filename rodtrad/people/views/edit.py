"""Register a person, change one, set the protection level."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from rodtrad.accounts.access import (
    can,
    case_role_districts,
    get_person_for,
    may_see_protected_contact,
    signed_in_user,
)
from rodtrad.accounts.models import District
from rodtrad.journal.models import AccessAction
from rodtrad.lib.forms import form_conflict, handle_form, initial_from
from rodtrad.lib.versioning import StaleVersion, render_conflict
from rodtrad.people import services
from rodtrad.people.forms import PersonForm, ProtectionForm
from rodtrad.people.identity import InvalidIdentityNumber, parse_identity_number
from rodtrad.people.masking import person_view
from rodtrad.people.models import Person
from rodtrad.people.views._common import GET_OR_POST, SENSITIVE_POST, seen


class _Duplicate:
    """What the form shows after a number that is taken (`_answer_duplicate`)."""

    def __init__(self, request: HttpRequest, form: PersonForm, route: str) -> None:
        self.request, self.form, self.route = request, form, route
        self.person: Any = None
        self.number_refused = False

    def __call__(self, exc: services.DuplicatePerson) -> None:
        self.person, self.number_refused = _answer_duplicate(
            self.request, self.form, exc, self.route
        )


@login_required
@GET_OR_POST
@SENSITIVE_POST
def person_create(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "create_person"):
        raise PermissionDenied
    districts = District.objects.filter(pk__in=case_role_districts(request.user))
    form = PersonForm(
        request.POST if request.method == "POST" else None, creating=True, districts=districts
    )
    duplicate = _Duplicate(request, form, "people:person-create")
    return handle_form(
        request,
        form,
        save=lambda data: services.create_person(
            by=signed_in_user(request), district=form.chosen_district(), **form.person_values()
        ),
        refused={services.DuplicatePerson: duplicate},
        success=_("Personen är registrerad."),
        then=lambda person: reverse("people:person-detail", args=[person.pk]),
        render=lambda form: render(
            request,
            "people/person_form.html",
            {
                "form": form,
                "creating": True,
                "duplicate": duplicate.person,
                "number_refused": duplicate.number_refused,
            },
        ),
    )


def _answer_duplicate(
    request: HttpRequest, form: PersonForm, exc: services.DuplicatePerson, route: str
) -> tuple[Any, bool]:
    """The form's answer to a number that is taken: the person when the user may already see
    them; otherwise only that the number cannot be used and where to get help, the same for
    every person outside the user's scope (S11, S15)."""
    if exc.existing is None:
        form.add_error("identity_number", services.NUMBER_REFUSED_MESSAGE)
        return None, True
    form.add_error("identity_number", _("Det finns redan en person med det här numret."))
    seen(request, exc.existing, route, AccessAction.LISTED)
    return person_view(exc.existing, request.user), False


def _submitted_display(form: PersonForm, name: str, value: Any) -> Any:
    """What the user sent, as the conflict page shows it: labels for codes, numbers formatted."""
    if name == "identity_number":
        try:
            return parse_identity_number(value).display
        except InvalidIdentityNumber:
            return value
    choices = dict(getattr(form.fields.get(name), "choices", []) or [])
    return choices.get(value, value) if value else value


@login_required
@GET_OR_POST
@SENSITIVE_POST
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk, for_edit=True)
    options: dict[str, Any] = {
        "creating": False,
        "include_contact": may_see_protected_contact(request.user, person),
        "protection_level": person.protection_level,
    }
    if request.method == "POST":
        form = PersonForm(request.POST, **options)
    else:
        # The number as the user may see it (masked where it must be).
        number = person_view(person, request.user).identity_number
        form = PersonForm(
            initial=initial_from(PersonForm, person, identity_number=number), **options
        )
    duplicate = _Duplicate(request, form, "people:person-edit")

    def conflict(exc: StaleVersion) -> HttpResponse:
        """The conflict page shows the person as the user may see them (masked values)."""
        fresh = cast(Person, exc.current)
        seen(request, fresh, "people:person-edit")
        current = person_view(fresh, request.user)
        changes = form.person_values()
        saved = {name: getattr(current, name) for name in changes if hasattr(current, name)}
        return render_conflict(
            request,
            title=_("Någon annan har ändrat personen"),
            current=saved | {"legal_sex": current.legal_sex_label},
            submitted={n: _submitted_display(form, n, v) for n, v in changes.items()},
            fields=[(n, str(form.fields[n].label)) for n in changes],
            reload_url=reverse("people:person-edit", args=[person.pk]),
        )

    def page(form: PersonForm) -> HttpResponse:
        seen(request, person, "people:person-edit")
        return render(
            request,
            "people/person_form.html",
            {
                "form": form,
                "creating": False,
                "person": person_view(person, request.user),
                "duplicate": duplicate.person,
                "number_refused": duplicate.number_refused,
            },
        )

    return handle_form(
        request,
        form,
        save=lambda data: services.update_person(
            person,
            by=signed_in_user(request),
            expected_version=data["version"],
            changes=form.person_values(),
        ),
        on_conflict=conflict,
        refused={services.DuplicatePerson: duplicate},
        success=_("Ändringarna är sparade."),
        then=reverse("people:person-detail", args=[person.pk]),
        render=page,
    )


# --- protection -------------------------------------------------------------------------------


@login_required
@GET_OR_POST
@SENSITIVE_POST
def protection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk, for_edit=True)
    may_lower = can(request.user, "appoint_protected_handler", person)
    form = ProtectionForm(
        request.POST if request.method == "POST" else None,
        initial=initial_from(ProtectionForm, person),
        current=person.protection_level,
        may_lower=may_lower,
    )

    def conflict(exc: StaleVersion) -> HttpResponse:
        seen(request, cast(Person, exc.current), "people:protection-edit")
        return form_conflict(
            request,
            form,
            exc,
            title=_("Någon annan har ändrat personen"),
            reload_url=reverse("people:protection-edit", args=[person.pk]),
        )

    def page(form: ProtectionForm) -> HttpResponse:
        seen(request, person, "people:protection-edit")
        return render(
            request,
            "people/protection_form.html",
            {"form": form, "person": person_view(person, request.user), "may_lower": may_lower},
        )

    return handle_form(
        request,
        form,
        save=lambda data: services.set_protection_level(
            person,
            by=signed_in_user(request),
            level=data["level"],
            expected_version=data["version"],
        ),
        on_conflict=conflict,
        success=_("Skyddsnivån är sparad."),
        then=reverse("people:person-detail", args=[person.pk]),
        render=page,
    )
