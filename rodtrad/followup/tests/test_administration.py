"""The administrator enters an instrument's wording and licence, or stops using it; nobody
else may, and a stale form gets the conflict page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import sign_in
from rodtrad.followup import services
from rodtrad.followup.definitions import BandInput, Definition, ItemInput
from rodtrad.followup.models import Instrument
from rodtrad.followup.tests.factories import example_instrument
from rodtrad.journal.models import JournalEntry

pytestmark = pytest.mark.django_db
LABELS = {
    "item_1": "Hur har du haft det?",
    "item_2": "Skolan",
    "item_3": "Familjen",
    "item_4": "Allt",
}


def test_the_administrator_enters_the_wording_and_the_journal_names_only_the_fields(admin):
    instrument = example_instrument()
    updated = services.update_instrument(
        instrument,
        by=admin,
        expected_version=instrument.version,
        name="Kommunens skattningsskala",
        item_labels=LABELS,
        licence_note="Licens 2026–2028.",
        is_active=True,
    )
    assert updated.version == instrument.version + 1
    assert [item["label"] for item in updated.items] == list(LABELS.values())
    assert updated.item_codes == instrument.item_codes  # the items themselves never change
    entry = JournalEntry.objects.get(action="followup.instrument_updated")
    assert entry.data == {
        "instrument": "example-four-item",
        "fields": ["items", "licence_note", "name"],
        "version": updated.version,
    }
    assert "Skolan" not in str(entry.data)


def test_every_item_needs_its_text(admin):
    instrument = example_instrument()
    with pytest.raises(ValidationError) as error:
        services.update_instrument(
            instrument,
            by=admin,
            expected_version=instrument.version,
            name="",
            item_labels={**LABELS, "item_2": " "},
            licence_note="",
            is_active=True,
        )
    assert error.value.message_dict == {
        "name": ["Skriv formulärets namn."],
        "label_item_2": ["Skriv frågans text."],
    }


def test_only_the_administrator_administers_instruments(investigator, manager):
    instrument = example_instrument()
    for user in (investigator, manager):
        with pytest.raises(PermissionDenied):
            services.update_instrument(
                instrument,
                by=user,
                expected_version=instrument.version,
                name="X",
                item_labels=LABELS,
                licence_note="",
                is_active=False,
            )
    assert Instrument.objects.get(pk=instrument.pk).is_active


def test_the_pages_edit_an_instrument_and_a_stale_form_gets_the_conflict_page(client, admin):
    instrument = example_instrument()
    sign_in(client, admin)
    listing = client.get(reverse("followup:instrument-list")).content.decode()
    assert "Exempel: skattningsskala med fyra frågor" in listing
    url = reverse("followup:instrument-edit", args=[instrument.pk])
    assert "Fråga 1: text" in client.get(url).content.decode()
    data = {
        "version": instrument.version,
        "name": "Kommunens skala",
        "licence_note": "",
        **{f"label_{code}": text for code, text in LABELS.items()},
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert not Instrument.objects.get(pk=instrument.pk).is_active  # the box was not ticked
    stale = client.post(url, {**data, "name": "Ett annat namn", "is_active": "on"})
    assert stale.status_code == 409
    assert Instrument.objects.get(pk=instrument.pk).name == "Kommunens skala"


# --- New instruments and new editions (docs/followup-instruments.md) --------------------------

D = Decimal


def definition(**overrides):
    """A rating scale of three items 0–10 with one decimal (totals 0–30) and two bands."""
    values = {
        "name": "Kommunens skattningsskala",
        "kind": "rating_scale",
        "items": [
            ItemInput(row=1, code="mood", label="Hur mår du?"),
            ItemInput(row=2, code="school", label="Hur går det i skolan?"),
            ItemInput(row=3, code="home", label="Hur är det hemma?"),
        ],
        "min_item": 0,
        "max_item": 10,
        "decimals": 1,
        "bands": [
            BandInput(row=1, min_age=13, max_age=None, clinical_cutoff=D(20), reliable_change=D(4)),
            BandInput(
                row=2, min_age=6, max_age=12, clinical_cutoff=D("22.5"), reliable_change=D(5)
            ),
        ],
        "self_rating_min_age": 6,
        "licence_note": "Kommunens licens 2027–2029.",
    }
    return Definition(**{**values, **overrides})


def test_the_administrator_adds_an_instrument_and_the_journal_has_numbers_only(admin):
    made = services.create_instrument(by=admin, code="kommunens-skala", definition=definition())
    assert (made.code, made.edition, made.is_active, made.previous_edition) == (
        "kommunens-skala",
        "1",
        True,
        None,
    )
    assert made.items == [
        {"code": "mood", "label": "Hur mår du?"},
        {"code": "school", "label": "Hur går det i skolan?"},
        {"code": "home", "label": "Hur är det hemma?"},
    ]
    # Stored oldest band first, decimals as strings; the scoring reads them.
    assert made.bands == [
        {"min_age": 6, "max_age": 12, "clinical_cutoff": "22.5", "reliable_change": "5"},
        {"min_age": 13, "max_age": None, "clinical_cutoff": "20", "reliable_change": "4"},
    ]
    assert made.spec().max_total == D(30) and made.self_rating_min_age == 6
    entry = JournalEntry.objects.get(action="followup.instrument_created")
    assert entry.data == {
        "instrument": "kommunens-skala",
        "edition": "1",
        "kind": "rating_scale",
        "items": 3,
        "bands": 2,
    }
    assert "skolan" not in str(entry.data) and "licens" not in str(entry.data)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"items": []}, {"item_code_1": ["Ange minst en fråga."]}),
        (
            {
                "items": [
                    ItemInput(row=1, code="a", label="A"),
                    ItemInput(row=4, code="a", label=""),
                    ItemInput(row=5, code="Fråga 3", label="C"),
                ]
            },
            {
                "item_code_4": ["Två frågor kan inte ha samma kod."],
                "item_label_4": ["Skriv frågans text."],
                "item_code_5": [
                    "Koden får ha små bokstäver a–z, siffror, - och _ (högst 40 tecken)."
                ],
            },
        ),
        (
            {
                "bands": [
                    BandInput(
                        row=1, min_age=6, max_age=12, clinical_cutoff=D(20), reliable_change=D(4)
                    ),
                    BandInput(
                        row=2, min_age=12, max_age=None, clinical_cutoff=D(20), reliable_change=D(4)
                    ),
                ]
            },
            {"band_min_age_2": ["Åldersbandet överlappar åldersbandet på rad 1."]},
        ),
        (
            {
                "bands": [
                    BandInput(
                        row=1,
                        min_age=0,
                        max_age=None,
                        clinical_cutoff=D("30.1"),
                        reliable_change=D(0),
                    ),
                    BandInput(
                        row=3, min_age=None, max_age=4, clinical_cutoff=None, reliable_change=D(4)
                    ),
                ]
            },
            {
                "band_clinical_cutoff_1": ["Gränsvärdet måste ligga inom summans skala, 0–30."],
                "band_reliable_change_1": [
                    "Tydlig förändring måste vara större än 0 och högst 30."
                ],
                "band_min_age_3": ["Ange den lägsta åldern."],
                "band_clinical_cutoff_3": ["Ange gränsvärdet."],
            },
        ),
        (
            {"name": " ", "min_item": 5, "max_item": 5, "decimals": 3, "self_rating_min_age": 30},
            {
                "name": ["Skriv formulärets namn."],
                "max_item": ["Det högsta värdet måste vara större än det lägsta."],
                "decimals": ["Ange 0, 1 eller 2 decimaler."],
                "self_rating_min_age": ["Åldern måste vara mellan 0 och 18 år."],
            },
        ),
        (
            {"kind": "satisfaction", "decimals": 1},
            {
                "decimals": ["En nöjdhetsenkät besvaras med heltal: ange 0 decimaler."],
                "band_min_age_1": ["En nöjdhetsenkät har inga åldersband: lämna raden tom."],
                "band_min_age_2": ["En nöjdhetsenkät har inga åldersband: lämna raden tom."],
            },
        ),
    ],
)
def test_a_wrong_instrument_is_refused_field_by_field_in_swedish(admin, overrides, expected):
    with pytest.raises(ValidationError) as error:
        services.create_instrument(by=admin, code="ny-skala", definition=definition(**overrides))
    assert error.value.message_dict == expected
    assert not Instrument.objects.filter(code="ny-skala").exists()
    assert not JournalEntry.objects.filter(action="followup.instrument_created").exists()


def test_an_instrument_code_is_a_slug_and_not_taken(admin):
    for code, message in (
        (
            "Kommunens skala",
            "Ange en kod med små bokstäver a–z, siffror och bindestreck (högst 60 tecken).",
        ),
        ("example-four-item", "Det finns redan ett formulär med koden example-four-item."),
    ):
        with pytest.raises(ValidationError) as error:
            services.create_instrument(by=admin, code=code, definition=definition())
        assert error.value.message_dict == {"code": [message]}


def test_a_new_edition_is_a_new_row_and_the_old_series_keep_their_edition(
    admin, ongoing, investigator
):
    """The old edition's ratings stay with its row (items and bands as rated); a rating after
    the new edition is session 1 of a new series with the new row."""
    from rodtrad.followup import queries
    from rodtrad.followup.models import RaterRole

    old = example_instrument()
    services.record_measurement(
        ongoing,
        by=investigator,
        instrument=old,
        rater_role=RaterRole.PROVIDER,
        rater_id=None,
        administered_on=ongoing.started_on,
        item_scores={f"item_{n}": D(5) for n in range(1, 5)},
    )
    new = services.create_edition(
        old,
        by=admin,
        expected_version=old.version,
        definition=definition(name=old.name, self_rating_min_age=None),
    )
    old.refresh_from_db()
    assert (new.code, new.name, new.edition, new.previous_edition) == (old.code, old.name, "2", old)
    assert new.is_active and not old.is_active and old.version == 2
    assert old.item_codes == ("item_1", "item_2", "item_3", "item_4")  # unchanged
    assert new.item_codes == ("mood", "school", "home")
    entry = JournalEntry.objects.get(action="followup.instrument_edition_created")
    assert entry.data["previous_edition"] == "1" and entry.data["edition"] == "2"
    rating = services.record_measurement(
        ongoing,
        by=investigator,
        instrument=new,
        rater_role=RaterRole.PROVIDER,
        rater_id=None,
        administered_on=ongoing.started_on,
        item_scores={"mood": D(5), "school": D(6), "home": D(7)},
    )
    assert (rating.session_number, rating.instrument_edition, rating.total) == (1, "2", D("18.0"))
    series = queries.series_of(ongoing)
    assert [(s.instrument.pk, len(s.measurements)) for s in series] == [(old.pk, 1), (new.pk, 1)]
    with pytest.raises(ValidationError):  # the old edition is not used for new ratings
        services.record_measurement(
            ongoing,
            by=investigator,
            instrument=old,
            rater_role=RaterRole.PROVIDER,
            rater_id=None,
            administered_on=ongoing.started_on,
            item_scores={f"item_{n}": D(5) for n in range(1, 5)},
        )


def test_only_the_newest_edition_gets_a_new_one_and_an_old_one_is_not_used_again(admin):
    old = example_instrument()
    new = services.create_edition(old, by=admin, expected_version=1, definition=definition())
    old.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.create_edition(
            old, by=admin, expected_version=old.version, definition=definition()
        )
    assert error.value.message_dict == {
        "name": ["Formuläret har redan en nyare utgåva. Gör den nya utgåvan av den."]
    }
    with pytest.raises(ValidationError) as error:
        services.update_instrument(
            old,
            by=admin,
            expected_version=old.version,
            name=old.name,
            item_labels={f"item_{n}": f"Fråga {n}" for n in range(1, 5)},
            licence_note="",
            is_active=True,
        )
    assert error.value.message_dict == {
        "is_active": ["En annan utgåva av formuläret används. Sluta använda den först."]
    }
    third = services.create_edition(
        new, by=admin, expected_version=new.version, definition=definition()
    )
    assert third.edition == "3" and third.previous_edition == new


def test_a_stale_edition_form_changes_nothing(admin):
    from rodtrad.lib.versioning import StaleVersion

    old = example_instrument()
    with pytest.raises(StaleVersion):
        services.create_edition(
            old, by=admin, expected_version=old.version + 1, definition=definition()
        )
    assert Instrument.objects.filter(code=old.code).count() == 1
    assert Instrument.objects.get(pk=old.pk).is_active


def test_only_the_administrator_adds_instruments_and_editions(investigator, manager):
    old = example_instrument()
    for user in (investigator, manager):
        with pytest.raises(PermissionDenied):
            services.create_instrument(by=user, code="ny-skala", definition=definition())
        with pytest.raises(PermissionDenied):
            services.create_edition(old, by=user, expected_version=1, definition=definition())
    assert Instrument.objects.count() == 2


def test_the_database_holds_one_edition_in_use_per_code(db):
    from django.db import IntegrityError, transaction

    old = example_instrument()
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.create(code=old.code, name="X", kind=old.kind, edition="2")
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.create(
            code=old.code, name="X", kind=old.kind, edition="1", is_active=False
        )
    Instrument.objects.create(code=old.code, name="X", kind=old.kind, edition="2", is_active=False)


def test_the_pages_add_an_instrument_and_a_new_edition(client, admin):
    sign_in(client, admin)
    listing = client.get(reverse("followup:instrument-list")).content.decode()
    create_url = reverse("followup:instrument-create")
    assert create_url in listing
    page = client.get(create_url).content.decode()
    assert "Nytt formulär" in page and "Fråga 12" in page and "Åldersband 5" in page
    data = {
        "code": "kommunens-skala",
        "name": "Kommunens skala",
        "kind": "rating_scale",
        "min_item": "0",
        "max_item": "10",
        "decimals": "1",
        "self_rating_min_age": "",
        "licence_note": "",
        "item_code_1": "mood",
        "item_label_1": "Hur mår du?",
        "item_code_3": "home",  # a row left empty in between is fine
        "item_label_3": "Hur är det hemma?",
        "band_min_age_1": "6",
        "band_max_age_1": "12",
        "band_clinical_cutoff_1": "12,5",
        "band_reliable_change_1": "3",
        "band_min_age_2": "13",
        "band_clinical_cutoff_2": "11",
        "band_reliable_change_2": "3",
    }
    refused = client.post(
        create_url,
        {
            **data,
            "band_min_age_2": "10",
            "band_min_age_3": "30",
            "band_clinical_cutoff_3": "21",
            "band_reliable_change_3": "3",
        },
    )
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "Åldersbandet överlappar åldersbandet på rad 1." in body
    assert "Gränsvärdet måste ligga inom summans skala, 0–20." in body
    response = client.post(create_url, data)
    assert response.status_code == 302
    made = Instrument.objects.get(code="kommunens-skala")
    assert made.item_codes == ("mood", "home")
    assert made.bands[0] == {
        "min_age": 6,
        "max_age": 12,
        "clinical_cutoff": "12.5",
        "reliable_change": "3",
    }
    edition_url = reverse("followup:instrument-edition", args=[made.pk])
    assert edition_url in client.get(reverse("followup:instrument-list")).content.decode()
    form = client.get(edition_url).content.decode()
    assert 'value="Hur mår du?"' in form and 'value="12.5"' in form  # starts from the old one
    edition = {
        **data,
        "version": made.version,
        "item_code_2": "school",
        "item_label_2": "Hur går det i skolan?",
        "kind": "satisfaction",  # disabled: an edition keeps the kind
    }
    del edition["code"]
    assert client.post(edition_url, edition).status_code == 302
    new = Instrument.objects.get(code="kommunens-skala", is_active=True)
    assert new.edition == "2" and new.kind == "rating_scale"
    assert new.item_codes == ("mood", "school", "home")
    assert new.previous_edition_id == made.pk
    listing = client.get(reverse("followup:instrument-list")).content.decode()
    assert "Ersatt av en nyare utgåva" in listing
    stale = client.post(edition_url, edition)
    assert stale.status_code == 200  # the old one has a newer edition: said on the form
    assert "Formuläret har redan en nyare utgåva." in stale.content.decode()
