"""The log review's population, sample and rules (docs/internal-control.md, "The log review").

Reads only: the access events of a period (`AccessEvent`, Stockholm dates, both ends included)
that name a person or a case, and what the rules need about those persons, cases and readers.
`strata(events)` groups them for the sample (per the reader's districts and month);
`flags(events)` gives, per rule, the events it flags (with what it saw); the service turns them
into `LogReviewItem` rows.

The rules (each stands alone; an event may be flagged by several):

* ``protected``: the person read (the case's child, for a case) has a protection level other
  than "none" — now, or when read (`AccessEvent.is_protected`) — and the reader is not one of
  the person's named handlers (`Person.handlers`);
* ``emergency``: the read went through an emergency grant (`AccessEvent.is_emergency`);
* ``outside_district``: the case read belongs to a district that is not among the reader's
  districts when read (`AccessEvent.districts`);
* ``namesake``: the person read has the reader's family name (`User.last_name`, ignoring case
  and spacing). A weaker rule than S23's "same surname and address": persons have an address
  (`Person.street_address`) but users do not (Rodtrad holds no employee's home address, and a
  user is not linked to a person), so the rule is narrowed to the surname and the reviewer
  judges the rest (docs/internal-control.md);
* ``after_hours``: read before 07:00 or from 19:00 Stockholm time, or on a Saturday or Sunday
  (public holidays are not known here);
* ``many_persons``: on one Stockholm day the reader read more than three times as many distinct
  persons as their median over their *other* days with reads in the period (0 when there are
  none), and at least 20. One item per reader and day: the day's first event, with the count
  and the median.
"""

from __future__ import annotations

import statistics
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from rodtrad.accounts.models import User
from rodtrad.audits.models import LogRule
from rodtrad.cases.models import Case
from rodtrad.journal.models import AccessAction, AccessEvent
from rodtrad.people.models import Person, ProtectedPersonHandler, ProtectionLevel

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WORKDAY_STARTS = time(7, 0)
WORKDAY_ENDS = time(19, 0)
MANY_PERSONS_FACTOR = 3
MANY_PERSONS_AT_LEAST = 20

StrOrPromise = str | Promise


NO_DISTRICT = "-"
"""The stratum's district part for a read by someone without a district (the administrator,
a reviewer of the whole municipality) or refused before the reader's districts were known."""


def stratum(districts: str, occurred_at: datetime) -> str:
    """The sample's stratum of a read: the reader's districts when read (as the event holds
    them, e.g. "bromma" or "bromma,farsta") and the Stockholm month, "bromma 2026-06"."""
    return f"{districts or NO_DISTRICT} {_local(occurred_at):%Y-%m}"


def stratum_label(key: str, district_names: dict[str, str]) -> str:
    """A stratum as a person reads it: "Bromma, november 2026" for "bromma 2026-11",
    "Utan stadsdel, november 2026" for a read without districts."""
    districts, _space, month = key.rpartition(" ")
    year, _dash, number = month.partition("-")
    when = date_format(date(int(year), int(number), 1), "F Y").lower()
    if districts in ("", NO_DISTRICT):
        where = str(gettext_lazy("Utan stadsdel"))
    else:
        where = ", ".join(district_names.get(code, code) for code in districts.split(","))
    return f"{where}, {when}"


def strata(events: QuerySet[AccessEvent]) -> dict[str, list[int]]:
    """{stratum: event ids} of the events: what the log review's sample is drawn from."""
    found: dict[str, list[int]] = defaultdict(list)
    for pk, districts, occurred_at in events.values_list("pk", "districts", "occurred_at"):
        found[stratum(districts, occurred_at)].append(pk)
    return dict(found)


def period_events(period_start: date, period_end: date) -> QuerySet[AccessEvent]:
    """The period's access events that name a person or a case, by a signed-in reader."""
    start = datetime.combine(period_start, time.min, tzinfo=STOCKHOLM)
    end = datetime.combine(period_end, time.max, tzinfo=STOCKHOLM)
    return (
        AccessEvent.objects.filter(occurred_at__gte=start, occurred_at__lte=end)
        .filter(user__isnull=False)
        .filter(Q(person_id__isnull=False) | Q(case_id__isnull=False))
        .order_by("pk")
    )


@dataclass(frozen=True)
class Flag:
    event_id: int
    rule: str
    detail: dict[str, Any] = field(default_factory=dict)


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(text.split())


def _local(moment: datetime) -> datetime:
    return moment.astimezone(STOCKHOLM)


def is_after_hours(moment: datetime) -> bool:
    local = _local(moment)
    return local.weekday() >= 5 or not WORKDAY_STARTS <= local.time() < WORKDAY_ENDS


def flags(events: QuerySet[AccessEvent]) -> list[Flag]:
    """Every rule's flags over the events (see the module's text for the rules)."""
    rows = list(
        events.values_list(
            "pk",
            "occurred_at",
            "user_id",
            "districts",
            "person_id",
            "case_id",
            "is_protected",
            "is_emergency",
        )
    )
    person_ids = {row[4] for row in rows if row[4] is not None}
    case_ids = {row[5] for row in rows if row[5] is not None}
    user_ids = {row[2] for row in rows}
    protected_now = set(
        Person.objects.filter(pk__in=person_ids)
        .exclude(protection_level=ProtectionLevel.NONE)
        .values_list("pk", flat=True)
    )
    handlers: dict[int, set[int | None]] = defaultdict(set)
    for handled, handler in ProtectedPersonHandler.objects.filter(
        person_id__in=person_ids
    ).values_list("person_id", "user_id"):
        handlers[handled].add(handler)
    family_names = {
        pk: _fold(name)
        for pk, name in Person.objects.filter(pk__in=person_ids).values_list("pk", "family_name")
    }
    case_district = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "district__code"))
    last_names = {
        pk: _fold(name)
        for pk, name in User.objects.filter(pk__in=user_ids).values_list("pk", "last_name")
    }

    found: list[Flag] = []
    # (user, Stockholm day) -> distinct persons and the day's first event
    day_persons: dict[tuple[int | None, date], set[int]] = defaultdict(set)
    day_first: dict[tuple[int | None, date], int] = {}
    for pk, occurred_at, user_id, districts, person_id, case_id, was_protected, emergency in rows:
        if (
            person_id is not None
            and (was_protected or person_id in protected_now)
            and user_id not in handlers.get(person_id, set())
        ):
            found.append(Flag(pk, LogRule.PROTECTED))
        if emergency:
            found.append(Flag(pk, LogRule.EMERGENCY))
        if case_id is not None and case_id in case_district:
            readers_districts = {d for d in districts.split(",") if d}
            if case_district[case_id] not in readers_districts:
                found.append(Flag(pk, LogRule.OUTSIDE_DISTRICT))
        surname = last_names.get(user_id, "")
        if person_id is not None and surname and family_names.get(person_id) == surname:
            found.append(Flag(pk, LogRule.NAMESAKE))
        if is_after_hours(occurred_at):
            found.append(Flag(pk, LogRule.AFTER_HOURS))
        if person_id is not None:
            key = (user_id, _local(occurred_at).date())
            day_persons[key].add(person_id)
            day_first.setdefault(key, pk)

    counts: dict[int | None, dict[date, int]] = defaultdict(dict)
    for (reader, day), persons in day_persons.items():
        counts[reader][day] = len(persons)
    for reader, by_day in counts.items():
        for day, count in sorted(by_day.items()):
            others = [n for other, n in by_day.items() if other != day]
            median = statistics.median(others) if others else 0
            if count >= MANY_PERSONS_AT_LEAST and count > MANY_PERSONS_FACTOR * median:
                found.append(
                    Flag(
                        day_first[(reader, day)],
                        LogRule.MANY_PERSONS,
                        {"day": day.isoformat(), "persons": count, "median": float(median)},
                    )
                )
    return found


# --- What an item shows (docs/internal-control.md, "The log review", "Pages") ------------------

# The pages that read a person or a case, in words: the access event stores the route's name
# (`AccessEvent.route`), not the page's title. Routes not named here are described by their
# part of Rodtrad (`AREAS`).
PAGES: dict[str, StrOrPromise] = {
    "home": gettext_lazy("Översikten (startsidan)"),
    "cases:case-detail": gettext_lazy("Ärendets sida"),
    "cases:case-list": gettext_lazy("Listan över ärenden"),
    "cases:emergency-request": gettext_lazy("Begäran om nödåtkomst till ett ärende"),
    "people:person-detail": gettext_lazy("Personens sida"),
    "people:person-search": gettext_lazy("Sökning efter personer"),
    "intake:queue": gettext_lazy("Mottagningens lista över aktualiseringar"),
    "intake:report-detail": gettext_lazy("En aktualisering"),
    "investigation:investigation-detail": gettext_lazy("Utredningens sida"),
    "decisions:decision-detail": gettext_lazy("Ett beslut"),
    "decisions:intervention-detail": gettext_lazy("En insats"),
    "audits:review": gettext_lazy("Egenkontroll: granskning av ett ärende"),
    "audits:flag": gettext_lazy("Egenkontroll: en iakttagelse om ett ärende"),
    "audits:finding-detail": gettext_lazy("Egenkontroll: en iakttagelse till enhetschefen"),
    "api:case-list": gettext_lazy("Programgränssnittet (API): listan över ärenden"),
    "api:case-detail": gettext_lazy("Programgränssnittet (API): ett ärende"),
    "api:case-search": gettext_lazy("Programgränssnittet (API): sökning efter ärenden"),
    "api:person-detail": gettext_lazy("Programgränssnittet (API): en person"),
}
AREAS: dict[str, StrOrPromise] = {
    "cases": gettext_lazy("En sida om ett ärende"),
    "people": gettext_lazy("En sida om en person"),
    "intake": gettext_lazy("En sida i mottagningen"),
    "investigation": gettext_lazy("En sida i utredningen"),
    "decisions": gettext_lazy("En sida om beslut och insatser"),
    "commissions": gettext_lazy("En sida om uppdrag till utförare"),
    "followup": gettext_lazy("En sida om uppföljning"),
    "placements": gettext_lazy("En sida om en placering"),
    "letters": gettext_lazy("En sida om brev och dokument"),
    "deadlines": gettext_lazy("En lista över frister"),
    "worklists": gettext_lazy("En arbetslista"),
    "audits": gettext_lazy("En sida i egenkontrollen"),
    "api": gettext_lazy("Programgränssnittet (API)"),
}
SOME_PAGE = gettext_lazy("En sida i Rodtrad")


def page_read(route: str) -> StrOrPromise:
    """The page an access event was written by, in words ("" when the event names none)."""
    if not route:
        return ""
    if route in PAGES:
        return PAGES[route]
    return AREAS.get(route.partition(":")[0], SOME_PAGE)


DENIED_CASE = gettext_lazy(
    "Nekad läsning av ett ärende: läsaren fick inte se det. Läsarens stadsdelar sparas inte "
    "när en läsning nekas, så det går inte att se om ärendet var i läsarens stadsdel."
)
DISTRICTS_UNKNOWN = gettext_lazy(
    "Läsning av ett ärende. Läsarens stadsdelar finns inte i loggen, så det går inte att se om "
    "ärendet var i läsarens stadsdel."
)


def reason_label(kind: str, event: AccessEvent) -> StrOrPromise:
    """Why the item is in the review, in words. The rule `outside_district` compares the case's
    district with the reader's districts as logged; where none are logged (a denied read
    stores no roles or districts) the label says what is known instead of "outside"."""
    if kind == LogRule.OUTSIDE_DISTRICT and not event.districts:
        return DENIED_CASE if event.action == AccessAction.DENIED else DISTRICTS_UNKNOWN
    return LogRule(kind).label if kind in LogRule.values else kind
