"""`rodtrad stats reports|durations` on hand-computed data (docs/statistics.md)."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from rodtrad.stats import services
from rodtrad.stats.indicators import InvestigationDurations, ReportsAndInvestigations, per_100
from rodtrad.stats.tests.conftest import REPORT_HEADER, csv_bytes


def _population(admin):
    # Bromma 2024: 400 children (0–20); Farsta 2024: 1 000; Kista has none for 2024 (only 2023).
    services.import_population(
        csv_bytes(
            "district,year,age,sex,count",
            "bromma,2024,0,F,150",
            "bromma,2024,20,M,250",
            "farsta,2024,7,F,1000",
            "kista,2023,5,M,80",
        ),
        file_name="population.csv",
        by=admin,
    )


def _reports(admin):
    rows = []
    # Bromma 2024: 9 reports, 3 of them opened an investigation (one still open).
    for n in range(6):
        rows.append(f"b{n},2024-0{n + 1}-03,bromma,ref:b{n},F,2015-01-01,A,,2024-0{n + 1}-05,,,")
    # 2024-01-10 + 4 months = 2024-05-10: closed on 05-10 (in time), 05-13 (late), late but
    # extended to 06-30.
    rows += [
        "bi1,2024-01-08,bromma,ref:bi1,M,2012-01-01,J,polis,2024-01-10,2024-01-10,2024-05-10,",
        "bi2,2024-01-08,bromma,ref:bi2,M,2012-01-01,J,polis,2024-01-10,2024-01-10,2024-05-13,",
        "bi3,2024-01-08,bromma,ref:bi3,M,2012-01-01,J,polis,2024-01-10,2024-01-10,2024-06-20,"
        "2024-06-30",
    ]
    # Farsta 2024: 8 reports, 1 investigation (opened 2024-02-15, due 2024-06-17 since the
    # 15th is a Saturday; closed 2024-06-17: in time, 123 days).
    for n in range(7):
        rows.append(f"f{n},2024-03-0{n + 1},farsta,ref:f{n},F,2015-01-01,B,,,,,")
    rows.append("fi,2024-02-14,farsta,ref:fi,F,2011-01-01,K,,2024-02-15,2024-02-15,2024-06-17,")
    # Not counted: received in 2023 (Bromma), and Kista (no population data for 2024).
    rows.append("old,2023-12-31,bromma,ref:old,F,2015-01-01,A,,2024-01-02,2024-01-02,2024-03-01,")
    rows.append("k1,2024-04-04,kista,ref:k1,F,2015-01-01,A,,2024-04-05,2024-04-05,2024-05-05,")
    services.import_reports(csv_bytes(REPORT_HEADER, *rows), file_name="r.csv", by=admin)


@pytest.fixture
def world(districts, admin):
    _population(admin)
    _reports(admin)


def test_per_100_rounds_half_up():
    # 1 of 40 is 2.5 per 100 exactly; 9 of 400 is 2.25, which half-even would make 2.2.
    assert per_100(9, 400) == Decimal("2.3")
    assert per_100(1, 40) == Decimal("2.5")
    assert per_100(3, 0) is None


def test_reports_by_district_computed_by_hand(world):
    table = ReportsAndInvestigations().compute(2024)
    assert table.rows == [
        # Bromma: 9 reports of 400 = 2.25 -> 2.3 (half up); 3 investigations = 0.75 -> 0.8;
        # 3 of 9 = 33.3 % -> 33.
        ("Bromma", 9, Decimal("2.3"), 3, Decimal("0.8"), Decimal("33")),
        # Farsta: 8 of 1000 = 0.8; 1 = 0.1; 1 of 8 = 12.5 % -> 13 (half up).
        ("Farsta", 8, Decimal("0.8"), 1, Decimal("0.1"), Decimal("13")),
        # Totalt: 17 of 1400 = 1.214 -> 1.2; 4 of 1400 = 0.286 -> 0.3; 4 of 17 = 23.5 -> 24.
        ("Totalt", 17, Decimal("1.2"), 4, Decimal("0.3"), Decimal("24")),
    ]


def test_durations_by_district_computed_by_hand(world):
    table = InvestigationDurations().compute(2024)
    assert table.rows == [
        # Bromma: 121, 124 and 162 days, and 59 for the report of 2023 whose investigation
        # closed in 2024: mean 466 / 4 = 116.5, median (121 + 124) / 2 = 122.5; two closed
        # after 2024-05-10, one of them with no extension decision.
        ("Bromma", 4, Decimal("116.5"), Decimal("122.5"), 2, 1),
        # Farsta: 123 days, on the rolled last day: in time.
        ("Farsta", 1, Decimal("123.0"), Decimal("123.0"), 0, 0),
        # Totalt (Kista has no population for 2024 and is left out): 59, 121, 123, 124, 162:
        # mean 589 / 5 = 117.8, median 123.
        ("Totalt", 5, Decimal("117.8"), Decimal("123.0"), 2, 1),
    ]


def test_the_command_prints_csv(world):
    out = StringIO()
    call_command("stats", "reports", "--year", "2024", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines() == [
        "district,reports,reports_per_100,investigations,investigations_per_100,share_opened_pct",
        "Bromma,9,2.3,3,0.8,33",
        "Farsta,8,0.8,1,0.1,13",
        "Totalt,17,1.2,4,0.3,24",
    ]
    out = StringIO()
    call_command("stats", "durations", "--year", "2024", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines() == [
        "district,closed,mean_days,median_days,over_deadline,over_deadline_without_extension",
        "Bromma,4,116.5,122.5,2,1",
        "Farsta,1,123.0,123.0,0,0",
        "Totalt,5,117.8,123.0,2,1",
    ]


def test_the_command_prints_a_table_for_a_person(world):
    out = StringIO()
    call_command("stats", "durations", "--year", "2024", "--format", "table", stdout=out)
    text = out.getvalue()
    assert "Stadsdel" in text and "Medel (dagar)" in text
    assert "116,5" in text
    assert text.splitlines()[-1].split() == ["Totalt", "5", "117,8", "123,0", "2", "1"]


def test_a_year_without_data_prints_only_the_header_and_an_empty_total(districts):
    out = StringIO()
    call_command("stats", "durations", "--year", "2030", "--format", "csv", stdout=out)
    assert out.getvalue().splitlines()[1:] == ["Totalt,0,,,0,0"]
