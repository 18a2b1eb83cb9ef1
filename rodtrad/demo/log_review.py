"""Demo log review (docs/internal-control.md, "The log review" and "Demo"): four weeks of case
reads by the demo users, among them reads the rules flag, and a log review of them with some
items answered.

The reads are written as the pages write them, with the clock moved to when they happened:
the page's own lookup (`access.get_case_for`, `access.get_person_for`; a lookup outside the
reader's scope writes the `denied` event and is refused) and the page's `record_access`, inside
a request context naming the route. The emergency grant is asked for through
`cases.services.request_emergency_access`. Nothing is inserted directly.

What the rules find on every day of the year (when the demo has the cases for it):

* ``after_hours``: the Bromma investigator opens a case at 21:35 (answered: justified);
* ``emergency`` and ``outside_district``: the Farsta investigator breaks the glass to a Bromma
  case and reads it (answered: referred, and justified);
* ``outside_district``: the Farsta investigator tries another Bromma case and is refused
  (answered: not justified; the note says the Farsta team manager is told, since such an
  answer does not yet reach the manager's start page: docs/internal-control.md);
* ``protected``: Bromma intake opens a protected child's page without being the child's named
  handler (left for the reviewer to answer).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.http import Http404
from django.utils import timezone

from rodtrad.accounts import access
from rodtrad.accounts.models import User
from rodtrad.audits.models import LogAnswer, LogReview, LogRule
from rodtrad.audits.services import answer_log_item, create_log_review
from rodtrad.cases.models import Case, CaseStatus
from rodtrad.cases.services import request_emergency_access
from rodtrad.journal.models import AccessAction
from rodtrad.journal.services import record_access, record_accesses
from rodtrad.lib import request_context
from rodtrad.people.models import Person, ProtectionLevel

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PERIOD_DAYS = 28  # the review's period: the four weeks before today
SAMPLE = 2  # drawn per district and month (docs/internal-control.md, "The sample")
# Who reads in the background: the demo users of Bromma and Farsta, their own case list every
# LIST_EVERY working days (at most LIST_SIZE cases: a page of the list).
READERS = ("utredare", "mottagning", "utredare.farsta", "chef.farsta")
LIST_EVERY = 5
LIST_SIZE = 50


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), STOCKHOLM)


class _Page:
    """One page view at a moment: the clock moved there and a request context for the route."""

    def __init__(self, moment: datetime, route: str) -> None:
        self.traveller = time_machine.travel(moment, tick=False)
        self.context = request_context.RequestContext(route=route, channel="web")
        self.token: object = None

    def __enter__(self) -> _Page:
        self.traveller.start()
        self.token = request_context.activate(self.context)
        return self

    def __exit__(self, *exc: object) -> None:
        request_context.deactivate(self.token)  # type: ignore[arg-type]
        self.traveller.stop()


def _open_case(user: User, case_id: int, moment: datetime) -> bool:
    """What cases:case-detail does: look the case up in the reader's scope (a miss writes the
    denied event) and record the read (through a grant when that is the only way)."""
    with _Page(moment, "cases:case-detail"):
        try:
            case = access.get_case_for(user, case_id)
        except Http404:
            return False
        grant = access.emergency_access_for(user, case)
        record_access(by=user, case=case, route="cases:case-detail", emergency_access=grant)
    return True


def _open_person(user: User, person_id: int, moment: datetime) -> bool:
    """What people:person-detail does for the person read itself."""
    with _Page(moment, "people:person-detail"):
        try:
            person = access.get_person_for(user, person_id)
        except Http404:
            return False
        record_access(by=user, person=person, route="people:person-detail")
    return True


def generate_log_review(*, seed: int, users: dict[str, User]) -> LogReview | None:
    """The reads of the last PERIOD_DAYS days and a log review of them, created by the
    administrator and partly answered by the reviewer. None when the demo has no case to read
    (a tiny demo on some day)."""
    rng = random.Random(f"log-review-{seed}")  # apart from the rest of the demo
    today = timezone.localdate()
    period_start, period_end = today - timedelta(days=PERIOD_DAYS), today - timedelta(days=1)
    workdays = [
        day for n in range(PERIOD_DAYS, 0, -1) if (day := today - timedelta(days=n)).weekday() < 5
    ]
    if not workdays:
        return None
    cutoff = _at(workdays[0], 0, 0)  # cases that existed when the period began
    # The background: every few working days each reader opens their list of the cases they
    # are responsible for (cases:case-list filtered on themselves: one event per case listed).
    # The list holds the same cases all period (those recorded before it), so it is read once.
    lists = {
        name: list(
            access.visible_cases(users[name])
            .filter(responsible=users[name], recorded_at__lt=cutoff)
            .order_by("-recorded_at")[:LIST_SIZE]
        )
        for name in READERS
    }
    for day in workdays[::LIST_EVERY]:
        for name in READERS:
            with _Page(_at(day, rng.randrange(8, 11), rng.randrange(60)), "cases:case-list"):
                record_accesses(
                    by=users[name],
                    cases=lists[name],
                    action=AccessAction.LISTED,
                    route="cases:case-list",
                )
    visible = list(
        access.visible_cases(users["utredare"])
        .filter(recorded_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    # The reads the rules are for, on working days near the end of the period.
    late, emergency_day, refused_day = workdays[-2], workdays[-4], workdays[-6 % len(workdays)]
    investigator, farsta = users["utredare"], users["utredare.farsta"]
    if visible:
        _open_case(investigator, visible[-1], _at(late, 21, 35))
    bromma_open = list(
        Case.objects.filter(
            district__code="bromma",
            recorded_at__lt=cutoff,
            child__protection_level=ProtectionLevel.NONE,
        )
        .exclude(status=CaseStatus.CLOSED)
        .order_by("pk")
        .values_list("pk", "child__identity_number")
    )
    if bromma_open:
        case_id, identity_number = bromma_open[0]
        with _Page(_at(emergency_day, 17, 20), "cases:emergency-request"):
            request_emergency_access(
                by=farsta,
                identity_number=identity_number or "",
                reason="Barnet är placerat hos en släkting i Farsta och förskolan har ringt; "
                "jouren behövde se pågående insatser.",
            )
        _open_case(farsta, case_id, _at(emergency_day, 17, 22))
    if len(bromma_open) > 1:
        _open_case(farsta, bromma_open[-1][0], _at(refused_day, 10, 5))
    protected = (
        Person.objects.filter(district__code="bromma")
        .exclude(protection_level=ProtectionLevel.NONE)
        .exclude(handlers=users["mottagning"])
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if protected is not None:
        _open_person(users["mottagning"], protected, _at(workdays[-3], 9, 10))

    review = create_log_review(
        by=users["admin"],
        period_start=period_start,
        period_end=period_end,
        sample_size=SAMPLE,
        seed=seed,
    )
    _answer(review, reviewer=users["granskare"])
    return review


ANSWERS: dict[tuple[str, str], tuple[str, str]] = {
    # (rule, reader): the answer and the note
    (LogRule.AFTER_HOURS, "utredare"): (
        LogAnswer.JUSTIFIED,
        "Polisen ringde på kvällen om barnet; utredaren hade beredskap.",
    ),
    (LogRule.EMERGENCY, "utredare.farsta"): (
        LogAnswer.REFERRED,
        "Lämnad till enhetschefen i Bromma, som följer upp nödåtkomsten.",
    ),
    (LogRule.OUTSIDE_DISTRICT, "utredare.farsta"): (
        LogAnswer.NOT_JUSTIFIED,
        "Försökte öppna ett ärende i Bromma utan uppdrag i det. "
        "Enhetschefen i Farsta tar det med medarbetaren.",
    ),
}


def _answer(review: LogReview, *, reviewer: User) -> None:
    """The reviewer answers the flagged reads above and one drawn read; the rest is left."""
    answered_sample = False
    answer: str
    note: str
    for item in review.items.select_related("event").order_by("kind", "event__occurred_at"):
        event = item.event
        if item.kind == LogRule.OUTSIDE_DISTRICT and event.is_emergency:
            answer, note = LogAnswer.JUSTIFIED, "Nödåtkomst med skäl; se posten om nödåtkomst."
        elif (item.kind, event.username) in ANSWERS:
            answer, note = ANSWERS[(item.kind, event.username)]
        elif item.kind == LogRule.SAMPLE and not answered_sample:
            answer, note, answered_sample = LogAnswer.JUSTIFIED, "", True
        else:
            continue
        if event.user_id == reviewer.pk:
            continue
        answer_log_item(
            by=reviewer, item=item, answer=answer, note=note, expected_version=item.version
        )
