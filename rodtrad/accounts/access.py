"""Who may see what. The only way views and the API read cases and persons
(docs/principles.md rule 2).

Scope rules (docs/architecture.md, "Access rules"):
* Case roles (intake worker, investigator, team manager) see the cases of their district; a
  membership narrowed to a unit sees that unit's cases, plus cases where the user is responsible.
* They see the persons of their district (the person register is searched when reports come in),
  plus the children of every case they see and those children's related persons.
* Provider, analyst, reviewer and administrator see no case or person through these functions
  (providers get their commissions through commissions/, reviewers their sampled cases through
  audits/queries.py, docs/internal-control.md).
* Emergency access ("break the glass") adds one case, read-only, until it expires.
* Outside scope the answer is Http404, never 403: existence is not leaked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpRequest
from django.utils import timezone

from rodtrad.accounts.models import (
    District,
    EmergencyAccess,
    EmergencyAccessStatus,
    Membership,
    Role,
    User,
)
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access_denied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rodtrad.cases.models import Case
    from rodtrad.intake.models import Report
    from rodtrad.people.models import Person, Relationship

CASE_ROLES = frozenset({Role.INTAKE_WORKER, Role.INVESTIGATOR, Role.TEAM_MANAGER})
# Roles allowed to ask for emergency access to a case outside their scope.
EMERGENCY_ROLES = CASE_ROLES


# Memberships change rarely and are read many times per request (every access check). They
# are cached on the user object for the day, and the cache is dropped whenever any membership
# is saved or deleted in this process; a user object lives for one request, which bounds how
# long another process's change can go unseen.
_membership_generation = 0
# The attribute on the user object that holds ((generation, day), memberships). The model does
# not declare it (it lives for one request), hence getattr/setattr by name.
_MEMBERSHIPS_CACHE = "_rodtrad_memberships"


def _memberships_changed(**kwargs: object) -> None:
    global _membership_generation
    _membership_generation += 1


post_save.connect(_memberships_changed, sender=Membership, dispatch_uid="access-memberships")
post_delete.connect(_memberships_changed, sender=Membership, dispatch_uid="access-memberships")


def signed_in_user(request: HttpRequest) -> User:
    """request.user behind login_required, typed as our User: the `by=` of every service and
    journal call a view makes (an anonymous request never gets that far)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def active_memberships(user: User | AnonymousUser) -> list[Membership]:
    """Memberships valid today for an active, authenticated user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    today = timezone.localdate()
    # Every membership of the user is read once per user object and change of memberships
    # (a request's user lives for one request; the demo's replay keeps its users for months of
    # history, and a date condition in the query made each new day a new query).
    cached = getattr(user, _MEMBERSHIPS_CACHE, None)
    if cached is None or cached[0] != _membership_generation:
        cached = (
            _membership_generation,
            list(Membership.objects.filter(user=user).select_related("district", "unit")),
        )
        setattr(user, _MEMBERSHIPS_CACHE, cached)
    return [
        m
        for m in cached[1]
        if m.valid_from <= today and (m.valid_to is None or m.valid_to >= today)
    ]


def active_roles(user: User | AnonymousUser) -> set[str]:
    return {m.role for m in active_memberships(user)}


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return bool(active_roles(user) & set(roles))


def case_role_districts(user: User | AnonymousUser) -> set[int]:
    return {
        m.district_id
        for m in active_memberships(user)
        if m.role in CASE_ROLES and m.district_id is not None
    }


def intake_districts(user: User | AnonymousUser) -> set[int]:
    """Districts whose reports the user handles: case roles in the district's intake unit or
    for the whole district. Reports stay with intake after a case passes to investigation
    (the reporter is answered by intake, SoL 19:6)."""
    return {
        m.district_id
        for m in active_memberships(user)
        if m.role in CASE_ROLES
        and m.district_id is not None
        and (m.unit is None or m.unit.kind == "intake")
    }


def case_scope_parts(user: User | AnonymousUser) -> list[Q]:
    """The alternatives of the user's case scope, without emergency grants: a case is in the
    scope when it matches one of them. Each is answered by an index on its own; a query that
    asks per row (such as the case list's "who is responsible", an EXISTS per user) asks each
    part apart, because SQLite reads an OR of them through one index only."""
    parts = []
    for m in active_memberships(user):
        if m.role not in CASE_ROLES or m.district_id is None:
            continue
        if m.unit_id is None:
            parts.append(Q(district_id=m.district_id))
        else:
            parts.append(Q(district_id=m.district_id, unit_id=m.unit_id))
            parts.append(Q(district_id=m.district_id, responsible=user))
    return parts


def _case_scope(user: User | AnonymousUser) -> Q:
    scope = Q(pk__in=[])
    for part in case_scope_parts(user):
        scope |= part
    return scope


def _is_in_case_scope(user: User | AnonymousUser, case: Case) -> bool:
    """`_case_scope` evaluated on one loaded case, without a query (the same rules)."""
    for m in active_memberships(user):
        if m.role not in CASE_ROLES or m.district_id is None:
            continue
        if m.district_id != case.district_id:
            continue
        if m.unit_id is None or m.unit_id == case.unit_id or case.responsible_id == user.pk:
            return True
    return False


def active_emergency_accesses(user: User | AnonymousUser) -> QuerySet[EmergencyAccess]:
    if user is None or not user.is_authenticated:
        return EmergencyAccess.objects.none()
    now = timezone.now()
    return EmergencyAccess.objects.filter(
        user=user,
        status=EmergencyAccessStatus.ACTIVE,
        starts_at__lte=now,
        expires_at__gt=now,
    )


def _model(app_label: str, name: str) -> type[Model]:
    """A model of an app above accounts, by its label (as a ForeignKey("cases.Case") names
    it): this module decides who sees cases, persons and reports, but accounts is below those
    apps in the layers and imports none of their code (docs/architecture.md, "Layers")."""
    return apps.get_model(app_label, name)


def visible_cases(user: User | AnonymousUser, *, include_emergency: bool = True) -> QuerySet[Case]:
    """Every case the user may read; the base of every case query in views and the API."""
    Case = cast("type[Case]", _model("cases", "Case"))
    scope = _case_scope(user)
    if include_emergency:
        scope |= Q(pk__in=active_emergency_accesses(user).values("case_id"))
    return Case._default_manager.filter(scope).select_related("child", "district", "unit")


def editable_cases(user: User | AnonymousUser) -> QuerySet[Case]:
    """Cases the user may change: the scope without emergency grants (those are read-only)."""
    return visible_cases(user, include_emergency=False)


def not_found(
    user: User | AnonymousUser,
    *,
    case_id: int | str | None = None,
    person_id: int | str | None = None,
    report_id: int | str | None = None,
    report_child_id: int | str | None = None,
) -> Http404:
    """The answer to an out-of-scope or missing lookup: a `denied` access event (S11) and a
    404 to raise. Every `get_*_for` in the apps ends here on a miss, with the id it was given:
    the event names the route (the request's) and, where the object exists, its case and
    person (a report: each child's), so that log review sees what was tried (S19)."""
    if user is not None and user.is_authenticated:
        record_access_denied(
            by=user,
            action=AccessAction.DENIED,
            case_id=parse_id(case_id) or None,
            person_id=parse_id(person_id) or None,
            report_id=parse_id(report_id) or None,
            report_child_id=parse_id(report_child_id) or None,
        )
    return Http404()


def parse_id(value: int | str | None) -> int:
    """An id from a URL or form as an int that fits the column; 0 (matches nothing) for
    crafted input."""
    if value is None:
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


def get_case_for(
    user: User | AnonymousUser, pk: int | str | None, *, for_edit: bool = False
) -> Case:
    """The case with this id if the user may see (or edit) it; otherwise Http404."""
    queryset = editable_cases(user) if for_edit else visible_cases(user)
    number = parse_id(pk)  # crafted input (not a number, out of range) matches nothing
    if not number:
        raise not_found(user, case_id=pk)
    try:
        return queryset.get(pk=number)
    except queryset.model.DoesNotExist as exc:
        raise not_found(user, case_id=pk) from exc


# The commission statuses (commissions.CommissionStatus) in which the provider unit it was sent
# to sees it: sent and accepted. commissions.services.SHOWN_TO_PROVIDER is the same (a test
# holds them equal); this module names them as strings, being below the commissions app.
COMMISSION_STATUSES_SHOWN_TO_PROVIDER = ("sent", "accepted")


def provider_unit_ids(user: User | AnonymousUser) -> set[int]:
    """The units in which the user works as a provider."""
    return {
        m.unit_id
        for m in active_memberships(user)
        if m.role == Role.PROVIDER and m.unit_id is not None
    }


def is_provider_of_intervention(user: User | AnonymousUser, intervention_id: int) -> bool:
    """Whether a commission for the intervention was sent to a unit where the user is a
    provider (and not replaced or withdrawn): the provider who carries the intervention out,
    and may say when it started (docs/red-thread.md, "Commissions")."""
    units = provider_unit_ids(user)
    if not units:
        return False
    Commission = _model("commissions", "Commission")
    return bool(
        Commission._default_manager.filter(
            intervention_id=intervention_id,
            provider_unit_id__in=units,
            status__in=COMMISSION_STATUSES_SHOWN_TO_PROVIDER,
        ).exists()
    )


def emergency_access_for(user: User | AnonymousUser, case: Case) -> EmergencyAccess | None:
    """The emergency grant through which the user sees this case, if that is the only way."""
    if editable_cases(user).filter(pk=case.pk).exists():
        return None
    return active_emergency_accesses(user).filter(case=case).first()


def visible_persons(
    user: User | AnonymousUser, *, include_emergency: bool = True
) -> QuerySet[Person]:
    """Every person the user may read.

    `include_emergency=False` leaves out what an emergency grant adds (the granted child and
    that child's related persons): a write that links persons together must only use persons
    the user sees without a grant, or the link would outlive the grant (docs/security.md, S16).
    """
    Person = cast("type[Person]", _model("people", "Person"))
    Relationship = cast("type[Relationship]", _model("people", "Relationship"))
    districts = case_role_districts(user)
    cases = visible_cases(user, include_emergency=include_emergency)
    children = cases.values("child_id")
    related = Relationship._default_manager.filter(child_id__in=children).values("other_id")
    scope = Q(district_id__in=districts) | Q(pk__in=children) | Q(pk__in=related)
    return Person._default_manager.filter(scope).select_related("district")


def cases_of_child(user: User | AnonymousUser, person: Person) -> QuerySet[Case]:
    """The cases about this child that the user may see, newest first (one query)."""
    return visible_cases(user).filter(child_id=person.pk).order_by("-recorded_at", "-pk")


def report_scope(user: User | AnonymousUser, *, for_edit: bool = False) -> Q:
    """A report is the user's if it came to their district's intake, or if the user may see
    (or change) one of its children's cases (reports stay with intake, SoL 19:6)."""
    cases = editable_cases(user) if for_edit else visible_cases(user)
    return Q(children__case_id__in=cases.values("pk")) | Q(district_id__in=intake_districts(user))


def reports_about(user: User | AnonymousUser, person: Person) -> QuerySet[Report]:
    """The reports about this child that the user may read, newest first (one query)."""
    Report = cast("type[Report]", _model("intake", "Report"))
    return (
        Report._default_manager.filter(report_scope(user))
        .filter(children__child_id=person.pk)
        .distinct()
        .order_by("-received_at", "-pk")
    )


def editable_persons(user: User | AnonymousUser) -> QuerySet[Person]:
    """Persons the user may change: own district or children of cases the user may edit."""
    Person = cast("type[Person]", _model("people", "Person"))
    districts = case_role_districts(user)
    children = editable_cases(user).values("child_id")
    return Person._default_manager.filter(Q(district_id__in=districts) | Q(pk__in=children))


def get_person_for(
    user: User | AnonymousUser, pk: int | str | None, *, for_edit: bool = False
) -> Person:
    queryset = editable_persons(user) if for_edit else visible_persons(user)
    number = parse_id(pk)  # crafted input (not a number, out of range) matches nothing
    if not number:
        raise not_found(user, person_id=pk)
    try:
        return queryset.get(pk=number)
    except queryset.model.DoesNotExist as exc:
        raise not_found(user, person_id=pk) from exc


def may_see_protected_contact(user: User | AnonymousUser, person: Person) -> bool:
    """Address and contact data of a protected person: only for its named handlers."""
    if not person.is_protected:
        return True
    return bool(person.handlers.filter(pk=user.pk).exists())


def statistics_districts(user: User | AnonymousUser) -> QuerySet[District]:
    """Districts whose aggregates the user may see on the statistics pages (docs/statistics.md,
    "The dashboard"): the analyst every district, a team manager the districts of their team
    manager roles, every other role none (deny by default). Aggregates only: no case or person
    becomes visible through this."""
    roles = active_roles(user)
    districts = District.objects.order_by("name", "code")
    if Role.ANALYST in roles:
        return districts
    managed = {
        m.district_id
        for m in active_memberships(user)
        if m.role == Role.TEAM_MANAGER and m.district_id is not None
    }
    return districts.filter(pk__in=managed)


def can(user: User | AnonymousUser, action: str, obj: Case | Person | None = None) -> bool:
    """Named permissions that are not about scope alone."""
    roles = active_roles(user)
    if action in {"administer_users", "administer_code_lists", "import_data"}:
        # import_data: `rodtrad import …`, historical data (docs/import-format.md).
        return Role.ADMINISTRATOR in roles
    if action == "create_person":
        return bool(roles & CASE_ROLES)
    if action == "request_emergency_access":
        return bool(roles & EMERGENCY_ROLES)
    if action == "review_emergency_access":
        return Role.TEAM_MANAGER in roles
    if action == "appoint_protected_handler":
        return (
            Role.TEAM_MANAGER in roles
            and obj is not None
            and obj.district_id
            in {m.district_id for m in active_memberships(user) if m.role == Role.TEAM_MANAGER}
        )
    if action == "view_case":
        return obj is not None and visible_cases(user).filter(pk=obj.pk).exists()
    if action == "edit_case":
        # Grants never allow edits, so the scope rules decide alone; services pass a case
        # they have just read (usually under a row lock), so no second query is needed.
        return isinstance(obj, _model("cases", "Case")) and _is_in_case_scope(
            user, cast("Case", obj)
        )
    if action == "view_person":
        return obj is not None and visible_persons(user).filter(pk=obj.pk).exists()
    if action == "edit_person":
        return obj is not None and editable_persons(user).filter(pk=obj.pk).exists()
    return False  # deny by default
