"""Optimistic locking: compare-and-set writes and the conflict page (docs/security-checks.md
S36)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from rodtrad.lib.versioning import StaleVersion, display_value, render_conflict, update_versioned
from rodtrad.people.models import Person
from rodtrad.people.tests.factories import PersonFactory


@pytest.fixture
def person(db):
    return PersonFactory(given_name="Alva", family_name="Ek")


def test_update_versioned_writes_and_increments_the_version(person):
    fresh = update_versioned(
        Person, person.pk, expected_version=1, changes={"given_name": "Alvina"}
    )
    assert fresh.given_name == "Alvina"
    assert fresh.version == 2
    assert Person.objects.get(pk=person.pk).version == 2


def test_update_versioned_with_an_instance_refreshes_the_instance(person):
    update_versioned(person, expected_version=1, changes={"family_name": "Björk"})
    assert person.family_name == "Björk"
    assert person.version == 2


def test_two_stale_edits_first_succeeds_second_gets_stale_version(person):
    # Both clients loaded version 1.
    update_versioned(Person, person.pk, expected_version=1, changes={"given_name": "Första"})
    with pytest.raises(StaleVersion) as caught:
        update_versioned(
            Person,
            person.pk,
            expected_version=1,
            changes={"given_name": "Andra", "family_name": "Ek"},
        )
    assert caught.value.current.given_name == "Första"
    assert caught.value.current.version == 2
    # Only the field whose saved value differs from the submission is named.
    assert caught.value.changed_fields == ["given_name"]
    stored = Person.objects.get(pk=person.pk)
    assert stored.given_name == "Första"
    assert stored.version == 2  # version == number of successful writes


def test_many_writers_on_the_same_version_leave_exactly_one_write(person):
    successes = 0
    for n in range(5):
        try:
            update_versioned(
                Person, person.pk, expected_version=1, changes={"given_name": f"Skrivare{n}"}
            )
            successes += 1
        except StaleVersion:
            pass
    assert successes == 1
    assert Person.objects.get(pk=person.pk).version == 1 + successes


def test_update_versioned_sets_auto_now_fields(person):
    before = person.updated_at
    fresh = update_versioned(person, expected_version=1, changes={"city": "Solna"})
    assert fresh.updated_at > before


def test_update_versioned_refuses_to_change_the_version_itself(person):
    with pytest.raises(ValueError, match="version"):
        update_versioned(person, expected_version=1, changes={"version": 9})
    assert Person.objects.get(pk=person.pk).version == 1


def test_update_versioned_on_a_missing_row_raises_does_not_exist(db):
    with pytest.raises(Person.DoesNotExist):
        update_versioned(Person, 999_999, expected_version=1, changes={"city": "Solna"})


def test_display_value_turns_values_into_plain_text():
    assert display_value(None) == ""
    assert display_value(True) == "Ja"
    assert display_value(False) == "Nej"
    assert display_value(date(2020, 1, 2)) == "2020-01-02"
    assert display_value("Ek") == "Ek"


def test_render_conflict_shows_saved_and_submitted_values_field_by_field(person):
    request = RequestFactory().post("/personer/1/andra/")
    request.user = AnonymousUser()
    person.given_name = "Sparad"
    response = render_conflict(
        request,
        title="Någon annan har ändrat personen",
        current=person,
        submitted={"given_name": "Min text", "family_name": "Ek", "legal_sex": "Kvinna"},
        fields=[("given_name", "Förnamn"), ("family_name", "Efternamn"), ("legal_sex", "Kön")],
        reload_url="/personer/1/andra/",
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "<h1>Någon annan har ändrat personen</h1>" in html
    assert "Sparad</del>" in html
    assert "Min text</ins>" in html
    assert '<th scope="row">Förnamn</th>' in html
    # Unchanged fields are shown once per column, without del/ins.
    assert "Ek</del>" not in html
    # get_<field>_display is used for choices: the label, not the code.
    assert "Kvinna</del>" not in html
    # The user's text can be copied, and the form reloaded.
    assert 'readonly aria-describedby="conflict-copy-help">Förnamn: Min text</textarea>' in html
    assert 'href="/personer/1/andra/"' in html


def test_render_conflict_accepts_a_mapping_of_display_values(db):
    request = RequestFactory().post("/x/")
    request.user = AnonymousUser()
    response = render_conflict(
        request,
        title="Konflikt",
        current={"city": "Skyddad uppgift"},
        submitted={"city": "Solna"},
        fields=[("city", "Ort")],
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Skyddad uppgift</del>" in html
    assert "Solna</ins>" in html
    assert 'href="/x/"' in html
