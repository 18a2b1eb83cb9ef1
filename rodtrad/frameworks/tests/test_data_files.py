"""The shipped lists, as loaded into every database by migration 0002."""

from __future__ import annotations

import datetime

import pytest

from rodtrad.frameworks.models import Code, CodeList
from rodtrad.frameworks.queries import code_label, current_codes

pytestmark = pytest.mark.django_db

AFTER_2026_REFORM = datetime.date(2026, 2, 1)


def codes(list_key: str) -> list[Code]:
    return list(Code.objects.filter(code_list__key=list_key).order_by("sort_order"))


def children(list_key: str, parent: str) -> list[str]:
    return [c.label_sv for c in codes(list_key) if c.parent and c.parent.code == parent]


def test_every_fresh_database_has_the_ten_lists():
    assert set(CodeList.objects.values_list("key", flat=True)) >= {
        "bbic-2006-areas",
        "bbic-2018-areas",
        "report-reasons",
        "reporter-categories",
        "report-channels",
        "report-kinds",
        "risk-instruments",
        "legal-grounds",
        "intervention-catalogue",
        "open-care-problems",
    }


def test_bbic_2006_has_7_6_7_areas_with_familj_och_miljo_as_the_seven_stockholm_factors():
    assert len(children("bbic-2006-areas", "barnets-behov")) == 7
    assert len(children("bbic-2006-areas", "foraldrarnas-formaga")) == 6
    assert children("bbic-2006-areas", "familj-och-miljo") == [
        "Familjens bakgrund och situation",
        "Familjenätverk",
        "Boende",
        "Arbete",
        "Ekonomi",
        "Social integrering",
        "Lokalsamhällets resurser",
    ]


def test_bbic_2018_has_three_sides_of_four_areas():
    sides = [c for c in codes("bbic-2018-areas") if c.parent is None]
    assert [s.label_sv for s in sides] == [
        "Barnets utveckling",
        "Föräldrarnas förmåga",
        "Familj och miljö",
    ]
    for side in sides:
        assert side.children.count() == 4
    assert children("bbic-2018-areas", "barnets-utveckling") == [
        "Hälsa",
        "Utbildning",
        "Känslor och beteende",
        "Sociala relationer",
    ]


def test_only_the_four_familj_och_miljo_names_of_2018_are_flagged_uncertain_with_a_reason():
    uncertain = [c for c in codes("bbic-2018-areas") if c.is_uncertain]
    assert {c.parent.code for c in uncertain} == {"familj-och-miljo"}
    assert len(uncertain) == 4
    assert all(c.uncertainty_note for c in uncertain)
    assert CodeList.objects.get(key="bbic-2018-areas").is_editable_labels


def test_every_2006_to_2018_mapping_points_at_an_existing_2018_code():
    known = {c.code for c in codes("bbic-2018-areas")}
    for code in codes("bbic-2006-areas"):
        targets = code.attributes["maps_to_2018"]
        assert targets, code.code
        assert set(targets) <= known, code.code


def test_the_2006_list_is_not_offered_today_but_its_labels_still_resolve():
    assert not current_codes("bbic-2006-areas").exists()
    assert current_codes("bbic-2006-areas", on=datetime.date(2014, 6, 1)).count() == 23
    assert code_label("bbic-2006-areas", "familjenatverk") == "Familjenätverk"


def test_report_reasons_are_a_to_y_with_group_survey_group_and_a_reconstruction_note():
    reasons = codes("report-reasons")
    assert [c.code for c in reasons] == list("ABCDEFGHIJKLMNOPQRSTUVWXY")
    assert all(c.group and c.attributes.get("survey_group") for c in reasons)
    assert all(c.is_uncertain for c in reasons)
    assert "rekonstruktion" in CodeList.objects.get(key="report-reasons").source
    assert code_label("report-reasons", "O") == "Hedersrelaterat våld och förtryck"


def test_the_violence_attribute_is_on_exactly_i_j_k_m_o_p():
    violent = {c.code for c in codes("report-reasons") if c.attributes.get("violence") is True}
    assert violent == set("IJKMOP")


def test_every_point_of_sol_19_1_is_a_current_mandatory_category_from_2026_01_15():
    current = current_codes("reporter-categories", on=datetime.date(2026, 12, 1))
    points = [c for c in current if c.attributes.get("sol_ref", "").startswith("19:1 ")]
    assert all(c.attributes["mandatory"] is True for c in points)
    assert {c.attributes["sol_ref"] for c in points} == {f"19:1 p.{n}" for n in range(1, 23)}
    assert {"Kustbevakningen", "Ordningsvakt", "Tullverket", "Polis"} <= {
        c.label_sv for c in points
    }
    before = current_codes("reporter-categories", on=datetime.date(2026, 1, 14))
    assert not [c for c in before if c.code.startswith("sol-19-1-")]


def test_one_list_without_duplicates_the_mandatory_reporters_grouped_first():
    current = list(current_codes("reporter-categories", on=datetime.date(2026, 12, 1)))
    labels = [c.label_sv for c in current]
    assert len(labels) == len(set(labels))
    assert "Polismyndigheten" not in labels  # "Polis" is the one category for the police
    groups = [c.group for c in current]
    mandatory = "Anmälningsskyldig (SoL 19 kap. 1–3 §§)"
    assert set(groups) == {mandatory, "Andra anmälare (SoL 19 kap. 4 §)"}
    assert groups == sorted(groups, key=lambda g: g != mandatory)  # mandatory ones first
    for code in current:
        assert bool(code.attributes.get("mandatory")) == (code.group == mandatory), code.code


def test_the_retired_duplicates_are_kept_with_their_labels():
    retired = ["sol-19-1-p01", "sol-19-1-p02", "sol-19-1-p04", "sol-19-1-p15"]
    retired += ["sol-19-1-p21", "sol-19-1-p22"]
    for code in retired:
        row = Code.objects.get(code_list__key="reporter-categories", code=code)
        assert row.valid_to == datetime.date(2026, 12, 1)
    assert code_label("reporter-categories", "sol-19-1-p15") == "Polismyndigheten"


def test_familjeradgivning_has_the_narrower_duty_of_19_2():
    code = Code.objects.get(code_list__key="reporter-categories", code="sol-19-2")
    assert code.attributes == {"mandatory": True, "sol_ref": "19:2", "is_narrow_duty": True}


def test_the_general_reporter_categories_are_all_there():
    codes_now = {c.code for c in current_codes("reporter-categories")}
    assert codes_now >= {
        "polis",
        "skola",
        "forskola",
        "halso-och-sjukvard",
        "tandvard",
        "socialtjanst",
        "annan-myndighet",
        "enskild-verksamhet",
        "anhorig",
        "privatperson",
        "barnet-sjalvt",
        "anonym",
        "annan",
    }


def test_no_report_reason_label_uses_the_latin_abbreviation_incl():
    for code in codes("report-reasons"):
        assert "incl." not in code.label_sv and "incl." not in code.label_en, code.code
    assert code_label("report-reasons", "P") == "Risk för tvångsäktenskap, inklusive barnäktenskap"


def test_channels_and_kinds_have_swedish_and_english_labels():
    channels = codes("report-channels")
    assert "sdk" in {c.code for c in channels}
    assert [c.code for c in codes("report-kinds")] == ["anmalan", "ansokan", "annan-information"]
    for code in [*channels, *codes("report-kinds")]:
        assert code.label_sv and code.label_en


def test_no_text_shown_to_users_points_at_the_repository_or_cites_a_repealed_regulation():
    # From the red-team pass on issue 6 (U-10, U-7): the code-list page showed "docs/domain.md
    # §7.1" as a source, and SOSFS 2014:4 was replaced by HSLF-FS 2022:39 on 2022-11-01.
    texts = [
        text
        for code_list in CodeList.objects.all()
        for text in (code_list.name, code_list.description, code_list.source)
    ] + [
        text
        for code in Code.objects.all()
        for text in (code.label_sv, code.description_sv, code.uncertainty_note)
    ]
    assert not [text for text in texts if "docs/" in text or "domain.md" in text]
    assert not [text for text in texts if "SOSFS 2014:4" in text]
    assert "HSLF-FS 2022:39" in CodeList.objects.get(key="risk-instruments").source
    assert "Socialstyrelsens kartläggning av anmälningar 2018" in (
        CodeList.objects.get(key="reporter-categories").source
    )
