"""Reads for intake: the clocks, the intake queue and what the case page shows.

Every read starts from `accounts.access` (editable or visible cases). The running deadlines
(clocks) of a case come from the deadline registry, the same entries as "Mina frister" and
the team view (`intake/deadlines.py`, docs/deadlines.md): days left, urgency and order from
`due_strict`, compliance from `due` (moved to the next weekday per lag 1930:173 2 §).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from rodtrad.accounts import access
from rodtrad.cases.models import Case
from rodtrad.deadlines import registry, rules
from rodtrad.deadlines.registry import Clock
from rodtrad.frameworks.queries import code_labels
from rodtrad.intake import deadlines as intake_deadlines
from rodtrad.intake.deadlines import WAITING_STATUSES
from rodtrad.intake.models import (
    Decision,
    PreAssessment,
    ProtectionAssessment,
    ProtectiveAction,
    Report,
    ReportChild,
    ReporterInformationRequest,
)
from rodtrad.people.masking import PersonView, person_view
from rodtrad.people.models import ProtectionLevel


def clock(deadline: rules.Deadline, today: date | None = None) -> Clock:
    """A deadline computed here (a report page, the protection assessment form) as the
    registry's `Clock`, so that it reads like every other page."""
    return Clock(kind=deadline.rule, deadline=deadline, today=today or timezone.localdate())


def protection_deadline(report_child: ReportChild) -> rules.Deadline:
    """ "Genast" (SoL 20:1): the day the report came in, weekends included."""
    return intake_deadlines.protection_deadline(report_child.receipt_date)


def protection_clock(report_child: ReportChild) -> Clock | None:
    """The protection assessment's running clock for its form: the registry's, as on the
    case page and in the lists; None once made or when the case is closed."""
    kind = registry.get(rules.PROTECTION_ASSESSMENT)
    return kind.clocks_for_case(report_child.case, today=timezone.localdate()).get(report_child.pk)


def pre_assessment_received_on(case: Case) -> date:
    """Day 0 of the case's 14 days: the started pre-assessment's, or the earliest receipt."""
    started = PreAssessment.objects.filter(case=case, corrects__isnull=True).first()
    if started is not None:
        return started.received_on
    receipts = [
        rc.report.receipt_date
        for rc in ReportChild.objects.filter(
            case=case, is_attached_to_open_investigation=False
        ).select_related("report")
    ]
    return min(receipts) if receipts else timezone.localdate()


def pre_assessment_deadline(case: Case) -> rules.Deadline:
    return intake_deadlines.pre_assessment_deadline(pre_assessment_received_on(case))


def reporter_information_deadline(
    info_request: ReporterInformationRequest,
) -> rules.Deadline | None:
    """When the reporter must have been told (SoL 19:6, from 2026-01-15), for the report page.

    Per child of the report: one week after the decision to open or not open an
    investigation; "genast" (the day of the request) when the request came after the
    decision, or when an investigation was already open. The earliest of these is the clock;
    None while no child's decision is made yet. (The case page and the lists show the clock
    of each case, `intake/deadlines.py`.)
    """
    dues: list[rules.Deadline] = []
    requested_on = info_request.requested_on
    for rc in info_request.report.children.select_related("case"):
        if rc.is_attached_to_open_investigation:
            dues.append(intake_deadlines.genast(requested_on))
            continue
        decided = (
            PreAssessment.objects.filter(case=rc.case, corrects__isnull=True, status="signed")
            .values_list("event_on", "decision")
            .first()
        )
        if decided is None:
            continue
        decided_on, decision = decided
        if decision == Decision.ALREADY_OPEN or requested_on > decided_on:
            dues.append(intake_deadlines.genast(requested_on))
        else:
            dues.append(rules.deadline_for(rules.REPORTER_INFORMATION, decided_on))
    if not dues:
        return None
    return min(dues, key=lambda d: d.due_strict)


# --- reports -----------------------------------------------------------------------------------


def _report_scope(user: Any, *, for_edit: bool) -> Q:
    """A report is the user's if it came to their district's intake, or if the user may see
    (or change) one of its children's cases (the rule lives in accounts/access.py)."""
    return access.report_scope(user, for_edit=for_edit)


def visible_reports(user: Any) -> QuerySet[Report]:
    """Reports the user may read."""
    return Report.objects.filter(_report_scope(user, for_edit=False)).distinct()


def get_report_for(user: Any, pk: Any, *, for_edit: bool = False) -> Report:
    """The report if it is the user's (see _report_scope); else Http404."""
    try:
        return (
            Report.objects.filter(_report_scope(user, for_edit=for_edit))
            .distinct()
            .select_related("district", "registered_by")
            .get(pk=int(pk))
        )
    except (ValueError, TypeError, OverflowError, Report.DoesNotExist) as exc:
        raise access.not_found(user, report_id=pk) from exc


def get_report_child_for(user: Any, pk: Any) -> ReportChild:
    """A report-child whose case the user may edit; else Http404."""
    try:
        return (
            ReportChild.objects.filter(case__in=access.editable_cases(user))
            .select_related("report", "report__district", "child", "child__district", "case")
            .get(pk=int(pk))
        )
    except (ValueError, TypeError, OverflowError, ReportChild.DoesNotExist) as exc:
        raise access.not_found(user, report_child_id=pk) from exc


def get_pre_assessment_for(user: Any, pk: Any) -> PreAssessment:
    """A pre-assessment (or a correction) of a case the user may edit; else Http404."""
    try:
        return (
            PreAssessment.objects.filter(case__in=access.editable_cases(user))
            .select_related("case", "case__child", "case__district")
            .get(pk=int(pk))
        )
    except (ValueError, TypeError, OverflowError, PreAssessment.DoesNotExist) as exc:
        raise access.not_found(user) from exc


def report_children_for(report: Report, user: Any) -> list[dict[str, Any]]:
    """The children of a report as the user may see them; the others only as a count."""
    # Only the report's own cases are asked about, never every case the user may see.
    shown = access.visible_cases(user).filter(pk__in=report.children.values("case_id"))
    visible = set(shown.values_list("pk", flat=True))
    protection = registry.get(rules.PROTECTION_ASSESSMENT)
    clocks = {
        f.object_id: protection.clock(f, timezone.localdate())
        for f in protection.find(registry.Scope(cases=shown))
    }
    rows = []
    for rc in report.children.select_related("child", "child__district", "case").order_by("pk"):
        if rc.case_id not in visible:
            continue
        assessment = ProtectionAssessment.objects.filter(report_child=rc).first()
        rows.append(
            {
                "report_child": rc,
                "child": person_view(rc.child, user),
                "case": rc.case,
                "protection_assessment": assessment,
                "protection_clock": clocks.get(rc.pk),
            }
        )
    return rows


def reason_labels(report: Report) -> list[tuple[str, str]]:
    labels = code_labels("report-reasons")
    return [(r.code, labels.get(r.code, r.code)) for r in report.reasons.all()]


# --- the intake queue --------------------------------------------------------------------------


@dataclass
class QueueRow:
    report_child: ReportChild
    child: PersonView
    case: Case
    reasons: list[tuple[str, str]]
    reporter_category: str
    protection_clock: Clock | None  # None when the protection assessment is made
    pre_assessment_clock: Clock | None  # None when no decision is waiting
    sort_key: tuple[date, Any] = field(default=(date.max, None))


def intake_queue(user: Any, *, today: date | None = None) -> list[QueueRow]:
    """Report-children of the user's districts waiting for a protection assessment or a
    pre-assessment decision; most urgent first (earliest running deadline, then receipt)."""
    today = today or timezone.localdate()
    # Open cases only, through the (district, status) index: a closed case has nothing
    # running (it was closed with a reason), and the district's closed history must not
    # make the queue slower (docs/performance.md).
    cases = (
        access.editable_cases(user)
        .filter(district_id__in=access.case_role_districts(user))
        .filter(status__in=intake_deadlines.OPEN_CASE_STATUSES)
    )
    report_children = (
        ReportChild.objects.filter(case__in=cases)
        .filter(Q(protection_assessment__isnull=True) | Q(case__status__in=WAITING_STATUSES))
        .select_related(
            "report", "child", "child__district", "case", "case__district", "case__child"
        )
        .prefetch_related(Prefetch("report__reasons"))
    )
    category_labels = code_labels("reporter-categories")
    reason_names = code_labels("report-reasons")
    assessed = set(
        ProtectionAssessment.objects.filter(report_child__in=report_children).values_list(
            "report_child_id", flat=True
        )
    )
    clocks = {
        (f.kind, f.object_id): registry.get(f.kind).clock(f, today)
        for f in registry.find(
            registry.Scope(cases=cases), keys=(rules.PROTECTION_ASSESSMENT, rules.PRE_ASSESSMENT)
        )
    }
    rows = []
    for rc in report_children:
        protection = None if rc.pk in assessed else clocks.get((rules.PROTECTION_ASSESSMENT, rc.pk))
        pre = None
        if rc.case.status in WAITING_STATUSES and not rc.is_attached_to_open_investigation:
            pre = clocks.get((rules.PRE_ASSESSMENT, rc.case_id))
        dues = [c.due_strict for c in (protection, pre) if c is not None]
        rows.append(
            QueueRow(
                report_child=rc,
                child=person_view(rc.child, user),
                case=rc.case,
                reasons=[
                    (r.code, reason_names.get(r.code, r.code)) for r in rc.report.reasons.all()
                ],
                reporter_category=category_labels.get(
                    rc.report.reporter_category, rc.report.reporter_category
                ),
                protection_clock=protection,
                pre_assessment_clock=pre,
                sort_key=(min(dues) if dues else date.max, rc.report.receipt_at),
            )
        )
    rows.sort(key=lambda row: row.sort_key)
    return rows


@dataclass
class InformationRow:
    info_request: ReporterInformationRequest
    clock: Clock | None


def open_information_requests(user: Any, *, today: date | None = None) -> list[InformationRow]:
    """Unanswered reporter-information requests on reports the user may work with."""
    today = today or timezone.localdate()
    cases = access.editable_cases(user).filter(district_id__in=access.case_role_districts(user))
    # Unanswered requests first (open work, through the partial index on answered_on), then
    # the user's among them: starting from the district's cases would read its whole closed
    # history (docs/performance.md).
    unanswered = list(
        ReporterInformationRequest.objects.filter(answered_on__isnull=True)
        .order_by()  # no ordering, so that SQLite reads the partial index alone
        .values_list("pk", flat=True)
    )
    requests = (
        ReporterInformationRequest.objects.filter(
            pk__in=unanswered, report__children__case__in=cases
        )
        .distinct()
        .select_related("report")
    )
    rows = []
    for info_request in requests:
        deadline = reporter_information_deadline(info_request)
        rows.append(InformationRow(info_request, clock(deadline, today) if deadline else None))
    rows.sort(key=lambda r: (r.clock.due_strict if r.clock else date.max, r.info_request.pk))
    return rows


# --- the case page -----------------------------------------------------------------------------


def current_pre_assessment(case: Case) -> PreAssessment | None:
    """The document to work on: an open correction draft, else the newest of the case."""
    documents = PreAssessment.objects.filter(case=case)
    draft = documents.filter(status="draft").order_by("-recorded_at", "-pk").first()
    return draft or documents.order_by("-recorded_at", "-pk").first()


def emergency_custodies(case: Case) -> list[ProtectionAssessment]:
    """The protection assessments of the case that recorded an omedelbart omhändertagande
    (LVU 6 §) as the protective action, earliest first.

    Such a custody is followed by an investigation, the submission of the decision to the
    administrative court within one week (LVU 7 §) and an application for care within four
    weeks of its execution (LVU 8 §), or it ends (docs/domain.md §2.3).
    """
    return list(
        ProtectionAssessment.objects.filter(
            report_child__case=case,
            protective_action=ProtectiveAction.LVU_6,
            protective_action_recorded_at__isnull=False,
        ).order_by("protective_action_taken_at", "pk")
    )


def case_section(case: Case, user: Any) -> dict[str, Any]:
    """What the intake part of the case page shows. The clocks are the registry's
    (`registry.case_clocks`): the same finder as the lists, run on this case."""
    today = timezone.localdate()
    clocks = registry.case_clocks(case, today=today)
    report_children = list(
        ReportChild.objects.filter(case=case)
        .select_related("report", "report__district", "child")
        .order_by("report__received_at")
    )
    category_labels = code_labels("reporter-categories")
    reports = []
    for rc in report_children:
        assessment = ProtectionAssessment.objects.filter(report_child=rc).first()
        information = [
            {"request": r, "clock": clocks.get((rules.REPORTER_INFORMATION, r.pk))}
            for r in rc.report.information_requests.all()
        ]
        reports.append(
            {
                "report_child": rc,
                "report": rc.report,
                "reasons": reason_labels(rc.report),
                "reporter_category": category_labels.get(
                    rc.report.reporter_category, rc.report.reporter_category
                ),
                "siblings": rc.report.children.exclude(pk=rc.pk).count(),
                "protection_assessment": assessment,
                "protection_clock": clocks.get((rules.PROTECTION_ASSESSMENT, rc.pk)),
                "information_requests": information,
            }
        )
    documents = list(PreAssessment.objects.filter(case=case).order_by("recorded_at", "pk"))
    original = next((d for d in documents if d.corrects_id is None), None)
    return {
        "intake_reports": reports,
        "pre_assessments": documents,
        "pre_assessment": original,
        "pre_assessment_clock": clocks.get((rules.PRE_ASSESSMENT, case.pk)),
        "contacts": list(original.contacts.all()) if original else [],
        "may_edit": access.can(user, "edit_case", case),
        "emergency_custodies": emergency_custodies(case),
    }


# --- Siblings of one report: what may be copied between their documents --------------------


def shared_report_ids(case: Case, other_case: Case) -> QuerySet[Any]:
    """The reports that name both cases' children (siblings of one report)."""
    return (
        ReportChild.objects.filter(case=case, report__children__case=other_case)
        .values("report_id")
        .distinct()
    )


def same_report_children(person_id: int) -> QuerySet[Any]:
    """The children of every report about the person (the person too), as a subquery: the
    source people.links asks for a child's network and siblings (registered in
    IntakeConfig.ready)."""
    reports = ReportChild.objects.filter(child_id=person_id).values("report_id")
    return ReportChild.objects.filter(report_id__in=reports).values("child_id")


def sibling_cases(case: Case, user: Any) -> QuerySet[Case]:
    """Cases, visible to the user, of the other children named in this case's reports."""
    reports = ReportChild.objects.filter(case=case).values("report_id")
    others = (
        ReportChild.objects.filter(report_id__in=reports)
        .exclude(child_id=case.child_id)
        .values("case_id")
    )
    return access.visible_cases(user).filter(pk__in=others).exclude(pk=case.pk)


def sibling_copy_refusal(case: Case, source_case: Case, user: Any) -> str | None:
    """Why nothing may be copied from `source_case`'s documents into `case`'s, or None.

    Only between children of the same report, and never when another child of that report
    has protected personal data: copied free text could tell where the child lives (SoL
    26 kap. and docs/domain.md §2.8 on skyddade personuppgifter). A protected child the user
    cannot see is not named: the refusal then gives no reason.
    """
    from django.utils.translation import gettext as _

    shared = shared_report_ids(case, source_case)
    if source_case.child_id == case.child_id or not shared.exists():
        return _("Du kan bara kopiera från ett syskon som anmälan också gäller.")
    protected = (
        ReportChild.objects.filter(report_id__in=shared)
        .exclude(child_id=case.child_id)
        .exclude(child__protection_level=ProtectionLevel.NONE)
    )
    if not protected.exists():
        return None
    if protected.filter(case__in=access.visible_cases(user)).exists():
        return _(
            "Ett syskon i anmälan har skyddade personuppgifter. Texten kopieras inte, eftersom "
            "den kan avslöja var barnet finns. Skriv texten för det här barnet."
        )
    return _("Texten kan inte kopieras i den här anmälan. Skriv texten för det här barnet.")


@dataclass
class SiblingSource:
    """A sibling's document that may be copied from, or why not."""

    document: Any
    child: PersonView
    refusal: str | None


def sibling_pre_assessments(case: Case, user: Any) -> list[SiblingSource]:
    """The siblings' current pre-assessments with information obtained written."""
    sources = []
    for sibling in sibling_cases(case, user).select_related("child", "child__district"):
        document = current_pre_assessment(sibling)
        if document is None or not document.information_obtained.strip():
            continue
        sources.append(
            SiblingSource(
                document=document,
                child=person_view(sibling.child, user),
                refusal=sibling_copy_refusal(case, sibling, user),
            )
        )
    return sources


def sibling_protection_assessments(report_child: ReportChild, user: Any) -> list[SiblingSource]:
    """The protection assessments made for the report's other children that the user sees."""
    visible = access.visible_cases(user)
    assessments = (
        ProtectionAssessment.objects.filter(
            report_child__report_id=report_child.report_id, report_child__case__in=visible
        )
        .exclude(report_child__child_id=report_child.child_id)
        .select_related(
            "report_child__child", "report_child__child__district", "report_child__case"
        )
        .order_by("pk")
    )
    return [
        SiblingSource(
            document=assessment,
            child=person_view(assessment.report_child.child, user),
            refusal=sibling_copy_refusal(report_child.case, assessment.report_child.case, user),
        )
        for assessment in assessments
    ]
