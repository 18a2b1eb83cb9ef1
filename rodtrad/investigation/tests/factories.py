"""Factories for investigations, their documents, needs, contacts, extensions and
communications.

Rows only (docs/howto/team-conventions.md, "Test data"): an `InvestigationFactory` row has no
journal entry and does not move the case. Where a test needs what the services guarantee, the
classmethods call them: `InvestigationFactory.opened(...)` (open_investigation: journal, the
case moves to the investigation unit), `ContactFactory.logged(...)`,
`RiskAssessmentFactory.signed_by(...)`, `AnalysisFactory.drafted(...)`.

    InvestigationFactory(case=case, opened_on=date(2026, 2, 10))         an open investigation
    InvestigationFactory(closed=True)                                     a closed one
    RiskAssessmentFactory(investigation=inv, signed=True)                 a signed document
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from rodtrad.accounts.tests.factories import UserFactory
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.investigation.models import (
    Analysis,
    AreaAssessment,
    Communication,
    Contact,
    ContactKind,
    ExtensionDecision,
    ExtensionRequest,
    Investigation,
    InvestigationPlan,
    Need,
    RiskAssessment,
)


class InvestigationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Investigation

    case = factory.SubFactory(CaseFactory, in_investigation=True)
    opened_on = factory.LazyFunction(timezone.localdate)
    opened_by = factory.SubFactory(UserFactory)

    class Params:
        closed = factory.Trait(closed_on=factory.LazyFunction(timezone.localdate))

    @classmethod
    def opened(cls, unit: Any, by: Any, opened_on: Any) -> Investigation:
        """A case in investigation in `unit`, its investigation opened through the service."""
        from rodtrad.investigation import services

        case = CaseFactory(child__district=unit.district, unit=unit, in_investigation=True)
        return services.open_investigation(case, by=by, opened_on=opened_on)


class _InvestigationDocumentFactory(factory.django.DjangoModelFactory):
    """Shared fields of the investigation's documents; `signed=True` signs by the author."""

    class Meta:
        abstract = True

    investigation = factory.SubFactory(InvestigationFactory)
    case = factory.SelfAttribute("investigation.case")
    event_on = factory.LazyFunction(timezone.localdate)
    author = factory.SubFactory(UserFactory)

    class Params:
        signed = factory.Trait(
            status="signed",
            signed_at=factory.LazyFunction(timezone.now),
            signed_by=factory.SelfAttribute("author"),
        )


class InvestigationPlanFactory(_InvestigationDocumentFactory):
    class Meta:
        model = InvestigationPlan


class AreaAssessmentFactory(_InvestigationDocumentFactory):
    class Meta:
        model = AreaAssessment

    area = "halsa"


class RiskAssessmentFactory(_InvestigationDocumentFactory):
    class Meta:
        model = RiskAssessment

    instrument = "FREDA-farlighetsbedömning"

    class Params:
        # A judgement made (a draft may have none yet; signing needs one).
        assessed = factory.Trait(judgement="moderate", time_horizon="short")

    @classmethod
    def signed_by(cls, investigation: Investigation, by: Any) -> RiskAssessment:
        """A risk assessment made and signed through the services (journal, content hash)."""
        from rodtrad.investigation import services

        risk = services.create_risk_assessment(
            investigation,
            by=by,
            event_on=timezone.localdate(),
            instrument="FREDA-farlighetsbedömning",
        )
        signed: RiskAssessment = services.sign_risk_assessment(
            risk,
            by=by,
            expected_version=risk.version,
            changes={
                "judgement": "moderate",
                "time_horizon": "short",
                "reassessment_on": timezone.localdate() + timedelta(days=30),
                "safety_plan": "Mamma och barnen bor hos mormor tills vidare.",
            },
        )
        return signed


class AnalysisFactory(_InvestigationDocumentFactory):
    class Meta:
        model = Analysis

    @classmethod
    def drafted(
        cls, investigation: Investigation, by: Any, text: str = "Barnet behöver stöd i skolan."
    ) -> Analysis:
        """An analysis draft started and saved through the services."""
        from rodtrad.investigation import services

        analysis = services.create_analysis(investigation, by=by, event_on=timezone.localdate())
        saved: Analysis = services.save_document_draft(
            analysis, by=by, expected_version=analysis.version, changes={"text": text}
        )
        return saved


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    investigation = factory.SubFactory(InvestigationFactory)
    area = "halsa"
    description = "Stöd i skolan."
    severity = "low"
    recorded_by = factory.SubFactory(UserFactory)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    investigation = factory.SubFactory(InvestigationFactory)
    kind = ContactKind.CHILD_CONVERSATION
    event_on = factory.LazyFunction(timezone.localdate)
    summary = "Samtal med barnet i skolan om hur det är hemma."
    recorded_by = factory.SubFactory(UserFactory)

    @classmethod
    def logged(
        cls, investigation: Investigation, by: Any, *, alone: bool = True, days_ago: int = 1
    ) -> Contact:
        """A conversation with the child, logged through the service `days_ago` days back."""
        from rodtrad.investigation import services

        contact: Contact = services.log_contact(
            investigation,
            by=by,
            kind=ContactKind.CHILD_CONVERSATION,
            event_on=timezone.localdate() - timedelta(days=days_ago),
            summary="Samtal med barnet i skolan om hur det är hemma.",
            child_alone=alone,
            covered_violence=False,
        )
        return contact


class ExtensionDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExtensionDecision

    investigation = factory.SubFactory(InvestigationFactory)
    decided_on = factory.LazyFunction(timezone.localdate)
    previous_due = factory.LazyAttribute(lambda o: o.decided_on + timedelta(days=7))
    extended_to = factory.LazyAttribute(lambda o: o.previous_due + timedelta(days=60))
    reasons = "Väntar på utlåtande från BUP."
    decided_by = factory.SubFactory(UserFactory)


class ExtensionRequestFactory(factory.django.DjangoModelFactory):
    """An investigator's request that the team manager extend the investigation (pending)."""

    class Meta:
        model = ExtensionRequest

    investigation = factory.SubFactory(InvestigationFactory)
    reasons = "BUP dröjer."
    proposed_to = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    requested_by = factory.SubFactory(UserFactory)


class CommunicationFactory(factory.django.DjangoModelFactory):
    """Material sent to a party for comment (kommunicering), to a recipient named in text."""

    class Meta:
        model = Communication

    investigation = factory.SubFactory(InvestigationFactory)
    subject = "Utredningen."
    legacy_recipient = "Vårdnadshavarna"
    sent_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SubFactory(UserFactory)
