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

from rodtrad.cases.models import Case, CaseStatus
from rodtrad.demo import generator
from rodtrad.demo.scale import GENERATED_ACTION
from rodtrad.demo.users import DEMO_USERS
from rodtrad.intake.models import Decision, PreAssessment, ProtectionAssessment, ReportChild
from rodtrad.journal.models import AccessEvent, JournalEntry
from rodtrad.people.identity import parse_identity_number
from rodtrad.people.models import Person, PersonNameWord
from rodtrad.people.search import name_words

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
        if case.status == CaseStatus.CLOSED:
            assert assessed is not None and pre is not None and pre.is_signed
            assert pre.decision == Decision.NOT_OPEN and pre.content_hash
            assert report_child.report.receipt_date <= pre.decided_on
            assert case.closed_at is not None and case.closed_at >= report_child.report.received_at
        elif case.status == CaseStatus.PRE_ASSESSMENT:
            assert assessed is not None and pre is not None and not pre.is_signed
        else:
            assert case.status == CaseStatus.INTAKE
            assert assessed is None and pre is None
        assert pre is None or pre.received_on == report_child.report.receipt_date


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
