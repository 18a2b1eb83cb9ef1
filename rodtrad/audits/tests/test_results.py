"""Results per item: shares with Wilson intervals, suppression, agreement and the record
(docs/internal-control.md, "Results")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rodtrad.audits import agreement, results
from rodtrad.audits.models import CaseReview, ReviewStatus
from rodtrad.audits.tests import factories
from rodtrad.audits.tests.conftest import violence_case
from rodtrad.investigation.tests.factories import InvestigationFactory, RiskAssessmentFactory
from rodtrad.stats import significance, suppression

pytestmark = pytest.mark.django_db


def _review(sampled, reviewer, **answers):
    return CaseReview.objects.create(
        sampled_case=sampled, reviewer=reviewer, answers=answers, status=ReviewStatus.SUBMITTED
    )


@pytest.fixture
def reviewed(admin, reviewer, second_reviewer, own_district):
    """12 cases, each reviewed by two: the first says yes to 7, no to 5; the second differs on
    the first and the last case."""
    programme = factories.programme(created_by=admin, districts=[own_district])
    samples = []
    for n in range(12):
        sampled = factories.sampled_case(
            violence_case(own_district), of=programme, reviewers=(reviewer, second_reviewer)
        )
        first = "yes" if n < 7 else "no"
        second = first if n not in (0, 11) else ("no" if first == "yes" else "yes")
        _review(sampled, reviewer, **{"risk-assessment": first})
        _review(sampled, second_reviewer, **{"risk-assessment": second})
        samples.append(sampled)
    # One case has a signed risk assessment in the record.
    RiskAssessmentFactory(
        investigation=InvestigationFactory(case=samples[0].case), signed=True, assessed=True
    )
    return programme


def _item(programme_results, key):
    return next(r for r in programme_results if r.item.key == key)


def test_shares_by_district_and_total_with_wilson_intervals(reviewed, own_district):
    result = _item(results.programme_results(reviewed), "risk-assessment")
    rows = dict(result.rows)
    own_yes = rows[own_district.name][0]
    assert (own_yes.count, own_yes.total) == (7, 12)  # the first reviewer's answers
    interval = significance.wilson_interval(7, 12)
    assert (own_yes.low, own_yes.high) == (interval.low, interval.high)
    assert rows["Totalt"][0].count == 7 and rows["Totalt"][0].total == 12
    assert not result.has_suppressed


def test_small_cells_are_suppressed_as_in_the_statistics(reviewed, reviewer, other_district):
    reviewed.districts.add(other_district)
    for _ in range(2):  # two cases in the other district: a small cell
        sampled = factories.sampled_case(
            violence_case(other_district), of=reviewed, reviewers=(reviewer,)
        )
        _review(sampled, reviewer, **{"risk-assessment": "yes"})
    result = _item(results.programme_results(reviewed), "risk-assessment")
    assert result.has_suppressed
    rows = dict(result.rows)
    table = suppression.suppress([[7, 5], [2, 0]])  # districts by name: Bromma, Farsta
    names = [name for name, _shares in result.rows[:-1]]
    for n, name in enumerate(names):
        for m, share in enumerate(rows[name]):
            assert share.count == table.cells[n][m].value
            if share.count is None or share.total is None:
                assert share.share is None and share.low is None  # nothing leaks
    assert [s.count for s in rows["Totalt"]] == [e.value for e in table.column_totals]


def test_agreement_is_cohens_kappa_on_the_cases_with_two_reviewers(reviewed):
    result = _item(results.programme_results(reviewed), "risk-assessment")
    pairs = [("yes", "no")] + [("yes", "yes")] * 6 + [("no", "no")] * 4 + [("no", "yes")]
    expected = agreement.cohen(pairs, ["yes", "no", "na"])
    assert result.kappa.method == agreement.COHEN
    assert result.kappa.n == 12
    assert result.kappa.kappa == pytest.approx(expected.kappa)


def test_full_agreement_gives_an_interval_without_width_and_the_page_says_what_it_means(
    admin, reviewer, second_reviewer, own_district, client
):
    from conftest import sign_in

    programme = factories.programme(created_by=admin, districts=[own_district])
    for n in range(10):
        sampled = factories.sampled_case(
            violence_case(own_district), of=programme, reviewers=(reviewer, second_reviewer)
        )
        answer = "yes" if n < 6 else "no"
        _review(sampled, reviewer, **{"risk-assessment": answer})
        _review(sampled, second_reviewer, **{"risk-assessment": answer})
    kappa = _item(results.programme_results(programme), "risk-assessment").kappa
    assert (kappa.kappa, kappa.low, kappa.high) == (1.0, 1.0, 1.0)
    sign_in(client, admin)
    page = client.get(reverse("audits:results", args=[programme.pk])).content.decode()
    assert "Intervallet har då ingen bredd" in page


def test_disagreements_with_the_record_are_counted(reviewed):
    result = _item(results.programme_results(reviewed), "risk-assessment")
    # 12 answers: the record says yes only for the first case (which the reviewer also said
    # yes to); every other "yes" (6) disagrees with the record's "no"; the "no"s agree.
    assert result.record_compared == 12
    assert result.record_disagreements == 6


def test_two_programmes_are_compared_item_by_item(reviewed, admin, reviewer, own_district):
    later = factories.programme(created_by=admin, districts=[own_district], name="2027")
    for n in range(10):  # 5 yes, 5 no
        sampled = factories.sampled_case(
            violence_case(own_district), of=later, reviewers=(reviewer,)
        )
        _review(sampled, reviewer, **{"risk-assessment": "yes" if n < 5 else "no"})
    rows = {r.item_text: r for r in results.compare(reviewed, later)}
    row = rows["Gjordes en riskbedömning?"]
    expected = significance.compare_shares([[7, 5], [5, 5]])
    assert row.comparison.p_value == pytest.approx(expected.p_value)
    assert row.comparison.test == expected.test
    assert row.comparison.mark() == expected.mark()


def test_a_question_reworded_in_a_new_edition_is_shown_with_both_wordings(
    reviewed, admin, reviewer, own_district, client
):
    from conftest import sign_in
    from rodtrad.audits import services

    services.new_checklist_edition(
        by=admin,
        checklist=factories.checklist(),
        edition="2027",
        texts={"risk-assessment": "Gjordes en strukturerad riskbedömning av våldet?"},
    )
    later = factories.programme(created_by=admin, districts=[own_district], name="2027")
    for n in range(6):
        sampled = factories.sampled_case(
            violence_case(own_district), of=later, reviewers=(reviewer,)
        )
        _review(sampled, reviewer, **{"risk-assessment": "yes" if n < 3 else "no"})
    rows = {r.item_key: r for r in results.compare(reviewed, later)}
    assert rows["risk-assessment"].item_text == "Gjordes en riskbedömning?"
    assert rows["risk-assessment"].second_text == "Gjordes en strukturerad riskbedömning av våldet?"
    unchanged = [r for key, r in rows.items() if key != "risk-assessment"]
    assert unchanged and all(r.second_text == "" for r in unchanged)
    sign_in(client, admin)
    page = client.get(reverse("audits:compare"), {"first": reviewed.pk, "second": later.pk})
    assert "Frågan är omformulerad" in page.content.decode()
    assert rows["risk-assessment"].shown_text() == (
        "Gjordes en riskbedömning? (i den andra granskningen: "
        "”Gjordes en strukturerad riskbedömning av våldet?”)"
    )


def test_three_reviewers_give_fleiss_kappa_and_a_scale_gives_weighted_kappa(
    admin, reviewer, second_reviewer, own_district
):
    from conftest import _user_with
    from rodtrad.accounts.models import Role

    third = _user_with(Role.REVIEWER, own_district, None, "reviewer3")
    programme = factories.programme(
        created_by=admin, districts=[own_district], key="bbic-case-file-study"
    )
    levels = ["higher", "some", "low", "missing"]
    ratings = []
    for n in range(8):
        sampled = factories.sampled_case(
            violence_case(own_district), of=programme, reviewers=(reviewer, second_reviewer, third)
        )
        answers = [
            levels[n % 4],
            levels[n % 4],
            levels[(n + 1) % 4] if n % 3 == 0 else levels[n % 4],
        ]
        for user, level in zip((reviewer, second_reviewer, third), answers, strict=True):
            _review(sampled, user, **{"analysis-quality": level, "form-investigation": "yes"})
        ratings.append(answers)
    analysis = _item(results.programme_results(programme), "analysis-quality")
    assert analysis.kappa.method == agreement.FLEISS and analysis.kappa.raters == 3
    assert analysis.kappa.kappa == pytest.approx(agreement.fleiss(ratings, levels).kappa)
    assert [label for _value, label in analysis.categories] == [
        "I högre grad",
        "I viss grad",
        "I låg grad",
        "Analys saknas",
    ]
    # Every answer "yes": no variation, so no kappa, and the page says why.
    form_item = _item(results.programme_results(programme), "form-investigation")
    assert form_item.kappa.kappa is None and form_item.kappa.undefined == agreement.NO_VARIATION
