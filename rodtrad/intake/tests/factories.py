"""Factories for reports, protection assessments and pre-assessments.

Rows only: no journal entry, no case opened, no clock started (docs/howto/team-conventions.md,
"Test data"). A test about what registration guarantees uses `ReportFactory.registered(...)`,
which calls `intake.services.register_report` with the same plausible defaults.

    ReportChildFactory(case=case, report__received_at=at(2026, 6, 5, 14))
        a report about the case's child, received at a given moment
    ReportFactory(protected_reporter=True)              the reporter's identity is protected
    ReportFactory(reasons=["A", "J"])                   with these reason codes
    ReportFactory.registered(worker, bromma, [child])   through the service (journal, case)
    PreAssessmentFactory(case=case, signed=True)        a signed decision to open an investigation
    ReporterInformationRequestFactory(answered=True)    a request the reporter got an answer to
"""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from rodtrad.accounts.tests.factories import DistrictFactory, UserFactory
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.intake.models import (
    Decision,
    PreAssessment,
    PreAssessmentContact,
    ProtectionAssessment,
    Report,
    ReportChild,
    ReporterInformationRequest,
    ReportReason,
)

# What register_report gets unless a test says otherwise (a school's report by telephone).
REGISTRATION_DEFAULTS: dict[str, Any] = {
    "kind": "anmalan",
    "channel": "telefon",
    "reporter_category": "skola",
    "is_mandatory_reporter": True,
    "reporter_name": "Rektor Rut Exempel",
    "reporter_contact": "08-000 00 00",
    "is_reporter_identity_protected": False,
    "reason_codes": ["A", "I"],
    "text": "Eleven har berättat om bråk hemma och har varit borta mycket från skolan.",
}


class ReportFactory(factory.django.DjangoModelFactory):
    """A report row. `received_at` is written after the insert: the model stamps the server's
    time (auto_now_add) and a test about deadlines needs another moment."""

    class Meta:
        model = Report
        skip_postgeneration_save = True

    district = factory.SubFactory(DistrictFactory)
    kind = "anmalan"
    channel = "telefon"
    reporter_category = "skola"
    is_mandatory_reporter = True
    reporter_name = ""
    text = "Barnet har berättat om oro hemma."
    stated_received_at = None
    stated_received_reason = factory.LazyAttribute(
        lambda o: "Kom in via socialjouren." if o.stated_received_at else ""
    )
    registered_by = factory.SubFactory(UserFactory)

    class Params:
        protected_reporter = factory.Trait(
            is_reporter_identity_protected=True, reporter_name="Skyddad anmälare"
        )

    @factory.post_generation
    def reasons(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """`reasons=["A", "J"]`: the report's reason codes (code list report-reasons)."""
        for code in extracted or ():
            ReportReasonFactory(report=self, code=code)

    @classmethod
    def _create(cls, model_class: type[Report], *args: Any, **kwargs: Any) -> Report:
        received_at = kwargs.pop("received_at", None)
        report: Report = super()._create(model_class, *args, **kwargs)
        if received_at is not None:
            model_class.objects.filter(pk=report.pk).update(received_at=received_at)
            report.received_at = received_at
        return report

    @classmethod
    def registered(cls, by: Any, district: Any, children: list[Any], **overrides: Any) -> Report:
        """A report registered through `register_report` (journal entry, cases, clocks)."""
        from rodtrad.intake.services import register_report

        values = {**REGISTRATION_DEFAULTS, **overrides}
        return register_report(by=by, district=district, children=children, **values)


class ReportChildFactory(factory.django.DjangoModelFactory):
    """One child of a report and the case it went to (the report is in the case's district)."""

    class Meta:
        model = ReportChild

    case = factory.SubFactory(CaseFactory)
    child = factory.SelfAttribute("case.child")
    report = factory.SubFactory(ReportFactory, district=factory.SelfAttribute("..case.district"))


class ReportReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportReason

    report = factory.SubFactory(ReportFactory)
    code = "A"


class ProtectionAssessmentFactory(factory.django.DjangoModelFactory):
    """The protection assessment of one report child (no immediate need unless told)."""

    class Meta:
        model = ProtectionAssessment

    report_child = factory.SubFactory(ReportChildFactory)
    performed_by = factory.SubFactory(UserFactory)
    is_immediate_protection_needed = False
    rationale = "Barnet är tryggt i skolan i dag."


class PreAssessmentFactory(factory.django.DjangoModelFactory):
    """A pre-assessment draft; `signed=True` makes it the signed decision (default: open an
    investigation), signed by its author."""

    class Meta:
        model = PreAssessment

    case = factory.SubFactory(CaseFactory, in_pre_assessment=True)
    author = factory.SubFactory(UserFactory)
    received_on = factory.LazyFunction(timezone.localdate)
    event_on = factory.SelfAttribute("received_on")

    class Params:
        signed = factory.Trait(
            status="signed",
            decision=Decision.OPEN,
            signed_at=factory.LazyFunction(timezone.now),
            signed_by=factory.SelfAttribute("author"),
        )


class PreAssessmentContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreAssessmentContact

    pre_assessment = factory.SubFactory(PreAssessmentFactory)
    who = "reporter"
    contacted_on = factory.LazyFunction(timezone.localdate)
    summary = "Anmälaren berättade mer om vad barnet sagt."
    recorded_by = factory.SubFactory(UserFactory)


class ReporterInformationRequestFactory(factory.django.DjangoModelFactory):
    """The reporter asked whether an investigation was opened."""

    class Meta:
        model = ReporterInformationRequest

    report = factory.SubFactory(ReportFactory)
    requested_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SubFactory(UserFactory)
    answered_on = None
    answer_text = factory.LazyAttribute(lambda o: "Utredning inleds." if o.answered_on else "")

    class Params:
        answered = factory.Trait(answered_on=factory.SelfAttribute("requested_on"))
