"""The administrator's page "Checklistor": a new edition with a new scale question, or with new
level texts of a scale (docs/internal-control.md, "Checklists are data")."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import sign_in
from rodtrad.audits import agreement, forms, results, services
from rodtrad.audits.models import Checklist, ItemKind
from rodtrad.audits.tests import factories
from rodtrad.audits.tests.conftest import violence_case
from rodtrad.journal.models import JournalEntry

pytestmark = pytest.mark.django_db

ANALYSIS = [
    ("I högre grad", "Analysen väger samman barnets behov och föräldrarnas förmåga."),
    ("I viss grad", "Analysen tar upp flera sidor men väger inte samman dem."),
    ("I låg grad", ""),
    ("Analys saknas", "Utredningen har ingen analys."),
]


def _page_data(checklist: Checklist, **extra: Any) -> dict[str, Any]:
    """What the page posts when nothing is changed: every field's initial value."""
    form = forms.EditionForm(checklist=checklist)
    data = {
        name: field.initial
        for name, field in form.fields.items()
        if field.initial is not None and not name.startswith("remove_")
    }
    data.update(extra)
    return data


def _new_scale(text: str, levels: list[tuple[str, str]]) -> dict[str, str]:
    data = {"new_scale_text": text}
    for n, (label, description) in enumerate(levels, start=1):
        data[f"new_scale_label_{n}"] = label
        data[f"new_scale_description_{n}"] = description
    return data


def test_the_administrator_adds_a_scale_question_and_it_works_end_to_end(
    client, admin, reviewer, second_reviewer, own_district
):
    old = factories.checklist("violence-cases")
    assert not old.items.filter(kind=ItemKind.ORDINAL).exists()
    sign_in(client, admin)
    url = reverse("audits:checklist-edition", args=[old.pk])
    page = client.get(url).content.decode()
    assert "<legend>Nivåerna i den nya skalan, den bästa först</legend>" in page
    assert '<label for="id_new_scale_label_1">Nivå 1' in page
    response = client.post(
        url,
        _page_data(
            old,
            edition="2027",
            **_new_scale("I vilken grad användes BBIC:s teori i analysen?", ANALYSIS),
        ),
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new = Checklist.objects.get(key="violence-cases", is_current=True)
    assert not old.is_current and new.edition == "2027" and new.replaces == old
    scale = new.items.get(kind=ItemKind.ORDINAL)
    assert scale.text == "I vilken grad användes BBIC:s teori i analysen?"
    assert scale.levels == [
        {"value": f"level-{n}", "label": label, "description": description}
        for n, (label, description) in enumerate(ANALYSIS, start=1)
    ]
    assert scale.answer_labels == {f"level-{n}": a[0] for n, a in enumerate(ANALYSIS, start=1)}
    assert new.items.count() == old.items.count() + 1
    assert list(new.items.all())[-1] == scale  # the new question comes last
    entry = JournalEntry.objects.get(action="audits.checklist_edition_created")
    assert entry.data["scale_added"] == scale.key

    # The reviewers answer it on a scale, and the results weigh their agreement by it.
    programme = factories.programme(created_by=admin, districts=[own_district])
    assert programme.checklist == new
    sampled = factories.sampled_case(
        violence_case(own_district), of=programme, reviewers=(reviewer, second_reviewer)
    )
    sign_in(client, reviewer)
    review_page = client.get(reverse("audits:review", args=[sampled.pk])).content.decode()
    assert "<strong>I högre grad</strong>: Analysen väger samman" in review_page
    assert "<strong>I låg grad</strong></li>" in review_page  # no description, no colon
    for who, level in ((reviewer, "level-1"), (second_reviewer, "level-2")):
        answers = {i.key: "yes" for i in new.items.filter(kind=ItemKind.YES_NO)}
        answers[scale.key] = level
        services.save_review(by=who, sampled_case=sampled, answers=answers, submit=True)
    found = next(r for r in results.programme_results(programme) if r.item == scale)
    assert [label for _value, label in found.categories] == [a[0] for a in ANALYSIS]
    assert found.kappa is not None and found.kappa.method == agreement.WEIGHTED


def test_the_administrator_edits_the_level_texts_of_a_scale(client, admin):
    old = factories.checklist("bbic-case-file-study")
    before = old.items.get(key="analysis-quality")
    sign_in(client, admin)
    url = reverse("audits:checklist-edition", args=[old.pk])
    page = client.get(url).content.decode()
    assert "Nivåerna i skalan för frågan" in page
    response = client.post(
        url,
        _page_data(
            old,
            edition="2027",
            **{
                "levels_analysis-quality_label_2": "I någon grad",
                "levels_analysis-quality_description_3": "",
            },
        ),
    )
    assert response.status_code == 302
    new = Checklist.objects.get(key="bbic-case-file-study", is_current=True)
    assert new.edition == "2027"
    after = new.items.get(key="analysis-quality")
    assert after.kind == ItemKind.ORDINAL
    assert [lv["value"] for lv in after.levels] == [lv["value"] for lv in before.levels]
    assert after.levels[1]["label"] == "I någon grad"
    assert after.levels[2]["description"] == ""
    assert after.levels[0] == before.levels[0]
    before.refresh_from_db()
    assert before.levels[1]["label"] == "I viss grad"  # the old edition is not changed
    entry = JournalEntry.objects.get(action="audits.checklist_edition_created")
    assert entry.data["scale_levels_changed"] == ["analysis-quality"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (_new_scale("Hur väl beskrevs barnets behov?", [("Väl", "")]), "minst två nivåer"),
        (
            _new_scale("Hur väl beskrevs barnets behov?", [("Väl", ""), ("", "Knappast alls")]),
            "Skriv en text för varje nivå.",
        ),
        (_new_scale("", [("Väl", ""), ("Illa", "")]), "Skriv frågan för den nya skalan."),
        (
            _new_scale("Hur väl beskrevs barnets behov?", [("Väl", ""), ("väl", "")]),
            "Två nivåer har samma text.",
        ),
        ({"levels_analysis-quality_label_1": "  "}, "Skriv en text för varje nivå."),
    ],
)
def test_bad_levels_are_refused_in_swedish_and_nothing_is_saved(client, admin, extra, message):
    old = factories.checklist("bbic-case-file-study")
    editions = Checklist.objects.count()
    sign_in(client, admin)
    response = client.post(
        reverse("audits:checklist-edition", args=[old.pk]),
        _page_data(old, edition="2027", **extra),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Checklist.objects.count() == editions
    old.refresh_from_db()
    assert old.is_current
    assert not JournalEntry.objects.filter(action="audits.checklist_edition_created").exists()


def test_the_service_keeps_a_scale_between_two_and_six_levels(admin):
    old = factories.checklist("bbic-case-file-study")
    seven = [(f"Nivå {n}", "") for n in range(1, 8)]
    with pytest.raises(ValidationError) as refused:
        services.new_checklist_edition(
            by=admin,
            checklist=old,
            edition="2027",
            texts={},
            new_scale=("Hur väl?", seven),
            levels={"analysis-quality": [("Bra", ""), ("Dålig", "")]},
        )
    assert refused.value.message_dict == {
        "new_scale_levels": ["En skala kan ha högst sex nivåer."],
        "levels_analysis-quality_levels": [
            "En skala behåller sina nivåer i en ny utgåva. Ändra bara texterna."
        ],
    }
    assert Checklist.objects.filter(key=old.key).count() == 1


def test_a_non_administrator_is_refused_and_no_edition_is_made(
    client, reviewer, analyst, investigator
):
    old = factories.checklist("violence-cases")
    url = reverse("audits:checklist-edition", args=[old.pk])
    data = _page_data(old, edition="2027", **_new_scale("Hur väl?", [("Väl", ""), ("Illa", "")]))
    for user in (reviewer, analyst, investigator):  # the permission matrix: 403
        sign_in(client, user)
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    assert Checklist.objects.filter(key=old.key).count() == 1
    with pytest.raises(PermissionDenied):
        services.new_checklist_edition(
            by=reviewer, checklist=old, edition="2027", texts={}, new_scale=("Hur väl?", [])
        )


def test_an_empty_new_scale_adds_nothing(admin):
    old = factories.checklist("violence-cases")
    new = services.new_checklist_edition(
        by=admin, checklist=old, edition="2027", texts={}, new_scale=("", [("", "")] * 6)
    )
    assert new.items.count() == old.items.count()
    assert not new.items.filter(kind=ItemKind.ORDINAL).exists()
