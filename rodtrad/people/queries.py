"""Reads of persons and relationships, always starting from what the user may see."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from rodtrad.accounts.access import (
    CASE_ROLES,
    case_role_districts,
    editable_persons,
    not_found,
    visible_cases,
    visible_persons,
)
from rodtrad.accounts.models import Membership, User
from rodtrad.people import links
from rodtrad.people.identity import IdentityNumber, parse_identity_number
from rodtrad.people.masking import age_on
from rodtrad.people.models import (
    Person,
    PersonNameWord,
    ProtectedPersonHandler,
    ProtectionLevel,
    Relationship,
    RelationshipKind,
)
from rodtrad.people.search import prefix_bounds, query_words, word_start

# A name search shows at most this many persons: more namesakes than that are narrowed by
# more of the name or by the number, not browsed (every hit shown is a read of the person,
# journaled; docs/performance.md).
SEARCH_LIMIT = 20
# Input with this many digits is an identity number, never a name.
LOOKS_LIKE_NUMBER = re.compile(r"\d{6}")


@dataclass
class PersonSearch:
    """The outcome of one search: the hits (at most SEARCH_LIMIT) and how they were found."""

    by_number: bool
    persons: list[Person] = field(default_factory=list)
    has_more: bool = False


def looks_like_identity_number(query: str) -> bool:
    return bool(LOOKS_LIKE_NUMBER.search(query.replace(" ", "").replace("-", "")))


def find_by_identity_number(
    user: Any, identity: IdentityNumber, *, include_emergency: bool = True
) -> Person | None:
    """The visible person with exactly this number (protected persons included).

    `include_emergency=False` for lookups that lead to a write linking persons (S16).
    """
    return (
        visible_persons(user, include_emergency=include_emergency)
        .filter(identity_number=identity.value)
        .first()
    )


def search_persons(user: Any, query: str) -> PersonSearch:
    """Persons the user may see, by exact identity number or by name.

    A number in any written form matches exactly. A name matches when every word of the search
    begins a word of the given or family name, whatever the case and diacritics ("asa" finds
    "Åsa", "ost" finds "Östberg", "berg" does not): the words are folded and compared with
    the name's folded words (people/search.py). Protected persons are left out of name
    searches unless the user is one of their named handlers (S15): they can only be found by
    their exact number. Raises InvalidIdentityNumber when the input looks like a number but is
    not a valid one.
    """
    query = query.strip()
    if looks_like_identity_number(query):
        identity = parse_identity_number(query)
        hit = find_by_identity_number(user, identity)
        return PersonSearch(by_number=True, persons=[hit] if hit else [])

    words = query_words(query)
    name = Q()
    for word in words:
        name &= Q(name_key__contains=word_start(word))
    # visible_persons(user) filtered by name, as two sets of ids: the persons of the user's
    # districts, found through the (district, word) index of their names' words, and the few
    # persons of other districts seen through a visible case (the child, the child's related
    # persons). One OR over the whole scope would read every person of the district row by
    # row (docs/performance.md).
    districts = case_role_districts(user)
    children = visible_cases(user).values("child_id")
    related = Relationship.objects.filter(child_id__in=children).values("other_id")
    # In the user's districts only through the words' index, one seek per word (each must
    # begin a word of the name: the same as `name`, read from the index alone); with the
    # district's condition on the person, SQLite read the district's names instead. The
    # words are matched against each other in the index (the entries of the longest word's
    # start whose person also has the next word's start, ...), so a person is read only once
    # it matches every word: through a subquery of persons, SQLite read every person with
    # the first word (1 339 for a common family name at city scale).
    seeks = Q(district_id__in=districts)
    matching: QuerySet[Any] | None = None
    for word in sorted(set(words), key=len, reverse=True):
        found = _with_word_start(districts, word)
        matching = found if matching is None else matching.filter(person_id__in=found)
    if matching is not None:
        seeks = Q(pk__in=matching)
    elsewhere = (
        Person.objects.filter(name)
        .exclude(district_id__in=districts)
        .filter(Q(pk__in=children) | Q(pk__in=related))
        .values("pk")
    )
    queryset = (
        Person.objects.filter(seeks | Q(pk__in=elsewhere))
        .filter(
            Q(protection_level=ProtectionLevel.NONE)
            | Q(pk__in=ProtectedPersonHandler.objects.filter(user=user).values("person_id"))
        )
        .select_related("district")
    )
    persons = list(queryset.order_by("family_name", "given_name", "pk")[: SEARCH_LIMIT + 1])
    return PersonSearch(
        by_number=False, persons=persons[:SEARCH_LIMIT], has_more=len(persons) > SEARCH_LIMIT
    )


def _with_word_start(districts: Iterable[int], prefix: str) -> QuerySet[Any]:
    """The persons of the districts with a word of the name that begins with `prefix`.

    A range of the (district, word) index on both databases: PostgreSQL seeks `LIKE
    'ber%'` through the index's pattern operator class; SQLite seeks `LIKE` only in an index
    without case (NOCASE), so there it is the same range written out in its BINARY order
    (the words are folded, so case does not matter).
    """
    words = PersonNameWord.objects.filter(district_id__in=list(districts))
    if connection.vendor == "sqlite":
        low, high = prefix_bounds(prefix)
        words = words.filter(word__gte=low, word__lt=high)
    else:
        words = words.filter(word__startswith=prefix)
    return words.values("person_id")


def get_relationship_for(user: Any, pk: Any, *, for_edit: bool = False) -> Relationship:
    """The relationship if the user may see (or edit) its child; otherwise Http404."""
    children = editable_persons(user) if for_edit else visible_persons(user)
    queryset = Relationship.objects.filter(child__in=children.values("pk")).select_related(
        "child", "child__district", "other"
    )
    try:
        return queryset.get(pk=int(pk))
    except (ValueError, TypeError, OverflowError, Relationship.DoesNotExist) as exc:
        raise not_found(user) from exc


def relationships_of(person: Person) -> QuerySet[Relationship]:
    """The persons related to this child (guardians, parents, siblings, ...)."""
    return person.relationships.select_related("other").order_by(
        "valid_to", "kind", "valid_from", "pk"
    )


def relationships_as_other(person: Person) -> QuerySet[Relationship]:
    """The children this person is related to (e.g. a parent's children)."""
    return person.relationships_as_other.select_related("child").order_by(
        "valid_to", "kind", "valid_from", "pk"
    )


def handlers_of(person: Person) -> QuerySet[ProtectedPersonHandler]:
    return (
        ProtectedPersonHandler.objects.filter(person=person)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def eligible_handlers(person: Person) -> QuerySet[Any]:
    """Active users with a case role in the person's district today, not yet handlers."""
    today = timezone.localdate()
    memberships = Membership.objects.filter(
        district_id=person.district_id, role__in=CASE_ROLES, valid_from__lte=today
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    return (
        User.objects.filter(is_active=True, pk__in=memberships.values("user_id"))
        .exclude(pk__in=handlers_of(person).values("user_id"))
        .order_by("last_name", "first_name", "username")
    )


def handler_users(person: Person) -> QuerySet[Any]:
    """The users who are named handlers of the person."""
    return User.objects.filter(pk__in=handlers_of(person).values("user_id")).order_by(
        "last_name", "first_name", "username"
    )


# --- a child's network ------------------------------------------------------------------------

# A child may take part in their own case from 15 (SoL 2025:400 3 kap. 4 §), so from then on the
# child is one of the parties who are sent material to comment on (parties_of_child).
OWN_STANDING_AGE = 15


def network_of(person: Any) -> Q:
    """The persons around `person` (not the person): related in either direction, the other
    children of the person's parents and guardians, and the other children of every report
    about the person. A filter on Person; its subqueries make it one query wherever used.
    `person` is anything with the person's `pk` (a Person or a PersonView)."""
    adults = Relationship.objects.filter(child_id=person.pk).values("other_id")
    children_of = Relationship.objects.filter(other_id=person.pk).values("child_id")
    # A legal representative's other clients are not the child's network.
    relatives = (
        Relationship.objects.filter(child_id=person.pk)
        .exclude(kind=RelationshipKind.LEGAL_REPRESENTATIVE)
        .values("other_id")
    )
    through_adults = Relationship.objects.filter(other_id__in=relatives).values("child_id")
    return (
        Q(pk__in=adults)
        | Q(pk__in=children_of)
        | Q(pk__in=through_adults)
        | links.co_recorded_children(person.pk)
    ) & ~Q(pk=person.pk)


def siblings_of(person: Any) -> Q:
    """The child's siblings (not the child): recorded as siblings either way, children of the
    same parent or guardian, or children of the same report. A filter on Person."""
    sibling = RelationshipKind.SIBLING
    parents = Relationship.objects.filter(
        child_id=person.pk, kind__in=[RelationshipKind.GUARDIAN, RelationshipKind.PARENT]
    ).values("other_id")
    recorded = Relationship.objects.filter(child_id=person.pk, kind=sibling).values("other_id")
    recorded_by_them = Relationship.objects.filter(other_id=person.pk, kind=sibling).values(
        "child_id"
    )
    same_parent = Relationship.objects.filter(other_id__in=parents).values("child_id")
    return (
        Q(pk__in=recorded)
        | Q(pk__in=recorded_by_them)
        | Q(pk__in=same_parent)
        | links.co_recorded_children(person.pk)
    ) & ~Q(pk=person.pk)


def has_protected_person_in_network(person: Any) -> bool:
    """Whether anyone around the person (see network_of) has protected personal data.

    One query. It says nothing about who: the banner it drives is shown to everyone who may
    see the person, also when the protected relative is outside their scope.
    """
    return (
        Person.objects.filter(network_of(person))
        .exclude(protection_level=ProtectionLevel.NONE)
        .exists()
    )


def has_protected_person_among_or_around(persons: Iterable[Any]) -> bool:
    """Whether any of the persons, or anyone around one of them (network_of), has protected
    personal data. One query.

    For pages about several children at once, such as a report about siblings: the children
    are each other's network, so a protected child of the report counts too.
    """
    ids = [getattr(person, "pk", person) for person in persons]  # persons or their ids
    if not ids:
        return False
    around = Q(pk__in=ids)
    for pk in ids:
        around |= network_of(_Ref(pk))
    return Person.objects.filter(around).exclude(protection_level=ProtectionLevel.NONE).exists()


@dataclass(frozen=True)
class _Ref:
    pk: int


@dataclass(frozen=True)
class CasePerson:
    """One of the persons a case's material can be sent to: the child, or a related person
    through one relationship (the relationship says in what capacity)."""

    person: Person
    relationship: Relationship | None

    @property
    def key(self) -> str:
        """A form value that names the choice without personal data."""
        return "barnet" if self.relationship is None else f"relation-{self.relationship.pk}"

    @property
    def kind_label(self) -> str:
        from django.utils.translation import gettext

        if self.relationship is None:
            return gettext("Barnet")
        return str(self.relationship.get_kind_display())


def is_party_relationship(relationship: Relationship) -> bool:
    """Whether the relationship makes the other person a party to the child's case: a
    guardian (vårdnadshavare), or a parent recorded as having custody."""
    return relationship.kind == RelationshipKind.GUARDIAN or (
        relationship.kind == RelationshipKind.PARENT and relationship.has_custody
    )


def parties_of_child(child: Person, *, on: date) -> list[CasePerson]:
    """The parties of a child's case who are given the material to comment on before a
    decision (kommunicering, förvaltningslagen 25 §): the child's guardians, that is persons
    related as guardian or parents with custody, current on `on`, and the child from 15
    (SoL 2025:400 3 kap. 4 §). Siblings, foster carers and other relatives are not parties.
    One query.

    The child comes first, then the guardians by relationship id.
    """
    relationships = (
        Relationship.objects.filter(child=child, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .filter(
            Q(kind=RelationshipKind.GUARDIAN) | Q(kind=RelationshipKind.PARENT, has_custody=True)
        )
        .select_related("other", "other__district")
        .order_by("pk")
    )
    persons = [CasePerson(person=r.other, relationship=r) for r in relationships]
    if age_on(child.birth_date, on) >= OWN_STANDING_AGE:
        persons.insert(0, CasePerson(person=child, relationship=None))
    return persons
