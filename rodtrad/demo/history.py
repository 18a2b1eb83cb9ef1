"""Demo history for the case spine: reports, protection assessments, pre-assessments and
investigations over the last ~8 months, replayed through the real services.

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
from rodtrad.intake import services as intake
from rodtrad.intake.models import PreAssessment, ReportChild
from rodtrad.investigation import services as investigation_services
from rodtrad.investigation.models import ContactKind, Investigation
from rodtrad.people.models import Person

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

    def at(self, day: date, hour: int, action: Callable[[], None]) -> None:
        moment = datetime.combine(day, time(hour, self.rng.randrange(0, 60)), STOCKHOLM)
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
    from rodtrad.frameworks.queries import current_codes

    available = {c.code for c in current_codes(list_key)}
    return [code for code in wanted if code in available]


def _pick_reasons(rng: random.Random) -> list[str]:
    codes, weights = zip(*REASONS, strict=True)
    picked = set(rng.choices(codes, weights=weights, k=rng.choice((1, 1, 2, 2, 3))))
    return sorted(picked)


def build_history(
    *,
    rng: random.Random,
    districts: dict[str, District],
    actors: dict[str, Actors],
    days: int = 240,
) -> Timeline:
    """Plan the events; nothing is written until Timeline.replay()."""
    timeline = Timeline(rng=rng)
    today = timezone.localdate()
    reporter_codes = set(_codes("reporter-categories", [r[0] for r in REPORTERS]))
    channel_codes = _codes("report-channels", list(CHANNELS)) or ["telefon"]
    reason_codes_available = set(_codes("report-reasons", [r[0] for r in REASONS]))
    violence = set(_codes("report-reasons", ["I", "J", "K", "M", "O", "P"]))
    for code, people in actors.items():
        district = districts[code]
        children = list(
            Person.objects.filter(
                district=district, birth_date__gt=today - timedelta(days=365 * 18)
            )
            .exclude(cases__isnull=False)
            .order_by("pk")
        )
        rng.shuffle(children)
        for index, child in enumerate(children[: int(len(children) * 0.8)]):
            received = _weekday(today - timedelta(days=rng.randrange(1, days)))
            reasons = [c for c in _pick_reasons(rng) if c in reason_codes_available] or ["Y"]
            category, mandatory, _weight = rng.choices(
                REPORTERS, weights=[r[2] for r in REPORTERS]
            )[0]
            if category not in reporter_codes:
                category, mandatory = sorted(reporter_codes)[0], True
            state: dict[str, Any] = {}
            _plan_child(
                timeline,
                rng=rng,
                child=child,
                district=district,
                people=people,
                received=received,
                reasons=reasons,
                category=category,
                mandatory=mandatory,
                channel=rng.choice(channel_codes),
                violent=bool(violence & set(reasons)),
                state=state,
                today=today,
                late_recording=index % 17 == 0,
            )
    return timeline


def _plan_child(
    timeline: Timeline,
    *,
    rng: random.Random,
    child: Person,
    district: District,
    people: Actors,
    received: date,
    reasons: list[str],
    category: str,
    mandatory: bool,
    channel: str,
    violent: bool,
    state: dict[str, Any],
    today: date,
    late_recording: bool,
) -> None:
    def register() -> None:
        # Only a named reporter has an identity to protect (OSL 26:5).
        is_protected = rng.random() < 0.05 and category != "anonym"
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
            text="Genererad demoanmälan. Oro för barnets situation enligt anmälaren.",
            children=[child],
        )
        state["report_child"] = ReportChild.objects.get(report=report, child=child)
        state["case"] = state["report_child"].case

    timeline.at(received, rng.randrange(8, 15), register)

    def protect() -> None:
        intake.assess_protection(
            state["report_child"],
            by=people.intake,
            is_immediate_protection_needed=violent and rng.random() < 0.2,
            actions_taken="Kontakt med vårdnadshavare per telefon.",
            rationale="Uppgifterna i anmälan tyder inte på att barnet behöver skydd i dag."
            if not violent
            else "Barnet bor kvar hemma; skyddsplan upprättad tillsammans med vårdnadshavaren.",
        )

    timeline.at(received, 16, protect)

    decision_day = _weekday(received + timedelta(days=rng.choice((2, 5, 8, 11, 13, 13, 16))))
    is_opened = rng.random() < (0.7 if violent else 0.45)
    if decision_day >= today:
        return  # still in pre-assessment

    def decide() -> None:
        state["case"] = Case.objects.get(pk=state["case"].pk)
        pre = PreAssessment.objects.filter(case=state["case"], corrects__isnull=True).first()
        if pre is None or state["case"].status != CaseStatus.PRE_ASSESSMENT:
            raise RuntimeError(f"demo history: case {state['case'].pk} not in pre-assessment")
        late = decision_day > received + timedelta(days=14)
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
    by = people.investigator
    duration = max(40, int(rng.gauss(125, 35)))
    closing = _weekday(opened + timedelta(days=duration))

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
                "areas": rng.sample(AREAS_2018, 3),
                "planned_contacts": "Förskola/skola, BVC eller skolhälsovård.",
                "child_meeting": "Två enskilda samtal med barnet, det första i skolan.",
                "time_plan": "Analys klar inom tre månader.",
            },
        )

    # A few plans are written down long after the day they were made: recorded late.
    timeline.at(plan_day + timedelta(days=9 if late_recording else 0), 11, plan)
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

    if closing >= today:
        # Still open. Past four months? Then about half get an extension decision in time.
        from rodtrad.deadlines.rules import investigation_deadline

        deadline = investigation_deadline(opened)
        if today > deadline.due_strict and people.manager is not None and rng.random() < 0.5:
            decided = deadline.due_strict - timedelta(days=3)

            def extend() -> None:
                investigation_services.decide_extension(
                    state["investigation"],
                    by=people.manager,
                    decided_on=decided,
                    extended_to=deadline.due_strict + timedelta(days=45),
                    reasons="Särskilda skäl: väntar på utlåtande från BUP.",
                )

            timeline.at(_weekday(decided), 9, extend)
        return
    analysis_day = _weekday(closing - timedelta(days=5))

    def analyse() -> None:
        inv = state["investigation"]
        need = investigation_services.add_need(
            inv,
            by=by,
            area=rng.choice(AREAS_2018),
            severity=rng.choice(("low", "moderate", "high")),
            description="Barnet behöver stöd i vardagen och vuxna som förstår dess behov.",
            child_view="Barnet vill ha någon att prata med.",
        )
        state["need"] = need
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

    def close() -> None:
        inv = Investigation.objects.get(pk=state["investigation"].pk)
        proposal = rng.random() < 0.6
        investigation_services.close_investigation(
            inv,
            by=by,
            expected_version=inv.version,
            outcome="proposal" if proposal else "no_intervention",
            closed_on=closing,
            need_ids=[state["need"].pk] if proposal else [],
        )

    timeline.at(closing, 16, close)


def generate_history(*, seed: int, users: dict[str, User], districts: dict[str, District]) -> int:
    """Replay the demo history for Bromma and Farsta; returns the number of events."""
    rng = random.Random(seed)
    actors = {
        "bromma": Actors(
            intake=users["mottagning"], investigator=users["utredare"], manager=users["chef"]
        ),
        # Farsta has no intake demo user: its team manager (district-wide) takes the reports.
        "farsta": Actors(
            intake=users["chef.farsta"],
            investigator=users["utredare.farsta"],
            manager=users["chef.farsta"],
        ),
    }
    timeline = build_history(rng=rng, districts=districts, actors=actors)
    timeline.replay(until=timezone.now())
    return len(timeline.events)
