"""The administrator enters an instrument's wording and licence, or stops using it; nobody
else may, and a stale form gets the conflict page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import sign_in
from rodtrad.followup import services
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
