"""Reads of persons around a child (rodtrad/people/queries.py)."""

from __future__ import annotations

from datetime import date

from rodtrad.people import queries
from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory

DAY = date(2026, 6, 10)


def test_the_parties_of_a_child_are_the_guardians_and_the_child_from_15(own_district):
    child = PersonFactory(district=own_district, birth_date=date(2011, 6, 10))  # 15 on DAY
    guardian = RelationshipFactory(child=child, kind="guardian", has_custody=True)
    parent_with_custody = RelationshipFactory(child=child, kind="parent", has_custody=True)
    RelationshipFactory(child=child, kind="parent", has_custody=False)
    RelationshipFactory(child=child, kind="sibling", has_custody=False)
    RelationshipFactory(child=child, kind="foster_carer", has_custody=False)
    RelationshipFactory(child=child, kind="other", has_custody=False)
    ended = RelationshipFactory(child=child, kind="guardian", valid_to=date(2026, 6, 9))

    parties = queries.parties_of_child(child, on=DAY)

    assert [(p.person, p.relationship) for p in parties] == [
        (child, None),
        (guardian.other, guardian),
        (parent_with_custody.other, parent_with_custody),
    ]
    # The day before: the child is 14, and the ended guardian still was one on its last day.
    assert [p.relationship for p in queries.parties_of_child(child, on=date(2026, 6, 9))] == [
        guardian,
        parent_with_custody,
        ended,
    ]


def test_the_report_banner_counts_the_children_of_the_report_and_everyone_around_them(
    own_district,
):
    child = PersonFactory(district=own_district)
    protected = PersonFactory(district=own_district, protection_level="sekretessmarkering")
    assert not queries.has_protected_person_among_or_around([child])
    assert queries.has_protected_person_among_or_around([child, protected])
    assert queries.has_protected_person_among_or_around([protected.pk])
    RelationshipFactory(child=child, other=protected, kind="other", has_custody=False)
    assert queries.has_protected_person_among_or_around([child.pk])
    assert not queries.has_protected_person_among_or_around([])
