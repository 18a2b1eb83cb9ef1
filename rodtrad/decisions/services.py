"""Writing decisions and carrying out the interventions they grant (docs/red-thread.md).

Every function here is one transaction: the checks, the rows, the case's move through
`cases.workflow.move_case` and the journal entry commit together or not at all. Every rule
that is not met is reported in one ValidationError with a message per field.

Who may do what:
* a **team manager of the case's district** records decisions (on delegation, or the
  subcommittee's or committee's decision with its minutes reference) and closes a case that
  waits for a decision without one;
* the **case roles in scope** (`access.can(by, "edit_case", case)`) record to whom a decision
  was communicated and start and end the interventions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rodtrad.accounts import access
from rodtrad.accounts.models import Role, Unit, UnitKind
from rodtrad.cases.models import Case, CaseStatus
from rodtrad.cases.workflow import move_case
from rodtrad.deadlines import rules
from rodtrad.decisions.models import (
    LEVEL_ORDER,
    ClosingReason,
    ClosingWithoutDecision,
    Decision,
    DecisionKind,
    DecisionLevel,
    DecisionNotice,
    DoseUnit,
    EndReason,
    Intervention,
    NoticeChannel,
)
from rodtrad.frameworks.models import Code
from rodtrad.frameworks.queries import code_labels, current_codes
from rodtrad.intake.models import ReportChild, ReportReason
from rodtrad.investigation.models import Investigation, Need
from rodtrad.journal.chain import canonical_json
from rodtrad.journal.services import record
from rodtrad.lib.validation import FieldErrors
from rodtrad.lib.versioning import update_versioned
from rodtrad.people import queries as people_queries
from rodtrad.people.models import Person
from rodtrad.people.queries import age_on

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rodtrad.accounts.models import User

LEGAL_GROUNDS = "legal-grounds"
CATALOGUE = "intervention-catalogue"
OPEN_CARE_PROBLEMS = "open-care-problems"
# Open-care problem codes are for young people (the seeds' commissions for 13–20).
PROBLEM_CODES_FROM_AGE = 13
S = CaseStatus


# --- Who --------------------------------------------------------------------------------------


def may_decide(user: User | AnonymousUser, case: Case) -> bool:
    """A team manager of the case's district records decisions (docs/red-thread.md)."""
    return any(
        m.role == Role.TEAM_MANAGER and m.district_id == case.district_id
        for m in access.active_memberships(user)
    )


def _locked_case(case: Case, by: User, *, decider: bool) -> Case:
    fresh = Case.objects.select_for_update().select_related("district", "child").get(pk=case.pk)
    if decider and not may_decide(by, fresh):
        raise PermissionDenied
    if not access.can(by, "edit_case", fresh):
        raise PermissionDenied
    return fresh


def _journal(action: str, *, by: User, case: Case, obj: Any, data: dict[str, Any]) -> None:
    record(
        f"decisions.{action}",
        by=by,
        obj=obj,
        case_id=case.pk,
        person_id=case.child_id,
        district=case.district.code,
        data=data,
    )


# --- What may be chosen -------------------------------------------------------------------------


def legal_ground_codes(kind: str | None = None, on: date | None = None) -> list[Code]:
    """The legal grounds that may be chosen today, for one kind of decision or all."""
    codes = list(current_codes(LEGAL_GROUNDS, on=on))
    if kind is None:
        return codes
    return [code for code in codes if kind in code.attributes.get("kinds", [])]


def catalogue_codes(*, placement: bool | None = None, on: date | None = None) -> list[Code]:
    codes = list(current_codes(CATALOGUE, on=on))
    if placement is None:
        return codes
    return [code for code in codes if bool(code.attributes.get("placement")) == placement]


def provider_units(case: Case) -> list[Unit]:
    """The municipality's own providers in the case's district (open care and placement)."""
    return list(
        Unit.objects.filter(
            district_id=case.district_id,
            kind__in=[UnitKind.PROVIDER, UnitKind.PLACEMENT],
            is_active=True,
        ).order_by("name")
    )


def case_needs(case: Case) -> list[Need]:
    """The needs assessed in the case's investigations, newest investigation first."""
    return list(
        Need.objects.filter(investigation__case=case)
        .select_related("investigation")
        .order_by("-investigation__opened_on", "pk")
    )


def answered_investigation(case: Case) -> Investigation | None:
    """The investigation whose proposal a decision answers: the newest closed one."""
    return (
        Investigation.objects.filter(case=case, closed_on__isnull=False)
        .order_by("-closed_on", "-pk")
        .first()
    )


# --- Recording a decision ---------------------------------------------------------------------


@dataclass
class GrantedIntervention:
    """What a granting decision grants (the decision's content, and the intervention's plan)."""

    catalogue_code: str = ""
    provider_unit_id: int | None = None
    external_provider: str = ""
    planned_start: date | None = None
    planned_end: date | None = None
    planned_dose: int | None = None
    dose_unit: str = DoseUnit.SESSIONS
    problem_codes: list[str] = field(default_factory=list)


def _check_day(errors: FieldErrors, name: str, value: date | None, *, not_before: date) -> None:
    if value is None:
        errors.add(name, _("Ange ett datum."))
    elif value > timezone.localdate():
        errors.add(name, _("Datumet kan inte vara senare än i dag."))
    elif value < not_before:
        errors.add(
            name,
            _("Datumet kan inte vara före %(day)s.") % {"day": not_before.isoformat()},
        )


ALLOWED_FROM: dict[str, set[str]] = {
    DecisionKind.GRANTED: {S.PROPOSAL_AWAITING_DECISION, S.INTERVENTION, S.FOLLOW_UP},
    DecisionKind.PLACEMENT: {S.PROPOSAL_AWAITING_DECISION, S.INTERVENTION, S.FOLLOW_UP},
    DecisionKind.REFUSED: {S.PROPOSAL_AWAITING_DECISION, S.INTERVENTION, S.FOLLOW_UP},
    DecisionKind.NO_INTERVENTION: {S.PROPOSAL_AWAITING_DECISION},
    DecisionKind.LVU_APPLICATION: {S.PROPOSAL_AWAITING_DECISION, S.INTERVENTION, S.FOLLOW_UP},
    DecisionKind.FOLLOW_UP: {S.PROPOSAL_AWAITING_DECISION, S.INTERVENTION, S.FOLLOW_UP, S.CLOSED},
}


def last_placement_ends(case_ids: Iterable[int], *, lvu_only: bool = False) -> dict[int, date]:
    """The day the newest placement that had started ended, per case: what a follow-up
    after a placement (SoL 23:2) counts from; `lvu_only`, a placement decided under LVU (LVU
    21 b §). A placement that never started is no placement to follow up."""
    placements = [code.code for code in catalogue_codes(placement=True)]
    rows = Intervention.objects.filter(
        case_id__in=list(case_ids),
        ended_on__isnull=False,
        started_on__isnull=False,
        catalogue_code__in=placements,
    )
    if lvu_only:
        rows = rows.filter(decision__legal_ground__startswith="lvu-")
    return dict(
        rows.values("case_id").annotate(last=Max("ended_on")).values_list("case_id", "last")
    )


def investigation_ends(case_ids: Iterable[int]) -> dict[int, date]:
    """The day the newest investigation closed, per case (what SoL 23:1 counts from)."""
    return dict(
        Investigation.objects.filter(case_id__in=list(case_ids), closed_on__isnull=False)
        .values("case_id")
        .annotate(last=Max("closed_on"))
        .values_list("case_id", "last")
    )


def follow_up_start(case_ids: Iterable[int], basis: str) -> dict[int, date]:
    """Per case, the day a follow-up on this basis counts its six months from."""
    if basis == "placement":
        return last_placement_ends(case_ids)
    if basis == "lvu_care":
        return last_placement_ends(case_ids, lvu_only=True)
    return investigation_ends(case_ids)


def follow_up_limit(case: Case, basis: str) -> date | None:
    """The last day a follow-up may run (SoL 23:5, LVU 21 b §): six months after the
    investigation closed, the placement ended or the care under LVU ended; None when there is
    no such starting point."""
    start = follow_up_start([case.pk], basis).get(case.pk)
    return rules.deadline_for(rules.FOLLOW_UP, start).due if start is not None else None


def record_decision(
    case: Case,
    *,
    by: User,
    kind: str,
    legal_ground: str,
    level: str,
    decided_on: date | None,
    reasons: str,
    minutes_reference: str = "",
    effective_from: date | None = None,
    effective_to: date | None = None,
    review_on: date | None = None,
    need_ids: Iterable[int] = (),
    no_needs_reason: str = "",
    replaces_id: int | None = None,
    close_case: bool = False,
    granted: GrantedIntervention | None = None,
) -> Decision:
    """Record (and thereby sign) a decision made in the case, and move the case on.

    * granted intervention / placement: grants one intervention (`granted`); names the needs
      it answers or says why not; the case goes to "Insats pågår";
    * refused: the case is closed when it waited for a decision and `close_case` is set;
    * no intervention: closes a case that waited for a decision;
    * LVU application: recorded; the case waits for the court;
    * follow-up (SoL 23:1–2): the case is followed up until `effective_to`, at most six months
      after the investigation closed or the placement ended.
    The level must be at least the legal ground's lowest level (the delegation table in the
    code list); a subcommittee's or the committee's decision names its minutes.
    """
    with transaction.atomic():
        fresh = _locked_case(case, by, decider=True)
        errors = FieldErrors()
        reasons = (reasons or "").strip()
        minutes_reference = (minutes_reference or "").strip()
        no_needs_reason = (no_needs_reason or "").strip()
        if kind not in DecisionKind.values:
            errors.add("kind", _("Välj vilket slags beslut det är."))
            errors.raise_any()
        if fresh.status not in ALLOWED_FROM[kind]:
            errors.add(
                "kind",
                _("Ett beslut av det här slaget kan inte fattas när ärendet har status ”%(s)s”.")
                % {"s": CaseStatus(fresh.status).label},
            )
            errors.raise_any()
        ground = next((c for c in legal_ground_codes(kind) if c.code == legal_ground), None)
        if ground is None:
            errors.add("legal_ground", _("Välj ett lagrum som passar till beslutet."))
        granting = kind in {DecisionKind.GRANTED, DecisionKind.PLACEMENT}
        entry = (
            next((c for c in catalogue_codes() if c.code == granted.catalogue_code), None)
            if granting and granted is not None
            else None
        )
        allowed_grounds = entry.attributes.get("legal_grounds") if entry else None
        if entry is not None and allowed_grounds is not None and ground is not None:
            wrong_ground = ground.code not in allowed_grounds
            if wrong_ground:
                labels = code_labels(LEGAL_GROUNDS)
                errors.add(
                    "legal_ground",
                    _("%(entry)s beslutas enligt %(grounds)s.")
                    % {
                        "entry": entry.label_sv,
                        "grounds": _(" eller ").join(labels.get(g, g) for g in allowed_grounds),
                    },
                )
        if ground is not None and ground.attributes.get("requires_lvu_care"):
            has_lvu = Decision.objects.filter(case=fresh).filter(
                Q(kind=DecisionKind.LVU_APPLICATION) | Q(legal_ground="lvu-6")
            )
            if not has_lvu.exists():
                errors.add(
                    "legal_ground",
                    _(
                        "Vård enligt LVU förutsätter att nämnden har ansökt om vård (LVU 4 §) "
                        "eller omhändertagit barnet (LVU 6 §). Registrera det beslutet först."
                    ),
                )
        if level not in DecisionLevel.values:
            errors.add("level", _("Välj vem som fattade beslutet."))
        elif ground is not None:
            lowest = max(
                ground.attributes.get("lowest_level", DecisionLevel.DELEGATE),
                (entry.attributes.get("lowest_level") if entry else None) or DecisionLevel.DELEGATE,
                key=lambda name: LEVEL_ORDER[DecisionLevel(name)],
            )
            if LEVEL_ORDER[DecisionLevel(level)] < LEVEL_ORDER[DecisionLevel(lowest)]:
                errors.add(
                    "level",
                    _(
                        "Beslutet får inte fattas på den här nivån. Det fattas lägst av "
                        "%(level)s (delegationsordningen, SoL 30 kap. 6–7 §§)."
                    )
                    % {"level": DecisionLevel(lowest).label.lower()},
                )
            if level != DecisionLevel.DELEGATE and not minutes_reference:
                errors.add(
                    "minutes_reference",
                    _("Ange protokollsparagrafen för utskottets eller nämndens beslut."),
                )
        _check_day(errors, "decided_on", decided_on, not_before=fresh.recorded_at.date())
        if not reasons:
            errors.add("reasons", _("Skriv skälen för beslutet."))
        start = effective_from or decided_on
        if effective_from is not None and decided_on is not None:
            if effective_from < fresh.recorded_at.date():
                errors.add(
                    "effective_from",
                    _("Beslutet kan inte gälla från en dag före ärendet, %(day)s.")
                    % {"day": fresh.recorded_at.date().isoformat()},
                )
            elif effective_from > decided_on + timedelta(days=366):
                errors.add(
                    "effective_from", _("Beslutet kan börja gälla högst ett år efter beslutet.")
                )
        if effective_to is not None and start is not None and effective_to < start:
            errors.add("effective_to", _("Beslutet kan inte sluta gälla innan det börjar gälla."))
        if review_on is not None:
            if start is not None and review_on < start:
                errors.add("review_on", _("Omprövningen kan inte ligga före beslutets start."))
            if effective_to is not None and review_on > effective_to:
                errors.add(
                    "review_on", _("Omprövningen ska ske senast den sista dagen beslutet gäller.")
                )
        if granting and effective_to is not None and review_on is None:
            errors.add(
                "review_on",
                _(
                    "Ett tidsbegränsat beslut ska ange när det omprövas, så att familjen vet "
                    "när insatsen ses över."
                ),
            )
        needs: list[Need] = []
        ids = sorted({int(i) for i in need_ids})
        if ids:
            available = {need.pk: need for need in case_needs(fresh)}
            if not set(ids) <= set(available):
                errors.add("needs", _("Välj bland ärendets behov."))
            needs = [available[i] for i in ids if i in available]
        if granting and not ids and not no_needs_reason:
            errors.add(
                "needs",
                _(
                    "Välj de behov som insatsen ska möta, eller skriv varför beslutet inte "
                    "knyts till något behov."
                ),
            )
        replaces = None
        if replaces_id:
            replaces = (
                Decision.objects.filter(case=fresh, pk=replaces_id).select_for_update().first()
            )
            if replaces is None:
                errors.add("replaces", _("Välj ett av ärendets beslut."))
            elif replaces.replaced_by.exists():
                errors.add("replaces", _("Beslutet är redan ersatt av ett nyare beslut."))
        if kind == DecisionKind.FOLLOW_UP and ground is not None:
            basis = ground.attributes.get("follow_up_basis", "investigation")
            limit = follow_up_limit(fresh, basis)
            if limit is None:
                errors.add(
                    "legal_ground",
                    {
                        "placement": _("Det finns ingen avslutad placering att följa upp."),
                        "lvu_care": _(
                            "Det finns ingen avslutad placering enligt LVU att följa upp."
                        ),
                    }.get(basis, _("Det finns ingen avslutad utredning att följa upp.")),
                )
            elif effective_to is None:
                errors.add(
                    "effective_to",
                    _("Ange när uppföljningen slutar, senast %(day)s (SoL 23 kap. 5 §).")
                    % {"day": limit.isoformat()},
                )
            elif effective_to > limit:
                errors.add(
                    "effective_to",
                    _("En uppföljning slutar senast sex månader efter starten, %(day)s.")
                    % {"day": limit.isoformat()},
                )
            elif effective_to < timezone.localdate():
                errors.add("effective_to", _("Uppföljningstiden har redan gått ut."))
            if (
                fresh.status == S.INTERVENTION
                and fresh.interventions.filter(ended_on__isnull=True).exists()
            ):
                errors.add(
                    "kind",
                    _("Avsluta ärendets pågående insatser innan uppföljningen beslutas."),
                )
        intervention_values: dict[str, Any] | None = None
        if granting:
            intervention_values = _check_granted(
                errors, fresh, kind, granted or GrantedIntervention(), start, effective_to
            )
        errors.raise_any()
        assert decided_on is not None and ground is not None  # checked above
        appealable = bool(ground.attributes.get("appealable")) and kind != (
            DecisionKind.NO_INTERVENTION
        )
        content = {
            "kind": kind,
            "legal_ground": legal_ground,
            "level": level,
            "minutes_reference": minutes_reference,
            "decided_on": decided_on.isoformat(),
            "reasons": reasons,
            "effective_from": (effective_from or decided_on).isoformat(),
            "effective_to": effective_to.isoformat() if effective_to else None,
            "review_on": review_on.isoformat() if review_on else None,
            "needs": [need.pk for need in needs],
            "no_needs_reason": no_needs_reason,
            "replaces": replaces.pk if replaces else None,
            "granted": intervention_values
            and {
                key: (value.isoformat() if isinstance(value, date) else value)
                for key, value in intervention_values.items()
                if key != "provider_unit"
            },
        }
        decision = Decision.objects.create(
            case=fresh,
            investigation=answered_investigation(fresh),
            kind=kind,
            legal_ground=legal_ground,
            level=level,
            minutes_reference=minutes_reference,
            decided_on=decided_on,
            reasons=reasons,
            effective_from=effective_from or decided_on,
            effective_to=effective_to,
            review_on=review_on,
            appealable=appealable,
            no_needs_reason=no_needs_reason if not needs else "",
            replaces=replaces,
            decided_by=by,
            content_hash=hashlib.sha256(canonical_json(content).encode()).hexdigest(),
        )
        decision.needs.set(needs)
        intervention = None
        if intervention_values is not None:
            intervention = Intervention.objects.create(
                decision=decision, case=fresh, **intervention_values
            )
        if replaces is not None:
            _end_replaced(replaces, by=by, case=fresh, on=decision.effective_from or decided_on)
        _journal(
            "decision_recorded",
            by=by,
            case=fresh,
            obj=decision,
            data={
                "kind": kind,
                "legal_ground": legal_ground,
                "level": level,
                "decided_on": decided_on.isoformat(),
                "needs": len(needs),
                "replaces": replaces.pk if replaces else None,
                "intervention": intervention.catalogue_code if intervention else None,
                "late_days": (timezone.localdate() - decided_on).days,
            },
        )
        _move_after_decision(fresh, decision, by=by, close_case=close_case)
        return decision


def _check_granted(
    errors: FieldErrors,
    case: Case,
    kind: str,
    granted: GrantedIntervention,
    effective_from: date | None,
    effective_to: date | None,
) -> dict[str, Any]:
    placement = kind == DecisionKind.PLACEMENT
    entry = next(
        (c for c in catalogue_codes(placement=placement) if c.code == granted.catalogue_code),
        None,
    )
    if entry is None:
        errors.add(
            "catalogue_code",
            _("Välj en placering ur insatskatalogen.")
            if placement
            else _("Välj en öppenvårdsinsats ur insatskatalogen."),
        )
    unit = None
    external = (granted.external_provider or "").strip()
    if granted.provider_unit_id:
        unit = next((u for u in provider_units(case) if u.pk == granted.provider_unit_id), None)
        if unit is None:
            errors.add("provider_unit", _("Välj en av stadsdelens utförare."))
    if unit is not None and external:
        errors.add("external_provider", _("Ange antingen en utförare i kommunen eller en extern."))
    if unit is None and not external and "provider_unit" not in errors:
        errors.add("provider_unit", _("Välj vem som ska utföra insatsen."))
    start = granted.planned_start
    if start is None:
        errors.add("planned_start", _("Ange när insatsen ska börja."))
    elif effective_from is not None and start < effective_from:
        errors.add("planned_start", _("En insats kan inte börja innan beslutet har börjat gälla."))
    if granted.planned_end is not None and start is not None and granted.planned_end < start:
        errors.add("planned_end", _("Insatsen kan inte sluta innan den börjar."))
    if granted.planned_end and effective_to and granted.planned_end > effective_to:
        errors.add("planned_end", _("Insatsen kan inte pågå längre än beslutet gäller."))
    if granted.dose_unit not in DoseUnit.values:
        errors.add("dose_unit", _("Välj ett av alternativen."))
    problems = sorted(set(granted.problem_codes))
    if problems:
        age = age_on(case.child.birth_date, effective_from or timezone.localdate())
        if placement or age < PROBLEM_CODES_FROM_AGE:
            errors.add(
                "problem_codes",
                _("Problemområden anges för öppenvårdsinsatser till unga från 13 år."),
            )
        allowed = {c.code for c in current_codes(OPEN_CARE_PROBLEMS)}
        if not set(problems) <= allowed:
            errors.add("problem_codes", _("Välj bland problemområdena."))
    return {
        "catalogue_code": granted.catalogue_code,
        "provider_unit": unit,
        "external_provider": external if unit is None else "",
        "planned_start": start,
        "planned_end": granted.planned_end,
        "planned_dose": granted.planned_dose,
        "dose_unit": granted.dose_unit,
        "reason_codes": _case_reason_codes(case),
        "problem_codes": problems,
    }


def _case_reason_codes(case: Case) -> list[str]:
    """The report-reason codes of the case's reports: the intervention is labelled as the
    investigation was."""
    reports = ReportChild.objects.filter(case=case).values("report_id")
    return sorted(
        set(ReportReason.objects.filter(report__in=reports).values_list("code", flat=True))
    )


def _end_replaced(old: Decision, *, by: User, case: Case, on: date) -> None:
    """A decision replaced by a new one ends its intervention if it is still open."""
    intervention = Intervention.objects.filter(decision=old, ended_on__isnull=True).first()
    if intervention is None:
        return
    started = intervention.started_on is not None
    ended_on = max(on, intervention.started_on) if started and intervention.started_on else on
    update_versioned(
        intervention,
        expected_version=intervention.version,
        changes={
            "ended_on": ended_on,
            "end_reason": EndReason.REPLACED if started else EndReason.NEVER_STARTED,
            "end_note": _("Beslutet ersattes av ett nytt beslut."),
        },
    )
    _journal(
        "intervention_ended",
        by=by,
        case=case,
        obj=intervention,
        data={"end_reason": intervention.end_reason, "by_replacement": True},
    )


def _move_after_decision(case: Case, decision: Decision, *, by: User, close_case: bool) -> None:
    kind = decision.kind
    if kind in {DecisionKind.GRANTED, DecisionKind.PLACEMENT}:
        if case.status in {S.PROPOSAL_AWAITING_DECISION, S.FOLLOW_UP}:
            move_case(case, to=S.INTERVENTION, by=by, reason=kind)
    elif kind == DecisionKind.NO_INTERVENTION:
        move_case(case, to=S.CLOSED, by=by, reason=kind)
    elif kind == DecisionKind.REFUSED:
        if close_case and case.status == S.PROPOSAL_AWAITING_DECISION:
            move_case(case, to=S.CLOSED, by=by, reason=kind)
    elif kind == DecisionKind.FOLLOW_UP and case.status != S.FOLLOW_UP:
        move_case(case, to=S.FOLLOW_UP, by=by, reason=kind)


# --- Communicating a decision -------------------------------------------------------------------


def record_notice(
    decision: Decision,
    *,
    by: User,
    recipient: Person | None,
    notified_on: date | None,
    channel: str,
) -> DecisionNotice:
    """Record that a party was told of the decision (FL 33 §): the day the three weeks to
    appeal start for that person. The recipient is one of the parties (the guardians, the
    child from 15), chosen, never typed; once per party."""
    with transaction.atomic():
        case = _locked_case(decision.case, by, decider=False)
        errors = FieldErrors()
        _check_day(errors, "notified_on", notified_on, not_before=decision.decided_on)
        if channel not in NoticeChannel.values:
            errors.add("channel", _("Välj hur beslutet lämnades."))
        parties = people_queries.parties_of_child(case.child, on=decision.decided_on)
        if recipient is None or recipient.pk not in {p.person.pk for p in parties}:
            errors.add(
                "recipient",
                _("Välj en av parterna: barnets vårdnadshavare, eller barnet självt från 15 år."),
            )
        elif decision.notices.filter(recipient=recipient).exists():
            errors.add(
                "recipient", _("Det är redan registrerat att den här personen har fått beslutet.")
            )
        errors.raise_any()
        assert recipient is not None and notified_on is not None
        notice = DecisionNotice.objects.create(
            decision=decision,
            recipient=recipient,
            notified_on=notified_on,
            channel=channel,
            recorded_by=by,
        )
        _journal(
            "decision_notified",
            by=by,
            case=case,
            obj=notice,
            data={
                "decision_id": decision.pk,
                "recipient_id": recipient.pk,
                "notified_on": notified_on.isoformat(),
                "channel": channel,
            },
        )
        return notice


# --- Closing without a decision ------------------------------------------------------------------


def close_without_decision(
    case: Case, *, by: User, expected_version: int, reason: str, note: str
) -> ClosingWithoutDecision:
    """Close a case that waits for a decision, without one, for a stated reason (the family
    moved, the application was withdrawn, the young person turned 18, the family declined)."""
    with transaction.atomic():
        fresh = _locked_case(case, by, decider=True)
        if fresh.version != expected_version:
            from rodtrad.lib.versioning import StaleVersion

            raise StaleVersion(current=fresh, changed_fields=["status"])
        errors = FieldErrors()
        note = (note or "").strip()
        if fresh.status != S.PROPOSAL_AWAITING_DECISION:
            errors.add("reason", _("Bara ett ärende som väntar på beslut kan avslutas så här."))
        if reason not in ClosingReason.values:
            errors.add("reason", _("Välj varför ärendet avslutas utan beslut."))
        if not note:
            errors.add("note", _("Skriv kort vad som hände."))
        errors.raise_any()
        closing = ClosingWithoutDecision.objects.create(
            case=fresh, reason=reason, note=note, recorded_by=by
        )
        _journal("closed_without_decision", by=by, case=fresh, obj=closing, data={"reason": reason})
        move_case(fresh, to=S.CLOSED, by=by, reason=reason)
        return closing


# --- Carrying out an intervention ---------------------------------------------------------------


def _locked_intervention(
    intervention: Intervention, by: User, *, or_provider: bool = False
) -> Intervention:
    """The intervention under a row lock, for a case role in scope (`or_provider`: also for
    the provider a commission for it was sent to)."""
    fresh = (
        Intervention.objects.select_for_update()
        .select_related("case", "case__district", "decision")
        .get(pk=intervention.pk)
    )
    if not access.can(by, "edit_case", fresh.case) and not (
        or_provider and access.is_provider_of_intervention(by, fresh.pk)
    ):
        raise PermissionDenied
    if fresh.ended_on is not None:
        raise ValidationError(_("Insatsen är avslutad och kan inte ändras."), code="closed")
    return fresh


def start_intervention(
    intervention: Intervention, *, by: User, expected_version: int, started_on: date | None
) -> Intervention:
    """The intervention has started (the decision is carried out, verkställt). Recorded by
    the case roles in scope, or by the provider a commission for it was sent to (from the
    commission's page: the provider knows the day the work began)."""
    with transaction.atomic():
        fresh = _locked_intervention(intervention, by, or_provider=True)
        errors = FieldErrors()
        if fresh.started_on is not None:
            errors.add("started_on", _("Insatsen är redan påbörjad."))
        _check_day(errors, "started_on", started_on, not_before=fresh.decision.decided_on)
        errors.raise_any()
        assert started_on is not None
        updated: Intervention = update_versioned(
            fresh, expected_version=expected_version, changes={"started_on": started_on}
        )
        _journal(
            "intervention_started",
            by=by,
            case=fresh.case,
            obj=updated,
            data={
                "started_on": started_on.isoformat(),
                "days_after_decision": (started_on - fresh.decision.decided_on).days,
                # Recorded by the provider from the commission, not by a case role.
                "by_provider": not access.can(by, "edit_case", fresh.case),
            },
        )
        return updated


def end_intervention(
    intervention: Intervention,
    *,
    by: User,
    expected_version: int,
    ended_on: date | None,
    end_reason: str,
    delivered_dose: int | None = None,
    end_note: str = "",
) -> Intervention:
    """End the intervention; when it was the case's last open one, the follow-up starts."""
    with transaction.atomic():
        fresh = _locked_intervention(intervention, by)
        errors = FieldErrors()
        start = fresh.started_on or fresh.decision.decided_on
        _check_day(errors, "ended_on", ended_on, not_before=start)
        if end_reason not in EndReason.values:
            errors.add("end_reason", _("Välj varför insatsen avslutas."))
        elif fresh.started_on is None and end_reason != EndReason.NEVER_STARTED:
            errors.add(
                "end_reason",
                _("Insatsen påbörjades aldrig. Välj ”Påbörjades aldrig” eller registrera starten."),
            )
        elif fresh.started_on is not None and end_reason == EndReason.NEVER_STARTED:
            errors.add("end_reason", _("Insatsen har påbörjats."))
        end_note = (end_note or "").strip()
        if end_reason in {EndReason.OTHER, EndReason.FAMILY_ENDED} and not end_note:
            errors.add("end_note", _("Skriv kort varför insatsen avslutas."))
        errors.raise_any()
        updated: Intervention = update_versioned(
            fresh,
            expected_version=expected_version,
            changes={
                "ended_on": ended_on,
                "end_reason": end_reason,
                "delivered_dose": delivered_dose,
                "end_note": end_note,
            },
        )
        _journal(
            "intervention_ended",
            by=by,
            case=fresh.case,
            obj=updated,
            data={"end_reason": end_reason, "delivered_dose": delivered_dose},
        )
        case = fresh.case
        if (
            case.status == S.INTERVENTION
            and not case.interventions.filter(ended_on__isnull=True).exists()
        ):
            move_case(case, to=S.FOLLOW_UP, by=by, reason="last_intervention_ended")
        return updated
