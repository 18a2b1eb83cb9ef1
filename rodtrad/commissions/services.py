"""Commissions to the provider and their goals (docs/red-thread.md, "Commissions").

The case's handlers (the case roles in scope) draft a commission for an open intervention,
write its goals, each tied to at least one of the case's needs, and send it; the provider
role of the receiving unit accepts it. A sent commission never changes: a new commission for
the same intervention replaces it when it is sent. Every write is journaled; nothing personal
goes into the journal's data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from rodtrad.accounts import access
from rodtrad.cases.models import Case, DocumentStatus
from rodtrad.commissions.models import Commission, CommissionStatus, Goal
from rodtrad.decisions.models import Intervention
from rodtrad.decisions.services import case_needs
from rodtrad.frameworks.queries import current_codes
from rodtrad.investigation.models import RiskAssessment
from rodtrad.journal.services import record
from rodtrad.lib.validation import FieldErrors
from rodtrad.lib.versioning import update_versioned

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rodtrad.accounts.models import User

GAS_LEVELS = range(-2, 3)
MAX_WEIGHT = Decimal("10")
SHOWN_TO_PROVIDER = (CommissionStatus.SENT, CommissionStatus.ACCEPTED)


# --- Who sees what ------------------------------------------------------------------------------


# The units in which the user works as a provider (accounts decides who is who).
provider_unit_ids = access.provider_unit_ids


def visible_commissions(user: User | AnonymousUser) -> QuerySet[Commission]:
    """The case roles see the commissions of the cases they see; a provider sees the sent and
    accepted commissions of its own units, and nothing else of the case."""
    scope = Q(case__in=access.visible_cases(user).values("pk"))
    units = provider_unit_ids(user)
    if units:
        # A commission whose intervention ended stays with the provider for its final report
        # (settings.RODTRAD_COMMISSION_AFTER_END_DAYS), then leaves it.
        ended_since = timezone.localdate() - timedelta(
            days=settings.RODTRAD_COMMISSION_AFTER_END_DAYS
        )
        scope |= Q(
            provider_unit_id__in=units,
            status__in=SHOWN_TO_PROVIDER,
        ) & (Q(intervention__ended_on__isnull=True) | Q(intervention__ended_on__gte=ended_since))
    return Commission.objects.filter(scope)


def is_provider_of(user: User | AnonymousUser, commission: Commission) -> bool:
    return (
        commission.provider_unit_id in provider_unit_ids(user)
        and commission.status in SHOWN_TO_PROVIDER
        and visible_commissions(user).filter(pk=commission.pk).exists()
    )


def is_violence_case(intervention: Intervention) -> bool:
    """The intervention is labelled with a violence reason (code list report-reasons,
    attribute violence)."""
    violence = {
        code.code for code in current_codes("report-reasons") if code.attributes.get("violence")
    }
    return bool(violence & set(intervention.reason_codes))


def _journal(action: str, *, by: User, case: Case, obj: Any, data: dict[str, Any]) -> None:
    record(
        f"commissions.{action}",
        by=by,
        obj=obj,
        case_id=case.pk,
        person_id=case.child_id,
        district=case.district.code,
        data=data,
    )


def _editable(commission: Commission, by: User) -> Commission:
    fresh = (
        Commission.objects.select_for_update()
        .select_related("case", "case__district", "intervention")
        .get(pk=commission.pk)
    )
    if not access.can(by, "edit_case", fresh.case):
        raise PermissionDenied
    if not fresh.is_draft:
        raise ValidationError(
            _("Uppdraget är skickat och kan inte ändras. Gör ett nytt uppdrag."), code="sent"
        )
    return fresh


# --- Drafting -----------------------------------------------------------------------------------


def create_commission(intervention: Intervention, *, by: User) -> Commission:
    """A draft commission for the intervention, filled in from what the record already says:
    the provider unit, and in a violence case the newest signed risk assessment's judgement
    and safety plan (the handler reads and edits them before sending)."""
    with transaction.atomic():
        fresh = (
            Intervention.objects.select_for_update()
            .select_related("case", "case__district")
            .get(pk=intervention.pk)
        )
        if not access.can(by, "edit_case", fresh.case):
            raise PermissionDenied
        if fresh.ended_on is not None:
            raise ValidationError(_("Insatsen är avslutad. Ett nytt uppdrag kan inte ges."))
        of_intervention = Commission.objects.filter(intervention=fresh)
        draft = of_intervention.filter(status=CommissionStatus.DRAFT).first()
        if draft is not None:
            return draft
        previous = of_intervention.filter(status__in=SHOWN_TO_PROVIDER).order_by("-pk").first()
        values: dict[str, Any] = {}
        if previous is not None:
            values = {name: getattr(previous, name) for name in Commission.CONTENT_FIELDS}
        elif is_violence_case(fresh):
            newest = (
                RiskAssessment.objects.filter(
                    investigation__case=fresh.case, status=DocumentStatus.SIGNED
                )
                .order_by("-event_on", "-pk")
                .first()
            )
            if newest is not None:
                values["risk_summary"] = _(
                    "Riskbedömning %(day)s (%(instrument)s): %(judgement)s."
                ) % {
                    "day": newest.event_on.isoformat(),
                    "instrument": newest.instrument,
                    "judgement": newest.get_judgement_display(),
                }
                values["safety_information"] = newest.safety_plan
        commission = Commission.objects.create(
            intervention=fresh,
            case=fresh.case,
            provider_unit=fresh.provider_unit,
            replaces=previous,
            created_by=by,
            **values,
        )
        if previous is not None:
            for goal in previous.goals.all():
                copy = Goal.objects.create(
                    commission=commission,
                    recorded_by=by,
                    **{
                        name: getattr(goal, name)
                        for name in (
                            "text",
                            "is_childs_own",
                            *Goal.LEVEL_FIELDS,
                            "baseline_level",
                            "weight",
                            "target_on",
                        )
                    },
                )
                copy.needs.set(goal.needs.all())
        _journal(
            "commission_created",
            by=by,
            case=fresh.case,
            obj=commission,
            data={"intervention_id": fresh.pk, "replaces": previous.pk if previous else None},
        )
        return commission


def update_commission(
    commission: Commission, *, by: User, expected_version: int, changes: dict[str, Any]
) -> Commission:
    with transaction.atomic():
        fresh = _editable(commission, by)
        values = {name: changes[name] for name in Commission.CONTENT_FIELDS if name in changes}
        for name, value in values.items():
            if isinstance(value, str):
                values[name] = value.strip()
        weeks = values.get("follow_up_every_weeks")
        if weeks is not None and not 1 <= weeks <= 52:
            raise ValidationError(
                {"follow_up_every_weeks": _("Ange ett antal veckor mellan 1 och 52.")}
            )
        updated: Commission = update_versioned(
            fresh, expected_version=expected_version, changes=values
        )
        _journal(
            "commission_updated",
            by=by,
            case=fresh.case,
            obj=updated,
            data={"fields": sorted(values)},
        )
        return updated


def _goal_values(
    commission: Commission,
    *,
    need_ids: Iterable[int],
    text: str,
    levels: dict[str, str],
    weight: Decimal | None,
    baseline_level: int | None,
    target_on: date | None,
) -> tuple[dict[str, Any], list[Any]]:
    errors = FieldErrors()
    text = (text or "").strip()
    if not text:
        errors.add("text", _("Skriv målet."))
    available = {need.pk: need for need in case_needs(commission.case)}
    ids = sorted({int(i) for i in need_ids})
    if not ids:
        errors.add("needs", _("Ett mål pekar på minst ett av barnets behov. Välj behov."))
    elif not set(ids) <= set(available):
        errors.add("needs", _("Välj bland ärendets behov."))
    cleaned_levels = {}
    for name in Goal.LEVEL_FIELDS:
        value = (levels.get(name) or "").strip()
        if not value:
            errors.add(name, _("Beskriv hur det ser ut på den här nivån."))
        cleaned_levels[name] = value
    if weight is None or not Decimal("0") < weight <= MAX_WEIGHT:
        errors.add("weight", _("Vikten är ett tal större än 0 och högst 10."))
    if baseline_level is None or baseline_level not in GAS_LEVELS:
        errors.add("baseline_level", _("Välj en nivå mellan −2 och +2."))
    if target_on is not None and target_on < timezone.localdate():
        errors.add("target_on", _("Datumet kan inte vara tidigare än i dag."))
    errors.raise_any()
    values = {
        "text": text,
        **cleaned_levels,
        "weight": weight,
        "baseline_level": baseline_level,
        "target_on": target_on,
    }
    return values, [available[i] for i in ids]


def add_goal(
    commission: Commission,
    *,
    by: User,
    need_ids: Iterable[int],
    text: str,
    levels: dict[str, str],
    weight: Decimal | None = Decimal("1"),
    baseline_level: int | None = -1,
    target_on: date | None = None,
    is_childs_own: bool = False,
) -> Goal:
    with transaction.atomic():
        fresh = _editable(commission, by)
        values, needs = _goal_values(
            fresh,
            need_ids=need_ids,
            text=text,
            levels=levels,
            weight=weight,
            baseline_level=baseline_level,
            target_on=target_on,
        )
        goal = Goal.objects.create(
            commission=fresh, is_childs_own=is_childs_own, recorded_by=by, **values
        )
        goal.needs.set(needs)
        _journal(
            "goal_added",
            by=by,
            case=fresh.case,
            obj=goal,
            data={"commission_id": fresh.pk, "needs": len(needs)},
        )
        return goal


def update_goal(
    goal: Goal,
    *,
    by: User,
    expected_version: int,
    need_ids: Iterable[int],
    text: str,
    levels: dict[str, str],
    weight: Decimal | None,
    baseline_level: int | None,
    target_on: date | None,
    is_childs_own: bool,
) -> Goal:
    with transaction.atomic():
        commission = _editable(goal.commission, by)
        values, needs = _goal_values(
            commission,
            need_ids=need_ids,
            text=text,
            levels=levels,
            weight=weight,
            baseline_level=baseline_level,
            target_on=target_on,
        )
        updated: Goal = update_versioned(
            goal,
            expected_version=expected_version,
            changes={**values, "is_childs_own": is_childs_own},
        )
        updated.needs.set(needs)
        _journal(
            "goal_updated",
            by=by,
            case=commission.case,
            obj=updated,
            data={"commission_id": commission.pk, "needs": len(needs)},
        )
        return updated


# --- Sending and accepting ----------------------------------------------------------------------


def send_commission(commission: Commission, *, by: User, expected_version: int) -> Commission:
    """Send the commission to the provider. Everything the provider needs must be there: at
    least one goal, how often, the first follow-up, the child's view (or why it is missing),
    and in a violence case what the risk assessment said and how violence is followed up."""
    with transaction.atomic():
        fresh = _editable(commission, by)
        errors = FieldErrors()
        if not fresh.goals.exists():
            errors.add("goals", _("Skriv minst ett mål innan uppdraget skickas."))
        if not fresh.frequency:
            errors.add("frequency", _("Skriv hur ofta insatsen ges."))
        if fresh.first_follow_up_on is None:
            errors.add("first_follow_up_on", _("Ange när uppdraget följs upp första gången."))
        elif fresh.first_follow_up_on < timezone.localdate():
            errors.add("first_follow_up_on", _("Den första uppföljningen kan inte ha varit."))
        if not fresh.child_view and not fresh.child_view_missing_reason:
            errors.add(
                "child_view", _("Skriv barnets syn på målen, eller varför den inte gick att få.")
            )
        if is_violence_case(fresh.intervention):
            if not fresh.risk_summary:
                errors.add(
                    "risk_summary", _("Det är ett våldsärende: skriv vad riskbedömningen visade.")
                )
            if not fresh.violence_follow_up:
                errors.add(
                    "violence_follow_up",
                    _("Det är ett våldsärende: skriv hur våldet följs upp under insatsen."),
                )
        if fresh.intervention.ended_on is not None:
            errors.add("goals", _("Insatsen är avslutad."))
        errors.raise_any()
        now = timezone.now()
        updated: Commission = update_versioned(
            fresh,
            expected_version=expected_version,
            changes={"status": CommissionStatus.SENT, "sent_at": now, "sent_by": by},
        )
        replaced = list(
            Commission.objects.filter(
                intervention=fresh.intervention, status__in=SHOWN_TO_PROVIDER
            ).exclude(pk=fresh.pk)
        )
        for old in replaced:
            update_versioned(
                old, expected_version=old.version, changes={"status": CommissionStatus.REPLACED}
            )
        _journal(
            "commission_sent",
            by=by,
            case=fresh.case,
            obj=updated,
            data={
                "goals": fresh.goals.count(),
                "provider_unit_id": fresh.provider_unit_id,
                "replaced": [old.pk for old in replaced],
            },
        )
        return updated


def accept_commission(commission: Commission, *, by: User, expected_version: int) -> Commission:
    """The provider has received the commission and takes it on."""
    with transaction.atomic():
        fresh = (
            Commission.objects.select_for_update()
            .select_related("case", "case__district")
            .get(pk=commission.pk)
        )
        if not is_provider_of(by, fresh):
            raise PermissionDenied
        if fresh.status != CommissionStatus.SENT:
            raise ValidationError(_("Uppdraget är redan mottaget."), code="status")
        updated: Commission = update_versioned(
            fresh,
            expected_version=expected_version,
            changes={
                "status": CommissionStatus.ACCEPTED,
                "accepted_at": timezone.now(),
                "accepted_by": by,
            },
        )
        _journal("commission_accepted", by=by, case=fresh.case, obj=updated, data={})
        return updated
