"""Recording ratings of an intervention, session by session (docs/followup-instruments.md).

One function, one transaction: the checks, the row and its journal entry commit together or
not at all. The arithmetic is `scoring.py`'s; every problem with what was typed is reported in
one ValidationError keyed by the form's field names (`item_field(code)` for an item).

Who may record: the case roles in scope (`access.can(by, "edit_case", case)`), while the
intervention runs and for `settings.RODTRAD_FOLLOWUP_DAYS_AFTER_END` days after it ended (the
last session's rating is often entered afterwards). The provider role gets its own pages with
the commissions (docs/red-thread.md, point 4).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from rodtrad.accounts import access
from rodtrad.cases.models import Case, CaseStatus
from rodtrad.cases.workflow import move_case
from rodtrad.commissions.models import Commission
from rodtrad.commissions.services import SHOWN_TO_PROVIDER, is_provider_of, is_violence_case
from rodtrad.decisions.models import Decision, DecisionKind, Intervention
from rodtrad.decisions.services import legal_ground_codes
from rodtrad.followup import scoring
from rodtrad.followup.definitions import Definition, checked_definition
from rodtrad.followup.models import (
    STATUTORY_BASES,
    CaseFollowUp,
    CaseFollowUpBasis,
    CaseFollowUpContact,
    CaseFollowUpOutcome,
    FollowUp,
    FollowUpOutcome,
    GoalRating,
    Instrument,
    InstrumentKind,
    Measurement,
    RaterRole,
)
from rodtrad.journal.services import record
from rodtrad.lib.validation import FieldErrors
from rodtrad.lib.versioning import StaleVersion, update_versioned
from rodtrad.people import queries as people_queries
from rodtrad.people.models import Person
from rodtrad.people.queries import age_on

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rodtrad.accounts.models import User

ItemValue = Decimal | int | None
# The commissions that are followed up and rated: those the provider sees (sent or accepted).
FOLLOWED_UP = SHOWN_TO_PROVIDER


def item_field(code: str) -> str:
    """The form field (and error key) of an instrument's item."""
    return f"score_{code}"


def recording_closes_on(intervention: Intervention) -> date | None:
    """The last day ratings may be recorded for an ended intervention (None: still running)."""
    if intervention.ended_on is None:
        return None
    return intervention.ended_on + timedelta(days=settings.RODTRAD_FOLLOWUP_DAYS_AFTER_END)


def recording_problem(intervention: Intervention, today: date | None = None) -> str | None:
    """Why no rating can be recorded for the intervention now, or None when one can."""
    today = today or timezone.localdate()
    if intervention.started_on is None:
        return _("Insatsen har inte påbörjats. Skattningar kan registreras när den har startat.")
    closes = recording_closes_on(intervention)
    if closes is not None and today > closes:
        return _(
            "Insatsen avslutades %(day)s. Skattningar kan registreras i högst %(days)s dagar "
            "efter avslutet."
        ) % {"day": intervention.ended_on, "days": settings.RODTRAD_FOLLOWUP_DAYS_AFTER_END}
    return None


def rates_for(user: User | AnonymousUser, intervention: Intervention) -> bool:
    """Who records an intervention's ratings: the case's handlers in scope, and the provider
    a commission for it was sent to (the ratings are made at the provider's sessions)."""
    if access.can(user, "edit_case", intervention.case):
        return True
    return any(
        is_provider_of(user, commission)
        for commission in Commission.objects.filter(
            intervention=intervention, status__in=list(FOLLOWED_UP)
        )
    )


def may_record(user: User | AnonymousUser, intervention: Intervention) -> bool:
    """Whether the user may record a rating for the intervention today."""
    return rates_for(user, intervention) and recording_problem(intervention) is None


def guardians_of(intervention: Intervention, *, on: date) -> list[Person]:
    """The child's guardians on the day (parties of the case other than the child)."""
    child_id = intervention.case.child_id
    return [
        party.person
        for party in people_queries.parties_of_child(intervention.case.child, on=on)
        if party.person.pk != child_id
    ]


@dataclass(frozen=True)
class Scored:
    total: Decimal | None
    mean: float | None
    stored: dict[str, str | int | None]


def _scored(instrument: Instrument, item_scores: Mapping[str, ItemValue]) -> Scored:
    """Score the entered values with the instrument; errors keyed by the items' form fields."""
    if instrument.kind == InstrumentKind.RATING_SCALE:
        spec = instrument.spec()
        try:
            value = scoring.total(spec, item_scores)
        except scoring.InvalidItemScores as error:
            raise ValidationError(
                {
                    item_field(code): _(problem.message) % dict(problem.params)
                    for code, problem in error.problems.items()
                }
            ) from error
        stored: dict[str, str | int | None] = {code: str(item_scores[code]) for code in spec.items}
        return Scored(total=value, mean=None, stored=stored)
    codes = instrument.item_codes
    answers: list[int | None] = []
    for code in codes:
        answer = item_scores.get(code)
        answers.append(None if answer is None else int(answer) if answer == int(answer) else -1)
    try:
        mean = scoring.satisfaction_mean(
            answers, min_value=instrument.min_item, max_value=instrument.max_item
        )
    except scoring.InvalidAnswers as error:
        raise ValidationError(
            {
                item_field(codes[position]): _(problem.message) % dict(problem.params)
                for position, problem in error.problems.items()
            }
        ) from error
    return Scored(total=None, mean=mean, stored=dict(zip(codes, answers, strict=True)))


def record_measurement(
    intervention: Intervention,
    *,
    by: User,
    instrument: Instrument,
    rater_role: str,
    rater_id: int | None,
    administered_on: date | None,
    item_scores: Mapping[str, ItemValue],
) -> Measurement:
    """Record one rating: the next session of the (intervention, instrument, rater) series."""
    with transaction.atomic():
        fresh = (
            Intervention.objects.select_for_update()
            .select_related("case", "case__child", "case__district")
            .get(pk=intervention.pk)
        )
        case = fresh.case
        if not rates_for(by, fresh):
            raise PermissionDenied
        problem = recording_problem(fresh)
        if problem is not None:
            raise ValidationError(problem, code="closed")
        if not instrument.is_active:
            raise ValidationError(_("Instrumentet används inte längre."), code="instrument")
        errors: dict[str, list[str]] = {}
        today = timezone.localdate()
        assert fresh.started_on is not None
        if administered_on is None:
            errors.setdefault("administered_on", []).append(_("Ange ett datum."))
        elif administered_on > today:
            errors.setdefault("administered_on", []).append(
                _("Datumet kan inte vara senare än i dag.")
            )
        elif administered_on < fresh.started_on:
            errors.setdefault("administered_on", []).append(
                _("Datumet kan inte vara före insatsens start %(day)s.")
                % {"day": fresh.started_on.isoformat()}
            )
        elif fresh.ended_on is not None and administered_on > fresh.ended_on:
            errors.setdefault("administered_on", []).append(
                _("Datumet kan inte vara efter insatsens slut %(day)s.")
                % {"day": fresh.ended_on.isoformat()}
            )
        rater: Person | None = None
        if rater_role == RaterRole.CHILD:
            rater = case.child
            on = administered_on if administered_on and not errors else today
            youngest = instrument.self_rating_min_age
            if youngest is not None and age_on(case.child.birth_date, on) < youngest:
                errors.setdefault("rater", []).append(
                    _(
                        "Barnet är under %(age)s år och skattar inte själv med det här "
                        "formuläret. Låt en vårdnadshavare eller utföraren skatta för barnet."
                    )
                    % {"age": youngest}
                )
        elif rater_role == RaterRole.GUARDIAN:
            on = administered_on if administered_on and not errors else today
            rater = next((p for p in guardians_of(fresh, on=on) if p.pk == rater_id), None)
            if rater is None:
                errors.setdefault("rater", []).append(
                    _("Välj en av barnets vårdnadshavare den dagen.")
                )
        elif rater_role != RaterRole.PROVIDER:
            errors.setdefault("rater", []).append(_("Välj vem som skattar."))
        try:
            scored = _scored(instrument, item_scores)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        earlier = Measurement.objects.filter(
            intervention=fresh, instrument=instrument, rater_role=rater_role, rater=rater
        )
        last = earlier.order_by("-session_number").first()
        assert administered_on is not None
        if last is not None and administered_on < last.administered_on:
            raise ValidationError(
                {
                    "administered_on": _(
                        "Datumet kan inte vara före förra skattningen i serien, %(day)s."
                    )
                    % {"day": last.administered_on.isoformat()}
                }
            )
        measurement = Measurement.objects.create(
            intervention=fresh,
            instrument=instrument,
            instrument_edition=instrument.edition,
            session_number=(last.session_number + 1) if last else 1,
            administered_on=administered_on,
            rater_role=rater_role,
            rater=rater,
            item_scores=scored.stored,
            total=scored.total,
            satisfaction_mean=scored.mean,
            recorded_by=by,
        )
        # Numbers only: the instrument, the session, who rated (the role) and the result.
        record(
            "followup.measurement_recorded",
            by=by,
            obj=measurement,
            case_id=case.pk,
            person_id=case.child_id,
            district=case.district.code,
            data={
                "intervention_id": fresh.pk,
                "instrument": instrument.code,
                "instrument_edition": instrument.edition,
                "session_number": measurement.session_number,
                "rater_role": rater_role,
                "administered_on": administered_on.isoformat(),
                "total": None if scored.total is None else str(scored.total),
                "satisfaction_mean": scored.mean,
            },
        )
        return measurement


# --- Administering the instruments ------------------------------------------------------------


def update_instrument(
    instrument: Instrument,
    *,
    by: User,
    expected_version: int,
    name: str,
    item_labels: Mapping[str, str],
    licence_note: str,
    is_active: bool,
) -> Instrument:
    """The administrator enters an instrument's name, item wording and licence, or stops using
    it. The items themselves, the scale and the bands are the instrument's edition and change
    only with a new edition (`create_edition`), so old ratings are read as they were made."""
    if not access.can(by, "administer_code_lists"):
        raise PermissionDenied
    with transaction.atomic():
        current = Instrument.objects.select_for_update().get(pk=instrument.pk)
        errors: dict[str, list[str]] = {}
        name = name.strip()
        if not name:
            errors["name"] = [_("Skriv formulärets namn.")]
        unknown = set(item_labels) - set(current.item_codes)
        if unknown:
            raise ValueError(f"unknown item codes {sorted(unknown)}")
        items = [
            {**item, "label": (item_labels.get(str(item["code"])) or "").strip()}
            for item in current.items
        ]
        for item in items:
            if not item["label"]:
                errors[f"label_{item['code']}"] = [_("Skriv frågans text.")]
        if (
            is_active
            and not current.is_active
            and Instrument.objects.filter(code=current.code, is_active=True).exists()
        ):
            # One edition of an instrument in use at a time (a constraint holds it too).
            errors["is_active"] = [
                _("En annan utgåva av formuläret används. Sluta använda den först.")
            ]
        if errors:
            raise ValidationError(errors)
        wanted = {
            "name": name,
            "items": items,
            "licence_note": licence_note.strip(),
            "is_active": is_active,
        }
        changes = {k: v for k, v in wanted.items() if getattr(current, k) != v}
        if not changes:
            return current
        updated: Instrument = update_versioned(
            current, expected_version=expected_version, changes=changes
        )
        # The field names only: wording and licence text are the municipality's, not the log's.
        record(
            "followup.instrument_updated",
            by=by,
            obj=updated,
            data={
                "instrument": updated.code,
                "fields": sorted(changes),
                "version": updated.version,
            },
        )
        return updated


# --- New instruments and new editions (docs/followup-instruments.md) ----------------------------
# A new edition is a new row (same code and name, the edition counted up, `previous_edition`
# pointing back), and the old row stops being used: the old series keep the items and bands
# they were rated with, and a series is per instrument row.

CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _definition_journal(instrument: Instrument) -> dict[str, object]:
    """Numbers and codes only: the wording and the licence are the municipality's."""
    return {
        "instrument": instrument.code,
        "edition": instrument.edition,
        "kind": instrument.kind,
        "items": len(instrument.items),
        "bands": len(instrument.bands),
    }


def create_instrument(*, by: User, code: str, definition: Definition) -> Instrument:
    """The administrator adds an instrument ("Nytt formulär"), edition 1, in use."""
    if not access.can(by, "administer_code_lists"):
        raise PermissionDenied
    with transaction.atomic():
        errors = FieldErrors()
        code = (code or "").strip()
        if not CODE.match(code) or len(code) > 60:
            errors.add(
                "code",
                _("Ange en kod med små bokstäver a–z, siffror och bindestreck (högst 60 tecken)."),
            )
        elif Instrument.objects.filter(code=code).exists():
            errors.add(
                "code", _("Det finns redan ett formulär med koden %(code)s.") % {"code": code}
            )
        fields = checked_definition(definition, errors)
        errors.raise_any()
        instrument = Instrument.objects.create(code=code, edition="1", is_active=True, **fields)
        record(
            "followup.instrument_created",
            by=by,
            obj=instrument,
            data=_definition_journal(instrument),
        )
        return instrument


def next_edition_name(edition: str) -> str:
    """The edition after `edition`: "1" → "2"; an edition that is not a number gets "-2"."""
    if edition.isdigit():
        return str(int(edition) + 1)
    return f"{edition}-2"


def create_edition(
    previous: Instrument, *, by: User, expected_version: int, definition: Definition
) -> Instrument:
    """The administrator makes a new edition of an instrument ("Ny utgåva"): a new row with
    the same code, kind and edition counted up, pointing back to `previous`, which stops being
    used (compare-and-set on its `version`). Only the newest edition gets a new one."""
    if not access.can(by, "administer_code_lists"):
        raise PermissionDenied
    with transaction.atomic():
        current = Instrument.objects.select_for_update().get(pk=previous.pk)
        errors = FieldErrors()
        if Instrument.objects.filter(previous_edition=current).exists():
            errors.add(
                "name", _("Formuläret har redan en nyare utgåva. Gör den nya utgåvan av den.")
            )
        if definition.kind != current.kind:
            errors.add("kind", _("En ny utgåva är av samma slag som formuläret."))
        fields = checked_definition(definition, errors)
        errors.raise_any()
        edition = next_edition_name(current.edition)
        while Instrument.objects.filter(code=current.code, edition=edition).exists():
            edition = next_edition_name(edition)
        retired: Instrument = update_versioned(
            current, expected_version=expected_version, changes={"is_active": False}
        )
        instrument = Instrument.objects.create(
            code=current.code,
            edition=edition,
            previous_edition=retired,
            is_active=True,
            **fields,
        )
        record(
            "followup.instrument_edition_created",
            by=by,
            obj=instrument,
            data={
                **_definition_journal(instrument),
                "previous_edition": retired.edition,
                "previous_id": retired.pk,
            },
        )
        return instrument


# --- A commission's follow-up (docs/red-thread.md, "Follow-up") --------------------------------
# Each goal's level on its Goal Attainment Scale and the T-score, the child's and guardians'
# views, the provider's report, whether violence was followed up, and what happens next. The
# case's handlers in scope and the provider the commission was sent to record it; a follow-up
# is never changed (a correction is a new follow-up). Journaled with numbers only.


def goal_field(goal_id: int) -> str:
    return f"goal_{goal_id}"


def may_follow_up(user: User | AnonymousUser, commission: Commission) -> bool:
    return access.can(user, "edit_case", commission.case) or is_provider_of(user, commission)


def record_follow_up(
    commission: Commission,
    *,
    by: User,
    held_on: date | None,
    levels: Mapping[int, int | None],
    outcome: str,
    child_view: str = "",
    child_view_missing_reason: str = "",
    guardians_view: str = "",
    provider_report: str = "",
    violence_followed_up: bool | None = None,
    note: str = "",
) -> FollowUp:
    """`levels`: goal id → level −2…+2, one for every goal of the commission."""
    with transaction.atomic():
        fresh = (
            Commission.objects.select_for_update()
            .select_related("case", "case__district", "intervention")
            .get(pk=commission.pk)
        )
        if not may_follow_up(by, fresh):
            raise PermissionDenied
        errors = FieldErrors()
        if fresh.status not in FOLLOWED_UP:
            errors.add("held_on", _("Bara ett skickat uppdrag följs upp."))
        if held_on is None:
            errors.add("held_on", _("Ange ett datum."))
        elif held_on > timezone.localdate():
            errors.add("held_on", _("Datumet kan inte vara senare än i dag."))
        elif fresh.sent_at is not None and held_on < timezone.localtime(fresh.sent_at).date():
            errors.add("held_on", _("Uppföljningen kan inte ha hållits innan uppdraget skickades."))
        elif fresh.intervention.ended_on is not None and held_on > fresh.intervention.ended_on + (
            timedelta(days=30)
        ):
            errors.add("held_on", _("Insatsen avslutades för mer än en månad sedan."))
        goals = list(fresh.goals.all())
        ratings: list[tuple[int, float]] = []
        chosen: dict[int, int] = {}
        for goal in goals:
            level = levels.get(goal.pk)
            if level is None or level not in range(-2, 3):
                errors.add(goal_field(goal.pk), _("Välj var målet står nu, från −2 till +2."))
            else:
                chosen[goal.pk] = level
                ratings.append((level, float(goal.weight)))
        child_view = (child_view or "").strip()
        child_view_missing_reason = (child_view_missing_reason or "").strip()
        if not child_view and not child_view_missing_reason:
            errors.add("child_view", _("Skriv barnets syn, eller varför den inte gick att få."))
        violent = is_violence_case(fresh.intervention)
        if violent and violence_followed_up is None:
            errors.add(
                "violence_followed_up",
                _("Det är ett våldsärende: svara om våldet följdes upp vid uppföljningen."),
            )
        if outcome not in FollowUpOutcome.values:
            errors.add("outcome", _("Välj hur det går vidare."))
        errors.raise_any()
        assert held_on is not None
        t_score = scoring.gas_t_score(ratings) if ratings else None
        follow_up = FollowUp.objects.create(
            commission=fresh,
            case=fresh.case,
            held_on=held_on,
            child_view=child_view,
            child_view_missing_reason=child_view_missing_reason,
            guardians_view=(guardians_view or "").strip(),
            provider_report=(provider_report or "").strip(),
            violence_followed_up=violence_followed_up if violent else None,
            outcome=outcome,
            note=(note or "").strip(),
            gas_t_score=t_score,
            recorded_by=by,
        )
        GoalRating.objects.bulk_create(
            [GoalRating(follow_up=follow_up, goal=goal, level=chosen[goal.pk]) for goal in goals]
        )
        record(
            "followup.follow_up_recorded",
            by=by,
            obj=follow_up,
            case_id=fresh.case_id,
            person_id=fresh.case.child_id,
            district=fresh.case.district.code,
            data={
                "commission_id": fresh.pk,
                "goals": len(goals),
                "gas_t_score": round(t_score, 1) if t_score is not None else None,
                "outcome": outcome,
                "violence_followed_up": follow_up.violence_followed_up,
            },
        )
        return follow_up


def next_follow_up_on(commission: Commission, last_held_on: date | None) -> date | None:
    """The commission's next follow-up: the first date, then every N weeks after the last."""
    if last_held_on is None:
        return commission.first_follow_up_on
    if not commission.follow_up_every_weeks:
        return None
    return last_held_on + timedelta(weeks=commission.follow_up_every_weeks)


# --- The follow-up of a case (SoL 23 kap., LVU 21 b–c §§) --------------------------------------


@dataclass(frozen=True)
class CaseFollowUpPeriod:
    """What the case is being followed up under: the basis, the decision, since when."""

    basis: str
    decision: Decision | None
    started_on: date

    @property
    def is_statutory(self) -> bool:
        return self.basis in STATUTORY_BASES


def case_follow_up_period(case: Case) -> CaseFollowUpPeriod:
    """The follow-up the case is in: under the newest follow-up decision when none of the
    case's interventions ended after it, else the follow-up after the last intervention."""
    decision = (
        Decision.objects.filter(case=case, kind=DecisionKind.FOLLOW_UP)
        .order_by("-decided_on", "-pk")
        .first()
    )
    last_end = Intervention.objects.filter(case=case, ended_on__isnull=False).aggregate(
        last=Max("ended_on")
    )["last"]
    if decision is not None and (last_end is None or last_end <= decision.decided_on):
        ground = next(
            (
                code
                for code in legal_ground_codes(on=decision.decided_on)
                if code.code == decision.legal_ground
            ),
            None,
        )
        basis = (ground.attributes if ground else {}).get("follow_up_basis", "investigation")
        return CaseFollowUpPeriod(
            basis=basis,
            decision=decision,
            started_on=decision.effective_from or decision.decided_on,
        )
    return CaseFollowUpPeriod(
        basis=CaseFollowUpBasis.INTERVENTIONS,
        decision=None,
        started_on=last_end or timezone.localdate(),
    )


@dataclass(frozen=True)
class CaseFollowUpEntry:
    """What the form gives the service (docs/red-thread.md, "The follow-up of a case")."""

    ended_on: date | None
    findings: str
    outcome: str
    contacts: tuple[str, ...] = ()
    child_view: str = ""
    child_view_missing_reason: str = ""
    guardians_view: str = ""
    start_informed_on: date | None = None
    end_informed: bool | None = None


def end_case_follow_up(
    case: Case, *, by: User, expected_version: int, entry: CaseFollowUpEntry
) -> CaseFollowUp:
    """Record what the follow-up found and close the case (the only way out of "Uppföljning"
    but a new decision). Told at start and end: SoL 23 kap. 3 §, LVU 21 c §."""
    with transaction.atomic():
        fresh = Case.objects.select_for_update().select_related("district").get(pk=case.pk)
        if not access.can(by, "edit_case", fresh):
            raise PermissionDenied
        if fresh.version != expected_version:
            raise StaleVersion(current=fresh, changed_fields=["status"])
        if fresh.status != CaseStatus.FOLLOW_UP:
            raise ValidationError(_("Ärendet följs inte upp just nu."), code="status")
        period = case_follow_up_period(fresh)
        today = timezone.localdate()
        errors = FieldErrors()
        if entry.ended_on is None:
            errors.add("ended_on", _("Ange när uppföljningen avslutades."))
        elif entry.ended_on > today:
            errors.add("ended_on", _("Datumet kan inte vara senare än i dag."))
        elif entry.ended_on < period.started_on:
            errors.add(
                "ended_on",
                _("Uppföljningen började %(day)s.") % {"day": period.started_on.isoformat()},
            )
        findings = entry.findings.strip()
        if not findings:
            errors.add("findings", _("Skriv kort hur barnet har det nu."))
        if entry.outcome not in CaseFollowUpOutcome.values:
            errors.add("outcome", _("Välj vad som händer nu."))
        unknown = set(entry.contacts) - set(CaseFollowUpContact.values)
        if unknown:
            errors.add("contacts", _("Välj bland alternativen."))
        child_view = entry.child_view.strip()
        missing = entry.child_view_missing_reason.strip()
        if not child_view and not missing:
            errors.add(
                "child_view",
                _("Skriv barnets syn, eller under den varför den inte gick att få."),
            )
        if period.is_statutory:
            if entry.start_informed_on is None:
                errors.add(
                    "start_informed_on",
                    _(
                        "Ange när barnet (från 15 år) och vårdnadshavarna fick veta att "
                        "uppföljningen började (SoL 23 kap. 3 §)."
                    ),
                )
            elif not (period.started_on - timedelta(days=31)) <= entry.start_informed_on <= today:
                errors.add("start_informed_on", _("Datumet stämmer inte med uppföljningen."))
            if entry.end_informed is not True:
                errors.add(
                    "end_informed",
                    _(
                        "Barnet (från 15 år) och vårdnadshavarna ska få veta att uppföljningen "
                        "avslutas (SoL 23 kap. 3 §)."
                    ),
                )
        errors.raise_any()
        assert entry.ended_on is not None
        record_row = CaseFollowUp.objects.create(
            case=fresh,
            decision=period.decision,
            basis=period.basis,
            started_on=period.started_on,
            ended_on=entry.ended_on,
            start_informed_on=entry.start_informed_on if period.is_statutory else None,
            contacts=sorted(set(entry.contacts)),
            child_view=child_view,
            child_view_missing_reason="" if child_view else missing,
            guardians_view=entry.guardians_view.strip(),
            findings=findings,
            outcome=entry.outcome,
            end_informed=entry.end_informed if period.is_statutory else None,
            recorded_by=by,
        )
        record(
            "followup.case_follow_up_ended",
            by=by,
            obj=record_row,
            case_id=fresh.pk,
            person_id=fresh.child_id,
            district=fresh.district.code,
            data={
                "basis": period.basis,
                "outcome": entry.outcome,
                "days": (entry.ended_on - period.started_on).days,
                "child_view_missing": not child_view,
            },
        )
        move_case(fresh, to=CaseStatus.CLOSED, by=by, reason="follow_up_ended")
        return record_row
