"""Security checks from docs/security-checks.md for the people pages: S15, S31, S36."""

from __future__ import annotations

import re
from collections import deque
from datetime import date
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from conftest import sign_in
from rodtrad.journal.models import AccessEvent
from rodtrad.people import services
from rodtrad.people.models import Person
from rodtrad.people.tests.factories import (
    PersonFactory,
    ProtectedPersonHandlerFactory,
    RelationshipFactory,
)

CANARY = {
    "street_address": "Kanarievägen 13",
    "postal_code": "999 99",
    "city": "Kanarieby",
    "phone": "070-999 13 13",
    "email": "kanarie@example.se",
}
IDENTITY_NUMBER = re.compile(r"\d{6,8}[-+]?\d{4}")
URL_ATTRIBUTE = re.compile(r'(?:href|action|src|hx-get|hx-post|hx-put|hx-delete)="([^"]*)"')
SEARCH = reverse("people:person-search")


def canaries_in(html: str) -> list[str]:
    return [value for value in CANARY.values() if value in html]


@pytest.fixture
def protected(own_district, manager, investigator):
    """A child with skyddad folkbokföring; the investigator is the one named handler."""
    person = PersonFactory(
        district=own_district,
        given_name="Hemlig",
        family_name="Skyddsson",
        protection_level="skyddad_folkbokforing",
        **CANARY,
    )
    # Named directly: how a handler comes to be (four eyes) is tested in test_services.py.
    ProtectedPersonHandlerFactory(person=person, user=investigator, appointed_by=manager)
    return person


def test_s15_protected_contact_data_hidden_from_all_but_named_handlers(
    protected,
    own_district,
    intake_worker,
    investigator,
    provider,
    manager,
    analyst,
    reviewer,
    admin,
    other_district_investigator,
):
    # A sibling's page lists the protected child as a relation: names only, never contact data.
    sibling = PersonFactory(district=own_district, given_name="Syster")
    RelationshipFactory(child=sibling, other=protected, kind="sibling", has_custody=False)
    users = {
        "intake_worker": intake_worker,
        "investigator (named handler)": investigator,
        "provider": provider,
        "team_manager": manager,
        "analyst": analyst,
        "reviewer": reviewer,
        "administrator": admin,
        "other district investigator": other_district_investigator,
    }
    detail = reverse("people:person-detail", args=[protected.pk])
    pages = [
        detail,
        reverse("people:person-edit", args=[protected.pk]),
        reverse("people:protection-edit", args=[protected.pk]),
        reverse("people:relationship-add", args=[protected.pk]),
        reverse("people:handler-appoint", args=[protected.pk]),
        reverse("people:person-detail", args=[sibling.pk]),
    ]
    for label, user in users.items():
        is_handler = user == investigator
        may_work_here = label in {"intake_worker", "investigator (named handler)", "team_manager"}
        client = sign_in(Client(), user)

        for url in pages:
            response = client.get(url)
            html = response.content.decode()
            if not is_handler:
                assert canaries_in(html) == [], (label, url)
            elif url == pages[0]:  # the person's page shows the contact data on file
                assert canaries_in(html) == list(CANARY.values()), (label, url)
            elif url == pages[1]:  # the edit form: phone and e-mail, never an address field
                assert canaries_in(html) == [CANARY["phone"], CANARY["email"]], (label, url)

        response = client.get(detail)
        html = response.content.decode()
        if may_work_here:
            assert response.status_code == 200, label
            assert "Skyddade personuppgifter: Skyddad folkbokföring" in html, label
            assert "folkbokförd på en annan ort än där hen bor" in html, label
            # Every read of the protected person carries the flag (refusals are `denied` rows).
            events = AccessEvent.objects.filter(user=user, person_id=protected.pk).exclude(
                action="denied"
            )
            assert events.exists(), label
            assert all(event.is_protected for event in events), label
        else:
            assert response.status_code == 404, label

        by_name = client.post(SEARCH, {"query": "Skyddsson"})
        by_number = client.post(SEARCH, {"query": protected.identity_number})
        if label == "other district investigator":
            both = by_name.content.decode() + by_number.content.decode()
            assert "Hemlig Skyddsson" not in both
            assert "Ingen person hittades." in by_number.content.decode()
            continue
        if not may_work_here:
            assert (by_name.status_code, by_number.status_code) == (403, 403), label
            continue
        name_html = by_name.content.decode()
        number_html = by_number.content.decode()
        # Excluded from name search for everyone but the named handler ...
        assert ("Hemlig Skyddsson" in name_html) is is_handler, label
        # ... but found by the exact number, with contact data masked.
        assert "Hemlig Skyddsson" in number_html, label
        if is_handler:
            assert CANARY["street_address"] in name_html + number_html
        else:
            assert canaries_in(name_html + number_html) == [], label
            assert "Skyddad uppgift" in number_html, label
        searched = AccessEvent.objects.filter(user=user, person_id=protected.pk, action="searched")
        assert searched.exists() and all(e.is_protected for e in searched), label


def test_s15_the_conflict_page_does_not_reveal_protected_contact_data(
    protected, intake_worker, manager
):
    url = reverse("people:person-edit", args=[protected.pk])
    sign_in(Client(), manager).post(
        url,
        {
            "identity_number": protected.identity_number,
            "given_name": "Ändrad",
            "family_name": protected.family_name,
            "birth_date": protected.birth_date.isoformat(),
            "legal_sex": protected.legal_sex,
            "version": 1,
        },
    )
    response = sign_in(Client(), intake_worker).post(
        url,
        {
            "identity_number": protected.identity_number,
            "given_name": "Min version",
            "family_name": protected.family_name,
            "birth_date": protected.birth_date.isoformat(),
            "legal_sex": protected.legal_sex,
            "version": 1,
        },
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Ändrad</del>" in html
    assert canaries_in(html) == []


def _urls_in(html: str) -> list[str]:
    return [unescape(url) for url in URL_ATTRIBUTE.findall(html)]


def test_s31_identity_numbers_never_in_urls(client, investigator, manager, own_district, protected):
    child = PersonFactory(district=own_district, given_name="Kim", family_name="Lind")
    parent = PersonFactory(district=own_district, birth_date=date(1980, 2, 3))
    RelationshipFactory(child=child, other=parent, kind="guardian")
    RelationshipFactory(child=child, other=protected, kind="sibling", has_custody=False)

    seen_urls: set[str] = set()
    problems: list[str] = []

    def check(response, label: str) -> None:
        if response.get("Cache-Control") != "no-store":
            problems.append(f"{label}: Cache-Control {response.get('Cache-Control')!r}")
        urls = [response["Location"]] if response.has_header("Location") else []
        if "html" in response.get("Content-Type", ""):
            html = response.content.decode()
            urls += _urls_in(html)
            for src in re.findall(r'<script[^>]*src="([^"]*)"', html):
                if not src.startswith("/"):
                    problems.append(f"{label}: third-party script {src!r}")
        for url in urls:
            seen_urls.add(url)
            if IDENTITY_NUMBER.search(url):
                problems.append(f"{label}: identity number in URL {url!r}")

    # Anonymous: the login redirect carries only the path.
    check(Client().get(reverse("people:person-detail", args=[child.pk])), "anonymous")

    for user in (investigator, manager):
        signed = sign_in(Client(), user)
        queue = deque([SEARCH, reverse("people:person-detail", args=[child.pk])])
        visited: set[str] = set()
        while queue:
            url = queue.popleft()
            if url in visited:
                continue
            visited.add(url)
            response = signed.get(url)
            check(response, f"GET {url} as {user.username}")
            if "html" not in response.get("Content-Type", ""):
                continue
            for found in _urls_in(response.content.decode()):
                if found.startswith("/personer/") and found not in visited:
                    queue.append(found)
        # The search, by number in each written form and by name, answers in the POST body.
        for query in (
            child.identity_number,
            f"{child.identity_number[:8]}-{child.identity_number[8:]}",
            f"{child.identity_number[2:8]}-{child.identity_number[8:]}",
            "Lind",
        ):
            response = signed.post(SEARCH, {"query": query})
            check(response, f"POST search as {user.username}")
            assert response.status_code == 200
        # Creating a duplicate and a new person, and editing: every answer and redirect.
        for number in (child.identity_number, "20200101R001"):
            response = signed.post(
                reverse("people:person-create"),
                {
                    "identity_number": number,
                    "given_name": "Ny",
                    "family_name": "Person",
                    "protection_level": "none",
                },
            )
            check(response, f"POST create as {user.username}")
        assert visited >= {
            reverse("people:person-edit", args=[child.pk]),
            reverse("people:relationship-add", args=[child.pk]),
            reverse("people:person-detail", args=[parent.pk]),
        }
    assert any("/relationer/" in url and "/avsluta/" in url for url in seen_urls)
    assert not problems, "\n".join(problems)


def _rendered_version(html: str) -> str:
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', html)
    assert match, "the edit form must carry the version it rendered"
    return match.group(1)


def test_s36_stale_edit_gets_conflict_not_overwrite(investigator, intake_worker, own_district):
    person = PersonFactory(district=own_district, city="Bromma", postal_code="168 00")
    url = reverse("people:person-edit", args=[person.pk])
    first = sign_in(Client(), investigator)
    second = sign_in(Client(), intake_worker)
    # Both load version 1.
    forms = {
        client: _rendered_version(client.get(url).content.decode()) for client in (first, second)
    }
    assert set(forms.values()) == {"1"}

    def submit(client, city):
        return client.post(
            url,
            {
                "identity_number": person.identity_number,
                "given_name": person.given_name,
                "family_name": person.family_name,
                "birth_date": person.birth_date.isoformat(),
                "legal_sex": person.legal_sex,
                "street_address": person.street_address,
                "postal_code": person.postal_code,
                "city": city,
                "phone": person.phone,
                "version": forms[client],
            },
        )

    accepted = submit(first, "Solna")
    rejected = submit(second, "Kista")
    assert accepted.status_code == 302
    assert rejected.status_code == 409
    html = rejected.content.decode()
    assert "Solna</del>" in html  # saved now
    assert "Kista</ins>" in html  # what the second user sent, kept for copying
    assert "Dina ändringar har inte sparats." in html
    stored = Person.objects.get(pk=person.pk)
    assert stored.city == "Solna"  # no silent overwrite
    assert stored.version == 2  # version == 1 + number of successful writes


# --- S11/S15: the register does not answer "is this number known?" ---------------------------

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
NONCE = re.compile(r'nonce="[^"]*"')
HX_HEADERS = re.compile(r"hx-headers='[^']*'")
REQUEST_ID = re.compile(r"Referens: [0-9a-f]+")


def _number_forms(number: str) -> list[str]:
    return [number, f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}"]


def _normalised(response, number: str) -> tuple[int, str]:
    """Status and body, with what differs by request anyway (tokens, the typed number) blanked."""
    html = response.content.decode()
    blanks = ((CSRF_TOKEN, "CSRF"), (NONCE, "NONCE"), (HX_HEADERS, "HX"), (REQUEST_ID, "REF"))
    for pattern, blank in blanks:
        html = pattern.sub(blank, html)
    for written in _number_forms(number):
        html = html.replace(written, "NUMMER")
    return response.status_code, html


@pytest.fixture
def elsewhere(other_district):
    """Persons in Farsta the Bromma users cannot see: one protected, one not."""
    return [
        PersonFactory(district=other_district, birth_date=date(2015, 6, 1)),
        PersonFactory(
            district=other_district,
            birth_date=date(2015, 6, 2),
            protection_level="skyddad_folkbokforing",
        ),
    ]


def _fresh_number(born: date) -> str:
    import random

    from rodtrad.people.identity import fictitious_identity_number

    number = fictitious_identity_number(born, legal_sex="female", rng=random.Random(7))
    assert not Person.objects.filter(identity_number=number).exists()
    return number


def _create(client: Client, number: str, **overrides: str):
    data = {
        "identity_number": number,
        "given_name": "Ny",
        "family_name": "Person",
        "protection_level": "none",
        **overrides,
    }
    return client.post(reverse("people:person-create"), data)


def test_s11_creating_with_a_number_known_elsewhere_or_fresh_gets_the_same_validation_answer(
    investigator, elsewhere
):
    client = sign_in(Client(), investigator)
    fresh = _fresh_number(date(2015, 6, 3))
    answers = {
        number: _normalised(_create(client, number, postal_code="12"), number)
        for number in [fresh] + [p.identity_number for p in elsewhere]
    }
    statuses = {status for status, _html in answers.values()}
    bodies = {html for _status, html in answers.values()}
    assert statuses == {200}
    assert len(bodies) == 1, "the answer depends on whether the number exists"
    assert "Postnumret ska ha fem siffror" in bodies.pop()
    assert Person.objects.count() == 2


def test_s15_a_number_outside_the_users_scope_gets_one_answer_whatever_the_protection(
    investigator, elsewhere
):
    client = sign_in(Client(), investigator)
    answers = [
        _normalised(_create(client, person.identity_number), person.identity_number)
        for person in elsewhere
    ]
    assert answers[0] == answers[1]
    status, html = answers[0]
    assert status == 200
    assert "Numret kan inte användas." in html
    assert "Kontakta din enhetschef eller registratorn" in html
    for word in ("finns redan", "Farsta", elsewhere[0].given_name, elsewhere[1].given_name):
        assert word not in html, word
    assert Person.objects.count() == 2


def test_s11_the_refused_number_is_journaled_without_the_number(investigator, elsewhere):
    from rodtrad.journal.models import JournalEntry

    protected = elsewhere[1]
    _create(sign_in(Client(), investigator), protected.identity_number)
    entry = JournalEntry.objects.get(action="people.duplicate_number_refused")
    assert (entry.actor, entry.person_id) == (investigator, protected.pk)
    assert entry.data == {"operation": "create"}
    stored = str(entry.data) + entry.district + str(entry.object_id)
    assert protected.identity_number[2:8] not in stored


def test_s11_a_stale_edit_gets_the_conflict_page_whether_or_not_the_new_number_exists(
    investigator, intake_worker, own_district, elsewhere
):
    person = PersonFactory(district=own_district, birth_date=date(2015, 6, 4))
    url = reverse("people:person-edit", args=[person.pk])
    base = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "birth_date": "",
        "legal_sex": "",
        "version": 1,
    }
    # Someone else saves first: every later form with version 1 is stale.
    sign_in(Client(), intake_worker).post(
        url, base | {"identity_number": person.identity_number, "given_name": "Annan"}
    )
    client = sign_in(Client(), investigator)
    fresh = _fresh_number(date(2015, 6, 5))
    answers = {
        number: _normalised(client.post(url, base | {"identity_number": number}), number)
        for number in [fresh] + [p.identity_number for p in elsewhere]
    }
    assert {status for status, _html in answers.values()} == {409}
    assert len({html for _status, html in answers.values()}) == 1
    person.refresh_from_db()
    assert person.given_name == "Annan"


def test_s11_an_invalid_edit_gets_the_same_answer_whether_or_not_the_number_exists(
    investigator, own_district, elsewhere
):
    person = PersonFactory(district=own_district, birth_date=date(2015, 6, 4))
    url = reverse("people:person-edit", args=[person.pk])
    client = sign_in(Client(), investigator)
    fresh = _fresh_number(date(2015, 6, 5))
    answers = {
        number: _normalised(
            client.post(
                url,
                {
                    "identity_number": number,
                    "given_name": "",
                    "family_name": person.family_name,
                    "version": 1,
                },
            ),
            number,
        )
        for number in [fresh] + [p.identity_number for p in elsewhere]
    }
    assert {status for status, _html in answers.values()} == {200}
    assert len({html for _status, html in answers.values()}) == 1


def test_a_number_the_user_may_see_is_still_offered(investigator, own_district):
    known = PersonFactory(district=own_district, given_name="Känd")
    html = _create(sign_in(Client(), investigator), known.identity_number).content.decode()
    assert "Det finns redan en person med det här numret." in html
    assert reverse("people:person-detail", args=[known.pk]) in html
    assert not Person.objects.filter(given_name="Ny").exists()


def test_s11_the_services_validate_before_they_try_the_number(
    investigator, own_district, elsewhere
):
    """Form checks aside (an API or a later form may skip them), the service itself answers
    a bad field the same way for a number known elsewhere as for a fresh one."""
    for number in (elsewhere[0].identity_number, _fresh_number(date(2015, 6, 3))):
        with pytest.raises(ValidationError) as error:
            services.create_person(
                by=investigator,
                identity_number=number,
                given_name="",
                family_name="Person",
                district=own_district,
            )
        assert set(error.value.message_dict) == {"given_name"}
    person = PersonFactory(district=own_district)
    with pytest.raises(ValidationError):
        services.update_person(
            person,
            by=investigator,
            expected_version=person.version,
            changes={"identity_number": elsewhere[0].identity_number, "given_name": ""},
        )
