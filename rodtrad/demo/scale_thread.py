"""The red thread after a pre-assessment, for `rodtrad generate` (scale.py, docs/performance.md).

About half of the generated reports open an investigation. What follows is planned here with
the demo's distributions (rodtrad/demo/history.py, red_thread.py, measurements.py;
docs/red-thread.md) as dates first (`plan_thread`), cut at today, and then written as rows in
bulk (`write_threads`) with the same `_insert` as the rest of the history:

* the investigation: informed the next day, a signed plan with three BBIC areas and a signed
  assessment of each, a conversation with the child in three of four (alone in seven of ten,
  about the violence in violence cases), a signed risk assessment in most violence cases (a
  structured instrument in two of three), one or two needs, a signed analysis five days
  before closing; around 125 days (sd 35), an extension decided before the deadline for
  about half of those that run past it;
* six in ten close with a proposal: a decision (a placement in 15 %, decided by the
  subcommittee; otherwise open care by the child's age) naming the needs in 19 of 20, the
  intervention it grants (6 % never start), a commission accepted by the district's provider
  with one goal, GAS follow-ups every eight weeks, fortnightly ratings by the child (from 6)
  and the guardian (the demo rates weekly: half the rows, the same shape), a satisfaction
  rating at the end, six-monthly reviews of placements, and the case's follow-up after the
  end;
* what lies after today does not exist yet, and the case's status says where it stands.
  In the districts where demo users work every thread must be over (ended more than
  RODTRAD_COMMISSION_AFTER_END_DAYS ago, so no provider's list grows); a thread that is not
  falls back to an investigation closed without intervention, or to no investigation.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models

from rodtrad.accounts.models import Unit, User
from rodtrad.cases.models import Case, CaseStatus, DocumentStatus
from rodtrad.cases.services import document_content
from rodtrad.commissions.models import Commission, CommissionStatus, Goal
from rodtrad.deadlines.rules import add_months
from rodtrad.decisions.models import Decision, DecisionKind, DecisionLevel, EndReason, Intervention
from rodtrad.demo.history import AREAS_2018
from rodtrad.demo.red_thread import PLACEMENTS, YOUNG_CHILD_OPEN_CARE, YOUTH_OPEN_CARE
from rodtrad.followup import scoring
from rodtrad.followup.models import (
    CaseFollowUp,
    CaseFollowUpBasis,
    CaseFollowUpOutcome,
    FollowUp,
    FollowUpOutcome,
    GoalRating,
    Instrument,
    Measurement,
    RaterRole,
)
from rodtrad.investigation.models import (
    Analysis,
    AreaAssessment,
    Contact,
    ContactKind,
    ExtensionDecision,
    Investigation,
    InvestigationPlan,
    Need,
    Outcome,
    RiskAssessment,
    investigation_deadline,
)
from rodtrad.journal.chain import canonical_json
from rodtrad.placements.models import PlacementReview, ReviewOutcome

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OPENED_SHARE = 0.5
PROPOSAL_SHARE = 0.6
PLACEMENT_SHARE = 0.15
NEVER_STARTED_SHARE = 0.06
UNLINKED_SHARE = 0.05
CONVERSATION_SHARE = 0.75
ALONE_SHARE = 0.7
RISK_ASSESSED_SHARE = 0.85
EXTENDED_SHARE = 0.5
SESSION_DAYS = 14
FOLLOW_UP_WEEKS = 8
RISK_INSTRUMENTS = ("freda", "patriark", "sara-sv")
PROBLEMS = ("skola", "beteende", "psykisk-ohalsa", "alkohol-narkotika")
TRAJECTORIES = (("improving", 6), ("flat", 3), ("deteriorating", 1))
STEP = {"improving": Decimal("4.4"), "flat": Decimal(0), "deteriorating": Decimal("-3.2")}
YOUNGEST_RATER_AGE = 6
RATING_SCALE = "example-four-item"
SATISFACTION = "example-satisfaction"

THREAD_MODELS: tuple[type[models.Model], ...] = (
    Investigation,
    InvestigationPlan,
    AreaAssessment,
    Contact,
    RiskAssessment,
    ExtensionDecision,
    Need,
    Analysis,
    Investigation.proposed_needs.through,
    Decision,
    Decision.needs.through,
    Intervention,
    Commission,
    Goal,
    Goal.needs.through,
    FollowUp,
    GoalRating,
    Measurement,
    PlacementReview,
    CaseFollowUp,
)


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in table], weights=[w for _, w in table])[0]


_DUES: dict[date, date] = {}


def _due(opened: date) -> date:
    due = _DUES.get(opened)
    if due is None:
        due = _DUES[opened] = investigation_deadline(opened, []).due
    return due


class Staff(Protocol):
    """What the thread needs of the district's staff (scale._Staff)."""

    investigators: list[User]
    manager: User
    provider_unit: Unit | None
    placement_unit: Unit | None


@dataclass
class Course:
    """A granted intervention's course, in dates (None: not yet, or never)."""

    decided: date
    placement: bool
    code: str
    ground: str
    level: str
    linked: bool
    start: date
    started: date | None
    ended: date | None
    end_reason: str
    planned_end: date
    planned_dose: int | None
    problems: list[str]
    commission_day: date
    sent: bool  # the commission was sent before today
    accepted: bool  # and accepted by the provider before today
    follow_ups: list[tuple[date, int]]  # (held on, GAS level of the goal)
    sessions: list[date]
    trajectory: str
    satisfaction_on: date | None
    reviews: list[date]
    case_follow_up: tuple[date, date] | None  # (started, ended)


@dataclass
class Thread:
    """One investigation and what came of it, cut at today."""

    opened: date
    investigator: User
    manager: User
    violent: bool
    reason: str
    closing: date | None
    planned_closing: date
    outcome: str
    areas: list[tuple[str, date]]
    plan_day: date | None
    conversation: tuple[date, bool] | None  # (day, alone)
    risk: tuple[date, str] | None  # (day, instrument code or "")
    extension: tuple[date, date, date] | None  # (decided, extended to, previous due)
    needs: list[str]
    analysis_day: date | None
    course: Course | None
    status: str
    case_closed_on: date | None
    staff: Staff = field(repr=False)


def plan_thread(
    rng: random.Random,
    *,
    opened: date,
    child_born: date,
    reason: str,
    violent: bool,
    staff: Staff,
    today: date,
    must_be_over: bool,
) -> Thread | None:
    """The investigation opened on `opened` and its sequel; None when it cannot be over in a
    district that must have no open work (then no investigation is opened)."""
    duration = max(40, int(rng.gauss(125, 35)))
    closing = _weekday(opened + timedelta(days=duration))
    plan_day = _weekday(opened + timedelta(days=6))
    analysis_day = _weekday(closing - timedelta(days=5))
    areas = rng.sample(AREAS_2018, 3)
    window = max(1, (analysis_day - plan_day).days - 1)
    area_days = []
    for area in areas:
        day = _weekday(plan_day + timedelta(days=1 + rng.randrange(window)))
        area_days.append((area, min(day, analysis_day)))
    conversation = None
    if rng.random() < CONVERSATION_SHARE:
        conversation = (
            _weekday(opened + timedelta(days=rng.randrange(10, 30))),
            rng.random() < ALONE_SHARE,
        )
    risk = None
    if violent and rng.random() < RISK_ASSESSED_SHARE:
        code = rng.choice(RISK_INSTRUMENTS) if rng.random() < 0.67 else ""
        risk = (_weekday(opened + timedelta(days=rng.randrange(3, 20))), code)
    due = _due(opened)
    extension = None
    if closing > due and rng.random() < EXTENDED_SHARE:
        decided = due - timedelta(days=3)
        while decided.weekday() >= 5:
            decided -= timedelta(days=1)
        extension = (decided, due + timedelta(days=45), due)
    needs = [rng.choice(areas)]
    if rng.random() < 0.5:
        needs.append(rng.choice([a for a in areas if a != needs[0]]))
    proposal = rng.random() < PROPOSAL_SHARE
    course = _plan_course(rng, closing=closing, child_born=child_born, violent=violent, today=today)
    after_end = timedelta(days=settings.RODTRAD_COMMISSION_AFTER_END_DAYS + 1)
    if must_be_over:
        if closing >= today:
            return None
        if proposal and (
            course.case_follow_up is None
            or course.case_follow_up[1] >= today
            or (course.ended or today) >= today - after_end
        ):
            proposal = False  # not over in time: closed without intervention instead
    thread = Thread(
        opened=opened,
        investigator=rng.choice(staff.investigators),
        manager=staff.manager,
        violent=violent,
        reason=reason,
        closing=closing if closing < today else None,
        planned_closing=closing,
        outcome=Outcome.PROPOSAL if proposal else Outcome.NO_INTERVENTION,
        areas=[(a, d) for a, d in area_days if d < today],
        plan_day=plan_day if plan_day < today else None,
        conversation=conversation if conversation and conversation[0] < today else None,
        risk=risk if risk and risk[0] < today else None,
        extension=extension if extension and extension[0] < today else None,
        needs=needs if closing < today else [],
        analysis_day=analysis_day if closing < today else None,
        course=course if proposal and closing < today and course.decided < today else None,
        status=CaseStatus.INVESTIGATION,
        case_closed_on=None,
        staff=staff,
    )
    if thread.plan_day is None:
        thread.areas = []
    _cut(thread, today)
    return thread


def _plan_course(
    rng: random.Random, *, closing: date, child_born: date, violent: bool, today: date
) -> Course:
    decided = _weekday(closing + timedelta(days=rng.randrange(2, 10)))
    placement = rng.random() < PLACEMENT_SHARE
    linked = rng.random() >= UNLINKED_SHARE
    starts = rng.random() >= NEVER_STARTED_SHARE
    youth = _age(child_born, decided) >= 13
    problems: list[str] = []
    if placement:
        code, ground, level = rng.choice(PLACEMENTS)
    else:
        code = _weighted(rng, YOUTH_OPEN_CARE if youth else YOUNG_CHILD_OPEN_CARE)
        if violent and not youth and rng.random() < 0.4:
            code = "barn-som-upplevt-vald"
        ground, level = "sol-11-1", DecisionLevel.DELEGATE
        if youth:
            problems = [rng.choice(PROBLEMS)]
    start = _weekday(decided + timedelta(days=rng.randrange(5, 30)))
    length = rng.randrange(30, 150) + (rng.randrange(120, 360) if placement else 0)
    end = _weekday(start + timedelta(days=length))
    commission_day = _weekday(decided + timedelta(days=rng.randrange(1, 5)))
    course = Course(
        decided=decided,
        placement=placement,
        code=code,
        ground=ground,
        level=level,
        linked=linked,
        start=start,
        started=start if starts else None,
        ended=end if starts else _weekday(start + timedelta(days=rng.randrange(20, 60))),
        end_reason=(
            rng.choices(
                [
                    EndReason.GOALS_MET,
                    EndReason.COMPLETED,
                    EndReason.PARTLY,
                    EndReason.FAMILY_ENDED,
                ],
                weights=[4, 3, 2, 1],
            )[0]
            if starts
            else EndReason.NEVER_STARTED
        ),
        planned_end=min(add_months(decided, 12), start + timedelta(days=length)),
        planned_dose=None if placement else rng.choice((8, 10, 12, 16, 20)),
        problems=problems,
        commission_day=commission_day,
        sent=True,
        accepted=True,
        follow_ups=[],
        sessions=[],
        trajectory=_weighted(rng, TRAJECTORIES),
        satisfaction_on=None,
        reviews=[],
        case_follow_up=None,
    )
    assert course.ended is not None
    if starts:
        first = commission_day + timedelta(weeks=6)
        gas = -1
        held = first
        while held <= end and len(course.follow_ups) < 4:
            gas = max(-2, min(2, gas + rng.choice((0, 1, 1, -1))))
            course.follow_ups.append((_weekday(held), gas))
            held += timedelta(weeks=FOLLOW_UP_WEEKS)
        if not placement:
            day = start
            while day <= end:
                course.sessions.append(day)
                day += timedelta(days=SESSION_DAYS)
            course.satisfaction_on = end
        else:
            review = _weekday(start + timedelta(days=rng.randrange(30, 60)))
            while review < end:
                course.reviews.append(review)
                review = _weekday(add_months(review, 6) - timedelta(days=7))
    follow_up_end = _weekday(course.ended + timedelta(days=rng.randrange(45, 120)))
    course.case_follow_up = (course.ended, follow_up_end)
    return course


def _cut(thread: Thread, today: date) -> None:
    """Leave out what lies on or after today, and set the case's status to match."""
    if thread.closing is None:
        thread.status = CaseStatus.INVESTIGATION
        return
    course = thread.course
    if thread.outcome == Outcome.NO_INTERVENTION:
        thread.status, thread.case_closed_on = CaseStatus.CLOSED, thread.closing
        return
    if course is None:
        thread.status = CaseStatus.PROPOSAL_AWAITING_DECISION
        return
    course.sent = course.commission_day < today
    course.accepted = _weekday(course.commission_day + timedelta(days=1)) < today
    if course.started is not None and course.started >= today:
        course.started = None
    if course.ended is not None and course.ended >= today:
        course.ended = None
    course.follow_ups = [(d, level) for d, level in course.follow_ups if d < today]
    course.sessions = [d for d in course.sessions if d < today]
    course.reviews = [d for d in course.reviews if d < today]
    if course.satisfaction_on is not None and course.satisfaction_on >= today:
        course.satisfaction_on = None
    if course.ended is None:
        thread.status = CaseStatus.INTERVENTION
        course.case_follow_up = None
        return
    assert course.case_follow_up is not None
    if course.case_follow_up[1] >= today:
        thread.status = CaseStatus.FOLLOW_UP
        course.case_follow_up = None
        return
    thread.status, thread.case_closed_on = CaseStatus.CLOSED, course.case_follow_up[1]


# --- Rows ------------------------------------------------------------------------------------


def _signed(document: Any, hour: int = 15) -> None:
    """Fill a signable document's signature, as the sign_* services leave it."""
    at = _moment(document.event_on, hour)
    document.recorded_at = document.updated_at = document.signed_at = at
    document.status = DocumentStatus.SIGNED
    document.signed_by = document.author
    document.content_hash = hashlib.sha256(
        canonical_json(document_content(document)).encode()
    ).hexdigest()


def _items(rng: random.Random, total: Decimal) -> dict[str, str]:
    scores = {}
    for n in range(1, 5):
        value = total / 4 + Decimal(rng.randint(-8, 8)) / 10
        scores[f"item_{n}"] = min(Decimal(10), max(Decimal(0), value)).quantize(Decimal("0.1"))
    return {code: str(value) for code, value in scores.items()}


@dataclass
class Written:
    investigations: int = 0
    decisions: int = 0
    measurements: int = 0


def write_threads(
    insert: Callable[[list[Any]], None],
    rng: random.Random,
    threads: list[tuple[Thread, Case]],
    *,
    guardians: dict[int, int],
) -> Written:
    """Insert the rows of the threads (each with its case, already inserted)."""
    written = Written()
    if not threads:
        return written
    investigations = []
    for thread, case in threads:
        by = thread.investigator
        closed = thread.closing is not None
        investigations.append(
            Investigation(
                case=case,
                opened_on=thread.opened,
                opened_at=_moment(thread.opened, 15),
                opened_by=thread.staff.investigators[0],
                informed_on=thread.opened + timedelta(days=1),
                informed_how="Brev och telefonsamtal till vårdnadshavarna.",
                informing_recorded_at=_moment(thread.opened + timedelta(days=1), 10),
                closed_on=thread.closing,
                closed_at=_moment(thread.closing, 16) if closed and thread.closing else None,
                closed_by=by if closed else None,
                outcome=thread.outcome if closed else "",
            )
        )
    insert(investigations)
    written.investigations = len(investigations)
    plans, areas, contacts, risks, extensions, needs, analyses = [], [], [], [], [], [], []
    need_rows: list[tuple[int, list[Need]]] = []
    for (thread, case), inv in zip(threads, investigations, strict=True):
        by = thread.investigator
        base = {"case": case, "investigation": inv, "author": by}
        if thread.plan_day is not None:
            plan = InvestigationPlan(
                **base,
                event_on=thread.plan_day,
                areas=[a for a, _d in thread.areas] or list(AREAS_2018[:3]),
                questions="Vilka behov har barnet? Får barnet den omsorg det behöver?",
                child_meeting="Två enskilda samtal med barnet, det första i skolan.",
            )
            _signed(plan, 11)
            plans.append(plan)
        for area, day in thread.areas:
            text = AreaAssessment(**base, event_on=day, area=area, facts="Genererad historik.")
            _signed(text, 10)
            areas.append(text)
        if thread.conversation is not None:
            day, alone = thread.conversation
            contacts.append(
                Contact(
                    investigation=inv,
                    kind=ContactKind.CHILD_CONVERSATION,
                    event_on=day,
                    child_alone=alone,
                    covered_violence=thread.violent,
                    summary="Barnet berättade om skolan och hemmet.",
                    recorded_at=_moment(day, 13),
                    recorded_by=by,
                )
            )
        if thread.risk is not None:
            day, code = thread.risk
            risk = RiskAssessment(
                **base,
                event_on=day,
                instrument=code or "Strukturerad bedömning utan standardinstrument",
                instrument_code=code,
                judgement=rng.choice(("low", "moderate", "high")),
                time_horizon="short",
                reassessment_on=day + timedelta(days=60),
                safety_plan="Barnet vet vem det ska ringa; skolan informerad.",
            )
            _signed(risk, 14)
            risks.append(risk)
        if thread.extension is not None:
            extension_day, extended_to, previous = thread.extension
            extensions.append(
                ExtensionDecision(
                    investigation=inv,
                    decided_on=extension_day,
                    extended_to=extended_to,
                    previous_due=previous,
                    reasons="Särskilda skäl: väntar på utlåtande från BUP.",
                    decided_by=thread.manager,
                    recorded_at=_moment(extension_day, 9),
                )
            )
        these = [
            Need(
                investigation=inv,
                area=area,
                description="Barnet behöver stöd i vardagen och vuxna som förstår dess behov.",
                severity=rng.choice(("low", "moderate", "high")),
                recorded_at=_moment(thread.analysis_day or thread.opened, 14),
                updated_at=_moment(thread.analysis_day or thread.opened, 14),
                recorded_by=by,
            )
            for area in thread.needs
        ]
        needs += these
        need_rows.append((inv.pk, these))
        if thread.analysis_day is not None:
            analysis = Analysis(
                **base,
                event_on=thread.analysis_day,
                text="Sammantaget bedöms barnet ha behov av stöd.",
                child_not_met_reason="" if thread.conversation else "Barnet ville inte träffas.",
            )
            _signed(analysis)
            analyses.append(analysis)
    for rows in (plans, areas, contacts, risks, extensions, needs, analyses):
        insert(rows)
    proposed = Investigation.proposed_needs.through
    insert(
        [
            proposed(investigation_id=inv_id, need_id=need.pk)
            for (thread, _case), (inv_id, these) in zip(threads, need_rows, strict=True)
            if thread.outcome == Outcome.PROPOSAL and thread.closing is not None
            for need in these
        ]
    )
    decided = [
        (thread, case, inv, these)
        for (thread, case), inv, (_id, these) in zip(
            threads, investigations, need_rows, strict=True
        )
        if thread.course is not None
    ]
    written.decisions = _write_courses(insert, rng, decided, guardians=guardians, written=written)
    return written


def _write_courses(
    insert: Callable[[list[Any]], None],
    rng: random.Random,
    decided: list[tuple[Thread, Case, Investigation, list[Need]]],
    *,
    guardians: dict[int, int],
    written: Written,
) -> int:
    decisions = []
    for thread, case, inv, these in decided:
        course = thread.course
        assert course is not None
        kind = DecisionKind.PLACEMENT if course.placement else DecisionKind.GRANTED
        content = {
            "case": case.pk,
            "kind": kind,
            "legal_ground": course.ground,
            "decided_on": course.decided.isoformat(),
            "granted": course.code,
        }
        decisions.append(
            Decision(
                case=case,
                investigation=inv,
                kind=kind,
                legal_ground=course.ground,
                level=course.level,
                minutes_reference=(
                    "" if course.level == DecisionLevel.DELEGATE else f"IU {course.decided} § 1"
                ),
                decided_on=course.decided,
                reasons="Utredningen visar att barnet har behov av stöd som insatsen kan ge.",
                effective_from=course.decided,
                effective_to=add_months(course.decided, 12),
                review_on=add_months(course.decided, 6),
                appealable=course.placement,
                no_needs_reason=""
                if course.linked and these
                else "Insatsen beslutades innan behoven var dokumenterade.",
                decided_by=thread.manager,
                recorded_at=_moment(course.decided, 13),
                content_hash=hashlib.sha256(canonical_json(content).encode()).hexdigest(),
            )
        )
    insert(decisions)
    insert(
        [
            Decision.needs.through(decision_id=decision.pk, need_id=need.pk)
            for decision, (thread, _c, _i, these) in zip(decisions, decided, strict=True)
            if thread.course is not None and thread.course.linked
            for need in these
        ]
    )
    interventions = []
    for decision, (thread, case, _inv, _these) in zip(decisions, decided, strict=True):
        course = thread.course
        assert course is not None
        unit = thread.staff.placement_unit if course.placement else thread.staff.provider_unit
        at = _moment(course.decided, 13)
        interventions.append(
            Intervention(
                decision=decision,
                case=case,
                catalogue_code=course.code,
                provider_unit=unit,
                external_provider="" if unit else "Extern utförare",
                planned_start=course.start,
                planned_end=course.planned_end,
                planned_dose=course.planned_dose,
                dose_unit="days" if course.placement else "sessions",
                started_on=course.started,
                ended_on=course.ended,
                delivered_dose=(
                    max(1, course.planned_dose - rng.randrange(0, 4))
                    if course.ended and course.started and course.planned_dose
                    else None
                ),
                end_reason=course.end_reason if course.ended else "",
                reason_codes=[thread.reason],
                problem_codes=course.problems,
                recorded_at=at,
                updated_at=at,
            )
        )
    insert(interventions)
    commissions = []
    for intervention, (thread, case, _inv, _these) in zip(interventions, decided, strict=True):
        course = thread.course
        assert course is not None
        sent = _moment(course.commission_day, 15)
        accepted = _weekday(course.commission_day + timedelta(days=1))
        if not course.sent:
            commissions.append(
                Commission(
                    intervention=intervention,
                    case=case,
                    provider_unit=intervention.provider_unit,
                    status=CommissionStatus.DRAFT,
                    created_at=_moment(course.decided, 14),
                    created_by=thread.investigator,
                    updated_at=_moment(course.decided, 14),
                )
            )
            continue
        commissions.append(
            Commission(
                intervention=intervention,
                case=case,
                provider_unit=intervention.provider_unit,
                status=CommissionStatus.ACCEPTED if course.accepted else CommissionStatus.SENT,
                participants="Barnet och vårdnadshavarna.",
                frequency="Varje vecka.",
                child_goals="Att det blir lugnare hemma.",
                first_follow_up_on=course.commission_day + timedelta(weeks=6),
                follow_up_every_weeks=FOLLOW_UP_WEEKS,
                created_at=sent - timedelta(hours=2),
                created_by=thread.investigator,
                updated_at=sent,
                sent_at=sent,
                sent_by=thread.investigator,
                accepted_at=_moment(accepted, 10) if course.accepted else None,
                accepted_by=thread.investigator if course.accepted else None,
            )
        )
    insert(commissions)
    goals = []
    for commission, (thread, _case, _inv, _these) in zip(commissions, decided, strict=True):
        written_at = commission.sent_at or commission.created_at
        goals.append(
            Goal(
                commission=commission,
                text="Barnet har en trygg vardag och går i skolan.",
                level_minus_2="Barnet är hemma från skolan varje vecka.",
                level_minus_1="Barnet är hemma från skolan ibland.",
                level_0="Barnet går i skolan nästan varje dag.",
                level_plus_1="Barnet går i skolan varje dag.",
                level_plus_2="Barnet går i skolan varje dag och trivs.",
                recorded_at=written_at - timedelta(hours=1),
                recorded_by=thread.investigator,
            )
        )
    insert(goals)
    insert(
        [
            Goal.needs.through(goal_id=goal.pk, need_id=these[0].pk)
            for goal, (_t, _c, _i, these) in zip(goals, decided, strict=True)
            if these
        ]
    )
    follow_ups: list[FollowUp] = []
    levels: list[tuple[Goal, int]] = []
    reviews = []
    case_follow_ups = []
    for commission, goal, intervention, (thread, case, _inv, _these) in zip(
        commissions, goals, interventions, decided, strict=True
    ):
        course = thread.course
        assert course is not None
        for n, (held, level) in enumerate(course.follow_ups):
            last = n == len(course.follow_ups) - 1 and course.ended is not None
            follow_ups.append(
                FollowUp(
                    commission=commission,
                    case=case,
                    held_on=held,
                    child_view="Barnet tycker att det går bättre.",
                    guardians_view="Föräldrarna ser en förändring.",
                    provider_report="Familjen deltar som planerat.",
                    violence_followed_up=True if thread.violent else None,
                    outcome=FollowUpOutcome.END if last else FollowUpOutcome.CONTINUE,
                    gas_t_score=scoring.gas_t_score([(level, 1.0)]),
                    recorded_by=thread.investigator,
                    recorded_at=_moment(held, 16),
                )
            )
            levels.append((goal, level))
        for held in course.reviews:
            reviews.append(
                PlacementReview(
                    intervention=intervention,
                    case=case,
                    held_on=held,
                    minutes_reference=f"IU {held} § 2",
                    outcome=ReviewOutcome.CONTINUES,
                    recorded_at=_moment(held, 13),
                    recorded_by=thread.manager,
                )
            )
        if course.case_follow_up is not None:
            started, ended = course.case_follow_up
            case_follow_ups.append(
                CaseFollowUp(
                    case=case,
                    basis=CaseFollowUpBasis.INTERVENTIONS,
                    started_on=started,
                    ended_on=ended,
                    contacts=["child", "guardians", "school"],
                    findings="Barnet har det bra; inga nya uppgifter om oro.",
                    outcome=CaseFollowUpOutcome.NO_FURTHER_ACTION,
                    end_informed=True,
                    recorded_by=thread.investigator,
                    recorded_at=_moment(ended, 11),
                )
            )
    insert(follow_ups)
    insert(
        [
            GoalRating(follow_up=follow_up, goal=goal, level=level)
            for follow_up, (goal, level) in zip(follow_ups, levels, strict=True)
        ]
    )
    insert(reviews)
    insert(case_follow_ups)
    measurements = _measurements(rng, interventions, decided, guardians=guardians)
    insert(measurements)
    written.measurements += len(measurements)
    return len(decisions)


_INSTRUMENTS: dict[str, Instrument | None] = {}


def _instrument(code: str) -> Instrument | None:
    if code not in _INSTRUMENTS:
        _INSTRUMENTS[code] = Instrument.objects.filter(code=code, is_active=True).first()
    return _INSTRUMENTS[code]


def _measurements(
    rng: random.Random,
    interventions: list[Intervention],
    decided: list[tuple[Thread, Case, Investigation, list[Need]]],
    *,
    guardians: dict[int, int],
) -> list[Measurement]:
    scale, satisfaction = _instrument(RATING_SCALE), _instrument(SATISFACTION)
    rows: list[Measurement] = []
    for intervention, (thread, case, _inv, _these) in zip(interventions, decided, strict=True):
        course = thread.course
        assert course is not None
        born = case.child.birth_date
        guardian = guardians.get(case.child_id)
        baselines: dict[str, Decimal] = {
            RaterRole.CHILD: Decimal(rng.randint(150, 250)) / 10,
            RaterRole.GUARDIAN: Decimal(rng.randint(160, 260)) / 10,
        }
        for session, day in enumerate(course.sessions if scale is not None else []):
            assert scale is not None
            raters: list[tuple[str, int | None]] = []
            if _age(born, day) >= YOUNGEST_RATER_AGE:
                raters.append((RaterRole.CHILD, None))
            if guardian is not None:
                raters.append((RaterRole.GUARDIAN, guardian))
            for role, rater in raters:
                total = baselines[role] + STEP[course.trajectory] * session
                total += Decimal(rng.randint(-15, 15)) / 10
                items = _items(rng, total)
                rows.append(
                    Measurement(
                        intervention=intervention,
                        instrument=scale,
                        instrument_edition=scale.edition,
                        session_number=session + 1,
                        administered_on=day,
                        rater_role=role,
                        rater_id=rater,
                        item_scores=items,
                        total=sum(Decimal(v) for v in items.values()),
                        recorded_by=thread.investigator,
                        recorded_at=_moment(day, 12),
                    )
                )
        if course.satisfaction_on is not None and satisfaction is not None:
            answers = [rng.choice((3, 4, 4, 5, 5)) for _ in satisfaction.item_codes]
            rows.append(
                Measurement(
                    intervention=intervention,
                    instrument=satisfaction,
                    instrument_edition=satisfaction.edition,
                    session_number=1,
                    administered_on=course.satisfaction_on,
                    rater_role=RaterRole.GUARDIAN if guardian else RaterRole.CHILD,
                    rater_id=guardian,
                    item_scores=dict(zip(satisfaction.item_codes, answers, strict=True)),
                    satisfaction_mean=sum(answers) / len(answers),
                    recorded_by=thread.investigator,
                    recorded_at=_moment(course.satisfaction_on, 12),
                )
            )
    return rows
