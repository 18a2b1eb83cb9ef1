"""Reads for the case list: search, filters, sorting and pages over the cases a user may see.

The HTML list (`cases/views.py`) and the API (`api/cases.py`) both read through
`case_list_page`, so they hold the same cases in the same order (S12).

* Every query starts from `access.visible_cases(user)`.
* Filters take validated values only (a status of the workflow, a unit or a responsible from
  the choices offered); nothing from the request ever becomes a field name (S30).
* Sorting is by a key of SORTS, a fixed allow-list; an unknown key is refused (the API answers
  400, the page falls back to the default order).
* A page holds at most PAGE_SIZE cases; nothing loads the whole list.
* Search by name or case number comes from a POST body (a name is personal data and never
  travels in a URL, S31). A name search leaves out children with protected personal data
  unless the user is one of their named handlers (S15, as the person search does); they are
  found by case number or by their exact identity number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case as SqlCase
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rodtrad.accounts import access
from rodtrad.accounts.models import EmergencyAccess, EmergencyAccessStatus, Unit, User
from rodtrad.cases.models import Case, CaseStatus
from rodtrad.cases.services import reviewable_emergency_accesses
from rodtrad.deadlines.items import open_deadlines
from rodtrad.journal.models import AccessEvent
from rodtrad.journal.services import reader_scope
from rodtrad.people.identity import InvalidIdentityNumber, parse_identity_number
from rodtrad.people.models import Person, ProtectedPersonHandler, ProtectionLevel
from rodtrad.people.queries import siblings_of
from rodtrad.people.search import query_words, word_start

PAGE_SIZE = 50  # also the API's largest `limit`
NOBODY = "ingen"  # the responsible filter for cases that nobody is responsible for yet

# The allow-list of sort keys: key → the columns it sorts by; "-key" sorts the other way. Ties
# are broken by the newest first and the case number, so that pages never overlap.
SORTS: dict[str, tuple[str, ...]] = {
    "recorded_at": ("recorded_at",),
    "case": ("pk",),
    "child": ("child__family_name", "child__given_name"),
    "status": ("status_order",),
    "unit": ("unit__name",),
    "responsible": ("responsible__last_name", "responsible__first_name"),
}
DEFAULT_SORT = "-recorded_at"

# A case number is a number of at most this many digits; more digits is an identity number.
CASE_NUMBER = re.compile(r"^(?:ärende\s*)?(\d{1,9})$", re.IGNORECASE)


class InvalidListQuery(ValueError):
    """A sort key, filter value or page size outside what the list allows."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name
        self.message = message


@dataclass(frozen=True)
class CaseListQuery:
    """What the user asked of the list, validated (see `parse_sort` and the forms)."""

    status: str = ""
    unit_id: int | None = None
    responsible: str = ""  # "", NOBODY or a user id as text
    is_overdue_only: bool = False
    search: str = ""
    sort: str = DEFAULT_SORT


def parse_sort(value: str | None) -> str:
    """The sort key if it is on the allow-list (with or without "-"); else InvalidListQuery."""
    value = (value or "").strip() or DEFAULT_SORT
    if value.removeprefix("-") not in SORTS:
        raise InvalidListQuery(
            "sort",
            _("Okänd sortering. Tillåtna: %(keys)s.") % {"keys": ", ".join(sorted(SORTS))},
        )
    return value


def _ordering(sort: str) -> list[Any]:
    descending = sort.startswith("-")
    columns = [
        F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
        for column in SORTS[sort.removeprefix("-")]
    ]
    return [*columns, F("recorded_at").desc(), F("pk").desc()]


def _status_order() -> SqlCase:
    """The workflow's order of statuses (intake first, closed last), not the alphabet's."""
    return SqlCase(
        *[When(status=status, then=Value(index)) for index, status in enumerate(CaseStatus)],
        default=Value(len(CaseStatus.values)),
        output_field=IntegerField(),
    )


def search_filter(user: Any, text: str) -> Q:
    """The cases that a search text finds: a case number, an exact identity number, or every
    word in the child's given or family name. Raises InvalidListQuery for a number that is
    neither."""
    text = " ".join(text.split())
    number = CASE_NUMBER.match(text)
    if number:
        return Q(pk=int(number.group(1)))
    compact = text.replace(" ", "").replace("-", "").replace("+", "")
    if compact.isdigit():
        try:
            identity = parse_identity_number(text)
        except InvalidIdentityNumber as exc:
            raise InvalidListQuery(
                "search",
                _("Skriv ett ärendenummer, ett helt personnummer eller ett namn."),
            ) from exc
        return Q(child__identity_number=identity.value)
    handled = ProtectedPersonHandler.objects.filter(user=user).values("person_id")
    found = Q(child__protection_level=ProtectionLevel.NONE) | Q(child_id__in=handled)
    for word in query_words(text):
        # Folded as the stored key is, each word the start of a word of the name, as in the
        # person search (people/search.py): "asa" finds "Åsa", "ost" finds "Östberg".
        found &= Q(child__name_key__contains=word_start(word))
    return found


def sibling_cases(user: Any, case: Any) -> QuerySet[Any]:
    """The cases of the child's siblings (people.queries.siblings_of) that the user may see.

    Here rather than in accounts/access.py: it needs people's sibling rules, and accounts is
    below people in the layers (docs/architecture.md, "Layers"); the scope is still
    access.visible_cases."""
    siblings = Person.objects.filter(siblings_of(case.child)).values("pk")
    return (
        access.visible_cases(user)
        .filter(child_id__in=siblings)
        .exclude(child_id=case.child_id)
        .order_by("child__given_name", "-recorded_at", "pk")
    )


def overdue_case_ids(cases: QuerySet[Any], *, today: date) -> set[int]:
    """The cases with at least one passed deadline (a fixed number of queries)."""
    return {item.case_id for item in open_deadlines(cases, today=today) if item.is_overdue}


def listed_cases(user: Any) -> QuerySet[Any]:
    """`access.visible_cases(user)`, written so that the list's order can walk an index.

    visible_cases ORs the user's scope with "a case of an active emergency grant" as a
    subquery, and with that OR SQLite sorts every case of the district before it can show
    the first page (docs/performance.md). Almost nobody holds a grant, and the journal
    already knows this request's grants (ReaderScope, read once per request for the access
    events), so the grant's cases are added as a short list of ids, and only when there is
    one: the same set of cases, and no OR at all for everyone else.
    """
    granted = list(reader_scope(user).grants_by_case)
    cases = access.visible_cases(user, include_emergency=False)
    if granted:
        cases = cases | Case.objects.filter(pk__in=granted)
    return cases


def filtered_cases(user: Any, query: CaseListQuery, *, today: date) -> QuerySet[Any]:
    """The user's visible cases narrowed by `query`, in its order."""
    cases = listed_cases(user)
    if query.status:
        cases = cases.filter(status=query.status)
    if query.unit_id is not None:
        cases = cases.filter(unit_id=access.parse_id(query.unit_id))
    if query.responsible == NOBODY:
        cases = cases.filter(responsible__isnull=True)
    elif query.responsible:
        cases = cases.filter(responsible_id=access.parse_id(query.responsible))
    if query.search:
        cases = cases.filter(search_filter(user, query.search))
    if query.is_overdue_only:
        cases = cases.filter(pk__in=overdue_case_ids(cases, today=today))
    return (
        cases.select_related("child", "district", "unit", "responsible")
        .annotate(status_order=_status_order())
        .order_by(*_ordering(query.sort))
    )


@dataclass
class CaseRow:
    """One case of a page, with its most urgent running deadline (None when none runs)."""

    case: Case
    next_deadline: Any = None


@dataclass
class CaseListPage:
    page: Page[Any]
    rows: list[CaseRow] = field(default_factory=list)

    @property
    def cases(self) -> list[Case]:
        return [row.case for row in self.rows]


def case_list_page(user: Any, query: CaseListQuery, *, today: date, page: Any = 1) -> CaseListPage:
    """One page (PAGE_SIZE cases) of the list, each case with its most urgent deadline.

    A fixed number of queries whatever the page holds: the count, the page, and the
    deadlines of the cases shown.
    """
    paginator = Paginator(filtered_cases(user, query, today=today), PAGE_SIZE)
    current = paginator.get_page(page)
    cases = list(current.object_list)
    first: dict[int, Any] = {}
    if cases:
        shown = access.visible_cases(user).filter(pk__in=[c.pk for c in cases])
        for item in open_deadlines(shown, today=today):  # most urgent first
            first.setdefault(item.case_id, item)
    return CaseListPage(page=current, rows=[CaseRow(c, first.get(c.pk)) for c in cases])


def offset_slice(
    user: Any, query: CaseListQuery, *, today: date, limit: int, offset: int
) -> tuple[int, list[Case]]:
    """The API's page: (total count, at most `limit` cases from `offset`)."""
    if not 1 <= limit <= PAGE_SIZE:
        raise InvalidListQuery("limit", _("limit ska vara mellan 1 och %(n)d.") % {"n": PAGE_SIZE})
    if not 0 <= offset < 2**31:
        raise InvalidListQuery(
            "offset", _("offset ska vara mellan 0 och %(n)d.") % {"n": 2**31 - 1}
        )
    cases = filtered_cases(user, query, today=today)
    return cases.count(), list(cases[offset : offset + limit])


# --- The choices the filters offer (only values from these are accepted) --------------------


def unit_choices(user: Any) -> list[tuple[int, str]]:
    """Active units of the districts where the user has a case role."""
    units = Unit.objects.filter(
        district_id__in=access.case_role_districts(user), is_active=True
    ).order_by("district__name", "name")
    return [(unit.pk, unit.name) for unit in units]


def responsible_choices(user: Any) -> list[tuple[str, str]]:
    """Nobody yet, and everyone responsible for one of the user's visible cases.

    Asked per user, with one EXISTS per part of the user's scope (access.case_scope_parts, and
    the cases of the user's emergency grants), each a seek in an index: (responsible, unit,
    district) for a unit's cases, (responsible, district) for a district's. The distinct
    responsibles of every visible case read the district's whole history; one EXISTS over
    the scope's OR read every case of each user (docs/performance.md).
    """
    parts = access.case_scope_parts(user)
    granted = list(reader_scope(user).grants_by_case)
    if granted:
        parts.append(Q(pk__in=granted))
    people: list[tuple[str, str]] = []
    if parts:
        somewhere = Q()
        for part in parts:
            somewhere |= Q(Exists(Case.objects.filter(part, responsible_id=OuterRef("pk"))))
        rows = User.objects.filter(somewhere).values_list(
            "pk", "first_name", "last_name", "username"
        )
        people = sorted(
            (str(pk), f"{first} {last}".strip() or username) for pk, first, last, username in rows
        )
    people.sort(key=lambda choice: choice[1].casefold())
    return [(NOBODY, _("Ingen ansvarig ännu")), *people]


# --- Page names for the journal's routes ------------------------------------------------------

# The Swedish name of the pages a read can come from, for the team manager's review of
# emergency access; a route not listed here is shown as it is (page_name).
PAGE_NAMES = {
    "home": gettext_lazy("Startsidan"),
    "cases:case-list": gettext_lazy("Ärendelistan"),
    "cases:case-detail": gettext_lazy("Ärendet"),
    "cases:emergency-request": gettext_lazy("Sidan för nödåtkomst"),
    "people:person-search": gettext_lazy("Personsökningen"),
    "people:person-detail": gettext_lazy("Personsidan"),
    "intake:queue": gettext_lazy("Mottagningens lista"),
    "intake:report-detail": gettext_lazy("Anmälan"),
    "intake:protection-assessment-create": gettext_lazy("Skyddsbedömningen"),
    "intake:pre-assessment-edit": gettext_lazy("Förhandsbedömningen"),
    "investigation:investigation-detail": gettext_lazy("Utredningen"),
    "investigation:plan-edit": gettext_lazy("Utredningsplanen"),
    "investigation:area-edit": gettext_lazy("Ett område i utredningen"),
    "investigation:risk-edit": gettext_lazy("Riskbedömningen"),
    "investigation:analysis-edit": gettext_lazy("Analys och bedömning"),
    "investigation:communication-create": gettext_lazy("Kommuniceringen"),
    "investigation:extension-create": gettext_lazy("Förlängning av utredningstiden"),
    "investigation:investigation-close": gettext_lazy("Avslut av utredningen"),
    "deadlines:mine": gettext_lazy("Mina frister"),
    "deadlines:team": gettext_lazy("Teamets frister"),
    "api:case-list": gettext_lazy("Ärendelistan i API:t"),
    "api:case-search": gettext_lazy("Ärendesökningen i API:t"),
    "api:case-detail": gettext_lazy("Ärendet i API:t"),
    "api:person-detail": gettext_lazy("Personen i API:t"),
}


def page_name(route: str) -> str:
    """The Swedish name of the page a route shows, or the route itself when it has none."""
    name = PAGE_NAMES.get(route)
    return str(name) if name is not None else route


# --- The team manager's review of emergency access ---------------------------------------------

REVIEW_PAGE_SIZE = 25


@dataclass
class EmergencyReviewPage:
    """One page of the district's emergency grants, each with every read made through it."""

    page: Page[Any]
    rows: list[tuple[EmergencyAccess, list[tuple[AccessEvent, str]]]] = field(default_factory=list)


def emergency_review_page(user: Any, page: Any = 1) -> EmergencyReviewPage:
    """REVIEW_PAGE_SIZE grants of the user's districts: what waits for the manager first
    (requests to approve, then used grants not yet reviewed), then the reviewed and rejected
    ones; newest first within each.

    The page, not the district's whole history of grants: listing every grant with its reads
    grew with the district (123 grants at 500 000 reports, docs/performance.md). A fixed
    number of queries whatever the page holds: the count, the page, and the reads of its
    grants, found through the partial index on access events by grant (journal 0004).
    """
    waiting = SqlCase(
        When(status=EmergencyAccessStatus.PENDING, then=Value(0)),
        When(reviewed_at__isnull=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    grants = (
        reviewable_emergency_accesses(user)
        .select_related("case", "user", "reviewed_by")
        .alias(waiting=waiting)
        .order_by("waiting", "-requested_at", "-pk")
    )
    current = Paginator(grants, REVIEW_PAGE_SIZE).get_page(page)
    shown = list(current.object_list)
    reads: dict[int, list[tuple[AccessEvent, str]]] = {grant.pk: [] for grant in shown}
    if reads:
        events = AccessEvent.objects.filter(emergency_access_id__in=list(reads)).order_by(
            "occurred_at", "id"
        )
        for event in events:
            # Each read with the page's Swedish name instead of its route (`cases:case-detail`).
            reads[event.emergency_access_id or 0].append((event, page_name(event.route)))
    return EmergencyReviewPage(page=current, rows=[(grant, reads[grant.pk]) for grant in shown])
