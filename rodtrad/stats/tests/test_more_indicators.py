"""The indicators of issue 10 point 2 beyond the first three, each on a small hand-built world
with exact expected numbers (threshold 1), and what suppression leaves at 5
(docs/statistics.md). The clock stands at 2026-06-10 (conftest.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rodtrad.accounts.tests.factories import UserFactory
from rodtrad.commissions.tests.factories import CommissionFactory
from rodtrad.decisions.tests.factories import DecisionFactory, InterventionFactory
from rodtrad.followup.models import FollowUp
from rodtrad.followup.tests.factories import MeasurementFactory, satisfaction_instrument
from rodtrad.intake.tests.factories import PreAssessmentFactory, ReportChildFactory
from rodtrad.investigation.tests.factories import (
    AnalysisFactory,
    AreaAssessmentFactory,
    ContactFactory,
    ExtensionDecisionFactory,
    InvestigationFactory,
    InvestigationPlanFactory,
    RiskAssessmentFactory,
)
from rodtrad.people.tests.factories import PersonFactory
from rodtrad.stats.indicators import (
    DASHBOARD_INDICATORS,
    AreaCoverage,
    Caseload,
    Cell,
    CommissionsByProblem,
    DecisionsNotCarriedOut,
    DocumentUse,
    FollowUpCoverage,
    InvestigationDurationsDashboard,
    OutcomesByIntervention,
    Placements,
    PublishedTable,
    ReportBreakdown,
    RiskAssessmentsInViolenceCases,
)

S = Cell(None, suppressed=True)


def values(table: PublishedTable) -> dict[str, tuple[int | Decimal | None, ...]]:
    return {label: tuple(c.value for c in cells) for label, cells in table.rows}


NOT_COUNTS = {
    "mean_days",
    "median_days",
    "investigators",  # staff, not children
    "mean_per_investigator",
    "gas_t_score_mean",
    "satisfaction_mean",
}


def no_small_count(table: PublishedTable, threshold: int = 5) -> bool:
    """No count of children from 1 to threshold − 1 is shown."""
    shown = [
        int(cell.value)
        for _label, cells in table.rows
        for column, cell in zip(table.columns, cells, strict=True)
        if not column.is_share and column.key not in NOT_COUNTS and cell.value is not None
    ]
    return all(not 0 < n < threshold for n in shown)


@pytest.fixture
def both(own_district, other_district):
    return [other_district, own_district]


# --- Reports by group --------------------------------------------------------------------


@pytest.fixture
def reports(own_district):
    """Bromma, 2026: girls born 2015-03-01 (opened), 2014-01-01, 2013-12-31 (reason A, from a
    school); boys born 2010-05-05 twice (one opened; A and J, from the police) and
    2008-01-01 (J, unknown reporter). Ages on 31 December 2026: 11, 12, 13, 16, 16, 18."""

    def report(sex, born, reasons, reporter, opened=False):
        child = ReportChildFactory(
            case__child__district=own_district,
            case__child__legal_sex=sex,
            case__child__birth_date=born,
            report__reasons=reasons,
            report__reporter_category=reporter,
        )
        if opened:
            PreAssessmentFactory(case=child.case, signed=True)

    report("female", date(2015, 3, 1), ["A"], "skola", opened=True)
    report("female", date(2014, 1, 1), ["A"], "skola")
    report("female", date(2013, 12, 31), ["A"], "skola")
    report("male", date(2010, 5, 5), ["A", "J"], "polis", opened=True)
    report("male", date(2010, 5, 5), ["A", "J"], "polis")
    report("male", date(2008, 1, 1), ["J"], "")
    return own_district


@pytest.mark.parametrize(
    ("breakdown", "expected"),
    [
        (
            "sex",
            {
                "Flickor": (3, 1, Decimal(33)),
                "Pojkar": (3, 1, Decimal(33)),
                "Totalt": (6, 2, Decimal(33)),
            },
        ),
        (
            "age_band",
            {
                "0–12": (2, 1, Decimal(50)),
                "13–17": (3, 1, Decimal(33)),
                "18–20": (1, 0, Decimal(0)),
                "Totalt": (6, 2, Decimal(33)),
            },
        ),
        (
            "age_band_seeds",
            {
                "0–12": (2, 1, Decimal(50)),
                "13–20": (4, 1, Decimal(25)),
                "Totalt": (6, 2, Decimal(33)),
            },
        ),
        (
            # A report with two reasons counts in both rows: the total counts pairs.
            "reason",
            {
                "A Fysisk ohälsa": (5, 2, Decimal(40)),
                "J Barn som utsätts för våld": (3, 1, Decimal(33)),
                "Totalt": (8, 3, Decimal(38)),
            },
        ),
        (
            "reporter_category",
            {
                "Polis": (2, 1, Decimal(50)),
                "Skola": (3, 1, Decimal(33)),
                "Okänd anmälare": (1, 0, Decimal(0)),
                "Totalt": (6, 2, Decimal(33)),
            },
        ),
    ],
)
def test_reports_by_group(reports, breakdown, expected):
    table = ReportBreakdown(breakdown).publish(2026, [reports], threshold=1)
    got = values(table)
    if breakdown == "reason":  # the labels come from the code list
        got = {label.split(" ")[0]: row for label, row in got.items()}
        expected = {label.split(" ")[0]: row for label, row in expected.items()}
    assert got == expected
    assert table.row_key == breakdown
    assert [bar.label for bar in table.bars] == [label for label, _cells in table.rows][:-1]


def test_reports_by_group_suppressed(reports):
    table = ReportBreakdown("sex").publish(2026, [reports], threshold=5)
    # [[1, 2], [1, 2]]: every cell and row total small; the grand total 6 stays on a cycle.
    assert dict(table.rows) == {
        "Flickor": (S, S, S),
        "Pojkar": (S, S, S),
        "Totalt": (Cell(6), S, S),
    }
    assert ReportBreakdown("nonsense").breakdown == "sex"


# --- Investigation durations ---------------------------------------------------------------


@pytest.fixture
def durations(own_district, other_district):
    """Bromma: opened 2026-01-05 (four months: 2026-05-05), closed after 30, 130 (extended)
    and 147 days; Farsta: one closed after 10 days."""
    opened = date(2026, 1, 5)
    InvestigationFactory(
        case__child__district=own_district, opened_on=opened, closed_on=date(2026, 2, 4)
    )
    late = InvestigationFactory(
        case__child__district=own_district, opened_on=opened, closed_on=date(2026, 5, 15)
    )
    ExtensionDecisionFactory(investigation=late)
    InvestigationFactory(
        case__child__district=own_district, opened_on=opened, closed_on=date(2026, 6, 1)
    )
    InvestigationFactory(
        case__child__district=other_district,
        opened_on=date(2026, 3, 1),
        closed_on=date(2026, 3, 11),
    )


def test_durations_on_the_dashboard(durations, both):
    table = InvestigationDurationsDashboard().publish(2026, both, threshold=1)
    assert values(table) == {
        # 307 / 3 = 102.3; over the deadline 2 of 3, one of them without an extension.
        "Bromma": (3, Decimal("102.3"), Decimal(130), 2, Decimal(67), 1, Decimal(33)),
        "Farsta": (1, Decimal(10), Decimal(10), 0, Decimal(0), 0, Decimal(0)),
        # 317 / 4 = 79.25 → 79.3; median (30 + 130) / 2.
        "Totalt": (4, Decimal("79.3"), Decimal(80), 2, Decimal(50), 1, Decimal(25)),
    }
    suppressed = dict(InvestigationDurationsDashboard().publish(2026, both, threshold=5).rows)
    assert suppressed["Farsta"][:3] == (S, S, S)  # 1 closed: no mean of one investigation
    assert no_small_count(InvestigationDurationsDashboard().publish(2026, both, threshold=5))


# --- Placements --------------------------------------------------------------------------


def test_placements_ongoing_and_new(own_district, both):
    def placement(decided, started, ended=None, kind="placement"):
        return InterventionFactory(
            decision__kind=kind,
            decision__decided_on=decided,
            decision__case__child__district=own_district,
            started_on=started,
            ended_on=ended,
        )

    placement(date(2025, 3, 1), date(2025, 3, 1))  # ongoing, decided last year
    placement(date(2026, 2, 1), date(2026, 2, 10))  # new and ongoing
    placement(date(2026, 3, 1), date(2026, 3, 5), date(2026, 5, 1))  # new, ended
    placement(date(2026, 3, 1), date(2026, 3, 5), kind="granted")  # not a placement
    table = Placements().publish(2026, both, threshold=1)
    assert values(table) == {"Bromma": (2, 2), "Farsta": (0, 0), "Totalt": (2, 2)}
    assert values(Placements().publish(2026, both, threshold=5))["Bromma"] == (None, None)
    # On 31 December 2025 only the first was going on (the year has ended).
    assert values(Placements().publish(2025, both, threshold=1))["Bromma"] == (1, 1)


# --- Caseload ------------------------------------------------------------------------------


def test_caseload_per_month(own_district):
    first, second = UserFactory(), UserFactory()

    def investigation(responsible, opened, closed=None):
        InvestigationFactory(
            case__child__district=own_district,
            case__responsible=responsible,
            opened_on=opened,
            closed_on=closed,
        )

    investigation(first, date(2026, 1, 10))
    investigation(first, date(2026, 2, 1), date(2026, 3, 31))  # closed on the last day
    investigation(second, date(2026, 3, 15))
    investigation(None, date(2025, 12, 1))  # nobody responsible
    investigation(first, date(2025, 1, 1), date(2025, 12, 31))  # closed before the year
    table = Caseload().publish(2026, [own_district], threshold=1)
    one, two = Decimal("1.0"), Decimal("2.0")
    # Months up to today (June: on 10 June): open with an investigator, without, investigators.
    assert values(table) == {
        "2026-01": (1, 1, 1, one),
        "2026-02": (2, 1, 1, two),
        "2026-03": (2, 1, 2, one),
        "2026-04": (2, 1, 2, one),
        "2026-05": (2, 1, 2, one),
        "2026-06": (2, 1, 2, one),
    }
    suppressed = dict(Caseload().publish(2026, [own_district], threshold=5).rows)
    assert suppressed["2026-02"] == (S, S, Cell(1), S)
    assert len(Caseload().publish(2025, [own_district], threshold=1).rows) == 12


# --- Risk assessments in violence cases ----------------------------------------------------


def test_risk_assessments_in_violence_cases(own_district):
    def closed(violence):
        investigation = InvestigationFactory(
            case__child__district=own_district,
            opened_on=date(2026, 1, 5),
            closed_on=date(2026, 4, 1),
        )
        if violence:
            ReportChildFactory(case=investigation.case, report__reasons=["J"])
        return investigation

    RiskAssessmentFactory(
        investigation=closed(True), signed=True, assessed=True, instrument_code="freda"
    )
    RiskAssessmentFactory(investigation=closed(True), signed=True, assessed=True)
    RiskAssessmentFactory(investigation=closed(True))  # a draft only
    RiskAssessmentFactory(investigation=closed(False), signed=True, assessed=True)  # no violence
    table = RiskAssessmentsInViolenceCases().publish(2026, [own_district], threshold=1)
    assert values(table) == {
        "Bromma": (3, 2, Decimal(67), 1, Decimal(33)),
        "Totalt": (3, 2, Decimal(67), 1, Decimal(33)),
    }
    assert no_small_count(RiskAssessmentsInViolenceCases().publish(2026, [own_district]))


# --- Follow-up coverage --------------------------------------------------------------------


def test_follow_up_coverage(own_district):
    def ended(on, **kwargs):
        return InterventionFactory(
            decision__case__child__district=own_district,
            started_on=date(2026, 1, 10),
            ended_on=on,
            **kwargs,
        )

    followed = ended(date(2026, 4, 1))
    commission = CommissionFactory(intervention=followed, sent=True)
    FollowUp.objects.create(
        commission=commission,
        case=followed.case,
        held_on=date(2026, 3, 1),
        outcome="end",
        recorded_by=UserFactory(),
    )
    MeasurementFactory(intervention=followed)
    MeasurementFactory(intervention=ended(date(2026, 4, 1)))
    ended(date(2026, 5, 1))
    ended(date(2026, 5, 1), end_reason="never_started")
    ended(date(2025, 12, 1))
    table = FollowUpCoverage().publish(2026, [own_district], threshold=1)
    assert values(table)["Bromma"] == (3, 1, Decimal(33), 2, Decimal(67))
    assert values(FollowUpCoverage().publish(2026, [own_district]))["Bromma"] == (
        None,
        None,
        None,
        None,
        None,
    )


# --- Commissions by problem and age ---------------------------------------------------------


def test_commissions_by_problem_and_age_band(own_district):
    def commission(problems, born, **kwargs):
        return CommissionFactory(
            intervention__problem_codes=problems,
            intervention__decision__case__child__district=own_district,
            intervention__decision__case__child__birth_date=born,
            **kwargs,
        )

    first = commission(["skola", "beteende"], date(2015, 1, 1), sent=True)
    commission(["skola"], date(2010, 1, 1), sent=True)
    commission([], date(2008, 1, 1), sent=True)
    commission(["skola"], date(2010, 1, 1))  # a draft, never sent
    CommissionFactory(intervention=first.intervention, replaces=first, sent=True)  # a new version
    table = CommissionsByProblem().publish(2026, [own_district], threshold=1)
    assert [c.key for c in table.columns] == ["0–12", "13–17", "18–20", "total"]
    assert values(table) == {
        "Skola": (1, 1, 0, 2),
        "Beteende": (1, 0, 0, 1),
        "Utan problemområde": (0, 0, 1, 1),
        "Totalt": (2, 1, 1, 4),  # commission–problem pairs
    }
    assert no_small_count(CommissionsByProblem().publish(2026, [own_district]))


# --- Outcomes by intervention ---------------------------------------------------------------


def test_outcomes_by_intervention(own_district):
    def ended(code):
        return InterventionFactory(
            catalogue_code=code,
            decision__case__child__district=own_district,
            decision__case__child__birth_date=date(2012, 1, 1),  # 14 at the first session
            started_on=date(2026, 1, 10),
            ended_on=date(2026, 5, 1),
        )

    def series(intervention, first, last, **kwargs):
        for session, total in ((1, first), (2, last)):
            MeasurementFactory(
                intervention=intervention,
                session_number=session,
                total=Decimal(total),
                administered_on=date(2026, 1, 10 + session),
                **kwargs,
            )

    def follow_up(intervention, held_on, score):
        FollowUp.objects.create(
            commission=CommissionFactory(intervention=intervention, sent=True),
            case=intervention.case,
            held_on=held_on,
            outcome="continue",
            gas_t_score=score,
            recorded_by=UserFactory(),
        )

    def satisfied(intervention, mean, session=1):
        MeasurementFactory(
            intervention=intervention,
            session_number=session,
            instrument=satisfaction_instrument(),
            total=None,
            item_scores={},
            satisfaction_mean=mean,
        )

    one, two = ended("familjebehandling"), ended("familjebehandling")
    ended("kontaktperson")
    series(one, 20, 27)  # +7 ≥ 6 (13–17 band), still under 28: reliably improved
    series(one, 20, 22, rater_role="guardian", rater=PersonFactory())  # no reliable change
    series(two, 30, 20)  # deteriorated
    series(two, 10, 20, rater_role="provider", rater=None)  # the provider's: improved
    follow_up(one, date(2026, 2, 1), 55.0)
    follow_up(one, date(2026, 4, 1), 60.0)  # the last one counts
    follow_up(two, date(2026, 4, 1), 40.0)
    satisfied(one, 8.0)
    satisfied(two, 6.0)
    satisfied(two, 9.0, session=2)  # (8 + 6 + 9) / 3 = 7.67 over 2 interventions
    table = OutcomesByIntervention().publish(2026, [own_district], threshold=1)
    assert values(table) == {
        "Familjebehandling": (2, 4, 2, Decimal(50), Decimal("50.0"), Decimal("7.7")),
        "Kontaktperson": (1, 0, 0, None, None, None),
        "Totalt": (3, 4, 2, Decimal(50), Decimal("50.0"), Decimal("7.7")),
    }
    suppressed = dict(OutcomesByIntervention().publish(2026, [own_district], threshold=5).rows)
    assert suppressed["Familjebehandling"][4:] == (S, S)  # means of 2 values are hidden


# --- Decisions not carried out --------------------------------------------------------------


def test_decisions_not_carried_out(own_district):
    def granted(decided, started=None):
        InterventionFactory(
            decision__decided_on=decided,
            decision__case__child__district=own_district,
            started_on=started,
        )

    granted(date(2026, 1, 12), date(2026, 2, 1))  # in time
    granted(date(2026, 1, 12), date(2026, 5, 1))  # three months ended 2026-04-12
    granted(date(2026, 2, 2))  # not started, three months past
    granted(date(2026, 5, 4))  # not started, time left until August
    DecisionFactory(
        kind="refused", decided_on=date(2026, 1, 12), case__child__district=own_district
    )
    table = DecisionsNotCarriedOut().publish(2026, [own_district], threshold=1)
    assert values(table)["Bromma"] == (4, 2, Decimal(50), 1, 1)
    assert values(DecisionsNotCarriedOut().publish(2026, [own_district]))["Bromma"] == (
        None,
        None,
        None,
        None,
        None,
    )


# --- Document use and BBIC areas ------------------------------------------------------------


@pytest.fixture
def documented(own_district):
    def closed():
        return InvestigationFactory(
            case__child__district=own_district,
            opened_on=date(2026, 1, 5),
            closed_on=date(2026, 4, 1),
        )

    full, partial = closed(), closed()
    closed()
    InvestigationPlanFactory(investigation=full, signed=True)
    AreaAssessmentFactory(investigation=full, area="halsa", signed=True)
    AreaAssessmentFactory(investigation=full, area="utbildning", signed=True)
    AnalysisFactory(investigation=full, signed=True)
    ContactFactory(investigation=full)
    InvestigationPlanFactory(investigation=partial)  # a draft
    AreaAssessmentFactory(investigation=partial, area="halsa", signed=True)
    still_open = InvestigationFactory(
        case__child__district=own_district, opened_on=date(2026, 1, 5)
    )
    AreaAssessmentFactory(investigation=still_open, area="halsa", signed=True)
    return own_district


def test_document_use(documented):
    table = DocumentUse().publish(2026, [documented], threshold=1)
    assert values(table) == {
        "Utredningsplan": (1, Decimal(33)),
        "Bedömning av område": (2, Decimal(67)),
        "Riskbedömning": (0, Decimal(0)),
        "Analys och bedömning": (1, Decimal(33)),
        "Samtal med barnet": (1, Decimal(33)),
        "Avslutade utredningar": (3, Decimal(100)),
    }
    assert all(
        v == (None, None) or v[0] == 0
        for v in values(DocumentUse().publish(2026, [documented])).values()
    )


def test_bbic_area_coverage(documented):
    table = AreaCoverage().publish(2026, [documented], threshold=1)
    assert values(table) == {
        "Hälsa": (2, Decimal(67)),
        "Utbildning": (1, Decimal(33)),
        "Avslutade utredningar": (3, Decimal(100)),
    }
    assert [bar.label for bar in table.bars] == ["Hälsa", "Utbildning"]
    assert AreaCoverage().publish(2025, [documented]).rows == ()


# --- Queries independent of the data ---------------------------------------------------------


def _queries(both) -> dict[str, int]:
    counts = {}
    for code, indicator in DASHBOARD_INDICATORS.items():
        with CaptureQueriesContext(connection) as queries:
            indicator().publish(2026, both, threshold=1)
        counts[code] = len(queries)
    return counts


def test_the_number_of_queries_does_not_grow_with_the_data(dashboard_world, both):
    before = _queries(both)
    # The same world once more (a second set of reports, investigations and interventions).
    from rodtrad.stats.tests import conftest

    conftest.dashboard_world.__wrapped__(*both[::-1])
    assert _queries(both) == before


@pytest.mark.parametrize("code", list(DASHBOARD_INDICATORS))
def test_no_indicator_shows_a_small_count(dashboard_world, both, code):
    table = DASHBOARD_INDICATORS[code]().publish(2026, both, threshold=5)
    assert no_small_count(table)
    assert all(
        cell.value is None for _label, cells in table.rows for cell in cells if cell.suppressed
    )
