"""Name search through the folded, indexed words of the names (issue 7, point 7;
people/search.py).

The search used to run a Python regex over every person of the district (~250 ms at city
scale), then a substring `LIKE` over the district's folded names (63 ms). Now the names are
folded once when written, word by word, and the search seeks a word's start in an index, on
SQLite and PostgreSQL alike: a search word must begin a word of the name.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rodtrad.people.models import Person, PersonNameWord
from rodtrad.people.queries import _with_word_start, search_persons
from rodtrad.people.search import fold, name_words, prefix_bounds, search_key
from rodtrad.people.services import update_person
from rodtrad.people.tests.factories import PersonFactory


def test_folding_drops_case_diacritics_and_punctuation() -> None:
    assert fold("Åsa") == "asa"
    assert fold("ÖSTBERG") == "ostberg"
    assert fold("Anna-Karin  Lindqvist-Øre") == "anna karin lindqvist ore"
    assert fold("Zoë Çelik") == "zoe celik"
    assert search_key("Åsa", "Östberg") == " asa ostberg"
    assert name_words("Anna-Karin", "Lind Lind") == ["anna", "karin", "lind"]
    assert prefix_bounds("ber") == ("ber", "bes")


@pytest.mark.parametrize(
    "query", ["Asa", "asa", "Ostberg", "ÖSTBERG", "asa ostberg", "ost", "Ö", "ostb as"]
)
def test_a_name_is_found_without_its_diacritics_or_case(investigator, own_district, query) -> None:
    asa = PersonFactory(district=own_district, given_name="Åsa", family_name="Östberg")
    PersonFactory(district=own_district, given_name="Bo", family_name="Lind")
    assert search_persons(investigator, query).persons == [asa]


@pytest.mark.parametrize("query", ["berg", "sa", "asa lind", "ostbergs"])
def test_each_word_must_begin_a_word_of_the_name(investigator, own_district, query) -> None:
    """A word's start, not any part of it: "berg" does not find "Östberg" (it used to, when
    the search compared substrings; docs/performance.md says why that was given up)."""
    PersonFactory(district=own_district, given_name="Åsa", family_name="Östberg")
    assert search_persons(investigator, query).persons == []


def test_every_part_of_a_double_name_is_a_word(investigator, own_district) -> None:
    anna = PersonFactory(district=own_district, given_name="Anna-Karin", family_name="Ek Öst")
    for query in ("karin", "anna-karin", "ek", "öst", "karin ö"):
        assert search_persons(investigator, query).persons == [anna], query


def test_the_key_follows_a_change_of_name(investigator, own_district) -> None:
    person = PersonFactory(district=own_district, given_name="Åsa", family_name="Ek")
    update_person(
        person, by=investigator, expected_version=person.version, changes={"family_name": "Öst"}
    )
    assert Person.objects.get(pk=person.pk).name_key == " asa ost"
    assert sorted(PersonNameWord.objects.filter(person=person).values_list("word", flat=True)) == [
        "asa",
        "ost",
    ]
    assert search_persons(investigator, "Ost").persons == [person]
    assert search_persons(investigator, "Ek").persons == []


def test_the_words_follow_save_and_are_written_only_when_the_name_changes(own_district) -> None:
    person = PersonFactory(district=own_district, given_name="Åsa", family_name="Ek")
    loaded = Person.objects.get(pk=person.pk)
    with CaptureQueriesContext(connection) as captured:
        loaded.save()  # the same name: no rows rewritten
    assert not [q for q in captured.captured_queries if "people_personnameword" in q["sql"]]
    loaded.family_name = "Berg"
    loaded.save(update_fields=["family_name"])
    words = PersonNameWord.objects.filter(person=person)
    assert sorted(words.values_list("word", flat=True)) == ["asa", "berg"]
    assert {word.district_id for word in words} == {own_district.pk}


def test_the_search_costs_the_same_queries_for_2_and_for_10_hits(
    investigator, own_district, other_district
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            search_persons(investigator, "Lindqvist")
        return len(captured.captured_queries)

    PersonFactory.create_batch(2, district=own_district, family_name="Lindqvist")
    PersonFactory.create_batch(5, district=other_district, family_name="Lindqvist")
    queries()  # the memberships are read once and then remembered
    few = queries()
    PersonFactory.create_batch(8, district=own_district, family_name="Lindqvist")
    assert queries() == few
    assert len(search_persons(investigator, "lindqvist").persons) == 10


@pytest.mark.sqlite  # EXPLAIN QUERY PLAN is SQLite's; CI runs it in its SQLite pass
def test_the_district_branch_of_the_search_seeks_the_words_index(own_district) -> None:
    """A range of the (district, word) index, not a scan of the district's names."""
    sql, params = _with_word_start([own_district.pk], "asa").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX person_name_word_prefix (district_id=? AND word>? AND word<?)" in plan


@pytest.mark.sqlite  # EXPLAIN QUERY PLAN is SQLite's; CI runs it in its SQLite pass
def test_the_words_of_a_search_are_intersected_in_the_words_index(
    investigator, own_district
) -> None:
    """Every word is sought in the index, and a person is read only once it matches all of
    them: through a subquery of persons, SQLite read every namesake of the first word (1 339
    persons for a common family name at city scale, docs/performance.md)."""
    asa = PersonFactory(district=own_district, given_name="Åsa", family_name="Östberg")
    PersonFactory(district=own_district, given_name="Åsa", family_name="Lind")
    search_persons(investigator, "asa ost")  # the memberships are read once
    with CaptureQueriesContext(connection) as captured:
        assert search_persons(investigator, "asa ostb").persons == [asa]
    (sql,) = [q["sql"] for q in captured.captured_queries if "people_personnameword" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = {row[0]: (row[1], str(row[-1])) for row in cursor.fetchall()}

    def ancestors(step: int) -> list[int]:
        chain = []
        while step in plan:
            step = plan[step][0]
            chain.append(step)
        return chain

    seeks = [step for step, (_, detail) in plan.items() if "person_name_word_prefix" in detail]
    assert seeks
    for seek in seeks:
        # The outermost subquery that seeks a word reads no person by its key: the words
        # are matched against each other's index entries first.
        lists = [a for a in ancestors(seek) if plan.get(a, (0, ""))[1].startswith("LIST")]
        outermost = lists[-1]
        inside = [step for step in plan if outermost in ancestors(step)]
        assert not [step for step in inside if "PRIMARY KEY" in plan[step][1]], plan[outermost]
