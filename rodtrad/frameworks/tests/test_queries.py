"""Reads: what may be chosen on a day, and what an old code was called."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from rodtrad.frameworks.queries import (
    UnknownCodeList,
    code_label,
    code_labels,
    code_lists_with_counts,
    current_codes,
    get_code,
)
from rodtrad.frameworks.tests.factories import CodeFactory, CodeListFactory

DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def code_list(db):
    code_list = CodeListFactory(key="test-list")
    CodeFactory(code_list=code_list, code="now", label_sv="Nu", label_en="Now")
    CodeFactory(code_list=code_list, code="old", label_sv="Gammal", label_en="", valid_to=DAY)
    CodeFactory(code_list=code_list, code="soon", label_sv="Snart", valid_from=DAY.replace(day=3))
    CodeFactory(code_list=code_list, code="from-day", label_sv="Från dagen", valid_from=DAY)
    return code_list


def test_current_codes_are_those_valid_on_the_day_with_valid_to_as_the_first_day_out(code_list):
    assert {c.code for c in current_codes("test-list", on=DAY)} == {"now", "from-day"}
    before = DAY - datetime.timedelta(days=1)
    assert {c.code for c in current_codes("test-list", on=before)} == {"now", "old"}


def test_no_code_is_current_while_the_list_itself_is_not_valid(code_list):
    code_list.valid_to = DAY
    code_list.save()
    assert not current_codes("test-list", on=DAY).exists()
    assert current_codes("test-list", on=DAY - datetime.timedelta(days=1)).exists()


def test_a_retired_code_still_resolves_its_label(code_list):
    assert code_label("test-list", "old") == "Gammal"
    assert get_code("test-list", "old").label_sv == "Gammal"
    assert code_labels("test-list")["old"] == "Gammal"


def test_the_label_follows_the_active_language_with_swedish_as_fallback(code_list):
    with translation.override("en"):
        assert code_label("test-list", "now") == "Now"
        assert code_label("test-list", "old") == "Gammal"
    with translation.override("sv"):
        assert code_label("test-list", "now") == "Nu"


def test_an_unknown_code_is_shown_as_itself_but_an_unknown_list_is_an_error(code_list):
    assert code_label("test-list", "never-existed") == "never-existed"
    assert get_code("test-list", "never-existed") is None
    with pytest.raises(UnknownCodeList):
        code_label("no-such-list", "A")
    with pytest.raises(UnknownCodeList):
        current_codes("no-such-list")


def test_the_list_overview_counts_current_and_retired_codes(code_list):
    row = code_lists_with_counts(DAY).get(pk=code_list.pk)
    assert (row.current_count, row.retired_count, row.total_count) == (2, 1, 4)
