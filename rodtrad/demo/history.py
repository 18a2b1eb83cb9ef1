"""Demo history for the case spine: reports, protection assessments, pre-assessments and
investigations over the last ~8 months in every district, replayed through the real services.

Each event runs with the clock moved to the moment it happened (time-machine), in
chronological order across all children, so that server timestamps, deadlines, "recorded late"
markers and the journal's hash chain all look as they would after months of real use.

Distributions (approximate, from the Stockholm seeds): about half of the reports lead to an
investigation; investigations last around 120 days, some past four months, about half of those
without an extension decision; reason codes and reporter categories weighted as in the 2018
national mapping (police, school, preschool and health care ≈ 60 %).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from rodtrad.accounts.models import District, User
from rodtrad.cases.models import Case, CaseStatus
from rodtrad.cases.services import assign_responsible
from rodtrad.deadlines.rules import investigation_deadline
from rodtrad.demo import red_thread
from rodtrad.frameworks.queries import current_codes
from rodtrad.intake import services as intake
from rodtrad.intake.models import PreAssessment, ReportChild
from rodtrad.intake.services import pre_assessment_deadline
from rodtrad.investigation import services as investigation_services
from rodtrad.investigation.models import ContactKind, Investigation
from rodtrad.people.models import Person, Relationship, RelationshipKind

STOCKHOLM = ZoneInfo("Europe/Stockholm")

REASONS = (  # (code, weight)
    ("L", 14),
    ("N", 12),
    ("B", 10),
    ("M", 9),
    ("I", 8),
    ("A", 8),
    ("Q", 6),
    ("S", 6),
    ("K", 4),
    ("G", 5),
    ("E", 4),
    ("C", 3),
    ("D", 3),
    ("J", 2),
    ("O", 1),
    ("T", 2),
    ("Y", 3),
)
REPORTERS = (  # (category code, mandatory, weight)
    ("polis", True, 25),
    ("skola", True, 18),
    ("forskola", True, 7),
    ("halso-och-sjukvard", True, 10),
    ("socialtjanst", True, 6),
    ("anhorig", False, 8),
    ("privatperson", False, 8),
    ("barnet-sjalvt", False, 2),
    ("anonym", False, 6),
    ("annan-myndighet", True, 10),
)
CHANNELS = ("telefon", "e-tjanst", "sdk", "e-post", "brev", "polisen")
AREAS_2018 = (
    "halsa",
    "utbildning",
    "kanslor-och-beteende",
    "sociala-relationer",
    "grundlaggande-omsorg",
    "stimulans-och-vagledning",
    "kanslomassig-tillganglighet",
    "sakerhet",
)


@dataclass
class Actors:
    intake: User
    investigator: User
    manager: User | None


@dataclass
class Timeline:
    rng: random.Random
    events: list[tuple[datetime, int, Callable[[], None]]] = field(default_factory=list)
    # What the plans of one family tell the others (e.g. that a placement old enough to have
    # been reviewed is planned).
    flags: dict[str, Any] = field(default_factory=dict)

    def at(
        self, day: date, hour: int, action: Callable[[], None], minute: int | None = None
    ) -> None:
        # A given minute draws nothing from the shared generator (the ratings' events leave
        # the rest of the history as it was).
        if minute is None:
            minute = self.rng.randrange(0, 60)
        moment = datetime.combine(day, time(hour, minute), STOCKHOLM)
        self.events.append((moment, len(self.events), action))

    def replay(self, *, until: datetime) -> None:
        for moment, _, action in sorted(self.events, key=lambda e: (e[0], e[1])):
            if moment >= until:
                continue
            with time_machine.travel(moment, tick=False):
                action()


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _codes(list_key: str, wanted: list[str]) -> list[str]:
    available = {c.code for c in current_codes(list_key)}
    return [code for code in wanted if code in available]


def _pick_reasons(rng: random.Random) -> list[str]:
    codes, weights = zip(*REASONS, strict=True)
    picked = set(rng.choices(codes, weights=weights, k=rng.choice((1, 1, 2, 2, 3))))
    return sorted(picked)


# How far back the history reaches: reports are received in the last HISTORY_DAYS days (the
# demo's review programmes are cut from this window: demo/reviews.py).
HISTORY_DAYS = 240

# Share of a district's children with at least one report in the history: high where the demo
# users work (their worklists should be full: about ten to twenty-five open cases each), lower
# elsewhere (history for the statistics). Every report is replayed through the services, about
# a fifth of a second each (most of `rodtrad demo`'s time); the browser journeys and the
# red-thread test need what these shares give (twenty interventions of eight kinds or more,
# families with two guardians and an intervention at a provider on every day).
REPORTED_SHARE = {"bromma": 0.65, "farsta": 0.65}
OTHER_DISTRICTS_REPORTED_SHARE = 0.15
# A family with several children gets one report about two or more of them with this
# probability; with the demo's family sizes about one report in ten concerns siblings.
SIBLING_REPORT_SHARE = 0.15


def _families(district: District, today: date) -> list[list[Person]]:
    """The district's children under 18 without a case, grouped by family (sibling links)."""
    children = list(
        Person.objects.filter(district=district, birth_date__gt=today - timedelta(days=365 * 18))
        .exclude(cases__isnull=False)
        .order_by("pk")
    )
    by_pk = {child.pk: child for child in children}
    siblings: dict[int, set[int]] = {pk: set() for pk in by_pk}
    for child_id, other_id in Relationship.objects.filter(
        child_id__in=by_pk, other_id__in=by_pk, kind=RelationshipKind.SIBLING
    ).values_list("child_id", "other_id"):
        siblings[child_id].add(other_id)
    families: list[list[Person]] = []
    seen: set[int] = set()
    for child in children:
        if child.pk in seen:
            continue
        group = sorted({child.pk} | siblings[child.pk])
        seen.update(group)
        families.append([by_pk[pk] for pk in group])
    return families


def build_history(
    *,
    rng: random.Random,
    districts: dict[str, District],
    actors: dict[str, Actors],
    days: int = HISTORY_DAYS,
) -> Timeline:
    """Plan the events; nothing is written until Timeline.replay().

    Every district gets some history (its first family always has a report), so that district
    comparisons are never empty; about one report in ten concerns two or more siblings.
    """
    timeline = Timeline(rng=rng)
    today = timezone.localdate()
    reporter_codes = set(_codes("reporter-categories", [r[0] for r in REPORTERS]))
    channel_codes = _codes("report-channels", list(CHANNELS)) or ["telefon"]
    reason_codes_available = set(_codes("report-reasons", [r[0] for r in REASONS]))
    violence = set(_codes("report-reasons", ["I", "J", "K", "M", "O", "P"]))

    def report_about(children: list[Person], district: District, people: Actors) -> None:
        # The report comes in on a weekday in the history window, never later than yesterday,
        # and never before the youngest child is two weeks old (no reports about the unborn).
        received = _weekday(today - timedelta(days=rng.randrange(3, days)))
        received = max(received, max(child.birth_date for child in children) + timedelta(days=14))
        if received >= today:
            return
        received = min(received, today - timedelta(days=1))
        reasons = [c for c in _pick_reasons(rng) if c in reason_codes_available] or ["Y"]
        category, mandatory, _weight = rng.choices(REPORTERS, weights=[r[2] for r in REPORTERS])[0]
        if category not in reporter_codes:
            category, mandatory = sorted(reporter_codes)[0], True
        _plan_report(
            timeline,
            rng=rng,
            children=children,
            district=district,
            people=people,
            received=received,
            reasons=reasons,
            category=category,
            mandatory=mandatory,
            channel=rng.choice(channel_codes),
            violent=bool(violence & set(reasons)),
            today=today,
        )

    for code, people in actors.items():
        district = districts[code]
        share = REPORTED_SHARE.get(code, OTHER_DISTRICTS_REPORTED_SHARE)
        families = _families(district, today)
        rng.shuffle(families)
        # In the demo users' districts one family of siblings (children, no protected
        # identity) is left without history, so that intake can register their first report
        # on any day (the browser journey of the case spine does).
        untouched = next(
            (
                family
                for family in families[1:]
                if code in REPORTED_SHARE
                and len(family) > 1
                and all(_is_plain_child(child, today) for child in family)
            ),
            None,
        )
        for index, family in enumerate(families):
            if family is untouched:
                continue
            always = index == 0  # every district has some history
            if len(family) > 1 and rng.random() < SIBLING_REPORT_SHARE:
                report_about(family[: rng.choice((2, len(family)))], district, people)
                continue
            for child in family:
                if always or rng.random() < share:
                    report_about([child], district, people)
                    always = False
    return timeline


def _is_plain_child(person: Person, today: date) -> bool:
    """Under 18 today (with a margin of a few days) and without protected identity."""
    return person.protection_level == "none" and person.birth_date > today - timedelta(
        days=18 * 365 + 5
    )


def _plan_report(
    timeline: Timeline,
    *,
    rng: random.Random,
    children: list[Person],
    district: District,
    people: Actors,
    received: date,
    reasons: list[str],
    category: str,
    mandatory: bool,
    channel: str,
    violent: bool,
    today: date,
) -> None:
    """One report about one or more children; each child then has its own case and clocks."""
    states: list[dict[str, Any]] = [{} for _ in children]
    # Only a named reporter has an identity to protect (OSL 26:5).
    is_protected = category != "anonym" and rng.random() < 0.05

    def register() -> None:
        report = intake.register_report(
            by=people.intake,
            district=district,
            kind="anmalan",
            channel=channel,
            reporter_category=category,
            is_mandatory_reporter=mandatory,
            reporter_name="" if category == "anonym" else "Påhittad anmälare",
            reporter_contact="",
            is_reporter_identity_protected=is_protected,
            reason_codes=reasons,
            text="Genererad demoanmälan. Oro för barnens situation enligt anmälaren."
            if len(children) > 1
            else "Genererad demoanmälan. Oro för barnets situation enligt anmälaren.",
            children=children,
        )
        for child, state in zip(children, states, strict=True):
            state["report_child"] = ReportChild.objects.get(report=report, child=child)
            state["case"] = state["report_child"].case

    timeline.at(received, rng.randrange(8, 15), register)
    # Siblings usually get the same decision; now and then one of them does not.
    is_opened = rng.random() < (0.7 if violent else 0.45)
    for index, (child, state) in enumerate(zip(children, states, strict=True)):
        if index and rng.random() < 0.2:
            is_opened = not is_opened
        _plan_child(
            timeline,
            rng=rng,
            child=child,
            people=people,
            received=received,
            violent=violent,
            is_opened=is_opened,
            state=state,
            today=today,
            late_recording=rng.random() < 0.06,
        )


def _plan_child(
    timeline: Timeline,
    *,
    rng: random.Random,
    child: Person,
    people: Actors,
    received: date,
    violent: bool,
    is_opened: bool,
    state: dict[str, Any],
    today: date,
    late_recording: bool,
) -> None:
    needs_protection = violent and rng.random() < 0.2
    # The protective action is recorded with the assessment, except for the last few days'
    # reports: those still wait on the team managers' lists, as they would on a real day.
    is_action_recorded = needs_protection and (today - received).days > 3
    action = rng.choice(("placement", "other", "other"))

    def protect() -> None:
        intake.assess_protection(
            state["report_child"],
            by=people.intake,
            is_immediate_protection_needed=needs_protection,
            actions_taken="Kontakt med vårdnadshavare per telefon.",
            rationale="Uppgifterna i anmälan tyder inte på att barnet behöver skydd i dag."
            if not needs_protection
            else "Barnet kan inte bo kvar hemma i natt; skydd ordnat samma dag.",
            protective_action=action if is_action_recorded else "",
            protective_action_taken_at=timezone.now() - timedelta(minutes=20)
            if is_action_recorded
            else None,
            protective_action_note=""
            if not is_action_recorded
            else "Barnet placerat i jourhem med vårdnadshavarnas samtycke."
            if action == "placement"
            else "Barnet bor hos sin mormor tills vidare; polisen informerad.",
        )

    timeline.at(received, 16, protect)

    decision_day = _weekday(received + timedelta(days=rng.choice((2, 5, 8, 11, 13, 13, 16))))
    if decision_day >= today:
        return  # still in pre-assessment

    def decide() -> None:
        state["case"] = Case.objects.get(pk=state["case"].pk)
        pre = PreAssessment.objects.filter(case=state["case"], corrects__isnull=True).first()
        if pre is None or state["case"].status != CaseStatus.PRE_ASSESSMENT:
            raise RuntimeError(f"demo history: case {state['case'].pk} not in pre-assessment")
        late = decision_day > pre_assessment_deadline(pre.received_on).due
        intake.sign_pre_assessment(
            pre,
            by=people.intake,
            expected_version=pre.version,
            changes={
                "event_on": decision_day,
                "information_obtained": "Samtal med vårdnadshavare och anmälaren.",
                "assessment": "Oron behöver utredas." if is_opened else "Familjen har stöd.",
                "decision": "open" if is_opened else "not_open",
                "reasons": "Barnet kan vara i behov av stöd eller skydd."
                if is_opened
                else "Vårdnadshavarna har själva ordnat stöd; ingen fortsatt oro.",
                "exceptional_reasons": "Anmälaren kunde nås först efter 14 dagar." if late else "",
            },
        )
        if is_opened:
            state["investigation"] = Investigation.objects.get(case=state["case"])
            if people.manager is not None:
                case = Case.objects.get(pk=state["case"].pk)
                assign_responsible(
                    case,
                    by=people.manager,
                    responsible=people.investigator,
                    expected_version=case.version,
                )

    timeline.at(decision_day, 15, decide)
    if not is_opened:
        return
    _plan_investigation(
        timeline,
        rng=rng,
        people=people,
        opened=decision_day,
        violent=violent,
        state=state,
        today=today,
        late_recording=late_recording,
    )


def _plan_investigation(
    timeline: Timeline,
    *,
    rng: random.Random,
    people: Actors,
    opened: date,
    violent: bool,
    state: dict[str, Any],
    today: date,
    late_recording: bool,
) -> None:
    """The investigation's events. Everything is planned; what lies after now is not replayed,
    so an investigation opened recently simply has fewer documents."""
    by = people.investigator
    duration = max(40, int(rng.gauss(125, 35)))
    closing = _weekday(opened + timedelta(days=duration))
    is_open_today = closing >= today

    def inform() -> None:
        inv = state["investigation"]
        investigation_services.record_informing(
            inv,
            by=by,
            expected_version=inv.version,
            informed_on=opened + timedelta(days=1),
            informed_how="Brev och telefonsamtal till vårdnadshavarna.",
        )

    timeline.at(_weekday(opened + timedelta(days=1)), 10, inform)

    plan_day = _weekday(opened + timedelta(days=6))
    areas = rng.sample(AREAS_2018, 3)

    def plan() -> None:
        inv = state["investigation"]
        doc = investigation_services.create_plan(
            inv, by=by, event_on=plan_day, framework="bbic-2018-areas"
        )
        investigation_services.sign_plan(
            doc,
            by=by,
            expected_version=doc.version,
            changes={
                "questions": "Vilka behov har barnet? Får barnet den omsorg det behöver?",
                "areas": areas,
                "planned_contacts": "Förskola/skola, BVC eller skolhälsovård.",
                "child_meeting": "Två enskilda samtal med barnet, det första i skolan.",
                "time_plan": "Analys klar inom tre månader.",
            },
        )

    # A few plans are written down long after the day they were made: recorded late.
    plan_recorded = plan_day + timedelta(days=9 if late_recording else 0)
    timeline.at(plan_recorded, 11, plan)

    # Each planned area is written and signed between the plan and the analysis.
    analysis_day = _weekday(closing - timedelta(days=5))
    window = max(1, (analysis_day - plan_recorded).days - 1)
    for area in areas:
        area_day = _weekday(plan_recorded + timedelta(days=1 + rng.randrange(window)))
        if area_day >= analysis_day:
            area_day = plan_recorded + timedelta(days=1)
        timeline.at(area_day, 10, _area_writer(state, by=by, area=area, day=area_day))

    if rng.random() < 0.75:
        talk_day = _weekday(opened + timedelta(days=rng.randrange(10, 30)))

        def talk() -> None:
            investigation_services.log_contact(
                state["investigation"],
                by=by,
                kind=ContactKind.CHILD_CONVERSATION,
                event_on=talk_day,
                summary="Barnet berättade om skolan och hemmet.",
                child_alone=rng.random() < 0.7,
                covered_violence=violent,
            )

        timeline.at(talk_day, 13, talk)
    if violent:
        risk_day = _weekday(opened + timedelta(days=rng.randrange(3, 20)))

        def risk() -> None:
            inv = state["investigation"]
            doc = investigation_services.create_risk_assessment(
                inv,
                by=by,
                event_on=risk_day,
                instrument="Strukturerad bedömning (demo)",
            )
            investigation_services.sign_risk_assessment(
                doc,
                by=by,
                expected_version=doc.version,
                changes={
                    "judgement": rng.choice(("low", "moderate", "high")),
                    "time_horizon": "short",
                    "reassessment_on": risk_day + timedelta(days=60),
                    "safety_plan": "Barnet vet vem det ska ringa; skolan informerad.",
                },
            )

        timeline.at(risk_day, 14, risk)

    # Past four months? About half get an extension decided a few days before the deadline.
    deadline = investigation_deadline(opened)
    last_day = closing if not is_open_today else today
    manager = people.manager
    if last_day > deadline.due and manager is not None and rng.random() < 0.5:
        decided = deadline.due - timedelta(days=3)
        while decided.weekday() >= 5:
            decided -= timedelta(days=1)
        extended_to = deadline.due + timedelta(days=45)

        def extend() -> None:
            investigation_services.decide_extension(
                state["investigation"],
                by=manager,
                decided_on=decided,
                extended_to=extended_to,
                reasons="Särskilda skäl: väntar på utlåtande från BUP.",
            )

        timeline.at(decided, 9, extend)
    if is_open_today:
        return

    def analyse() -> None:
        inv = state["investigation"]
        need = investigation_services.add_need(
            inv,
            by=by,
            area=rng.choice(areas),
            severity=rng.choice(("low", "moderate", "high")),
            description="Barnet behöver stöd i vardagen och vuxna som förstår dess behov.",
            child_view="Barnet vill ha någon att prata med.",
        )
        state["need"] = need
        state["needs"] = [need]
        if rng.random() < 0.5:
            state["needs"].append(
                investigation_services.add_need(
                    inv,
                    by=by,
                    area=rng.choice([a for a in areas if a != need.area] or areas),
                    severity=rng.choice(("low", "moderate", "high")),
                    description="Föräldrarna behöver stöd i att sätta gränser och skapa rutiner.",
                    child_view="Barnet vill att det ska bli mindre bråk hemma.",
                )
            )
        doc = investigation_services.create_analysis(inv, by=by, event_on=analysis_day)
        has_talk = inv.contacts.filter(kind=ContactKind.CHILD_CONVERSATION).exists()
        investigation_services.sign_analysis(
            doc,
            by=by,
            expected_version=doc.version,
            changes={
                "text": "Sammantaget bedöms barnet ha behov av stöd.",
                "child_not_met_reason": "" if has_talk else "Barnet ville inte träffas.",
            },
        )

    timeline.at(analysis_day, 15, analyse)

    # Kommunicering (FL 25 §) to each guardian once the analysis is written; most answer
    # before the time runs out, the day before closing.
    answer_by = closing - timedelta(days=1)
    answered_on = min(analysis_day + timedelta(days=2), answer_by)
    is_answered = rng.random() < 0.7

    def communicate() -> None:
        inv = state["investigation"]
        child = inv.case.child
        guardians = Relationship.objects.filter(
            child=child, kind=RelationshipKind.GUARDIAN, valid_to__isnull=True
        ).select_related("other")
        state["communications"] = [
            investigation_services.record_communication(
                inv,
                by=by,
                subject="Utredningen i sin helhet, med analys och bedömning.",
                recipient=guardian.other,
                relationship=guardian,
                sent_on=analysis_day,
                answer_by=answer_by,
                # Families with protected members: the investigator has made the secrecy check.
                is_secrecy_checked=True,
            )
            for guardian in guardians
        ]

    timeline.at(analysis_day, 17, communicate)

    def answer() -> None:
        for communication in state["communications"]:
            investigation_services.record_communication_answer(
                communication,
                by=by,
                expected_version=communication.version,
                answer="Vårdnadshavaren har läst utredningen och har inget att tillägga.",
                answered_on=answered_on,
            )

    if is_answered:
        timeline.at(answered_on, 11 if answered_on > analysis_day else 18, answer)

    proposal = rng.random() < 0.6

    def close() -> None:
        inv = Investigation.objects.get(pk=state["investigation"].pk)
        investigation_services.close_investigation(
            inv,
            by=by,
            expected_version=inv.version,
            outcome="proposal" if proposal else "no_intervention",
            closed_on=closing,
            need_ids=[need.pk for need in state["needs"]] if proposal else [],
        )

    timeline.at(closing, 16, close)
    if proposal:
        red_thread.plan_after_proposal(
            timeline,
            rng=rng,
            manager=people.manager,
            worker=by,
            state=state,
            closing=closing,
            violent=violent,
        )
    else:
        red_thread.plan_after_no_intervention(
            timeline, rng=rng, manager=people.manager, worker=by, state=state, closing=closing
        )


def _area_writer(state: dict[str, Any], *, by: User, area: str, day: date) -> Callable[[], None]:
    def write() -> None:
        inv = state["investigation"]
        doc = investigation_services.create_area_assessment(inv, by=by, event_on=day, area=area)
        investigation_services.sign_area_assessment(
            doc,
            by=by,
            expected_version=doc.version,
            changes={
                "facts": "Uppgifter från samtal med barnet, vårdnadshavarna och skolan.",
                "sources": "Barnet, vårdnadshavarna, skolan.",
                "risk_factors": "Oro för stabiliteten i vardagen.",
                "protective_factors": "Barnet har en nära relation till en vuxen i skolan.",
                "child_view": "Barnet vill att det ska bli lugnare hemma.",
                "guardians_view": "Vårdnadshavarna vill ha stöd i föräldraskapet.",
            },
        )

    return write


# Districts whose work the demo users do; every other district is worked by background staff
# (accounts that cannot sign in), so that every district has history.
DEMO_ACTORS = {
    "bromma": ("mottagning", "utredare", "chef"),
    # Farsta has no intake demo user: its team manager (district-wide) takes the reports.
    "farsta": ("chef.farsta", "utredare.farsta", "chef.farsta"),
}


def generate_history(*, seed: int, users: dict[str, User], districts: dict[str, District]) -> int:
    """Replay the demo history for every district; returns the number of events."""
    rng = random.Random(seed)
    actors: dict[str, Actors] = {}
    for code in districts:
        intake_name, investigator_name, manager_name = DEMO_ACTORS.get(
            code, (f"mottagning.{code}", f"utredning.{code}", f"chef.{code}")
        )
        actors[code] = Actors(
            intake=users[intake_name],
            investigator=users[investigator_name],
            manager=users[manager_name],
        )
    timeline = build_history(rng=rng, districts=districts, actors=actors)
    timeline.replay(until=timezone.now())
    return len(timeline.events)
