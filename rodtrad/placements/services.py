"""Writing the plans and records of a placement (docs/red-thread.md, "Placements").

Every function is one transaction with its journal entry. Who may do what:
* the **case roles in scope** (`access.can(by, "edit_case", case)`) write, sign, correct and
  revise the care plan and the implementation plan;
* a **team manager of the case's district** (`decisions.services.may_decide`) records the
  subcommittee's reviews (SoL 22:13) and custody-transfer considerations (SoL 22:14).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from rodtrad.accounts import access
from rodtrad.cases import services as documents
from rodtrad.cases.models import DocumentStatus
from rodtrad.decisions.models import LEVEL_ORDER, DecisionLevel, Intervention
from rodtrad.decisions.services import CATALOGUE, may_decide
from rodtrad.frameworks.models import Code
from rodtrad.journal.services import record
from rodtrad.placements.models import (
    CarePlan,
    CustodyOutcome,
    CustodyTransferConsideration,
    ImplementationPlan,
    PlacementDocument,
    PlacementReview,
    ReviewOutcome,
)

if TYPE_CHECKING:
    from rodtrad.accounts.models import User

Plan = TypeVar("Plan", bound=PlacementDocument)

# Placement forms of a familjehem (code list intervention-catalogue, `placement_form`): the
# custody-transfer consideration runs only for them (SoL 22:14: "samma familjehem").
FOSTER_HOME_FORMS = frozenset({"familjehem", "familjehem-natverk"})

# What signing needs (SoF 2025:468 10 kap. 2–3 §§; "särskilda skäl" to leave a point out are
# written in the field itself). Measures of other authorities and the long-term arrangement
# are asked for but not required.
REQUIRED_TO_SIGN: dict[type[PlacementDocument], tuple[str, ...]] = {
    CarePlan: (
        "interventions_needed",
        "contact_arrangements",
        "care_goal",
        "child_views",
        "guardian_views",
    ),
    ImplementationPlan: (
        "goals",
        "how_carried_out",
        "follow_up",
        "contact_arrangements",
        "committee_contact",
        "child_views",
        "guardian_views",
    ),
}


# --- What a placement is ------------------------------------------------------------------------


def placement_code_query(*, foster_home: bool = False) -> QuerySet[Code, str]:
    """The catalogue codes of placements (attribute `placement = true`), as a subquery; with
    `foster_home`, only the familjehem forms. Retired codes included: a placement decided under
    a code retired since is still a placement."""
    codes = Code.objects.filter(code_list__key=CATALOGUE, attributes__placement=True)
    if foster_home:
        codes = codes.filter(attributes__placement_form__in=sorted(FOSTER_HOME_FORMS))
    return codes.values_list("code", flat=True)


def placement_codes() -> set[str]:
    return set(placement_code_query())


def foster_home_codes() -> set[str]:
    return set(placement_code_query(foster_home=True))


def is_placement(intervention: Intervention) -> bool:
    return intervention.catalogue_code in placement_codes()


def _journal(
    action: str, *, by: User, intervention: Intervention, obj: Any, data: dict[str, Any]
) -> None:
    case = intervention.case
    record(
        f"placements.{action}",
        by=by,
        obj=obj,
        case_id=case.pk,
        person_id=case.child_id,
        district=case.district.code,
        data={"intervention": intervention.pk, **data},
    )


def _locked_placement(
    intervention: Intervention, by: User, *, decider: bool = False
) -> Intervention:
    fresh = (
        Intervention.objects.select_for_update()
        .select_related("case", "case__district", "decision")
        .get(pk=intervention.pk)
    )
    if not access.can(by, "edit_case", fresh.case):
        raise PermissionDenied
    if decider and not may_decide(by, fresh.case):
        raise PermissionDenied
    if not is_placement(fresh):
        raise ValidationError(_("Insatsen är ingen placering."), code="placement")
    return fresh


# --- The plans ----------------------------------------------------------------------------------


def current_plan(model: type[Plan], intervention: Intervention) -> Plan | None:
    """The plan in force or being written: the draft if there is one, else the newest signed."""
    draft = model._default_manager.filter(
        intervention=intervention, status=DocumentStatus.DRAFT
    ).first()
    if draft is not None:
        return draft
    return (
        model._default_manager.filter(intervention=intervention, status=DocumentStatus.SIGNED)
        .order_by("-signed_at", "-pk")
        .first()
    )


def start_plan(
    model: type[Plan], intervention: Intervention, *, by: User, changes: dict[str, Any]
) -> Plan:
    """Create the first draft of a placement's plan with what has been written so far."""
    unknown = set(changes) - {"event_on", *model.CONTENT_FIELDS}
    if unknown:
        raise ValueError(f"not content fields: {sorted(unknown)}")
    with transaction.atomic():
        fresh = _locked_placement(intervention, by)
        if fresh.ended_on is not None:
            raise ValidationError(_("Placeringen är avslutad."), code="placement")
        if model._default_manager.filter(intervention=fresh).exists():
            raise ValidationError(_("Planen finns redan. Öppna den i stället."), code="placement")
        plan = model._default_manager.create(
            intervention=fresh,
            case=fresh.case,
            author=by,
            event_on=changes.get("event_on") or timezone.localdate(),
            **{k: v for k, v in changes.items() if k != "event_on"},
        )
        _journal(
            f"{model._meta.model_name}_created",
            by=by,
            intervention=fresh,
            obj=plan,
            data={"fields": sorted(k for k, v in changes.items() if v)},
        )
        return plan


def save_plan_draft(
    plan: Plan, *, by: User, expected_version: int, changes: dict[str, Any]
) -> Plan:
    """Save a draft (the shared document machinery; journaled as `<model>_draft_saved`)."""
    return documents.save_draft(plan, by=by, expected_version=expected_version, changes=changes)


def sign_plan(plan: Plan, *, by: User, expected_version: int, changes: dict[str, Any]) -> Plan:
    """Save the posted draft and sign it, in one transaction. Signing needs every required
    point written, and an implementation plan needs the placement's care plan signed first."""
    with transaction.atomic():
        saved = documents.save_draft(
            plan, by=by, expected_version=expected_version, changes=changes
        )
        missing = {
            name: _("Skriv det här innan planen signeras.")
            for name in REQUIRED_TO_SIGN[type(plan)]
            if not str(getattr(saved, name) or "").strip()
        }
        if missing:
            raise ValidationError(missing)
        if (
            isinstance(saved, ImplementationPlan)
            and not CarePlan.objects.filter(
                intervention_id=saved.intervention_id, status=DocumentStatus.SIGNED
            ).exists()
        ):
            raise ValidationError(
                _("Vårdplanen ska vara signerad innan genomförandeplanen signeras.")
            )
        return documents.sign_document(saved, by=by, expected_version=saved.version)


def start_and_sign_plan(
    model: type[Plan], intervention: Intervention, *, by: User, changes: dict[str, Any]
) -> Plan:
    """ "Spara och signera" on a new plan: create and sign in one transaction (when signing is
    refused, nothing is created)."""
    with transaction.atomic():
        plan = start_plan(model, intervention, by=by, changes=changes)
        return sign_plan(plan, by=by, expected_version=plan.version, changes={})


def correct_plan(plan: Plan, *, by: User, reason: str) -> Plan:
    """A correction of a signed plan (a mistake in it): a new draft with a reason."""
    if not access.can(by, "edit_case", plan.case):
        raise PermissionDenied
    if (
        type(plan)
        ._default_manager.filter(intervention_id=plan.intervention_id, status=DocumentStatus.DRAFT)
        .exists()
    ):
        raise ValidationError(_("Det finns redan ett utkast av planen."), code="reason")
    return documents.correct_document(plan, by=by, reason=reason)


def revise_plan(plan: Plan, *, by: User) -> Plan:
    """Start a revision (SoL 9:13): a new draft with the signed plan's content that `revises`
    it. The signed plan stays in force until the revision is signed."""
    with transaction.atomic():
        fresh = _locked_placement(plan.intervention, by)
        if fresh.ended_on is not None:
            raise ValidationError(_("Placeringen är avslutad."), code="placement")
        if not plan.is_signed:
            raise ValidationError(_("Bara en signerad plan kan revideras."), code="placement")
        if (
            type(plan)
            ._default_manager.filter(intervention=fresh, status=DocumentStatus.DRAFT)
            .exists()
        ):
            raise ValidationError(_("Det finns redan ett utkast av planen."), code="placement")
        revision = type(plan)._default_manager.create(
            intervention=fresh,
            case=fresh.case,
            author=by,
            event_on=timezone.localdate(),
            revises=plan,
            **{name: getattr(plan, name) for name in plan.CONTENT_FIELDS},
        )
        _journal(
            f"{type(plan)._meta.model_name}_revision_started",
            by=by,
            intervention=fresh,
            obj=revision,
            data={"revises": plan.pk},
        )
        return revision


# --- Reviews and custody-transfer considerations --------------------------------------------


def _check_decided(
    errors: dict[str, str], fresh: Intervention, *, day: date | None, level: str, name: str
) -> None:
    if day is None:
        errors[name] = _("Ange datum.")
    elif fresh.started_on is None or day < fresh.started_on:
        errors[name] = _("Datumet kan inte vara före placeringens start.")
    elif day > timezone.localdate():
        errors[name] = _("Datumet kan inte vara i framtiden.")
    if level not in DecisionLevel.values:
        errors["level"] = _("Välj beslutsnivå.")
    elif LEVEL_ORDER[DecisionLevel(level)] < LEVEL_ORDER[DecisionLevel.SUBCOMMITTEE]:
        errors["level"] = _(
            "Överväganden får inte göras på delegation till tjänsteman: de beslutas av "
            "individutskottet eller nämnden (SoL 30 kap. 6–7 §§)."
        )


def record_review(
    intervention: Intervention,
    *,
    by: User,
    held_on: date | None,
    level: str,
    outcome: str,
    minutes_reference: str = "",
    note: str = "",
) -> PlacementReview:
    """Record the subcommittee's övervägande (SoL 22:13, LVU 13 §) of an ongoing placement."""
    with transaction.atomic():
        fresh = _locked_placement(intervention, by, decider=True)
        errors: dict[str, str] = {}
        if fresh.started_on is None or fresh.ended_on is not None:
            raise ValidationError(_("Placeringen pågår inte."), code="placement")
        _check_decided(errors, fresh, day=held_on, level=level, name="held_on")
        if outcome not in ReviewOutcome.values:
            errors["outcome"] = _("Välj vad övervägandet kom fram till.")
        elif outcome != ReviewOutcome.CONTINUES and not note.strip():
            errors["note"] = _("Skriv vad som ändras eller varför vården ska upphöra.")
        if errors:
            raise ValidationError(errors)
        assert held_on is not None
        review = PlacementReview.objects.create(
            intervention=fresh,
            case=fresh.case,
            held_on=held_on,
            level=level,
            minutes_reference=minutes_reference.strip(),
            outcome=outcome,
            note=note.strip(),
            recorded_by=by,
        )
        _journal(
            "review_recorded",
            by=by,
            intervention=fresh,
            obj=review,
            data={"held_on": held_on.isoformat(), "level": level, "outcome": outcome},
        )
        return review


def record_custody_consideration(
    intervention: Intervention,
    *,
    by: User,
    considered_on: date | None,
    level: str,
    outcome: str,
    note: str,
    minutes_reference: str = "",
) -> CustodyTransferConsideration:
    """Record the subcommittee's consideration of a custody transfer (SoL 22:14)."""
    with transaction.atomic():
        fresh = _locked_placement(intervention, by, decider=True)
        if fresh.catalogue_code not in foster_home_codes():
            raise ValidationError(
                _("Vårdnadsöverflyttning övervägs bara vid placering i familjehem."),
                code="placement",
            )
        if fresh.started_on is None or fresh.ended_on is not None:
            raise ValidationError(_("Placeringen pågår inte."), code="placement")
        errors: dict[str, str] = {}
        _check_decided(errors, fresh, day=considered_on, level=level, name="considered_on")
        if outcome not in CustodyOutcome.values:
            errors["outcome"] = _("Välj vad nämnden kom fram till.")
        if not note.strip():
            errors["note"] = _(
                "Skriv skälen (barnets situation, anknytning, vårdnadshavarnas inställning)."
            )
        if errors:
            raise ValidationError(errors)
        assert considered_on is not None
        consideration = CustodyTransferConsideration.objects.create(
            intervention=fresh,
            case=fresh.case,
            considered_on=considered_on,
            level=level,
            minutes_reference=minutes_reference.strip(),
            outcome=outcome,
            note=note.strip(),
            recorded_by=by,
        )
        _journal(
            "custody_consideration_recorded",
            by=by,
            intervention=fresh,
            obj=consideration,
            data={"considered_on": considered_on.isoformat(), "level": level, "outcome": outcome},
        )
        return consideration
