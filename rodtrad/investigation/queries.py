"""Reads of investigations: scoped lookups, current documents, the child's participation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from rodtrad.accounts import access
from rodtrad.cases.models import Case
from rodtrad.frameworks.models import Code, CodeList
from rodtrad.frameworks.queries import code_labels, current_codes, get_code
from rodtrad.intake.models import ReportReason
from rodtrad.investigation.models import (
    DEFAULT_FRAMEWORK,
    Analysis,
    AreaAssessment,
    Communication,
    Contact,
    ContactKind,
    Investigation,
    InvestigationPlan,
    Need,
    RiskAssessment,
)

# Code lists an investigation may use as its framework of areas (docs/domain.md §1.3).
AREA_FRAMEWORKS = ("bbic-2018-areas", "bbic-2006-areas")
REPORT_REASONS = "report-reasons"

M = TypeVar("M", bound=Model)


# --- Scoped lookups: every one goes through access.get_case_for -------------------------------


def get_investigation_for(user: Any, pk: Any, *, for_edit: bool = False) -> Investigation:
    """The investigation if the user may see (or edit) its case; otherwise Http404.

    Only the case id is read before the access check, and it goes straight into
    `access.get_case_for`, which journals a miss as a denied access event.
    """
    case_id = _case_id(Investigation.objects.filter(pk=access.parse_id(pk)))
    case = access.get_case_for(user, case_id, for_edit=for_edit)
    return Investigation.objects.select_related("case", "case__child", "case__district").get(
        pk=access.parse_id(pk), case=case
    )


def get_row_for(user: Any, model: type[M], pk: Any, *, for_edit: bool = False) -> M:
    """A row that belongs to an investigation (document, need, communication), scoped by case."""
    case_id = _case_id(
        model._default_manager.filter(pk=access.parse_id(pk)), path="investigation__case"
    )
    case = access.get_case_for(user, case_id, for_edit=for_edit)
    row: M = model._default_manager.select_related(
        "investigation", "investigation__case", "investigation__case__child"
    ).get(pk=access.parse_id(pk), investigation__case=case)
    return row


def _case_id(queryset: QuerySet[Any], path: str = "case_id") -> int | None:
    value: int | None = queryset.values_list(path, flat=True).first()
    return value


# --- Frameworks and codes ---------------------------------------------------------------------


def framework_of(investigation: Investigation) -> str:
    """The code list of the investigation's areas: the current plan's framework, or the default."""
    plan = current_document(InvestigationPlan, investigation)
    return plan.framework if plan is not None else DEFAULT_FRAMEWORK


def framework_areas(framework: str) -> list[Code]:
    """The areas (not the triangle sides) that may be chosen today, in display order."""
    return [c for c in current_codes(framework) if c.attributes.get("kind", "area") == "area"]


def framework_choices() -> list[tuple[str, str]]:
    """(key, name) of the area frameworks that exist."""
    names = dict(CodeList.objects.filter(key__in=AREA_FRAMEWORKS).values_list("key", "name"))
    return [(key, names[key]) for key in AREA_FRAMEWORKS if key in names]


def area_labels(framework: str) -> dict[str, str]:
    return code_labels(framework)


def report_reason_codes(case: Case) -> set[str]:
    """The report reason codes (A–Y) of every report about this case's child, including
    reports added to the investigation while it runs (SoL 20:2)."""
    return set(
        ReportReason.objects.filter(report__children__case=case).values_list("code", flat=True)
    )


def violence_reason_codes(case: Case) -> list[str]:
    """The case's report reasons marked `violence = true` in the code list (HSLF-FS 2022:39).

    The attribute is read from the code list, so an administrator changes the set there;
    retired codes keep counting for the reports that used them.
    """
    found = []
    for code in sorted(report_reason_codes(case)):
        row = get_code(REPORT_REASONS, code)
        if row is not None and row.attributes.get("violence") is True:
            found.append(code)
    return found


def is_risk_assessment_required(investigation: Investigation) -> bool:
    return bool(violence_reason_codes(investigation.case))


# --- Documents --------------------------------------------------------------------------------


def documents_of(model: type[M], investigation: Investigation) -> QuerySet[M]:
    """All versions (originals and corrections) of one kind of document, oldest first."""
    return model._default_manager.filter(investigation=investigation).order_by("pk")


def current_document(model: type[M], investigation: Investigation, **filters: Any) -> M | None:
    """The newest version: a correction is created after what it corrects."""
    return documents_of(model, investigation).filter(**filters).order_by("-pk").first()


def current_analysis(investigation: Investigation) -> Analysis | None:
    return current_document(Analysis, investigation)


def has_signed_risk_assessment(investigation: Investigation) -> bool:
    return documents_of(RiskAssessment, investigation).filter(status="signed").exists()


def are_needs_editable(investigation: Investigation) -> bool:
    """Needs change with the analysis: while it is a draft (or not started), not once signed."""
    if not investigation.is_open:
        return False
    analysis = current_analysis(investigation)
    return analysis is None or not analysis.is_signed


def active_needs(investigation: Investigation) -> QuerySet[Need]:
    return Need.objects.filter(investigation=investigation).order_by("pk")


def area_assessments(investigation: Investigation) -> dict[str, AreaAssessment]:
    """The current text per area code."""
    current: dict[str, AreaAssessment] = {}
    for document in documents_of(AreaAssessment, investigation):
        current[document.area] = document  # oldest first: the newest version wins
    return current


# --- The child's participation (SoL 3:2, 20:7) -------------------------------------------------


@dataclass
class ChildParticipation:
    """What the contact log says about meeting the child."""

    conversations: int = 0
    alone: int = 0
    about_violence: int = 0
    first_on: date | None = None
    last_on: date | None = None
    views_by_area: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_met(self) -> bool:
        return self.conversations > 0

    @property
    def is_met_alone(self) -> bool:
        return self.alone > 0


def child_participation(investigation: Investigation) -> ChildParticipation:
    conversations = list(
        Contact.objects.filter(
            investigation=investigation, kind=ContactKind.CHILD_CONVERSATION
        ).values_list("event_on", "child_alone", "covered_violence")
    )
    dates = [row[0] for row in conversations]
    framework = framework_of(investigation)
    labels = area_labels(framework)
    documents = area_assessments(investigation)
    codes = [area.code for area in framework_areas(framework)]
    codes += [code for code in documents if code not in codes]
    views = [
        (labels.get(code, code), documents[code].child_view if code in documents else "")
        for code in codes
    ]
    return ChildParticipation(
        conversations=len(conversations),
        alone=sum(1 for row in conversations if row[1]),
        about_violence=sum(1 for row in conversations if row[2]),
        first_on=min(dates) if dates else None,
        last_on=max(dates) if dates else None,
        views_by_area=views,
    )


def has_child_conversation(investigation: Investigation) -> bool:
    return Contact.objects.filter(
        investigation=investigation, kind=ContactKind.CHILD_CONVERSATION
    ).exists()


def communications(investigation: Investigation) -> QuerySet[Communication]:
    return (
        Communication.objects.filter(investigation=investigation)
        .select_related("recipient", "recipient_relationship")
        .order_by("sent_on", "pk")
    )


def waiting_communications(investigation: Investigation, on: date) -> list[Communication]:
    """Kommuniceringar without an answer whose time to answer has not run out before `on`
    (the party may still answer on the last day itself; no set time means still waiting)."""
    return [
        communication
        for communication in communications(investigation).filter(answered_on__isnull=True)
        if communication.answer_by is None or communication.answer_by >= on
    ]


# --- The plan's areas -------------------------------------------------------------------------


def signed_plan(investigation: Investigation) -> InvestigationPlan | None:
    """The newest signed version of the plan (a signed correction replaces the original)."""
    return current_document(InvestigationPlan, investigation, status="signed")


def planned_areas(investigation: Investigation) -> list[str]:
    """The area codes of the signed plan, in the plan's order (none before it is signed)."""
    plan = signed_plan(investigation)
    return list(plan.areas) if plan is not None else []


def unwritten_planned_areas(investigation: Investigation) -> list[str]:
    """Areas of the signed plan without a signed text (any signed version of the area counts:
    a correction in progress does not unwrite what was signed)."""
    written = set(
        documents_of(AreaAssessment, investigation)
        .filter(status="signed")
        .values_list("area", flat=True)
    )
    return [code for code in planned_areas(investigation) if code not in written]
