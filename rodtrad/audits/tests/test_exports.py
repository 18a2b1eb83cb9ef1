"""Exports of a programme's results and of the comparison of two, as CSV, XLSX and PDF, after
step-up with the second factor, journaled with who and why (docs/internal-control.md,
"Exports")."""

from __future__ import annotations

import csv
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from rodtrad.audits import services
from rodtrad.audits.models import CaseReview, ReviewStatus
from rodtrad.audits.tests import factories
from rodtrad.audits.tests.conftest import violence_case
from rodtrad.journal.models import JournalEntry
from rodtrad.letters.tests.conftest import flat, pdf_text
from rodtrad.stats import significance

pytestmark = pytest.mark.django_db

QUESTION = "Gjordes en riskbedömning?"
REASON = "Underlag till nämndens uppföljning."


def _review(sampled, reviewer, answer):
    return CaseReview.objects.create(
        sampled_case=sampled,
        reviewer=reviewer,
        answers={"risk-assessment": answer},
        status=ReviewStatus.SUBMITTED,
    )


def _programme(admin, reviewer, district, *, yes, no, name="Våldsärenden 2026"):
    programme = factories.programme(created_by=admin, districts=[district], name=name)
    for n in range(yes + no):
        sampled = factories.sampled_case(
            violence_case(district), of=programme, reviewers=(reviewer,)
        )
        _review(sampled, reviewer, "yes" if n < yes else "no")
    return programme


@pytest.fixture
def programme(admin, reviewer, own_district):
    """Bromma: 12 cases, 7 "yes" and 5 "no" to the risk assessment."""
    return _programme(admin, reviewer, own_district, yes=7, no=5)


@pytest.fixture
def with_small_cells(programme, reviewer, other_district):
    """Farsta added with 2 cases, both "yes": a small cell."""
    programme.districts.add(other_district)
    for _n in range(2):
        sampled = factories.sampled_case(
            violence_case(other_district), of=programme, reviewers=(reviewer,)
        )
        _review(sampled, reviewer, "yes")
    return programme


def _url(programme):
    return reverse("audits:results-export", args=[programme.pk])


def _post(client, url, code, **data):
    return client.post(url, {"reason": REASON, "otp_token": code, **data})


def _csv(response):
    lines = list(csv.reader(StringIO(response.content.decode())))
    return lines[0], [dict(zip(lines[1], line, strict=True)) for line in lines[2:]]


def _pct(value):
    return str((Decimal(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def test_results_page_links_to_the_export_form(programme, admin, signed_in):
    client = signed_in(admin)
    page = client.get(reverse("audits:results", args=[programme.pk])).content.decode()
    assert _url(programme) in page
    form = client.get(_url(programme), {"format": "xlsx"}).content.decode()
    for value in ("csv", "xlsx", "pdf"):
        assert f'value="{value}"' in form
    assert 'name="otp_token"' in form


def test_results_page_gives_the_interval_in_percent_as_the_files_do(programme, admin, signed_in):
    # 7 "yes" of 12: the share 58 % and Wilson's interval in percent with one decimal, as in
    # the files' ci_low_pct and ci_high_pct, not as a proportion (0,32–0,81) beside a percent.
    page = signed_in(admin).get(reverse("audits:results", args=[programme.pk])).content.decode()
    interval = significance.wilson_interval(7, 12)
    low, high = (_pct(v).replace(".", ",") for v in (interval.low, interval.high))
    assert f"{low}–{high} %" in page
    assert f"{interval.low:.2f}".replace(".", ",") + "–" not in page


def test_csv_has_a_provenance_line_and_the_shares_with_intervals(
    programme, admin, signed_in, otp_code
):
    response = _post(signed_in(admin), _url(programme), otp_code(admin), file_format="csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="egenkontroll-{programme.pk}-resultat.csv"' in response["Content-Disposition"]
    title, rows = _csv(response)
    assert len(title) == 1  # one field: the title and where the numbers come from
    line = title[0]
    assert line.startswith("Resultat: Våldsärenden 2026.")
    assert "checklistan Våldsärenden, utgåva 2019" in line
    assert "slumptalsfrö 12345" in line
    assert "Uppgifter per 2026-06-10 09:30" in line
    yes = [r for r in rows if r["question"] == QUESTION and r["answer"] == "Ja"]
    assert [r["district"] for r in yes] == ["Bromma", "Totalt"]
    interval = significance.wilson_interval(7, 12)
    for row in yes:
        assert row["item_key"] == "risk-assessment"
        assert (row["count"], row["answers"], row["share_pct"]) == ("7", "12", "58")
        assert (row["ci_low_pct"], row["ci_high_pct"]) == (
            _pct(interval.low),
            _pct(interval.high),
        )
    entry = JournalEntry.objects.get(action="audits.results_exported")
    assert entry.actor == admin
    assert entry.data["programme"] == programme.pk
    assert entry.data["format"] == "csv"
    assert entry.data["reason"] == REASON
    assert entry.data["checklist"] == "violence-cases 2019"
    assert entry.data["seed"] == 12345


def test_suppressed_cells_stay_suppressed_in_every_format(
    with_small_cells, admin, signed_in, otp_code, tmp_path
):
    client = signed_in(admin)
    url = _url(with_small_cells)
    _title, rows = _csv(_post(client, url, otp_code(admin), file_format="csv"))
    farsta = [r for r in rows if r["question"] == QUESTION and r["district"] == "Farsta"]
    yes = next(r for r in farsta if r["answer"] == "Ja")
    assert yes["count"] == ".."
    for row in rows:  # a hidden count hides its share and interval, everywhere
        if ".." in (row["count"], row["answers"]):
            assert row["share_pct"] == row["ci_low_pct"] == row["ci_high_pct"] == ".."
    assert "2" not in {r["count"] for r in farsta}

    response = _post(client, url, otp_code(admin), file_format="xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    lines = [list(line) for line in sheet.iter_rows(values_only=True)]
    assert lines[0][0] == "Resultat: Våldsärenden 2026"
    assert lines[1] == [
        "Fråga",
        "Stadsdel",
        "Svar",
        "Antal",
        "Antal svar",
        "Andel (%)",
        "95 % KI, nedre (%)",
        "95 % KI, övre (%)",
    ]
    cells = {(line[0], line[1], line[2]): line[3:] for line in lines[2:] if line[1]}
    assert cells[(QUESTION, "Farsta", "Ja")][0] == ".."
    assert cells[(QUESTION, "Farsta", "Ja")][2] == ".."
    assert not any(value == 2 for value in cells[(QUESTION, "Farsta", "Ja")])
    notes = [line[0] for line in lines if line[0] and str(line[0]).startswith("..:")]
    assert notes and "färre än 5" in notes[0]

    response = _post(client, url, otp_code(admin), file_format="pdf")
    assert response["Content-Type"] == "application/pdf"
    text = flat(pdf_text(response.content, tmp_path))
    assert "Resultat: Våldsärenden 2026" in text
    assert QUESTION in text
    assert "Farsta .." in text
    assert "OSL" not in text  # aggregates only: no secrecy marking
    formats = [
        e.data["format"] for e in JournalEntry.objects.filter(action="audits.results_exported")
    ]
    assert formats == ["csv", "xlsx", "pdf"]


def test_a_wrong_code_exports_nothing_and_is_a_security_event(programme, admin, signed_in):
    response = _post(signed_in(admin), _url(programme), "000000", file_format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Koden stämmer inte eller har redan använts." in response.content.decode()
    assert not JournalEntry.objects.filter(action="audits.results_exported").exists()
    failure = JournalEntry.objects.get(action="accounts.second_factor_failed")
    assert failure.actor == admin
    assert failure.data == {"stage": "step_up", "purpose": "audits.export", "throttled": False}


def test_a_reason_is_required(programme, admin, signed_in, otp_code):
    response = _post(
        signed_in(admin), _url(programme), otp_code(admin), file_format="csv", reason=""
    )
    assert "Skriv varför du exporterar resultaten." in response.content.decode()
    assert not JournalEntry.objects.filter(action="audits.results_exported").exists()


def test_who_may_export_is_who_sees_the_results(
    programme, reviewer, second_reviewer, analyst, investigator, signed_in, otp_code
):
    url = _url(programme)
    for outsider in (analyst, investigator, second_reviewer):  # not given a case: 404
        client = signed_in(outsider)
        assert client.get(url).status_code == 404
        assert _post(client, url, "123456", file_format="csv").status_code == 404
    # The programme's reviewer: blind while the review runs (403, as the results page) ...
    client = signed_in(reviewer)
    assert _post(client, url, otp_code(reviewer), file_format="csv").status_code == 403
    assert not JournalEntry.objects.filter(action="audits.results_exported").exists()
    # ... and may export once it has ended.
    programme.review_ends_on = date(2026, 6, 9)
    programme.save(update_fields=["review_ends_on"])
    response = _post(client, url, otp_code(reviewer), file_format="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert JournalEntry.objects.get(action="audits.results_exported").actor == reviewer


def test_the_comparison_exports_in_three_formats(
    programme, admin, reviewer, own_district, signed_in, otp_code, tmp_path
):
    later = _programme(admin, reviewer, own_district, yes=5, no=5, name="Våldsärenden 2027")
    client = signed_in(admin)
    page = client.get(
        reverse("audits:compare"), {"first": programme.pk, "second": later.pk}
    ).content.decode()
    url = reverse("audits:compare-export")
    assert f"{url}?first={programme.pk}&amp;second={later.pk}" in page
    pair = {"first": programme.pk, "second": later.pk}
    expected = significance.compare_shares([[7, 5], [5, 5]])

    title, rows = _csv(_post(client, url, otp_code(admin), file_format="csv", **pair))
    assert title[0].startswith("Jämförelse: Våldsärenden 2026 och Våldsärenden 2027.")
    assert "slumptalsfrö 12345" in title[0]
    row = next(r for r in rows if r["item_key"] == "risk-assessment")
    assert (row["first_yes"], row["first_answers"], row["first_share_pct"]) == ("7", "12", "58")
    assert (row["second_yes"], row["second_answers"], row["second_share_pct"]) == (
        "5",
        "10",
        "50",
    )
    assert float(row["p_value"]) == pytest.approx(expected.p_value, rel=1e-3)

    sheet = load_workbook(
        BytesIO(_post(client, url, otp_code(admin), file_format="xlsx", **pair).content)
    ).active
    lines = [list(line) for line in sheet.iter_rows(values_only=True)]
    found = next(line for line in lines if line[0] == QUESTION)
    assert found[1:4] == [7, 12, 58]
    assert found[7] == pytest.approx(expected.p_value)

    text = flat(
        pdf_text(_post(client, url, otp_code(admin), file_format="pdf", **pair).content, tmp_path)
    )
    assert "Jämförelse: Våldsärenden 2026 och Våldsärenden 2027" in text
    assert "58 % (7 / 12)" in text
    entries = JournalEntry.objects.filter(action="audits.comparison_exported")
    assert [e.data["format"] for e in entries] == ["csv", "xlsx", "pdf"]
    assert entries[0].data["programmes"] == [programme.pk, later.pk]
    assert entries[0].data["reason"] == REASON


def test_only_the_administrator_exports_a_comparison(programme, reviewer, signed_in, otp_code):
    url = reverse("audits:compare-export")
    client = signed_in(reviewer)
    assert client.get(url, {"first": programme.pk, "second": programme.pk}).status_code == 403
    response = _post(
        client,
        url,
        otp_code(reviewer),
        file_format="csv",
        first=programme.pk,
        second=programme.pk,
    )
    assert response.status_code == 403
    assert not JournalEntry.objects.filter(action="audits.comparison_exported").exists()


def test_a_programme_is_not_exported_compared_with_itself(programme, admin, signed_in, otp_code):
    client = signed_in(admin)
    url = reverse("audits:compare-export")
    response = _post(
        client, url, otp_code(admin), file_format="csv", first=programme.pk, second=programme.pk
    )
    assert response.status_code == 200
    assert "Välj två olika granskningar att jämföra." in response.content.decode()
    assert not JournalEntry.objects.filter(action="audits.comparison_exported").exists()
    with pytest.raises(ValidationError) as refused:
        services.export_comparison(
            by=admin,
            first=programme,
            second=programme,
            file_format="csv",
            reason=REASON,
            otp_token=otp_code(admin),
        )
    assert "second" in refused.value.message_dict
