"""`rodtrad generate --reports N` adds consistent history to the demo (issue 7, point 7).

The benchmark of the worklists at city scale (bench/pages.py, docs/performance.md) is only
worth something if the generated rows look like the services' own: statuses that agree with
the documents, fictitious but valid numbers, nobody reported before birth, open work only
where the demo users do not work, and a journal that still verifies.
"""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from rodtrad.cases.models import Case, CaseStatus
from rodtrad.commissions.models import Commission
from rodtrad.decisions.models import GRANTING_KINDS, DecisionKind, Intervention
from rodtrad.decisions.models import Decision as CaseDecision
from rodtrad.demo import generator
from rodtrad.demo.scale import GENERATED_ACTION
from rodtrad.demo.users import DEMO_USERS
from rodtrad.followup.models import FollowUp, Measurement
from rodtrad.intake.models import Decision, PreAssessment, ProtectionAssessment, ReportChild
from rodtrad.investigation.models import (
    Analysis,
    AreaAssessment,
    Contact,
    ExtensionDecision,
    Investigation,
    InvestigationPlan,
    RiskAssessment,
)
from rodtrad.journal.models import AccessEvent, JournalEntry
from rodtrad.people.identity import parse_identity_number
from rodtrad.people.models import Person, PersonNameWord
from rodtrad.people.search import name_words
from rodtrad.placements.models import PlacementReview
from rodtrad.stats.indicators import ReportsAndInvestigations
from rodtrad.stats.models import Population

MOMENT = datetime(2026, 12, 2, 9, 30, tzinfo=ZoneInfo("Europe/Stockholm"))
DEMO_DISTRICTS = {user.district for user in DEMO_USERS if user.district and user.unit_kind}


@pytest.fixture
def demo_with_history(tmp_path):
    with (
        override_settings(
            RODTRAD_CHECKPOINT_DIR=tmp_path / "checkpoints",
            RODTRAD_CHECKPOINT_KEY_FILE=tmp_path / "keys" / "checkpoint.key",
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
        time_machine.travel(MOMENT, tick=True),
    ):
        # The demo's organisation and users (its own history is not needed here).
        districts, units = generator._organisation()
        generator._users(districts, units)
        before = {
            "cases": set(Case.objects.values_list("pk", flat=True)),
            "open_in_demo_districts": set(
                Case.objects.exclude(status=CaseStatus.CLOSED)
                .filter(district__code__in=DEMO_DISTRICTS)
                .values_list("pk", flat=True)
            ),
        }
        out = StringIO()
        call_command("generate", "--reports", "400", "--seed", "3", stdout=out)
        yield before, out.getvalue()


@pytest.mark.django_db
def test_generate_adds_the_reports_and_says_so(demo_with_history) -> None:
    before, output = demo_with_history
    new_cases = Case.objects.exclude(pk__in=before["cases"])
    assert new_cases.count() == 400
    assert "400 aktualiseringar" in output
    assert JournalEntry.objects.filter(action=GENERATED_ACTION).count() == 400


@pytest.mark.django_db
def test_closed_history_in_every_district_and_open_work_only_outside_the_demo_users(
    demo_with_history,
) -> None:
    before, _output = demo_with_history
    new_cases = Case.objects.exclude(pk__in=before["cases"])
    districts_with_closed = set(
        new_cases.filter(status=CaseStatus.CLOSED).values_list("district__code", flat=True)
    )
    assert districts_with_closed >= DEMO_DISTRICTS
    assert len(districts_with_closed) == 14
    open_in_demo = set(
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .filter(district__code__in=DEMO_DISTRICTS)
        .values_list("pk", flat=True)
    )
    assert open_in_demo == before["open_in_demo_districts"]


@pytest.mark.django_db
def test_every_status_agrees_with_the_documents(demo_with_history) -> None:
    before, _output = demo_with_history
    for case in Case.objects.exclude(pk__in=before["cases"]):
        [report_child] = ReportChild.objects.filter(case=case).select_related("report")
        assessed = ProtectionAssessment.objects.filter(report_child=report_child).first()
        pre = PreAssessment.objects.filter(case=case, corrects__isnull=True).first()
        investigation = Investigation.objects.filter(case=case).first()
        if case.status == CaseStatus.CLOSED:
            assert assessed is not None and pre is not None and pre.is_signed
            assert pre.content_hash
            assert report_child.report.receipt_date <= pre.decided_on
            assert case.closed_at is not None and case.closed_at >= report_child.report.received_at
            if pre.decision == Decision.NOT_OPEN:
                assert investigation is None
            else:
                assert pre.decision == Decision.OPEN
                assert investigation is not None and investigation.closed_on is not None
                assert investigation.closed_on <= timezone.localtime(case.closed_at).date()
                assert not Intervention.objects.filter(case=case, ended_on__isnull=True).exists()
        elif case.status == CaseStatus.PRE_ASSESSMENT:
            assert assessed is not None and pre is not None and not pre.is_signed
        elif case.status == CaseStatus.INTAKE:
            assert assessed is None and pre is None
        else:
            # A red thread still going: only where no demo user works.
            assert case.district.code not in DEMO_DISTRICTS
            assert pre is not None and pre.decision == Decision.OPEN and investigation is not None
            assert case.closed_at is None
            assert (case.status == CaseStatus.INVESTIGATION) == (investigation.closed_on is None)
            open_interventions = Intervention.objects.filter(case=case, ended_on__isnull=True)
            assert (case.status == CaseStatus.INTERVENTION) == open_interventions.exists()
        assert pre is None or pre.received_on == report_child.report.receipt_date


@pytest.mark.django_db
def test_the_red_thread_is_filled_in_proportion(demo_with_history) -> None:
    """About half of the reports open an investigation; six in ten of the closed ones end
    with a proposal and most of those with a granted intervention, its commission, ratings
    and follow-ups; placements get reviews (rodtrad/demo/scale_thread.py)."""
    before, _output = demo_with_history
    new_cases = Case.objects.exclude(pk__in=before["cases"])
    investigations = Investigation.objects.filter(case__in=new_cases)
    assert 0.4 <= investigations.count() / new_cases.count() <= 0.6
    closed = investigations.filter(closed_on__isnull=False)
    proposals = closed.filter(outcome="proposal")
    assert 0.3 <= proposals.count() / closed.count() <= 0.75
    granted = CaseDecision.objects.filter(case__in=new_cases, kind__in=list(GRANTING_KINDS))
    assert granted.count() >= proposals.count() * 0.7
    assert Intervention.objects.filter(case__in=new_cases).count() == granted.count()
    assert Commission.objects.filter(case__in=new_cases).count() == granted.count()
    assert granted.filter(kind=DecisionKind.PLACEMENT).exists()
    assert PlacementReview.objects.filter(case__in=new_cases).exists()
    assert Measurement.objects.filter(intervention__case__in=new_cases).count() > granted.count()
    assert FollowUp.objects.filter(case__in=new_cases, gas_t_score__isnull=False).exists()
    assert Contact.objects.filter(investigation__in=investigations).count() >= 0.5 * (
        investigations.count()
    )
    assert RiskAssessment.objects.filter(investigation__in=investigations).exists()
    assert ExtensionDecision.objects.filter(investigation__in=investigations).exists()
    late = [i for i in closed if i.is_closed_late]
    assert late and len(late) < closed.count() / 2
    durations = [(i.closed_on - i.opened_on).days for i in closed if i.closed_on]
    assert 95 <= sum(durations) / len(durations) <= 155


@pytest.mark.django_db
def test_the_red_thread_dates_are_in_order(demo_with_history) -> None:
    before, _output = demo_with_history
    for inv in Investigation.objects.exclude(case_id__in=before["cases"]).select_related("case"):
        pre = PreAssessment.objects.get(case=inv.case, corrects__isnull=True)
        assert pre.decided_on == inv.opened_on
        for model in (InvestigationPlan, AreaAssessment, RiskAssessment, Analysis):
            for doc in model.objects.filter(investigation=inv):
                assert doc.is_signed and doc.content_hash
                assert inv.opened_on <= doc.event_on
                assert inv.closed_on is None or doc.event_on <= inv.closed_on
        for extension in inv.extensions.all():
            assert extension.decided_on <= extension.previous_due < extension.extended_to
        for decision in CaseDecision.objects.filter(investigation=inv):
            assert inv.closed_on is not None and inv.closed_on < decision.decided_on
            intervention = decision.intervention
            assert intervention.planned_start > decision.decided_on
            if intervention.started_on is not None:
                assert decision.decided_on < intervention.started_on
                assert intervention.ended_on is None or (
                    intervention.started_on < intervention.ended_on
                )
            days = Measurement.objects.filter(intervention=intervention).values_list(
                "administered_on", flat=True
            )
            for day in days:
                assert intervention.started_on is not None and intervention.started_on <= day
                assert intervention.ended_on is None or day <= intervention.ended_on
            for commission in intervention.commissions.all():
                if commission.sent_at is None:  # decided in the last few days
                    assert commission.status == "draft" and not commission.follow_ups.exists()
                    continue
                sent_on = timezone.localtime(commission.sent_at).date()
                assert decision.decided_on <= sent_on
                for follow_up in commission.follow_ups.all():
                    assert sent_on < follow_up.held_on
            for review in intervention.placement_reviews.all():
                assert intervention.started_on is not None
                assert intervention.started_on < review.held_on


@pytest.mark.django_db
def test_every_district_has_population_for_every_year_of_history(demo_with_history) -> None:
    districts = set(Case.objects.values_list("district", flat=True))
    first = Investigation.objects.order_by("opened_on").values_list("opened_on", flat=True)[0]
    for year in range(first.year, MOMENT.year + 1):
        counted = Population.objects.filter(year=year, district__in=districts)
        assert counted.count() == 42 * len(districts)
    table = ReportsAndInvestigations().compute(MOMENT.year - 1)
    total = table.rows[-1]
    assert total[0] == "Totalt" and total[1] > 0 and total[3] > 0
    # Per 100 of the population (at least 10 children a cell: a low rate at 400 reports).
    assert total[2] is not None and 0 < total[2] <= 10


@pytest.mark.django_db
def test_persons_have_valid_unique_numbers_and_were_born_before_their_reports(
    demo_with_history,
) -> None:
    before, _output = demo_with_history
    numbers = list(Person.objects.values_list("identity_number", flat=True))
    assert len(numbers) == len(set(numbers))
    for number in numbers:
        parse_identity_number(number)  # raises on a wrong check digit
    for report_child in ReportChild.objects.exclude(case_id__in=before["cases"]).select_related(
        "child", "report"
    ):
        assert report_child.child.birth_date < report_child.report.receipt_date
        assert report_child.child.name_key  # found by name search like any other person
        child = report_child.child
        words = set(PersonNameWord.objects.filter(person=child).values_list("word", flat=True))
        assert words == set(name_words(child.given_name, child.family_name))


@pytest.mark.django_db
def test_the_journal_verifies_after_generating(demo_with_history, tmp_path) -> None:
    out = StringIO()
    with override_settings(
        RODTRAD_CHECKPOINT_DIR=tmp_path / "checkpoints",
        RODTRAD_CHECKPOINT_KEY_FILE=tmp_path / "keys" / "checkpoint.key",
    ):
        call_command("verify_journal", "--require-checkpoint", stdout=out, stderr=StringIO())
    journal_line, access_line = out.getvalue().splitlines()
    assert "den signerade kontrollpunkten vid post #" in journal_line
    assert access_line.startswith("Åtkomsthändelserna är intakta")
    assert AccessEvent.objects.filter(is_emergency=True, emergency_access_id__isnull=False).exists()
