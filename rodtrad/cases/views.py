"""Case pages: the list of visible cases, the case page, and emergency access."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rodtrad.accounts import access
from rodtrad.accounts.models import EmergencyAccess, Role
from rodtrad.cases import services
from rodtrad.cases.forms import AssignResponsibleForm, EmergencyAccessForm, ReviewForm
from rodtrad.journal.models import AccessAction, AccessEvent
from rodtrad.journal.services import record_access, record_accesses
from rodtrad.lib.forms import apply_service_errors


def _require_case_role(request: HttpRequest) -> None:
    if not access.has_role(request.user, *access.CASE_ROLES):
        raise PermissionDenied


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    _require_case_role(request)
    cases = list(
        access.visible_cases(request.user)
        .select_related("responsible")
        .order_by("status", "-recorded_at")[:200]
    )
    record_accesses(
        by=request.user, cases=cases, action=AccessAction.LISTED, route="cases:case-list"
    )
    return render(request, "cases/case_list.html", {"cases": cases})


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_case_for(request.user, pk)
    grant = access.emergency_access_for(request.user, case)
    record_access(by=request.user, case=case, route="cases:case-detail", emergency_access=grant)
    colleagues = []
    can_assign = grant is None and access.has_role(request.user, Role.TEAM_MANAGER)
    if can_assign:
        colleagues = [
            u
            for u in get_user_model()
            .objects.filter(memberships__district=case.district, is_active=True)
            .distinct()
            if access.can(u, "edit_case", case)
        ]
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "emergency": grant,
            "can_assign": can_assign,
            "colleagues": colleagues,
        },
    )


@login_required
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_case_for(request.user, pk, for_edit=True)
    if not access.has_role(request.user, Role.TEAM_MANAGER):
        raise PermissionDenied
    form = AssignResponsibleForm(request.POST)
    if not form.is_valid():
        return redirect("cases:case-detail", pk=case.pk)
    responsible = (
        get_user_model().objects.filter(pk=form.cleaned_data["responsible"], is_active=True).first()
    )
    if responsible is None:
        raise Http404
    from rodtrad.lib.versioning import StaleVersion

    try:
        services.assign_responsible(
            case,
            by=request.user,
            responsible=responsible,
            expected_version=form.cleaned_data["version"],
        )
    except StaleVersion:
        from django.contrib import messages
        from django.utils.translation import gettext as _

        messages.error(
            request, _("Någon annan ändrade ärendet samtidigt. Kontrollera och försök igen.")
        )
    except ValidationError as exc:
        from django.contrib import messages

        messages.error(request, " ".join(exc.messages))
    return redirect("cases:case-detail", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
def emergency_request(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, "request_emergency_access"):
        raise PermissionDenied
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.request_emergency_access(
                by=request.user,
                identity_number=form.cleaned_data["identity_number"],
                reason=form.cleaned_data["reason"],
            )
        except services.AlreadyInScope as exc:
            return redirect("cases:case-detail", pk=exc.case.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if grant.status == "active":
                return redirect("cases:case-detail", pk=grant.case_id)
            return render(request, "cases/emergency_pending.html", {"grant": grant})
    return render(request, "cases/emergency_request.html", {"form": form})


def _manager_grant(request: HttpRequest, pk: int) -> EmergencyAccess:
    if not access.has_role(request.user, Role.TEAM_MANAGER):
        raise PermissionDenied
    try:
        return services.reviewable_emergency_accesses(request.user).get(pk=int(pk))
    except EmergencyAccess.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def emergency_review_list(request: HttpRequest) -> HttpResponse:
    if not access.has_role(request.user, Role.TEAM_MANAGER):
        raise PermissionDenied
    grants = list(
        services.reviewable_emergency_accesses(request.user)
        .select_related("case", "user", "reviewed_by")
        .order_by("-requested_at")[:200]
    )
    # Every read made through each grant (S16/S19): the journal ties each one to its grant.
    # Grants are few and short, so their reads are read in one query.
    reads: dict[int, list[AccessEvent]] = {g.pk: [] for g in grants}
    events = AccessEvent.objects.filter(emergency_access_id__in=list(reads)).order_by(
        "occurred_at", "id"
    )
    for event in events:
        reads[event.emergency_access_id or 0].append(event)
    rows = [(g, reads[g.pk]) for g in grants]
    return render(
        request,
        "cases/emergency_review_list.html",
        {"rows": rows, "form": ReviewForm()},
    )


@login_required
@require_POST
def emergency_review(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _manager_grant(request, pk)
    form = ReviewForm(request.POST)
    from django.contrib import messages

    if form.is_valid():
        try:
            services.review_emergency_access(grant, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        from django.utils.translation import gettext as _

        messages.error(request, _("Skriv en kommentar om granskningen."))
    return redirect("cases:emergency-review-list")


@login_required
@require_POST
def emergency_approve(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _manager_grant(request, pk)
    from django.contrib import messages

    try:
        services.approve_emergency_access(grant, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("cases:emergency-review-list")


@login_required
@require_POST
def emergency_reject(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _manager_grant(request, pk)
    from django.contrib import messages

    try:
        services.reject_emergency_access(grant, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("cases:emergency-review-list")
