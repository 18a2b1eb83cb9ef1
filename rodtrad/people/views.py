"""People pages: search, a person's page, create and edit, relationships, protection, handlers.

Each view: parse → authorize (accounts/access.py; 404 outside scope) → call a service or query
→ render. Templates only ever get persons through `masking.person_view`. Identity numbers and
search terms travel in POST bodies, never in URLs (S31).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from rodtrad.accounts import access
from rodtrad.accounts.access import (
    CASE_ROLES,
    can,
    case_role_districts,
    editable_persons,
    get_person_for,
    has_role,
    may_see_protected_contact,
    visible_persons,
)
from rodtrad.accounts.models import District, User
from rodtrad.frameworks.queries import code_labels
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access, record_access_denied, record_accesses
from rodtrad.lib.forms import apply_service_errors
from rodtrad.lib.versioning import StaleVersion, display_value, render_conflict
from rodtrad.people import queries, services
from rodtrad.people.forms import (
    HandlerForm,
    PersonForm,
    PersonSearchForm,
    ProtectionForm,
    RelationshipEndForm,
    RelationshipForm,
)
from rodtrad.people.identity import InvalidIdentityNumber, parse_identity_number
from rodtrad.people.masking import person_view
from rodtrad.people.models import Person, ProtectionLevel, Relationship

GET_OR_POST = require_http_methods(["GET", "POST"])
# Identity numbers, names and addresses arrive in POST bodies: keep them out of error reports.
SENSITIVE_POST = sensitive_post_parameters()


def _seen(
    request: HttpRequest, person: Person, route: str, action: str = AccessAction.VIEWED
) -> None:
    record_access(by=access.signed_in_user(request), action=action, person=person, route=route)


# --- search -----------------------------------------------------------------------------------


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
                by=access.signed_in_user(request),
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
        },
    )


# --- a person's page --------------------------------------------------------------------------


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
    _seen(request, person, "people:person-detail")
    rows = _relationship_rows(request, queries.relationships_of(person), as_child=True)
    rows_as_other = _relationship_rows(
        request, queries.relationships_as_other(person), as_child=False
    )
    # The person's own cases and reports, as far as the reader may see them (one query each).
    cases = list(access.cases_of_child(request.user, person).select_related("responsible"))
    reports = list(access.reports_about(request.user, person).select_related("district"))
    kinds = code_labels("report-kinds") if reports else {}
    record_accesses(  # the related persons' names and the cases are shown on this page too
        by=access.signed_in_user(request),
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


# --- create and edit --------------------------------------------------------------------------


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
    duplicate = None
    number_refused = False
    if form.is_bound and form.is_valid():
        try:
            person = services.create_person(
                by=access.signed_in_user(request),
                district=form.chosen_district(),
                **form.person_values(),
            )
        except services.DuplicatePerson as exc:
            duplicate, number_refused = _answer_duplicate(
                request, form, exc, "people:person-create"
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Personen är registrerad."))
            return redirect("people:person-detail", pk=person.pk)
    return render(
        request,
        "people/person_form.html",
        {
            "form": form,
            "creating": True,
            "duplicate": duplicate,
            "number_refused": number_refused,
        },
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
    _seen(request, exc.existing, route, AccessAction.LISTED)
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
    include_contact = may_see_protected_contact(request.user, person)
    options: dict[str, Any] = {
        "creating": False,
        "include_contact": include_contact,
        "protection_level": person.protection_level,
    }
    if request.method == "POST":
        form = PersonForm(request.POST, **options)
    else:
        view = person_view(person, request.user)
        initial = {name: getattr(person, name) for name in services.EDITABLE_FIELDS}
        initial.update(identity_number=view.identity_number, version=person.version)
        form = PersonForm(initial=initial, **options)
    duplicate = None
    number_refused = False
    if form.is_bound and form.is_valid():
        changes = form.person_values()
        try:
            services.update_person(
                person,
                by=access.signed_in_user(request),
                expected_version=form.cleaned_data["version"],
                changes=changes,
            )
        except StaleVersion as exc:
            fresh = cast(Person, exc.current)
            _seen(request, fresh, "people:person-edit")
            current = person_view(fresh, request.user)
            fields = [(n, str(form.fields[n].label)) for n in changes]
            saved = {name: getattr(current, name) for name in changes if hasattr(current, name)} | {
                "legal_sex": current.legal_sex_label
            }
            submitted = {n: _submitted_display(form, n, v) for n, v in changes.items()}
            return render_conflict(
                request,
                title=_("Någon annan har ändrat personen"),
                current=saved,
                submitted=submitted,
                fields=fields,
                reload_url=reverse("people:person-edit", args=[person.pk]),
            )
        except services.DuplicatePerson as exc:
            duplicate, number_refused = _answer_duplicate(request, form, exc, "people:person-edit")
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Ändringarna är sparade."))
            return redirect("people:person-detail", pk=person.pk)
    _seen(request, person, "people:person-edit")
    return render(
        request,
        "people/person_form.html",
        {
            "form": form,
            "creating": False,
            "person": person_view(person, request.user),
            "duplicate": duplicate,
            "number_refused": number_refused,
        },
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
        initial={"level": person.protection_level, "version": person.version},
        current=person.protection_level,
        may_lower=may_lower,
    )
    if form.is_bound and form.is_valid():
        try:
            services.set_protection_level(
                person,
                by=access.signed_in_user(request),
                level=form.cleaned_data["level"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as exc:
            fresh = cast(Person, exc.current)
            _seen(request, fresh, "people:protection-edit")
            label = str(form.fields["level"].label)
            return render_conflict(
                request,
                title=_("Någon annan har ändrat personen"),
                current={"level": fresh.get_protection_level_display()},
                submitted={"level": ProtectionLevel(form.cleaned_data["level"]).label},
                fields=[("level", label)],
                reload_url=reverse("people:protection-edit", args=[person.pk]),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Skyddsnivån är sparad."))
            return redirect("people:person-detail", pk=person.pk)
    _seen(request, person, "people:protection-edit")
    return render(
        request,
        "people/protection_form.html",
        {"form": form, "person": person_view(person, request.user), "may_lower": may_lower},
    )


# --- relationships ----------------------------------------------------------------------------


@login_required
@GET_OR_POST
@SENSITIVE_POST
def relationship_add(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_person_for(request.user, pk, for_edit=True)
    form = RelationshipForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        # Only persons the user sees without an emergency grant can be linked (S16).
        other = queries.find_by_identity_number(
            request.user, data["other_identity_number"], include_emergency=False
        )
        if other is None:
            form.add_error(
                "other_identity_number",
                _(
                    "Det finns ingen person med det numret bland de personer du har tillgång "
                    "till. Registrera personen först och lägg sedan till relationen."
                ),
            )
        else:
            try:
                services.add_relationship(
                    child,
                    other,
                    by=access.signed_in_user(request),
                    kind=data["kind"],
                    has_custody=data["has_custody"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, {"other": "other_identity_number"})
            else:
                messages.success(request, _("Relationen är sparad."))
                return redirect("people:person-detail", pk=child.pk)
    _seen(request, child, "people:relationship-add")
    return render(
        request,
        "people/relationship_form.html",
        {"form": form, "person": person_view(child, request.user)},
    )


@login_required
@require_POST
@SENSITIVE_POST
def relationship_end(request: HttpRequest, pk: int) -> HttpResponse:
    relationship = queries.get_relationship_for(request.user, pk, for_edit=True)
    child = relationship.child
    form = RelationshipEndForm(request.POST)
    if form.is_valid():
        try:
            services.end_relationship(
                relationship,
                by=access.signed_in_user(request),
                valid_to=form.cleaned_data["valid_to"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as exc:
            _seen(request, child, "people:relationship-end")
            label = str(form.fields["valid_to"].label)
            current = cast(Relationship, exc.current)
            return render_conflict(
                request,
                title=_("Någon annan har ändrat relationen"),
                current={"valid_to": display_value(current.valid_to)},
                submitted={"valid_to": form.cleaned_data["valid_to"]},
                fields=[("valid_to", label)],
                reload_url=reverse("people:person-detail", args=[child.pk]),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Relationen är avslutad."))
            return redirect("people:person-detail", pk=child.pk)
    _seen(request, child, "people:relationship-end")
    return render(
        request,
        "people/relationship_end.html",
        {
            "form": form,
            "relationship": relationship,
            "person": person_view(child, request.user),
        },
    )


# --- protected-person handlers ----------------------------------------------------------------


def _person_for_handler_admin(request: HttpRequest, pk: int) -> Person:
    person = get_person_for(request.user, pk, for_edit=True)
    if not can(request.user, "appoint_protected_handler", person):
        # The user may see the person but the role may not name handlers: 403 (no leak, the
        # person is visible). Out-of-scope persons already got 404 above. Journaled.
        record_access_denied(
            by=access.signed_in_user(request), action=AccessAction.DENIED, person_id=person.pk
        )
        raise PermissionDenied
    return person


def _render_handlers(
    request: HttpRequest, person: Person, form: HandlerForm, remove_form: HandlerForm | None = None
) -> HttpResponse:
    _seen(request, person, "people:handler-appoint")
    return render(
        request,
        "people/handler_appoint.html",
        {
            "form": form,
            "remove_form": remove_form,
            "person": person_view(person, request.user),
            "handlers": queries.handlers_of(person),
            "proposals": _pending_proposals(person),
        },
    )


def _pending_proposals(person: Person) -> Any:
    """Handlers proposed by one team manager, waiting for a second (four eyes)."""
    from rodtrad.people.models import HandlerProposal

    return (
        HandlerProposal.objects.filter(person=person, status=HandlerProposal.Status.PENDING)
        .select_related("user", "proposed_by")
        .order_by("proposed_at", "pk")
    )


def _eligible_handlers(request: HttpRequest, person: Person) -> Any:
    # Nobody names themself: the user is not offered.
    return queries.eligible_handlers(person).exclude(pk=request.user.pk)


@login_required
@GET_OR_POST
@SENSITIVE_POST
def handler_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose a handler, or approve another team manager's proposal (the same form, or the
    "Godkänn" button of a waiting proposal), or decline a waiting proposal."""
    person = _person_for_handler_admin(request, pk)
    if request.method == "POST" and "decline-user" in request.POST:
        users = User.objects.filter(pk__in=_pending_proposals(person).values("user_id"))
        decline_form = HandlerForm(request.POST, users=users, prefix="decline")
        if decline_form.is_valid():
            try:
                services.decline_handler_proposal(
                    person, decline_form.cleaned_data["user"], by=access.signed_in_user(request)
                )
            except ValidationError as exc:
                apply_service_errors(decline_form, exc)
            else:
                messages.success(request, _("Förslaget är avslaget."))
                return redirect("people:handler-appoint", pk=person.pk)
        form = HandlerForm(users=_eligible_handlers(request, person))
        return _render_handlers(request, person, form, decline_form)
    form = HandlerForm(
        request.POST if request.method == "POST" else None,
        users=_eligible_handlers(request, person),
    )
    if form.is_bound and form.is_valid():
        try:
            handler = services.appoint_protected_handler(
                person, form.cleaned_data["user"], by=access.signed_in_user(request)
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if handler is None:
                messages.success(
                    request,
                    _(
                        "Förslaget är sparat. Handläggaren utses när en annan enhetschef i "
                        "stadsdelen har godkänt det."
                    ),
                )
            else:
                messages.success(request, _("Handläggaren är utsedd."))
            return redirect("people:handler-appoint", pk=person.pk)
    return _render_handlers(request, person, form)


@login_required
@require_POST
@SENSITIVE_POST
def handler_remove(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_for_handler_admin(request, pk)
    remove_form = HandlerForm(request.POST, users=queries.handler_users(person), prefix="remove")
    if remove_form.is_valid():
        try:
            services.remove_protected_handler(
                person, remove_form.cleaned_data["user"], by=access.signed_in_user(request)
            )
        except ValidationError as exc:
            apply_service_errors(remove_form, exc)
        else:
            messages.success(request, _("Handläggaren är borttagen."))
            return redirect("people:handler-appoint", pk=person.pk)
    form = HandlerForm(users=_eligible_handlers(request, person))
    return _render_handlers(request, person, form, remove_form)
