"""Name search through the folded, indexed name key (issue 7, point 7; people/search.py).

The search used to run a Python regex over every person of the district (~250 ms at city
scale). Now the names are folded once when written and the search compares folded words in
SQL, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rodtrad.people.models import Person
from rodtrad.people.queries import search_persons
from rodtrad.people.search import fold, search_key
from rodtrad.people.services import update_person
from rodtrad.people.tests.factories import PersonFactory


def test_folding_drops_case_diacritics_and_punctuation() -> None:
    assert fold("Åsa") == "asa"
    assert fold("ÖSTBERG") == "ostberg"
    assert fold("Anna-Karin  Lindqvist-Øre") == "anna karin lindqvist ore"
    assert fold("Zoë Çelik") == "zoe celik"
    assert search_key("Åsa", "Östberg") == " asa ostberg"


@pytest.mark.parametrize("query", ["Asa", "asa", "Ostberg", "ÖSTBERG", "asa ostberg", "berg"])
def test_a_name_is_found_without_its_diacritics_or_case(investigator, own_district, query) -> None:
    asa = PersonFactory(district=own_district, given_name="Åsa", family_name="Östberg")
    PersonFactory(district=own_district, given_name="Bo", family_name="Lind")
    assert search_persons(investigator, query).persons == [asa]


def test_the_key_follows_a_change_of_name(investigator, own_district) -> None:
    person = PersonFactory(district=own_district, given_name="Åsa", family_name="Ek")
    update_person(
        person, by=investigator, expected_version=person.version, changes={"family_name": "Öst"}
    )
    assert Person.objects.get(pk=person.pk).name_key == " asa ost"
    assert search_persons(investigator, "Ost").persons == [person]
    assert search_persons(investigator, "Ek").persons == []


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
def test_the_district_branch_of_the_search_reads_the_name_key_index(own_district) -> None:
    matches = Person.objects.filter(district_id=own_district.pk, name_key__contains="asa")
    sql, params = matches.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX person_district_name_key" in plan
