"""User administration, for the system administrator role only (no case or person content),
and the approval of proposed roles, for team managers (four eyes).

Anonymous visitors are sent to the login page (302); signed-in users without the
administrator role get 403. Every change goes through rodtrad.accounts.services and posts the
version of the user it was shown; a stale version gets the page back with status 409.

Roles that give access to case content are proposed here and approved by a team manager of
the district on the approvals page (`approval_list`); a team manager of another district gets
404 for the proposal, a role that never approves 403. No page here ever shows a user's
second-factor key: the user enrols the authenticator app at the first sign-in. The approval of
an account's first role with case access shows the team manager (never the administrator) a
one-time activation code, once; the team manager may issue a new one (`activation_code_issue`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from rodtrad.accounts import queries, services
from rodtrad.accounts.access import can, has_role, signed_in_user
from rodtrad.accounts.forms import (
    MembershipForm,
    ProposalDecisionForm,
    SetPasswordForm,
    UserCreateForm,
    VersionForm,
)
from rodtrad.accounts.models import Membership, MembershipProposal, ProposalStatus, Role, User
from rodtrad.lib.forms import handle_form

View = Callable[..., HttpResponse]


def administrator_required(view: View) -> View:
    """302 to login for anonymous, 403 for every role but the administrator."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can(request.user, "administer_users"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _post_only(view: View) -> View:
    """Authorisation first (302/403), then the method (405), so nothing leaks by method."""
    return administrator_required(require_POST(view))


@administrator_required
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/user_list.html", {"users": queries.users_with_memberships()})


@sensitive_post_parameters("password")
@administrator_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST if request.method == "POST" else None)

    def then(user: User) -> str:
        # After "Användaren har skapats": the role waits for a second administrator.
        if services.needs_second_person(form.cleaned_data["role"]):
            messages.info(request, str(PROPOSED))
        return reverse("accounts:user-detail", args=[user.pk])

    return handle_form(
        request,
        form,
        save=lambda data: services.create_user(
            by=signed_in_user(request),
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            title=data["title"],
            password=data["password"],
            role=data["role"],
            district=data["district"],
            unit=data["unit"],
        ),
        success=_("Användaren har skapats."),
        then=then,
        render=lambda form: render(request, "accounts/user_create.html", {"form": form}),
    )


def _detail(
    request: HttpRequest,
    user: User,
    *,
    membership_form: MembershipForm | None = None,
    password_form: SetPasswordForm | None = None,
    action_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "subject": user,
        "memberships": queries.memberships_of(user),
        "membership_form": membership_form or MembershipForm(initial={"version": user.version}),
        "password_form": password_form or SetPasswordForm(initial={"version": user.version}),
        "action_errors": action_errors or [],
        "is_self": user.pk == request.user.pk,
        "proposals": queries.proposals_of(user),
        "has_second_factor": queries.has_second_factor(user),
        "pending_activation": queries.pending_activation_of(user),
    }
    return render(request, "accounts/user_detail.html", context, status=status)


PROPOSED = gettext_lazy(
    "Rollen ger tillgång till ärenden och är föreslagen. Den gäller först när en enhetschef i "
    "stadsdelen har godkänt den."
)
STALE = gettext_lazy(
    "Användaren har ändrats sedan sidan visades. Kontrollera uppgifterna och försök igen."
)
INCOMPLETE = gettext_lazy("Formuläret var ofullständigt. Ladda om sidan och försök igen.")


def _version_problem(form: VersionForm, user: User) -> tuple[str, int] | None:
    """(message, status) when the posted version is missing (200) or stale (409)."""
    if "version" in form.errors or not form.cleaned_data.get("version"):
        return str(INCOMPLETE), 200
    if form.cleaned_data["version"] != user.version:
        return str(STALE), 409
    return None


@administrator_required
@require_http_methods(["GET"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(User, pk=pk))


@_post_only
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = VersionForm(request.POST)
    form.is_valid()
    problem = _version_problem(form, user)
    if problem:
        return _detail(request, user, action_errors=[problem[0]], status=problem[1])
    try:
        services.deactivate_user(user, by=signed_in_user(request))
    except ValidationError as exc:
        return _detail(request, user, action_errors=exc.messages)
    messages.success(request, _("Användaren är inaktiverad och alla inloggningar är avslutade."))
    return redirect("accounts:user-detail", pk=user.pk)


@_post_only
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = MembershipForm(request.POST)
    valid = form.is_valid()
    problem = _version_problem(form, user)
    if problem:
        return _detail(
            request, user, membership_form=form, action_errors=[problem[0]], status=problem[1]
        )
    if not valid:
        return _detail(request, user, membership_form=form)
    four_eyes = services.needs_second_person(form.cleaned_data["role"])
    grant = services.propose_membership if four_eyes else services.add_membership
    return handle_form(
        request,
        form,
        save=lambda data: grant(
            user,
            by=signed_in_user(request),
            role=data["role"],
            district=data["district"],
            unit=data["unit"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
        ),
        success=(
            str(PROPOSED)
            if four_eyes
            else _("Rollen är tillagd. Användarens inloggningar avslutades.")
        ),
        then=reverse("accounts:user-detail", args=[user.pk]),
        render=lambda form: _detail(request, user, membership_form=form),
    )


@_post_only
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    user = membership.user
    form = VersionForm(request.POST)
    form.is_valid()
    problem = _version_problem(form, user)
    if problem:
        return _detail(request, user, action_errors=[problem[0]], status=problem[1])
    try:
        services.end_membership(membership, by=signed_in_user(request))
    except ValidationError as exc:
        return _detail(request, user, action_errors=exc.messages)
    messages.success(request, _("Rollen är avslutad. Användarens inloggningar avslutades."))
    return redirect("accounts:user-detail", pk=user.pk)


@sensitive_post_parameters("password")
@_post_only
def user_set_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = SetPasswordForm(request.POST)
    valid = form.is_valid()
    problem = _version_problem(form, user)
    if problem:
        return _detail(
            request, user, password_form=form, action_errors=[problem[0]], status=problem[1]
        )
    if valid:
        try:
            services.set_password(
                user, by=signed_in_user(request), password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            form.add_error("password", exc.messages)
        else:
            if user.pk == request.user.pk:
                logout(request)  # the service already deleted this session on the server
                return redirect("accounts:login")
            messages.success(
                request, _("Lösenordet är bytt. Användarens alla inloggningar avslutades.")
            )
            return redirect("accounts:user-detail", pk=user.pk)
    return _detail(request, user, password_form=form)


# --- Approvals (four eyes) --------------------------------------------------------------------


def approver_required(view: View) -> View:
    """302 to login for anonymous; team managers (approve in their districts) and
    administrators (see and withdraw) only, 403 for every other role."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not has_role(request.user, Role.TEAM_MANAGER, Role.ADMINISTRATOR):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _approvals(
    request: HttpRequest, *, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    context = {
        "rows": queries.pending_proposals_for(user),
        "awaiting_activation": queries.awaiting_activation_for(user),
        "handler_proposals": queries.pending_handler_proposals_for(user),
        "is_administrator": can(user, "administer_users"),
        "action_errors": errors or [],
    }
    return render(request, "accounts/approval_list.html", context, status=status)


@approver_required
@require_http_methods(["GET"])
def approval_list(request: HttpRequest) -> HttpResponse:
    """Roles waiting for a second person: approve or decline (team manager of the district),
    or withdraw (administrator)."""
    return _approvals(request)


def _proposal_in_scope(request: HttpRequest, pk: int) -> MembershipProposal:
    """The proposal, if the user may act on it: out of scope (another district, or the user's
    own grant) is 404 like everywhere else."""
    user = signed_in_user(request)
    queryset = MembershipProposal.objects.select_related("district", "user")
    proposal = get_object_or_404(queryset, pk=pk)
    if can(user, "administer_users"):
        return proposal
    if proposal.user_id == user.pk or not services.is_district_team_manager(
        user, proposal.district_id
    ):
        raise Http404
    return proposal


@approver_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_in_scope(request, pk)
    user = signed_in_user(request)
    form = ProposalDecisionForm(request.POST)
    if not form.is_valid():
        return _approvals(request, errors=[str(INCOMPLETE)])
    decision = form.cleaned_data["decision"]
    try:
        if decision == "approve":
            approval = services.approve_membership_proposal(proposal, by=user)
        else:
            services.decline_membership_proposal(proposal, by=user)
    except ValidationError as exc:
        return _approvals(request, errors=exc.messages)
    if decision == "approve":
        if approval.activation_code is not None:
            # Shown once, in the answer to the approval; a reload posts again and is refused.
            return _activation_code_page(request, approval.activation_code, approved=True)
        messages.success(
            request, _("Rollen är godkänd och gäller nu. Användarens inloggningar avslutades.")
        )
    elif proposal.status == ProposalStatus.DECLINED:
        messages.success(request, _("Förslaget är avslaget."))
    return redirect("accounts:approval-list")


def _activation_code_page(
    request: HttpRequest, issued: services.IssuedActivationCode, *, approved: bool
) -> HttpResponse:
    return render(
        request,
        "accounts/activation_code_issued.html",
        {"issued": issued, "approved": approved},
    )


def team_manager_required(view: View) -> View:
    """302 to login for anonymous; team managers only, 403 for every other role (the
    administrator too: an activation code is never shown to the administrator)."""

    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not has_role(request.user, Role.TEAM_MANAGER):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@team_manager_required
@require_POST
def activation_code_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """A new activation code for an account in the team manager's districts that has not been
    activated yet (the old code stops working). Another district's account is 404."""
    manager = signed_in_user(request)
    subject = get_object_or_404(User, pk=pk)
    if not services.may_issue_activation_code(manager, subject):
        raise Http404
    form = VersionForm(request.POST)
    form.is_valid()
    problem = _version_problem(form, subject)
    if problem:
        return _approvals(request, errors=[problem[0]], status=problem[1])
    try:
        issued = services.issue_activation_code(subject, by=manager)
    except ValidationError as exc:
        return _approvals(request, errors=exc.messages)
    return _activation_code_page(request, issued, approved=False)
