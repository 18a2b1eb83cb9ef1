"""The follow-up of a commission: the handler or the provider records where each goal stands
(docs/red-thread.md, "Follow-up")."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from rodtrad.accounts.access import get_case_for, signed_in_user
from rodtrad.cases.models import CaseStatus
from rodtrad.commissions.models import Commission
from rodtrad.commissions.queries import get_commission_for
from rodtrad.commissions.services import is_violence_case
from rodtrad.followup import services as follow_ups
from rodtrad.followup.models import (
    CaseFollowUpBasis,
    CaseFollowUpContact,
    CaseFollowUpOutcome,
    FollowUpOutcome,
)
from rodtrad.investigation.forms import BLANK_CHOICE, date_field, text_field
from rodtrad.journal.services import record_access
from rodtrad.lib.forms import handle_form

YES_NO = [("yes", gettext_lazy("Ja")), ("no", gettext_lazy("Nej"))]


class FollowUpForm(forms.Form):
    held_on = date_field(gettext_lazy("Uppföljningen hölls"))
    child_view = text_field(gettext_lazy("Barnets syn på hur det går"), rows=3)
    child_view_missing_reason = text_field(gettext_lazy("Om barnets syn saknas: varför"), rows=2)
    guardians_view = text_field(gettext_lazy("Vårdnadshavarnas syn"), rows=3)
    provider_report = text_field(gettext_lazy("Utförarens rapport"), rows=3)
    violence_followed_up = forms.ChoiceField(
        label=gettext_lazy("Följdes våldet upp vid uppföljningen?"),
        choices=BLANK_CHOICE + YES_NO,
        required=False,
        help_text=gettext_lazy("Frågade ni barnet, enskilt, om våld sedan förra gången?"),
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Hur det går vidare"),
        choices=BLANK_CHOICE + list(FollowUpOutcome.choices),
    )
    note = text_field(gettext_lazy("Kommentar"), rows=2)

    def __init__(self, *args: Any, commission: Commission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = list(commission.goals.all())
        for goal in self.goals:
            self.fields[follow_ups.goal_field(goal.pk)] = forms.TypedChoiceField(
                label=goal.text,
                coerce=int,
                widget=forms.RadioSelect,
                choices=[
                    (str(level), f"{level:+d}: {text}" if level else f"0: {text}")
                    for level, text in goal.levels()
                ],
                error_messages={"required": gettext_lazy("Välj var målet står nu.")},
            )
        if not is_violence_case(commission.intervention):
            del self.fields["violence_followed_up"]
        # The goals first: they are what the follow-up is about.
        self.order_fields([follow_ups.goal_field(goal.pk) for goal in self.goals])

    def levels(self) -> dict[int, int | None]:
        return {
            goal.pk: cast("int | None", self.cleaned_data.get(follow_ups.goal_field(goal.pk)))
            for goal in self.goals
        }

    def violence(self) -> bool | None:
        answer = self.cleaned_data.get("violence_followed_up")
        return {"yes": True, "no": False}.get(answer or "")


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    commission = get_commission_for(request.user, pk)
    if not follow_ups.may_follow_up(request.user, commission):
        raise PermissionDenied
    form = FollowUpForm(
        request.POST or None,
        commission=commission,
        initial={"held_on": timezone.localdate()},
    )

    def page(form: FollowUpForm) -> HttpResponse:
        record_access(
            by=signed_in_user(request), case=commission.case, route="followup:follow-up-create"
        )
        return render(
            request,
            "followup/follow_up_form.html",
            {"form": form, "commission": commission, "case": commission.case},
        )

    return handle_form(
        request,
        form,
        save=lambda data: follow_ups.record_follow_up(
            commission,
            by=signed_in_user(request),
            held_on=data["held_on"],
            levels=form.levels(),
            outcome=data["outcome"],
            child_view=data.get("child_view", ""),
            child_view_missing_reason=data.get("child_view_missing_reason", ""),
            guardians_view=data.get("guardians_view", ""),
            provider_report=data.get("provider_report", ""),
            violence_followed_up=form.violence(),
            note=data.get("note", ""),
        ),
        success=_("Uppföljningen är sparad."),
        then=reverse("commissions:commission-detail", args=[commission.pk]) + "#uppfoljningar",
        render=page,
    )


class CaseFollowUpForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    ended_on = date_field(gettext_lazy("Uppföljningen avslutades"))
    start_informed_on = date_field(
        gettext_lazy("Barnet och vårdnadshavarna fick veta att uppföljningen började"),
        required=False,
        help_text=gettext_lazy(
            "Barnet från 15 år och vårdnadshavarna ska informeras när uppföljningen börjar "
            "och slutar (SoL 23 kap. 3 §)."
        ),
    )
    contacts = forms.MultipleChoiceField(
        label=gettext_lazy("Vilka har ni talat med?"),
        choices=CaseFollowUpContact.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    child_view = text_field(gettext_lazy("Barnets syn"), rows=3)
    child_view_missing_reason = text_field(gettext_lazy("Om barnets syn saknas: varför"), rows=2)
    guardians_view = text_field(gettext_lazy("Vårdnadshavarnas syn"), rows=3)
    findings = text_field(gettext_lazy("Hur har barnet det nu?"), required=True, rows=4)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Vad händer nu?"),
        choices=BLANK_CHOICE + list(CaseFollowUpOutcome.choices),
    )
    end_informed = forms.BooleanField(
        label=gettext_lazy(
            "Barnet (från 15 år) och vårdnadshavarna har fått veta att uppföljningen avslutas"
        ),
        required=False,
    )

    def __init__(self, *args: Any, statutory: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not statutory:
            del self.fields["start_informed_on"]
            del self.fields["end_informed"]

    def entry(self) -> follow_ups.CaseFollowUpEntry:
        data = self.cleaned_data
        return follow_ups.CaseFollowUpEntry(
            ended_on=data.get("ended_on"),
            findings=data.get("findings", ""),
            outcome=data.get("outcome", ""),
            contacts=tuple(data.get("contacts") or ()),
            child_view=data.get("child_view", ""),
            child_view_missing_reason=data.get("child_view_missing_reason", ""),
            guardians_view=data.get("guardians_view", ""),
            start_informed_on=data.get("start_informed_on"),
            end_informed=data.get("end_informed") if "end_informed" in self.fields else None,
        )


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def case_follow_up_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End the follow-up of a case with what it found (docs/red-thread.md, "The follow-up of
    a case")."""
    case = get_case_for(request.user, pk, for_edit=True)
    period = follow_ups.case_follow_up_period(case)
    form = CaseFollowUpForm(
        request.POST or None,
        statutory=period.is_statutory,
        initial={"version": case.version, "ended_on": timezone.localdate()},
    )

    def page(form: CaseFollowUpForm) -> HttpResponse:
        record_access(by=signed_in_user(request), case=case, route="followup:case-follow-up-end")
        return render(
            request,
            "followup/case_follow_up_form.html",
            {
                "form": form,
                "case": case,
                "period": period,
                "basis": CaseFollowUpBasis(period.basis).label,
                "not_following_up": case.status != CaseStatus.FOLLOW_UP,
            },
        )

    return handle_form(
        request,
        form,
        save=lambda data: follow_ups.end_case_follow_up(
            case, by=signed_in_user(request), expected_version=data["version"], entry=form.entry()
        ),
        success=_("Uppföljningen är avslutad och ärendet stängt."),
        then=reverse("cases:case-detail", args=[case.pk]),
        render=page,
    )


@login_required
@require_http_methods(["GET"])
def thread_breaks(request: HttpRequest) -> HttpResponse:
    """The team manager's list of cases whose red thread is broken: the case page's checks
    (followup/thread.py) for every case of the district with interventions."""
    from rodtrad.accounts import access
    from rodtrad.accounts.models import Role
    from rodtrad.followup import thread
    from rodtrad.journal.models import AccessAction
    from rodtrad.journal.services import record_accesses

    if not access.has_role(request.user, Role.TEAM_MANAGER):
        raise PermissionDenied
    cases = list(
        access.visible_cases(request.user, include_emergency=False)
        .filter(status__in=[CaseStatus.INTERVENTION, CaseStatus.FOLLOW_UP])
        .select_related("responsible")
        .order_by("pk")
    )
    by_case = thread.threads((case.pk for case in cases), today=timezone.localdate())
    rows = [
        (case, [by_case[case.pk].count(kind) for kind in thread.KINDS])
        for case in cases
        if by_case[case.pk].broken
    ]
    record_accesses(
        by=signed_in_user(request),
        cases=[case for case, _counts in rows],
        action=AccessAction.LISTED,
        route="followup:thread-breaks",
    )
    return render(request, "followup/thread_breaks.html", {"rows": rows, "checked": len(cases)})
