"""Pages of the decisions and interventions (docs/red-thread.md). Thin: the services decide,
`handle_form` runs every form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from rodtrad.accounts import access
from rodtrad.accounts.access import signed_in_user
from rodtrad.accounts.models import Role
from rodtrad.cases.models import Case, CaseStatus
from rodtrad.deadlines import registry, rules
from rodtrad.decisions import forms, queries, services
from rodtrad.decisions.models import GRANTING_KINDS, Decision, DecisionKind, Intervention
from rodtrad.frameworks.queries import code_label, code_labels
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access, record_accesses
from rodtrad.lib.forms import handle_form, initial_from
from rodtrad.people import queries as people_queries

GET_OR_POST = require_http_methods(["GET", "POST"])
SENSITIVE_POST = sensitive_post_parameters()


def _page(
    request: HttpRequest, template: str, case: Case, route: str, context: dict[str, Any]
) -> HttpResponse:
    """A page that shows the case: one access event, with the emergency grant if any."""
    grant = access.emergency_access_for(request.user, case)
    record_access(by=signed_in_user(request), case=case, route=route, emergency_access=grant)
    return render(request, template, {"case": case, "emergency": grant, **context})


def _case_url(case: Case) -> str:
    return reverse("cases:case-detail", args=[case.pk]) + "#beslut"


def _decider_case(request: HttpRequest, pk: int) -> Case:
    case = access.get_case_for(request.user, pk, for_edit=True)
    if not services.may_decide(request.user, case):
        raise PermissionDenied
    return case


KIND_HELP = {
    DecisionKind.GRANTED: _("En öppenvårdsinsats beviljas, t.ex. familjebehandling."),
    DecisionKind.PLACEMENT: _("Barnet placeras utanför hemmet, t.ex. i familjehem eller HVB."),
    DecisionKind.REFUSED: _("Det som har sökts eller föreslagits beviljas inte."),
    DecisionKind.NO_INTERVENTION: _("Utredningen avslutas utan insats."),
    DecisionKind.LVU_APPLICATION: _("Nämnden ansöker om vård enligt LVU hos förvaltningsrätten."),
    DecisionKind.FOLLOW_UP: _("Nämnden följer upp barnets situation i högst sex månader."),
}


@login_required
@GET_OR_POST
@SENSITIVE_POST
def decision_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a decision: first its kind (a choice of links), then the form for that kind."""
    case = _decider_case(request, pk)
    kind = request.POST.get("kind") or request.GET.get("slag") or ""
    allowed = [k for k in DecisionKind if case.status in services.ALLOWED_FROM[k]]
    if kind not in {k.value for k in allowed}:
        return _page(
            request,
            "decisions/decision_kind.html",
            case,
            "decisions:decision-create",
            {"kinds": [(k, k.label, KIND_HELP[k]) for k in allowed]},
        )
    form = forms.DecisionForm(
        request.POST or None,
        case=case,
        kind=kind,
        initial={"decided_on": timezone.localdate(), "kind": kind},
    )

    def save(data: dict[str, Any]) -> Decision:
        return services.record_decision(
            case,
            by=signed_in_user(request),
            kind=kind,
            legal_ground=data["legal_ground"],
            level=data["level"],
            minutes_reference=data.get("minutes_reference", ""),
            decided_on=data["decided_on"],
            reasons=data["reasons"],
            effective_from=data.get("effective_from"),
            effective_to=data.get("effective_to"),
            review_on=data.get("review_on"),
            need_ids=[int(i) for i in data.get("needs") or []],
            no_needs_reason=data.get("no_needs_reason", ""),
            replaces_id=int(data["replaces"]) if data.get("replaces") else None,
            close_case=bool(data.get("close_case")),
            granted=form.granted() if kind in GRANTING_KINDS else None,
        )

    return handle_form(
        request,
        form,
        save=save,
        success=_("Beslutet är registrerat och signerat."),
        then=lambda decision: reverse("decisions:decision-detail", args=[decision.pk]),
        render=lambda form: _page(
            request,
            "decisions/decision_form.html",
            case,
            "decisions:decision-create",
            {"form": form, "kind_label": DecisionKind(kind).label, "kind": kind},
        ),
    )


@login_required
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = queries.get_decision_for(request.user, pk)
    case = decision.case
    parties = people_queries.parties_of_child(case.child, on=decision.decided_on)
    notified = {notice.recipient_id for notice in decision.notices.all()}
    intervention = Intervention.objects.filter(decision=decision).select_related("provider_unit")
    granted = intervention.first()
    return _page(
        request,
        "decisions/decision_detail.html",
        case,
        "decisions:decision-detail",
        {
            "decision": decision,
            "legal_ground": code_label("legal-grounds", decision.legal_ground),
            "intervention": granted,
            "intervention_label": code_label("intervention-catalogue", granted.catalogue_code)
            if granted
            else "",
            "notices": decision.notices.select_related("recipient"),
            "not_notified": [p for p in parties if p.person.pk not in notified],
            "can_edit": access.can(request.user, "edit_case", case),
            "replaced_by": decision.replaced_by.first(),
        },
    )


@login_required
@GET_OR_POST
def notice_create(request: HttpRequest, pk: int) -> HttpResponse:
    decision = queries.get_decision_for(request.user, pk)
    case = access.get_case_for(request.user, decision.case_id, for_edit=True)
    parties = people_queries.parties_of_child(case.child, on=decision.decided_on)
    form = forms.NoticeForm(
        request.POST or None, parties=parties, initial={"notified_on": timezone.localdate()}
    )
    return handle_form(
        request,
        form,
        save=lambda data: services.record_notice(
            decision,
            by=signed_in_user(request),
            recipient=form.person(),
            notified_on=data["notified_on"],
            channel=data["channel"],
        ),
        success=_("Det är registrerat att beslutet har lämnats."),
        then=reverse("decisions:decision-detail", args=[decision.pk]),
        render=lambda form: _page(
            request,
            "decisions/notice_form.html",
            case,
            "decisions:notice-create",
            {"form": form, "decision": decision},
        ),
    )


@login_required
@GET_OR_POST
@SENSITIVE_POST
def close_without_decision(request: HttpRequest, pk: int) -> HttpResponse:
    case = _decider_case(request, pk)
    return handle_form(
        request,
        forms.CloseWithoutDecisionForm(request.POST or None, initial={"version": case.version}),
        save=lambda data: services.close_without_decision(
            case,
            by=signed_in_user(request),
            expected_version=data["version"],
            reason=data["reason"],
            note=data["note"],
        ),
        success=_("Ärendet är avslutat utan beslut."),
        then=_case_url(case),
        render=lambda form: _page(
            request,
            "decisions/simple_form.html",
            case,
            "decisions:close-without-decision",
            {
                "form": form,
                "heading": _("Avsluta ärendet utan beslut"),
                "intro": _(
                    "Använd det här när ett ärende som väntar på beslut inte ska beslutas, "
                    "till exempel för att familjen har flyttat. Skälet sparas i ärendet."
                ),
                "submit": _("Avsluta ärendet"),
            },
        ),
    )


@login_required
@GET_OR_POST
@SENSITIVE_POST
def end_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    case = access.get_case_for(request.user, pk, for_edit=True)
    return handle_form(
        request,
        forms.EndFollowUpForm(request.POST or None, initial={"version": case.version}),
        save=lambda data: services.end_follow_up(
            case, by=signed_in_user(request), expected_version=data["version"], note=data["note"]
        ),
        success=_("Uppföljningen är avslutad och ärendet stängt."),
        then=_case_url(case),
        render=lambda form: _page(
            request,
            "decisions/simple_form.html",
            case,
            "decisions:end-follow-up",
            {
                "form": form,
                "heading": _("Avsluta uppföljningen"),
                "intro": _("Ärendet avslutas när uppföljningen är klar."),
                "submit": _("Avsluta uppföljningen"),
                "not_following_up": case.status != CaseStatus.FOLLOW_UP,
            },
        ),
    )


@login_required
@require_GET
def intervention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = queries.get_intervention_for(request.user, pk)
    case = intervention.case
    return _page(
        request,
        "decisions/intervention_detail.html",
        case,
        "decisions:intervention-detail",
        {
            "intervention": intervention,
            "catalogue_label": code_label("intervention-catalogue", intervention.catalogue_code),
            "reasons": [code_label("report-reasons", c) for c in intervention.reason_codes],
            "problems": [code_label("open-care-problems", c) for c in intervention.problem_codes],
            "needs": intervention.decision.needs.all(),
            "can_edit": intervention.is_open and access.can(request.user, "edit_case", case),
            "start_form": forms.StartInterventionForm(
                initial={"version": intervention.version, "started_on": timezone.localdate()}
            ),
            # The same clock as "Mina frister" (deadlines.registry, docs/deadlines.md).
            "start_clock": registry.get(rules.NOT_CARRIED_OUT)
            .clocks_for_case(case, today=timezone.localdate())
            .get(intervention.pk),
        },
    )


def _intervention_form_page(
    request: HttpRequest, intervention: Intervention, route: str, form: Any, heading: str
) -> HttpResponse:
    return _page(
        request,
        "decisions/intervention_form.html",
        intervention.case,
        route,
        {"form": form, "intervention": intervention, "heading": heading},
    )


@login_required
@GET_OR_POST
def intervention_start(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = queries.get_intervention_for(request.user, pk, for_edit=True)
    return handle_form(
        request,
        forms.StartInterventionForm(
            request.POST or None,
            initial=initial_from(
                forms.StartInterventionForm, intervention, started_on=timezone.localdate()
            ),
        ),
        save=lambda data: services.start_intervention(
            intervention,
            by=signed_in_user(request),
            expected_version=data["version"],
            started_on=data["started_on"],
        ),
        success=_("Insatsen är påbörjad."),
        then=reverse("decisions:intervention-detail", args=[pk]),
        render=lambda form: _intervention_form_page(
            request, intervention, "decisions:intervention-start", form, _("Insatsen påbörjas")
        ),
    )


@login_required
@GET_OR_POST
@SENSITIVE_POST
def intervention_end(request: HttpRequest, pk: int) -> HttpResponse:
    intervention = queries.get_intervention_for(request.user, pk, for_edit=True)
    return handle_form(
        request,
        forms.EndInterventionForm(
            request.POST or None,
            initial=initial_from(
                forms.EndInterventionForm, intervention, ended_on=timezone.localdate()
            ),
        ),
        save=lambda data: services.end_intervention(
            intervention,
            by=signed_in_user(request),
            expected_version=data["version"],
            ended_on=data["ended_on"],
            end_reason=data["end_reason"],
            delivered_dose=data.get("delivered_dose"),
            end_note=data.get("end_note", ""),
        ),
        success=_("Insatsen är avslutad."),
        then=reverse("decisions:intervention-detail", args=[pk]),
        render=lambda form: _intervention_form_page(
            request, intervention, "decisions:intervention-end", form, _("Avsluta insatsen")
        ),
    )


def _report(request: HttpRequest) -> tuple[queries.Quarter, list[queries.ReportRow], Any]:
    if not access.has_role(request.user, Role.TEAM_MANAGER):
        raise PermissionDenied
    today = timezone.localdate()
    quarter = queries.Quarter.parse(request.GET.get("kvartal"), default=today)
    rows = queries.not_carried_out_report(request.user, quarter, today=today)
    return quarter, rows, today


SEX_LABELS = {"female": _("Flicka"), "male": _("Pojke"), "unknown": _("Okänt")}
STATE_LABELS = {
    "started": _("Verkställt för sent"),
    "ended": _("Avslutat utan att verkställas"),
    "waiting": _("Inte verkställt"),
}


@login_required
@require_GET
def not_carried_out(request: HttpRequest) -> HttpResponse:
    """Granted decisions not carried out within three months (SoL 34 kap. 1 §), per quarter,
    for the team manager's report to IVO and the committee. The list shows no names; the
    case number links to the intervention for the manager's follow-up."""
    quarter, rows, today = _report(request)
    record_accesses(
        by=signed_in_user(request),
        cases=[row.intervention.case for row in rows],
        action=AccessAction.LISTED,
        route="decisions:not-carried-out",
    )
    labels = code_labels("intervention-catalogue")
    current = queries.Quarter.of(today)
    return render(
        request,
        "decisions/not_carried_out.html",
        {
            "quarter": quarter,
            "quarters": [
                current,
                current.previous(),
                current.previous().previous(),
                current.previous().previous().previous(),
            ],
            "rows": [
                (
                    row,
                    labels.get(row.intervention.catalogue_code, row.intervention.catalogue_code),
                    SEX_LABELS.get(row.sex, row.sex),
                    STATE_LABELS[row.state],
                )
                for row in rows
            ],
            "waiting": sum(1 for row in rows if row.state == "waiting"),
        },
    )


CSV_COLUMNS = (
    "stadsdel",
    "beslutsdatum",
    "insats",
    "nationell_kategori",
    "kon",
    "tre_manader_gick_ut",
    "verkstallt",
    "avslutat_utan_verkstallighet",
    "dagar_vantan",
)


@login_required
@require_GET
def not_carried_out_csv(request: HttpRequest) -> HttpResponse:
    """The quarter's report as CSV (UTF-8, comma-separated): no name, no identity number, no
    case number. Journaled with who exported which quarter."""
    import csv

    from rodtrad.frameworks.queries import current_codes
    from rodtrad.journal.services import record

    quarter, rows, _today = _report(request)
    categories = {
        code.code: code.attributes.get("national_category", "")
        for code in current_codes("intervention-catalogue")
    }
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="ej-verkstallda-beslut-{quarter.key}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.intervention.case.district.code,
                row.decided_on.isoformat(),
                row.intervention.catalogue_code,
                categories.get(row.intervention.catalogue_code, ""),
                row.sex,
                row.due_on.isoformat(),
                row.started_on.isoformat() if row.started_on else "",
                row.ended_on.isoformat() if row.ended_on else "",
                row.days_waited,
            ]
        )
    record(
        "decisions.not_carried_out_exported",
        by=signed_in_user(request),
        data={"quarter": quarter.key, "rows": len(rows)},
    )
    return response
