"""People pages: search via POST, a person's page, create, edit, relationships, handlers."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from django.urls import reverse

from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.intake.tests.factories import ReportFactory
from rodtrad.journal.models import AccessEvent, JournalEntry
from rodtrad.people import services
from rodtrad.people.identity import fictitious_identity_number
from rodtrad.people.models import Person, ProtectedPersonHandler, Relationship
from rodtrad.people.tests.factories import (
    PersonFactory,
    ProtectedPersonHandlerFactory,
    RelationshipFactory,
)

SEARCH = reverse("people:person-search")
CREATE = reverse("people:person-create")


def number(born=date(2014, 9, 8), sex="female", seed=11) -> str:
    return fictitious_identity_number(born, legal_sex=sex, rng=random.Random(seed))


def detail(person) -> str:
    return reverse("people:person-detail", args=[person.pk])


def edit(person) -> str:
    return reverse("people:person-edit", args=[person.pk])


@pytest.fixture
def alva(own_district):
    return PersonFactory(
        district=own_district,
        given_name="Åsa",
        family_name="Öberg",
        birth_date=date(2014, 9, 8),
        identity_number=number(),
        postal_code="168 00",
    )


# --- search -----------------------------------------------------------------------------------


def test_search_page_shows_a_post_form(signed_in, investigator):
    response = signed_in(investigator).get(SEARCH)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<form method="post" action="{SEARCH}"' in html
    assert 'for="id_query"' in html


def test_search_by_ten_digit_number_finds_the_person_and_journals_the_hit(
    signed_in, investigator, alva
):
    ten_digits = f"{alva.identity_number[2:8]}-{alva.identity_number[8:]}"
    response = signed_in(investigator).post(SEARCH, {"query": ten_digits})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Åsa Öberg" in html
    assert detail(alva) in html
    event = AccessEvent.objects.get(person_id=alva.pk)
    assert event.action == "searched"
    assert event.route == "people:person-search"


def test_search_by_name_is_case_insensitive_also_for_swedish_letters(signed_in, investigator, alva):
    client = signed_in(investigator)
    for query in ("åsa", "ÖBERG", "åsa öberg", "öb", "Ob as"):
        response = client.post(SEARCH, {"query": query})
        assert "Åsa Öberg" in response.content.decode(), query


def test_search_finds_nobody_outside_the_users_district(
    signed_in, investigator, other_district, alva
):
    stranger = PersonFactory(district=other_district, given_name="Åsa", family_name="Farsta")
    client = signed_in(investigator)
    by_name = client.post(SEARCH, {"query": "Åsa"}).content.decode()
    by_number = client.post(SEARCH, {"query": stranger.identity_number}).content.decode()
    assert "Farsta</a>" not in by_name
    assert "Åsa Öberg" in by_name
    assert "Ingen person hittades." in by_number
    assert not AccessEvent.objects.filter(person_id=stranger.pk).exists()


def test_search_with_an_invalid_number_shows_an_accessible_error(signed_in, investigator):
    response = signed_in(investigator).post(SEARCH, {"query": "811218-9875"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "kontrollsiffran" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_query_helptext id_query_error"' in html
    assert 'id="id_query_error"' in html


def test_search_answers_in_the_post_response_without_redirecting(signed_in, investigator, alva):
    response = signed_in(investigator).post(SEARCH, {"query": alva.identity_number})
    assert response.status_code == 200
    assert "Location" not in response


def test_a_name_search_shows_at_most_20_persons_and_asks_for_more_of_the_name(
    signed_in, investigator, own_district
):
    """More namesakes than SEARCH_LIMIT are narrowed, not browsed: the first 20 by name are
    shown (and journaled as read), with a message to write more of the name or the number."""
    namesakes = [
        PersonFactory(district=own_district, given_name="Alva", family_name=f"Ek{index:02d}")
        for index in range(21)
    ]
    client = signed_in(investigator)
    html = client.post(SEARCH, {"query": "alva"}).content.decode()
    assert "Fler än 20 personer matchar. Skriv mer av namnet, eller sök på personnummer." in html
    assert "De första 20 personerna som matchar sökningen, i bokstavsordning" in html
    assert [p for p in namesakes if detail(p) + '"' in html] == namesakes[:20]
    assert set(AccessEvent.objects.values_list("person_id", flat=True)) == {
        p.pk for p in namesakes[:20]
    }

    namesakes[0].delete()  # 20 match: all of them, counted, without the message
    html = client.post(SEARCH, {"query": "alva"}).content.decode()
    assert "20 personer hittades." in html
    assert "Fler än" not in html
    assert "Personer som matchar sökningen" in html


# --- a person's page --------------------------------------------------------------------------


def test_detail_shows_the_person_relationships_and_journals_the_view(
    signed_in, investigator, alva, own_district
):
    mother = PersonFactory(district=own_district, given_name="Mona", family_name="Öberg")
    current = RelationshipFactory(
        child=alva, other=mother, kind="guardian", valid_from=date(2014, 9, 8)
    )
    RelationshipFactory(
        child=alva,
        other=PersonFactory(district=own_district, given_name="Fia", family_name="Fors"),
        kind="foster_carer",
        has_custody=False,
        valid_from=date(2020, 1, 1),
        valid_to=date(2021, 1, 1),
    )
    response = signed_in(investigator).get(detail(alva))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{alva.identity_number[:8]}-{alva.identity_number[8:]}" in html
    assert "2014-09-08" in html
    assert "Kvinna" in html
    assert "Vårdnadshavare" in html and "Familjehemsförälder" in html
    assert "Pågår" in html and "Avslutad" in html
    assert "<caption>Personer med relation till Åsa Öberg</caption>" in html
    assert detail(mother) in html
    assert reverse("people:relationship-end", args=[current.pk]) in html
    viewed = AccessEvent.objects.get(person_id=alva.pk)
    assert (viewed.action, viewed.route) == ("viewed", "people:person-detail")
    assert AccessEvent.objects.get(person_id=mother.pk).action == "listed"


def test_investigator_in_other_district_gets_404_on_the_detail_page(
    signed_in, other_district_investigator, alva
):
    response = signed_in(other_district_investigator).get(detail(alva))
    assert response.status_code == 404
    assert "Åsa" not in response.content.decode()
    assert AccessEvent.objects.get(user=other_district_investigator).action == "denied"


def test_detail_is_get_only(signed_in, investigator, alva):
    assert signed_in(investigator).post(detail(alva)).status_code == 405


# --- create -----------------------------------------------------------------------------------


def create_data(**overrides):
    return {
        "identity_number": number(seed=21),
        "given_name": "Nils",
        "family_name": "Holm",
        "birth_date": "",
        "legal_sex": "",
        "protection_level": "none",
    } | overrides


def test_create_registers_the_person_and_redirects_to_the_page(
    signed_in, investigator, own_district
):
    response = signed_in(investigator).post(CREATE, create_data(postal_code="16867"))
    person = Person.objects.get(given_name="Nils")
    assert response.status_code == 302
    assert response["Location"] == detail(person)
    assert person.district == own_district
    assert person.postal_code == "168 67"
    assert JournalEntry.objects.filter(action="people.person_created", person_id=person.pk)


def test_creating_a_duplicate_offers_the_existing_person_instead_of_saving(
    signed_in, investigator, alva
):
    response = signed_in(investigator).post(
        CREATE,
        create_data(identity_number=f"{alva.identity_number[2:8]}{alva.identity_number[8:]}"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Öppna befintlig person" in html
    assert f'href="{detail(alva)}"' in html
    assert Person.objects.count() == 1


def test_creating_a_duplicate_from_another_district_names_nobody(
    signed_in, investigator, other_district
):
    stranger = PersonFactory(district=other_district, given_name="Hemlig")
    response = signed_in(investigator).post(
        CREATE, create_data(identity_number=stranger.identity_number)
    )
    html = response.content.decode()
    assert "Numret kan inte användas." in html
    assert "Kontakta din enhetschef eller registratorn" in html
    assert "finns redan" not in html
    assert "Hemlig" not in html
    assert detail(stranger) not in html
    assert Person.objects.count() == 1


def test_create_with_bad_input_rerenders_with_accessible_errors_and_saves_nothing(
    signed_in, investigator
):
    response = signed_in(investigator).post(
        CREATE, create_data(given_name="", birth_date="2099-01-01", email="nej")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Det här fältet måste fyllas i." in html
    assert "Födelsedatumet stämmer inte med numret" in html
    assert 'id="id_given_name_error"' in html
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_given_name"', html) or re.search(
        r'<input[^>]*id="id_given_name"[^>]*aria-invalid="true"', html
    )
    assert not Person.objects.exists()


def test_create_with_protected_registration_and_an_address_is_refused_with_a_swedish_message(
    signed_in, investigator
):
    response = signed_in(investigator).post(
        CREATE,
        create_data(protection_level="skyddad_folkbokforing", street_address="Riktiga gatan 1"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Skriv ingen adress här – inte heller den riktiga." in html
    assert 'id="id_street_address_error"' in html
    assert not Person.objects.exists()


def test_edit_form_of_a_person_with_protected_registration_has_no_address_fields(
    signed_in, investigator, manager, own_district
):
    person = PersonFactory(
        district=own_district,
        protection_level="skyddad_folkbokforing",
        street_address="",
        postal_code="",
        city="",
    )
    ProtectedPersonHandlerFactory(person=person, user=investigator, appointed_by=manager)
    html = signed_in(investigator).get(edit(person)).content.decode()
    assert 'name="street_address"' not in html
    assert 'name="phone"' in html
    assert "Post till personen skickas till Skatteverkets förmedlingsadress" in html
    page = signed_in(investigator).get(detail(person)).content.decode()
    assert "Post till personen skickas till Skatteverkets förmedlingsadress" in page


def test_create_form_explains_the_kinds_of_number_in_plain_swedish(signed_in, investigator):
    html = signed_in(investigator).get(CREATE).content.decode()
    assert "dagen är ökad med 60" in html
    assert "Ett reservnummer är ett tillfälligt nummer" in html
    assert "folkbokförd på en annan adress" in html


# --- edit -------------------------------------------------------------------------------------


def edit_data(person, **overrides):
    return {
        "identity_number": person.identity_number,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "birth_date": person.birth_date.isoformat(),
        "legal_sex": person.legal_sex,
        "language": "",
        "street_address": person.street_address,
        "postal_code": person.postal_code,
        "city": person.city,
        "phone": person.phone,
        "email": "",
        "version": person.version,
    } | overrides


def test_edit_form_carries_the_version(signed_in, investigator, alva):
    html = signed_in(investigator).get(edit(alva)).content.decode()
    assert '<input type="hidden" name="version" value="1"' in html
    assert f'value="{alva.identity_number[:8]}-{alva.identity_number[8:]}"' in html


def test_edit_saves_and_redirects(signed_in, investigator, alva):
    response = signed_in(investigator).post(edit(alva), edit_data(alva, city="Solna"))
    alva.refresh_from_db()
    assert response.status_code == 302
    assert (alva.city, alva.version) == ("Solna", 2)
    assert JournalEntry.objects.get(action="people.person_updated").data == {"fields": ["city"]}


def test_edit_conflict_returns_409_with_the_diff(signed_in, investigator, alva):
    client = signed_in(investigator)
    client.post(edit(alva), edit_data(alva, city="Solna"))
    response = client.post(edit(alva), edit_data(alva, city="Kista", version=1))
    html = response.content.decode()
    assert response.status_code == 409
    assert "Solna</del>" in html
    assert "Kista</ins>" in html
    assert "Ort: Kista" in html  # the text to copy
    assert f'href="{edit(alva)}"' in html
    alva.refresh_from_db()
    assert (alva.city, alva.version) == ("Solna", 2)


def test_edit_without_a_version_changes_nothing(signed_in, investigator, alva):
    data = edit_data(alva, city="Solna")
    del data["version"]
    response = signed_in(investigator).post(edit(alva), data)
    assert response.status_code == 200
    assert "Formuläret saknar versionsuppgift" in response.content.decode()
    alva.refresh_from_db()
    assert alva.city != "Solna"


def test_edit_form_leaves_out_contact_fields_of_a_protected_person(
    signed_in, investigator, own_district
):
    protected = PersonFactory(district=own_district, protection_level="sekretessmarkering")
    response = signed_in(investigator).get(edit(protected))
    html = response.content.decode()
    assert 'name="street_address"' not in html
    assert protected.street_address not in html
    # A crafted POST with an address is ignored: the field is not on the form.
    client = signed_in(investigator)
    data = edit_data(protected, street_address="Ny väg 1")
    client.post(edit(protected), data)
    protected.refresh_from_db()
    assert protected.street_address == "Påhittegatan 1"


# --- protection -------------------------------------------------------------------------------


def test_investigator_may_raise_but_not_lower_protection(signed_in, investigator, alva):
    url = reverse("people:protection-edit", args=[alva.pk])
    client = signed_in(investigator)
    response = client.post(url, {"level": "skyddad_folkbokforing", "version": 1})
    assert response.status_code == 302
    alva.refresh_from_db()
    assert alva.protection_level == "skyddad_folkbokforing"
    html = client.get(url).content.decode()
    assert 'value="none"' not in html
    response = client.post(url, {"level": "none", "version": 2})
    assert response.status_code == 200
    assert "Bara enhetschefen kan sänka" in response.content.decode()
    alva.refresh_from_db()
    assert alva.protection_level == "skyddad_folkbokforing"


# --- relationships ----------------------------------------------------------------------------


def test_relationship_add_finds_the_other_person_by_number_in_the_post(
    signed_in, investigator, alva, own_district
):
    father = PersonFactory(district=own_district, birth_date=date(1980, 1, 2))
    url = reverse("people:relationship-add", args=[alva.pk])
    response = signed_in(investigator).post(
        url,
        {
            "other_identity_number": f"{father.identity_number[2:8]}-{father.identity_number[8:]}",
            "kind": "parent",
            "has_custody": "on",
            "valid_from": "2014-09-08",
            "valid_to": "",
        },
    )
    assert response.status_code == 302
    relationship = Relationship.objects.get()
    assert (relationship.child, relationship.other, relationship.has_custody) == (
        alva,
        father,
        True,
    )


def test_a_guardian_added_without_the_custody_box_is_saved_with_custody(
    signed_in, investigator, alva, own_district
):
    mother = PersonFactory(district=own_district, birth_date=date(1982, 4, 4))
    client = signed_in(investigator)
    url = reverse("people:relationship-add", args=[alva.pk])
    form = client.get(url).content.decode()
    assert "En vårdnadshavare har alltid vårdnaden" in form
    response = client.post(
        url,
        {
            "other_identity_number": mother.identity_number,
            "kind": "guardian",
            "valid_from": "2014-09-08",
        },
    )
    assert response.status_code == 302
    assert Relationship.objects.get().has_custody


def test_relationship_add_with_an_unknown_number_explains_what_to_do(signed_in, investigator, alva):
    url = reverse("people:relationship-add", args=[alva.pk])
    response = signed_in(investigator).post(
        url,
        {"other_identity_number": number(seed=99), "kind": "parent", "valid_from": "2014-09-08"},
    )
    assert response.status_code == 200
    assert "Registrera personen först" in response.content.decode()
    assert not Relationship.objects.exists()


def test_relationship_end_is_post_only_and_ends_the_relationship(
    signed_in, investigator, alva, own_district
):
    relationship = RelationshipFactory(child=alva, other=PersonFactory(district=own_district))
    url = reverse("people:relationship-end", args=[relationship.pk])
    client = signed_in(investigator)
    assert client.get(url).status_code == 405
    response = client.post(url, {"valid_to": "2024-05-31", "version": 1})
    assert response.status_code == 302
    assert response["Location"] == detail(alva)
    relationship.refresh_from_db()
    assert relationship.valid_to == date(2024, 5, 31)


def test_relationship_end_on_a_stale_version_returns_409(
    signed_in, investigator, alva, own_district
):
    relationship = RelationshipFactory(child=alva, other=PersonFactory(district=own_district))
    url = reverse("people:relationship-end", args=[relationship.pk])
    client = signed_in(investigator)
    client.post(url, {"valid_to": "2024-05-31", "version": 1})
    response = client.post(url, {"valid_to": "2024-01-31", "version": 1})
    assert response.status_code == 409
    assert "2024-05-31</del>" in response.content.decode()


def test_relationship_end_in_another_district_is_404(
    signed_in, other_district_investigator, alva, own_district
):
    relationship = RelationshipFactory(child=alva, other=PersonFactory(district=own_district))
    url = reverse("people:relationship-end", args=[relationship.pk])
    response = signed_in(other_district_investigator).post(
        url, {"valid_to": "2024-05-31", "version": 1}
    )
    assert response.status_code == 404
    relationship.refresh_from_db()
    assert relationship.valid_to is None


# --- handlers ---------------------------------------------------------------------------------


def test_team_manager_proposes_a_second_approves_and_a_handler_is_removed(
    signed_in, client, manager, investigator, own_district
):
    from django.test import Client

    from conftest import sign_in
    from rodtrad.accounts.models import Role
    from rodtrad.accounts.tests.factories import UserFactory

    second = UserFactory(username="manager2", role=Role.TEAM_MANAGER, role__district=own_district)
    protected = PersonFactory(district=own_district, protection_level="skyddad_folkbokforing")
    url = reverse("people:handler-appoint", args=[protected.pk])
    first_client = signed_in(manager)
    html = first_client.get(url).content.decode()
    assert f'<option value="{investigator.pk}">' in html
    assert f'<option value="{manager.pk}">' not in html  # nobody names themself
    assert first_client.post(url, {"user": investigator.pk}).status_code == 302
    assert not ProtectedPersonHandler.objects.exists()
    waiting = first_client.get(url).content.decode()
    assert "Väntar på en annan enhetschef" in waiting

    second_client = sign_in(Client(), second)
    page = second_client.get(url).content.decode()
    assert "Föreslagna handläggare" in page and "Godkänn" in page
    assert second_client.post(url, {"user": investigator.pk}).status_code == 302
    handler = ProtectedPersonHandler.objects.get(person=protected, user=investigator)
    assert (handler.appointed_by, handler.approved_by) == (manager, second)

    remove = reverse("people:handler-remove", args=[protected.pk])
    assert first_client.post(remove, {"remove-user": investigator.pk}).status_code == 302
    assert not ProtectedPersonHandler.objects.exists()


def test_a_waiting_proposal_is_declined_from_the_page(
    signed_in, manager, investigator, own_district
):
    protected = PersonFactory(district=own_district, protection_level="skyddad_folkbokforing")
    services.appoint_protected_handler(protected, investigator, by=manager)
    url = reverse("people:handler-appoint", args=[protected.pk])
    client = signed_in(manager)
    assert client.post(url, {"decline-user": investigator.pk}).status_code == 302
    assert JournalEntry.objects.filter(action="people.handler_declined").count() == 1
    assert "Inga förslag väntar." in client.get(url).content.decode()


def test_handler_page_is_forbidden_to_colleagues_and_unknown_to_other_districts(
    signed_in, investigator, other_district_manager, own_district
):
    protected = PersonFactory(district=own_district, protection_level="skyddad_folkbokforing")
    url = reverse("people:handler-appoint", args=[protected.pk])
    # The investigator sees the person but may not name handlers: 403, journaled.
    assert signed_in(investigator).get(url).status_code == 403
    # Another district's manager cannot see the person at all: 404.
    assert signed_in(other_district_manager).get(url).status_code == 404


def test_services_and_views_share_the_duplicate_error(investigator, own_district, alva):
    with pytest.raises(services.DuplicatePerson):
        services.create_person(
            by=investigator,
            identity_number=alva.identity_number,
            given_name="X",
            family_name="Y",
            district=own_district,
        )
    assert Person.objects.count() == 1


# --- related persons outside the reader's scope, and the person's cases and reports ---------


def test_s11_a_related_person_outside_the_readers_scope_shows_only_the_kind_of_relationship(
    signed_in, investigator, alva, other_district
):
    stranger = PersonFactory(
        district=other_district, given_name="Främling", family_name="Farstasson"
    )
    RelationshipFactory(child=alva, other=stranger, kind="parent", valid_from=date(2014, 9, 8))
    response = signed_in(investigator).get(detail(alva))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Person utanför din behörighet" in html
    assert "Förälder" in html
    for leak in ("Främling", "Farstasson", stranger.identity_number[2:8], detail(stranger)):
        assert leak not in html, leak
    assert not AccessEvent.objects.filter(person_id=stranger.pk).exists()


def test_s11_a_child_outside_the_readers_scope_shows_only_the_kind_on_a_parents_page(
    signed_in, investigator, own_district, other_district
):
    parent = PersonFactory(district=own_district, birth_date=date(1980, 1, 1))
    far_child = PersonFactory(district=other_district, given_name="Bortom")
    RelationshipFactory(child=far_child, other=parent, kind="guardian")
    html = signed_in(investigator).get(detail(parent)).content.decode()
    assert "Person utanför din behörighet" in html and "Vårdnadshavare" in html
    assert "Bortom" not in html and detail(far_child) not in html


def test_the_person_page_lists_the_persons_cases_and_reports_within_the_readers_scope(
    signed_in, intake_worker, own_district, own_units, other_district
):

    child = PersonFactory(district=own_district)
    report = ReportFactory.registered(intake_worker, own_district, [child])
    own_case = report.children.get().case
    far_case = CaseFactory(child=child, district=other_district)  # moved: a case in Farsta
    response = signed_in(intake_worker).get(detail(child))
    html = response.content.decode()
    assert reverse("cases:case-detail", args=[own_case.pk]) in html
    assert reverse("cases:case-detail", args=[far_case.pk]) not in html
    assert reverse("intake:report-detail", args=[report.pk]) in html
    listed = AccessEvent.objects.filter(route="people:person-detail", action="listed")
    assert list(listed.values_list("case_id", flat=True)) == [own_case.pk]


def test_the_person_page_reads_cases_and_reports_in_one_query_each(
    signed_in, intake_worker, own_district, own_units, django_assert_max_num_queries
):

    child = PersonFactory(district=own_district)
    for _ in range(3):
        ReportFactory.registered(intake_worker, own_district, [child])
    client = signed_in(intake_worker)
    client.get(detail(child))  # warm the session and the code lists
    with django_assert_max_num_queries(40) as captured:
        client.get(detail(child))

    def reads_of(table: str) -> list[str]:
        # The table in the main FROM clause (subqueries of scope checks come after WHERE).
        return [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"].split(" WHERE ")[0]
        ]

    case_reads = reads_of("cases_case")
    report_reads = reads_of("intake_report")
    assert len(report_reads) == 1
    assert len(case_reads) == 1
    inserts = [
        q for q in captured.captured_queries if 'INSERT INTO "journal_accessevent"' in q["sql"]
    ]
    assert len(inserts) == 2  # the page's own read, and one insert for everything listed


def test_s15_a_protected_mother_and_brother_warn_on_the_unprotected_sisters_page(
    signed_in, investigator, own_district, django_assert_num_queries
):
    from rodtrad.people.queries import has_protected_person_in_network

    sister = PersonFactory(district=own_district, given_name="Syster")
    plain = signed_in(investigator).get(detail(sister)).content.decode()
    assert "i barnets nätverk" not in plain
    mother = PersonFactory(district=own_district, protection_level="skyddad_folkbokforing")
    brother = PersonFactory(district=own_district, protection_level="sekretessmarkering")
    RelationshipFactory(child=sister, other=mother, kind="guardian")
    RelationshipFactory(child=brother, other=mother, kind="guardian")
    html = signed_in(investigator).get(detail(sister)).content.decode()
    assert (
        "Det finns personer med skyddade personuppgifter i barnets nätverk – kontrollera "
        "innan något skickas ut"
    ) in html
    with django_assert_num_queries(1):
        assert has_protected_person_in_network(sister)
    mother.protection_level = "none"
    mother.save()
    # The brother alone, through the shared mother, is still the sister's network.
    assert has_protected_person_in_network(sister)
