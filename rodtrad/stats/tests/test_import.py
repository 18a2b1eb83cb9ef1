"""`rodtrad import districts|population|reports` (docs/import-format.md): good files, every
kind of bad row with its exact error list, nothing saved on error, re-import, pseudonyms."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from rodtrad.accounts.models import District
from rodtrad.cases.models import Case, CaseStatus
from rodtrad.intake.models import Decision, PreAssessment, Report, ReportChild, ReportReason
from rodtrad.investigation.models import ExtensionDecision, Investigation
from rodtrad.journal.models import JournalEntry
from rodtrad.people.models import Person
from rodtrad.stats import services
from rodtrad.stats.importing import ImportFailed
from rodtrad.stats.models import ImportedReport, ImportRun, Population, Pseudonym
from rodtrad.stats.tests.conftest import REPORT_HEADER, csv_bytes

GIRL = "20150314-2380"  # born 2015-03-14, female (8 is even)
BOY = "201503142414"  # born 2015-03-14, male
COORDINATION = "201207612423"  # samordningsnummer, born 2012-07-01, female


def errors_of(call: Any) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        call()
    return [str(error) for error in failure.value.errors]


def record_counts() -> dict[str, int]:
    models = (
        District,
        Population,
        Person,
        Report,
        ReportReason,
        ReportChild,
        Case,
        PreAssessment,
        Investigation,
        ExtensionDecision,
        ImportRun,
        ImportedReport,
        Pseudonym,
        JournalEntry,
    )
    return {model.__name__: model.objects.count() for model in models}


# --- districts --------------------------------------------------------------------------------


def test_districts_are_created_and_renamed_by_code(districts, admin):
    assert districts.created == 3
    run = services.import_districts(
        csv_bytes("name,code", "Bromma stadsdelsområde,bromma", "Farsta,farsta"),
        file_name="again.csv",
        by=admin,
    )
    assert (run.created, run.updated, run.unchanged) == (0, 1, 1)
    assert District.objects.get(code="bromma").name == "Bromma stadsdelsområde"
    entry = JournalEntry.objects.filter(action="stats.districts_imported").last()
    assert entry.data["file_name"] == "again.csv"
    assert entry.data["updated"] == 1
    assert len(entry.data["file_sha256"]) == 64


def test_bad_district_rows_are_all_listed_and_nothing_is_saved(admin):
    data = csv_bytes("code,name", "bad code,Namn", "ok,", "dup,Ett", "dup,Två")
    before = record_counts()
    assert errors_of(lambda: services.import_districts(data, file_name="d.csv", by=admin)) == [
        "rad 2, kolumn code: Koden får bara innehålla a–z, A–Z, siffror, - och _ (högst 40 "
        "tecken).",
        "rad 3, kolumn name: Värdet saknas.",
        "rad 5, kolumn code: Koden finns redan på rad 4.",
    ]
    assert record_counts() == before


def test_a_wrong_header_names_each_column(admin):
    data = csv_bytes("kod,name")
    assert errors_of(lambda: services.import_districts(data, file_name="d.csv", by=admin)) == [
        "rad 1, kolumn code: Kolumnen saknas i rubrikraden.",
        "rad 1, kolumn kod: Okänd kolumn. Filen ska ha kolumnerna code,name.",
    ]


def test_only_an_administrator_imports(investigator):
    with pytest.raises(PermissionDenied):
        services.import_districts(csv_bytes("code,name", "x,X"), file_name="d.csv", by=investigator)
    assert not District.objects.filter(code="x").exists()


# --- population -------------------------------------------------------------------------------


def test_population_cells_are_created_and_updated(districts, admin):
    data = csv_bytes("district,year,age,sex,count", "bromma,2024,0,F,100", "bromma,2024,20,M,90")
    run = services.import_population(data, file_name="p.csv", by=admin)
    assert run.created == 2
    again = csv_bytes("district,year,age,sex,count", "bromma,2024,0,F,101", "bromma,2024,20,M,90")
    run = services.import_population(again, file_name="p.csv", by=admin)
    assert (run.created, run.updated, run.unchanged) == (0, 1, 1)
    assert Population.objects.get(age=0).count == 101


def test_bad_population_rows_are_all_listed(districts, admin):
    data = csv_bytes(
        "district,year,age,sex,count",
        "okand,2024,1,F,3",
        "bromma,24x,21,K,-1",
        "bromma,2024,1,F,3",
        "bromma,2024,1,F,4",
        "bromma,2024,2",
    )
    before = record_counts()
    assert errors_of(lambda: services.import_population(data, file_name="p.csv", by=admin)) == [
        "rad 2, kolumn district: Stadsdelen okand finns inte. Importera stadsdelarna först.",
        "rad 3, kolumn age: Talet ska vara mellan 0 och 20.",
        "rad 3, kolumn count: Ange ett heltal utan tecken eller mellanslag.",
        "rad 3, kolumn sex: Kön ska vara F eller M.",
        "rad 3, kolumn year: Ange ett heltal utan tecken eller mellanslag.",
        "rad 5, kolumn -: Samma stadsdel, år, ålder och kön finns redan på rad 4.",
        "rad 6, kolumn -: Raden har 3 fält men rubrikraden 5.",
    ]
    assert record_counts() == before


# --- reports ----------------------------------------------------------------------------------


def reports_file(*rows: str) -> bytes:
    return csv_bytes(REPORT_HEADER, *rows)


GOOD = reports_file(
    # No decision yet: an open case in intake.
    f"r1,2024-01-08,bromma,{GIRL},F,2015-03-14,A;I,skola,,,,",
    # Decided not to investigate: closed. Unknown reporter.
    f"r2,2024-01-09,bromma,{BOY},M,2015-03-14,L,,2024-01-15,,,",
    # Investigated and closed, with an extension. The same girl again.
    f"r3,2024-01-10,bromma,{GIRL},F,2015-03-14,J,polis,2024-01-10,2024-01-10,2024-07-01,2024-06-30",
    # A pseudonymous child, investigation still open, in another district.
    "r4,2024-02-01,farsta,ref:X-17,M,2010-05-05,N,anhorig,2024-02-14,2024-02-15,,",
    # The same pseudonym again, and a samordningsnummer.
    "r5,2024-03-01,farsta,ref:X-17,M,2010-05-05,B,,2024-03-02,,,",
    f"r6,2024-03-05,kista,{COORDINATION},F,2012-07-01,E,,,,,",
)


def test_a_good_file_becomes_the_ordinary_record(districts, admin):
    run = services.import_reports(GOOD, file_name="reports.csv", by=admin)
    assert (run.rows, run.created, run.unchanged) == (6, 6, 0)
    assert Person.objects.count() == 4  # the girl and the pseudonym once each
    r1 = Report.objects.get(external_id="r1")
    assert r1.is_imported and r1.receipt_date == date(2024, 1, 8)
    assert r1.registered_by == admin
    assert sorted(r1.reasons.values_list("code", flat=True)) == ["A", "I"]
    assert r1.is_mandatory_reporter  # skola
    case1 = r1.children.get().case
    assert case1.status == CaseStatus.INTAKE
    assert not PreAssessment.objects.filter(case=case1).exists()

    r2 = Report.objects.get(external_id="r2")
    assert r2.reporter_category == "" and not r2.is_mandatory_reporter
    case2 = r2.children.get().case
    assert case2.status == CaseStatus.CLOSED
    pre = PreAssessment.objects.get(case=case2)
    assert (pre.decision, pre.decided_on, pre.status) == (
        Decision.NOT_OPEN,
        date(2024, 1, 15),
        "signed",
    )

    case3 = Report.objects.get(external_id="r3").children.get().case
    assert case3.child == case1.child
    assert case3.status == CaseStatus.CLOSED
    investigation = Investigation.objects.get(case=case3)
    assert (investigation.opened_on, investigation.closed_on) == (
        date(2024, 1, 10),
        date(2024, 7, 1),
    )
    extension = investigation.extensions.get()
    assert extension.extended_to == date(2024, 6, 30)
    assert extension.previous_due == date(2024, 5, 10)
    assert investigation.deadline.due == date(2024, 6, 30)  # as the case page computes it
    assert investigation.is_closed_late

    case4 = Report.objects.get(external_id="r4").children.get().case
    assert case4.status == CaseStatus.INVESTIGATION
    assert Investigation.objects.get(case=case4).is_open
    pseudonym = Pseudonym.objects.get(ref="X-17")
    assert pseudonym.person == case4.child
    assert pseudonym.person.identity_number is None
    assert Report.objects.get(external_id="r5").children.get().child == case4.child

    r6_child = Report.objects.get(external_id="r6").children.get().child
    assert r6_child.identity_kind == "samordningsnummer"
    assert r6_child.identity_number == COORDINATION

    # One journal entry for the run, not one per row.
    entries = JournalEntry.objects.filter(action="stats.reports_imported")
    assert entries.count() == 1
    assert entries.get().data["created"] == 6


def test_importing_again_creates_nothing_and_a_changed_row_is_refused(districts, admin):
    services.import_reports(GOOD, file_name="reports.csv", by=admin)
    before = record_counts()
    run = services.import_reports(GOOD, file_name="reports.csv", by=admin)
    assert (run.created, run.unchanged) == (0, 6)
    after = record_counts()
    assert after["Report"] == before["Report"] and after["Person"] == before["Person"]
    assert after["ImportRun"] == before["ImportRun"] + 1

    changed = reports_file(f"r2,2024-01-09,bromma,{BOY},M,2015-03-14,L;A,,2024-01-15,,,")
    assert errors_of(lambda: services.import_reports(changed, file_name="c.csv", by=admin)) == [
        "rad 2, kolumn report_id: Aktualiseringen är redan importerad med andra uppgifter. En "
        "import ändrar inte det som en tidigare import skapade."
    ]


def test_an_existing_person_is_reused_by_identity_number(districts, admin):
    services.import_reports(
        reports_file(f"a,2024-01-08,bromma,{GIRL},F,2015-03-14,A,,,,,"), file_name="a.csv", by=admin
    )
    services.import_reports(
        reports_file(f"b,2024-02-08,farsta,{GIRL},F,2015-03-14,A,,,,,"), file_name="b.csv", by=admin
    )
    assert Person.objects.count() == 1


def test_a_child_with_protected_personal_data_is_not_attached_to_an_imported_report(
    districts, admin
):
    services.import_reports(
        reports_file(f"a,2024-01-08,bromma,{GIRL},F,2015-03-14,A,,,,,"), file_name="a", by=admin
    )
    Person.objects.update(protection_level="skyddad_folkbokforing")
    before = record_counts()
    data = reports_file(f"b,2024-02-08,bromma,{GIRL},F,2015-03-14,A,,,,,")
    assert errors_of(lambda: services.import_reports(data, file_name="b", by=admin)) == [
        "rad 2, kolumn child_id: Barnet finns redan i Rodtrad med skyddade personuppgifter. "
        "Registrera anmälan i Rodtrad i stället."
    ]
    assert record_counts() == before


def test_every_kind_of_bad_row_is_listed_and_nothing_is_saved(districts, admin):
    data = reports_file(
        f"b1,2024-13-01,okand,{GIRL},F,2015-03-14,A,,,,,",
        "b2,2024-01-08,bromma,20150314-2381,F,2015-03-14,Ö;A,nobody,,,,",
        f"b3,2024-01-08,bromma,{GIRL},M,2015-03-15,A,,,,,",
        f"b4,2024-01-08,bromma,{BOY},M,2015-03-14,A,,2024-01-07,,,",
        f"b5,2024-01-08,bromma,{BOY},M,2015-03-14,A,,,2024-01-10,,",
        f"b6,2024-01-08,bromma,{BOY},M,2015-03-14,A,,2024-01-10,2024-02-01,2024-01-31,",
        f"b7,2024-01-08,bromma,{BOY},M,2015-03-14,A,,2024-01-10,2024-01-10,,2024-05-10",
        f"b8,2024-01-08,bromma,{BOY},M,2015-03-14,A,,2024-01-10,,2024-03-01,2024-06-01",
        "b9,2027-01-08,bromma,ref:,M,2015-03-14,,,,,,",
        f"b1,2024-01-08,bromma,{BOY},M,2015-03-14,A,,,,,",
        "b10,2024-01-08,bromma,ref:Y,M,2016-01-01,A,,,,,",
        "b11,2024-01-08,bromma,ref:Y,F,2016-01-01,A,,,,,",
        "b12,2024-01-08,bromma,ref:Z,M,2024-02-01,A,,,,,",
    )
    before = record_counts()
    assert errors_of(lambda: services.import_reports(data, file_name="bad.csv", by=admin)) == [
        "rad 2, kolumn district: Stadsdelen okand finns inte. Importera stadsdelarna först.",
        "rad 2, kolumn received_on: Datumet finns inte i kalendern.",
        "rad 3, kolumn child_id: Numret är inte ett giltigt personnummer eller "
        "samordningsnummer. Kontrollera datum och sista siffran (kontrollsiffran).",
        "rad 3, kolumn reasons: Orsakskoden Ö finns inte i kodlistan.",
        "rad 3, kolumn reporter_category: Anmälarkategorin nobody finns inte i kodlistan.",
        "rad 4, kolumn child_birth_date: Födelsedatumet stämmer inte med personnumret eller "
        "samordningsnumret.",
        "rad 4, kolumn child_sex: Könet stämmer inte med personnumret (näst sista siffran).",
        "rad 5, kolumn decision_on: Beslutet är fattat före den dag anmälan kom in.",
        "rad 6, kolumn investigation_opened_on: En utredning kan inte inledas utan beslut: "
        "decision_on saknas.",
        "rad 7, kolumn investigation_closed_on: Utredningen är avslutad före den dag den inleddes.",
        "rad 8, kolumn extended_until: Förlängningen ska gå längre än utredningstidens sista "
        "dag (2024-05-10, fyra månader från att utredningen inleddes).",
        "rad 9, kolumn extended_until: Bara en inledd utredning kan förlängas: "
        "investigation_opened_on saknas.",
        "rad 9, kolumn investigation_closed_on: En utredning kan inte avslutas utan att ha "
        "inletts: investigation_opened_on saknas.",
        "rad 10, kolumn child_id: Skriv pseudonymen efter ref:, till exempel ref:A123.",
        "rad 10, kolumn reasons: Värdet saknas.",
        "rad 11, kolumn report_id: Id:t finns redan på rad 2.",
        "rad 13, kolumn child_sex: Samma barn har ett annat födelsedatum eller kön på rad 12.",
        "rad 14, kolumn child_birth_date: Barnet är fött efter att anmälan kom in.",
    ]
    assert record_counts() == before


def test_a_received_date_in_the_future_is_refused(districts, admin):
    data = reports_file("f1,2026-06-11,bromma,ref:F,M,2015-03-14,A,,,,,")
    assert errors_of(lambda: services.import_reports(data, file_name="f.csv", by=admin)) == [
        "rad 2, kolumn received_on: Datumet ligger i framtiden."
    ]


def test_a_pseudonym_already_imported_with_another_birth_date_is_refused(districts, admin):
    services.import_reports(
        reports_file("p1,2024-01-08,bromma,ref:Q,M,2015-03-14,A,,,,,"), file_name="a", by=admin
    )
    data = reports_file("p2,2024-01-09,bromma,ref:Q,M,2015-03-15,A,,,,,")
    assert errors_of(lambda: services.import_reports(data, file_name="b", by=admin)) == [
        "rad 2, kolumn child_id: Barnet finns redan i Rodtrad med ett annat födelsedatum eller "
        "kön än på den här raden."
    ]


def test_a_file_that_is_not_utf8_is_refused(districts, admin):
    data = (REPORT_HEADER + "\nr,2024-01-08,bromma,ref:Å,M,2015-03-14,A,,,,,\n").encode("latin-1")
    assert errors_of(lambda: services.import_reports(data, file_name="l.csv", by=admin)) == [
        "rad 1, kolumn -: Filen är inte skriven i UTF-8."
    ]


# --- the command ------------------------------------------------------------------------------


def test_the_command_prints_one_error_a_line_and_exits_non_zero(districts, admin, tmp_path):
    path = Path(tmp_path) / "bad.csv"
    path.write_bytes(reports_file("x,2024-01-08,okand,ref:A,M,2015-03-14,A,,,,,"))
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_data", "reports", str(path), "--by", admin.username, stderr=err)
    assert exit_.value.code == 1
    assert err.getvalue().splitlines() == [
        "rad 2, kolumn district: Stadsdelen okand finns inte. Importera stadsdelarna först.",
        "1 fel: ingenting har sparats.",
    ]


def test_the_command_imports_and_says_what_it_did(districts, admin, tmp_path):
    path = Path(tmp_path) / "reports.csv"
    path.write_bytes(GOOD)
    out = StringIO()
    call_command("import_data", "reports", str(path), "--by", admin.username, stdout=out)
    assert "6 rader, 6 nya, 0 ändrade, 0 oförändrade" in out.getvalue()


def test_rodtrad_import_is_the_import_data_command():
    from rodtrad import cli

    assert cli.ALIASES["import"] == "import_data"


def test_a_value_quoted_in_an_error_stays_one_short_line(districts, admin):
    """Red-team finding: a quoted value with a newline and terminal escape codes printed a
    forged error line; a huge value was printed whole."""
    forged = '"x\nrad 99, kolumn -: FALSKT FEL\n\x1b[2J"'
    data = reports_file(
        f"f1,2024-01-08,bromma,{GIRL},F,2015-03-14,A,{forged},,,,\n"
        f"f2,2024-01-08,bromma,{BOY},M,2015-03-14,{'Z' * 5000},,,,,"
    )
    errors = errors_of(lambda: services.import_reports(data, file_name="f", by=admin))
    assert len(errors) == 2
    assert all("\n" not in error and "\x1b" not in error for error in errors)
    assert "\\x0a" in errors[0]  # written out, and cut after 40 characters
    assert all(len(error) < 400 for error in errors)


@pytest.mark.parametrize(
    "pseudonym",
    [
        f"ref:{GIRL}",
        "ref:1503142380",
        f"ref:case-{BOY}-b",
        f"ref:{COORDINATION}",
        "ref:150314+2380",
    ],
)
def test_a_pseudonym_that_holds_an_identity_number_is_refused(districts, admin, pseudonym):
    """A pseudonym must not lead back to the child (red-team note of the last session)."""
    data = reports_file(f"p1,2024-01-08,bromma,{pseudonym},F,2015-03-14,A,,,,,")
    errors = errors_of(lambda: services.import_reports(data, file_name="p", by=admin))
    assert len(errors) == 1
    assert errors[0].startswith("rad 2, kolumn child_id: Pseudonymen innehåller ett personnummer")


def test_a_pseudonym_of_digits_that_is_no_identity_number_is_accepted(districts, admin):
    # Twelve digits, but no valid date and check digit: an ordinary research number.
    data = reports_file("p1,2024-01-08,bromma,ref:201513992381,F,2015-03-14,A,,,,,")
    run = services.import_reports(data, file_name="p", by=admin)
    assert run.created == 1


def test_an_overlong_field_is_explained_in_swedish_and_later_rows_are_still_checked(
    districts, admin
):
    """A field over the csv module's limit (128 kB) stopped the check with an English error."""
    huge = "x" * 200_000
    data = reports_file(
        f'f1,2024-01-08,bromma,{GIRL},F,2015-03-14,A,"{huge}",,,,',
        "f2,2024-01-08,okand,ref:Q,M,2015-03-14,A,,,,,",
    )
    errors = errors_of(lambda: services.import_reports(data, file_name="f", by=admin))
    assert errors[0].startswith("rad 2, kolumn -: Ett fält är längre än 131 072 tecken.")
    assert "field" not in errors[0]
    assert any(e.startswith("rad 3, kolumn district:") for e in errors), errors
