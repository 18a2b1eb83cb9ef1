"""Answers read from the record (docs/internal-control.md, "The record's answer").

A checklist item may name a rule (`ChecklistItem.record_rule`); the review form shows what the
record says beside the reviewer's answer, and the results count where the two disagree. Each
rule answers "yes" or "no" for one case from its rows; it reads the phases' models, which is
why the audits app sits above them in the layers. `answers_for(case_ids)` reads every rule for
many cases in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from django.db.models import Q

from rodtrad.audits.models import NO, YES
from rodtrad.cases.models import Case, DocumentStatus
from rodtrad.decisions.models import Decision, Intervention
from rodtrad.followup.models import CaseFollowUp, FollowUp
from rodtrad.frameworks.queries import code_label, code_labels
from rodtrad.intake.models import ReportReason
from rodtrad.investigation.models import (
    Analysis,
    AreaAssessment,
    Contact,
    ContactKind,
    Investigation,
    RiskAssessment,
)


def gettext_noop(message: str) -> str:
    return message


def _cases_with_signed_risk_assessment(ids: list[int]) -> set[int]:
    return set(
        RiskAssessment.objects.filter(
            investigation__case_id__in=ids, status=DocumentStatus.SIGNED
        ).values_list("investigation__case_id", flat=True)
    )


def _cases_with_child_conversation(ids: list[int], *, about_violence: bool = False) -> set[int]:
    rows = Contact.objects.filter(
        investigation__case_id__in=ids, kind=ContactKind.CHILD_CONVERSATION
    )
    if about_violence:
        rows = rows.filter(covered_violence=True)
    return set(rows.values_list("investigation__case_id", flat=True))


def _cases_with_intervention(ids: list[int], *, started: bool = False) -> set[int]:
    rows = Intervention.objects.filter(case_id__in=ids)
    if started:
        rows = rows.filter(started_on__isnull=False)
    return set(rows.values_list("case_id", flat=True))


def _cases_with_follow_up(ids: list[int]) -> set[int]:
    return set(FollowUp.objects.filter(case_id__in=ids).values_list("case_id", flat=True)) | set(
        CaseFollowUp.objects.filter(case_id__in=ids).values_list("case_id", flat=True)
    )


def _cases_with_violence_followed_up(ids: list[int]) -> set[int]:
    return set(
        FollowUp.objects.filter(Q(case_id__in=ids), violence_followed_up=True).values_list(
            "case_id", flat=True
        )
    )


Finder = Callable[[list[int]], set[int]]

# rule key → (what the record shows, the finder of the cases where the answer is "yes").
RULES: Final[dict[str, tuple[str, Finder]]] = {
    "risk_assessment_signed": (
        gettext_noop("En signerad riskbedömning finns"),
        _cases_with_signed_risk_assessment,
    ),
    "child_conversation": (
        gettext_noop("Ett samtal med barnet är registrerat"),
        _cases_with_child_conversation,
    ),
    "child_conversation_about_violence": (
        gettext_noop("Ett samtal med barnet som tog upp våld är registrerat"),
        lambda ids: _cases_with_child_conversation(ids, about_violence=True),
    ),
    "intervention_granted": (
        gettext_noop("En insats är beviljad"),
        _cases_with_intervention,
    ),
    "intervention_started": (
        gettext_noop("En insats är påbörjad"),
        lambda ids: _cases_with_intervention(ids, started=True),
    ),
    "follow_up_recorded": (
        gettext_noop("En uppföljning är registrerad"),
        _cases_with_follow_up,
    ),
    "violence_followed_up": (
        gettext_noop("En uppföljning anger att våldet följdes upp"),
        _cases_with_violence_followed_up,
    ),
}


def rule_label(rule: str) -> str:
    return RULES[rule][0] if rule in RULES else ""


def answers_for(case_ids: Iterable[int], rules: Iterable[str]) -> dict[int, dict[str, str]]:
    """{case id: {rule: "yes" | "no"}} for the named rules (unknown rules are left out)."""
    ids = sorted(set(case_ids))
    answers: dict[int, dict[str, str]] = {pk: {} for pk in ids}
    for rule in sorted(set(rules)):
        if rule not in RULES:
            continue
        found = RULES[rule][1](ids) if ids else set()
        for pk in ids:
            answers[pk][rule] = YES if pk in found else NO
    return answers


def case_file(case: Case) -> dict[str, list[Any]]:
    """What the reviewer reads of the sampled case, read-only: the report reasons, each
    investigation's contacts, risk assessments and analyses, the decisions, interventions and
    follow-ups. Rows only, for the review page; nothing here writes."""
    investigations = list(
        Investigation.objects.filter(case=case).prefetch_related("contacts").order_by("opened_on")
    )
    reason_labels = code_labels("report-reasons")
    interventions = list(Intervention.objects.filter(case=case).order_by("planned_start", "pk"))
    catalogue = code_labels("intervention-catalogue") if interventions else {}
    for intervention in interventions:  # the catalogue's label, not its code
        intervention.catalogue_label = catalogue.get(  # type: ignore[attr-defined]
            intervention.catalogue_code, intervention.catalogue_code
        )
    return {
        # the reasons' labels (the code lists' words), in code order
        "reasons": [
            reason_labels.get(code, code)
            for code in sorted(
                set(
                    ReportReason.objects.filter(report__children__case=case).values_list(
                        "code", flat=True
                    )
                )
            )
        ],
        "investigations": investigations,
        "area_assessments": [
            (code_label(a.framework, a.area), a)
            for a in AreaAssessment.objects.filter(investigation__case=case).order_by(
                "framework", "area", "pk"
            )
        ],
        "risk_assessments": list(
            RiskAssessment.objects.filter(investigation__case=case).order_by("event_on", "pk")
        ),
        "analyses": list(
            Analysis.objects.filter(investigation__case=case).order_by("event_on", "pk")
        ),
        "decisions": list(Decision.objects.filter(case=case).order_by("decided_on", "pk")),
        "interventions": interventions,
        "follow_ups": list(FollowUp.objects.filter(case=case).order_by("held_on", "pk")),
    }
