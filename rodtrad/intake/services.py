"""Every write in intake (aktualisering): reports, protection assessments, pre-assessments.

Each function takes `by=user`, runs in one transaction, checks access and the domain rules,
writes, and journals in the same transaction (docs/howto/team-conventions.md). Law references
are to socialtjänstlagen (2025:400) unless stated; docs/domain.md §1.2 and §2.2.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rodtrad.accounts import access
from rodtrad.accounts.models import District, Role, Unit, UnitKind
from rodtrad.cases.models import Case, CaseStatus, DocumentStatus
from rodtrad.cases.services import DocumentLocked, correct_document, save_draft, sign_document
from rodtrad.cases.workflow import move_case
from rodtrad.deadlines import rules
from rodtrad.frameworks.queries import current_codes
from rodtrad.intake import handover
from rodtrad.intake.models import (
    ContactWho,
    Decision,
    PreAssessment,
    PreAssessmentContact,
    ProtectionAssessment,
    ProtectiveAction,
    Report,
    ReportChild,
    ReporterInformationRequest,
    ReportReason,
)
from rodtrad.intake.queries import emergency_custodies, sibling_copy_refusal
from rodtrad.journal.services import record
from rodtrad.lib.versioning import StaleVersion, update_versioned
from rodtrad.people.models import Person

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rodtrad.accounts.models import User

# Contacts outside the child, the guardians and the reporter need an opened investigation
# (docs/domain.md §1.2, "Förhandsbedömning"; SoL 20:6 applies only after the decision to open).
EXTERNAL_CONTACT_MESSAGE = gettext_lazy(
    "Under förhandsbedömningen får du bara kontakta barnet, vårdnadshavarna och anmälaren. "
    "Kontakter med till exempel skola, hälso- och sjukvård eller polis kräver att en "
    "utredning har inletts (SoL 20 kap. 6 §)."
)


# --- helpers ---------------------------------------------------------------------------------


def _require_case_edit(case: Case, by: User) -> None:
    if not access.can(by, "edit_case", case):
        raise PermissionDenied


def _require_report_edit(report: Report, by: User) -> None:
    """A report is changed by its district's intake, or by someone who may edit one of its
    children's cases."""
    if report.district_id in access.intake_districts(by):
        return
    case_ids = report.children.values("case_id")
    if not access.editable_cases(by).filter(pk__in=case_ids).exists():
        raise PermissionDenied


def _is_current_code(list_key: str, code: str) -> bool:
    return bool(code) and current_codes(list_key).filter(code=code).exists()


def _intake_unit(district: District) -> Unit | None:
    return (
        Unit.objects.filter(district=district, kind=UnitKind.INTAKE, is_active=True)
        .order_by("pk")
        .first()
    )


def _aware(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _is_district_manager(user: User | AnonymousUser, district_id: int) -> bool:
    return any(
        m.role == Role.TEAM_MANAGER and m.district_id == district_id
        for m in access.active_memberships(user)
    )


def is_receipt_confirmation_needed(stated_received_at: datetime, registered_at: datetime) -> bool:
    """A stated receipt more than settings.RODTRAD_STATED_RECEIPT_MAX_DAYS calendar days before
    the registration (Europe/Stockholm dates) needs a team manager's confirmation."""
    registered_on = timezone.localtime(registered_at).date()
    stated_on = timezone.localtime(stated_received_at).date()
    return (registered_on - stated_on).days > settings.RODTRAD_STATED_RECEIPT_MAX_DAYS


def pre_assessment_deadline(received_on: date) -> rules.Deadline:
    """14 days from the receipt (SoL 20:2), with the next-weekday rule (lag 1930:173 2 §)."""
    return rules.deadline_for(rules.PRE_ASSESSMENT, received_on)


def first_registration_date(case: Case) -> date | None:
    """The day the first report that the pre-assessment covers was registered (server time);
    None when the case has no such report."""
    moments = [
        rc.report.received_at
        for rc in ReportChild.objects.filter(
            case=case, is_attached_to_open_investigation=False
        ).select_related("report")
    ]
    return timezone.localtime(min(moments)).date() if moments else None


def original_pre_assessment(case: Case) -> PreAssessment | None:
    """The case's pre-assessment itself (not a correction of it)."""
    return PreAssessment.objects.filter(case=case, corrects__isnull=True).first()


# --- cases -----------------------------------------------------------------------------------


def open_case(*, by: User, child: Person, district: District) -> Case:
    """Open a new case for a child in a district's intake unit (status intake); journaled."""
    with transaction.atomic():
        if district.pk not in access.case_role_districts(by):
            raise PermissionDenied
        # A case makes its child visible to the district: never for a child the user sees
        # only through an emergency grant (S16).
        if not access.editable_persons(by).filter(pk=child.pk).exists():
            raise PermissionDenied
        case = Case.objects.create(
            child=child, district=district, unit=_intake_unit(district), status=CaseStatus.INTAKE
        )
        record(
            "cases.case_opened",
            by=by,
            obj=case,
            case_id=case.pk,
            person_id=child.pk,
            district=district.code,
            data={"status": case.status, "unit_id": case.unit_id},
        )
        return case


# --- reports (19 kap.) -------------------------------------------------------------------------


def register_report(
    *,
    by: User,
    district: District,
    kind: str,
    channel: str,
    reporter_category: str,
    is_mandatory_reporter: bool | None = None,
    reporter_name: str,
    reporter_contact: str,
    is_reporter_identity_protected: bool,
    reason_codes: Sequence[str],
    text: str,
    children: Sequence[Person],
    stated_received_at: datetime | None = None,
    stated_received_reason: str = "",
) -> Report:
    """Register a report, application or other information about one or more children.

    The duty to report follows from the reporter category (`reporter_duty`): left as None,
    `is_mandatory_reporter` is set from it; given, it must agree (a contradiction is refused).
    Only a category marked `may_be_mandatory` takes the caller's answer.

    For each child: a case with an open investigation gets the report attached and needs no
    new pre-assessment (20:2); a case in intake or pre-assessment gets it attached and its
    running pre-assessment covers it; otherwise a new case is opened in the district's intake
    unit. Each child's clocks start at the receipt: the stated receipt when given (it needs a
    reason), else the moment of registration.

    A stated receipt lies between the children's birth and now. More than
    settings.RODTRAD_STATED_RECEIPT_MAX_DAYS days before the registration it is still
    registered at once (the protection assessment cannot wait), and it still starts the
    clocks, but the report is flagged until a team manager of the district confirms it with
    a note (`confirm_stated_receipt`).
    """
    if district.pk not in access.case_role_districts(by):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    text = (text or "").strip()
    reporter_name = (reporter_name or "").strip()
    reporter_contact = (reporter_contact or "").strip()
    stated_received_reason = (stated_received_reason or "").strip()
    codes = sorted({code.strip() for code in reason_codes if code and code.strip()})

    if not _is_current_code("report-kinds", kind):
        error("kind", _("Välj vilken typ av aktualisering det är."))
    if not _is_current_code("report-channels", channel):
        error("channel", _("Välj hur uppgifterna kom in."))
    category = current_codes("reporter-categories").filter(code=reporter_category).first()
    has_duty = False
    if category is None:
        error("reporter_category", _("Välj vem anmälan kommer från."))
    else:
        duty = reporter_duty(category.attributes or {})
        if duty is True and is_mandatory_reporter is False:
            error(
                "is_mandatory_reporter",
                _(
                    "Anmälare i kategorin ”%(category)s” är alltid anmälningsskyldiga (SoL 19 "
                    "kap. 1–3 §§). Välj en annan kategori om anmälaren inte anmäler i sitt arbete."
                )
                % {"category": category.label_sv},
            )
        elif duty is False and is_mandatory_reporter:
            error(
                "is_mandatory_reporter",
                _(
                    "En anmälare i kategorin ”%(category)s” är inte anmälningsskyldig. "
                    "Anmälningsskyldigheten gäller myndigheter och yrkesverksamma i sitt arbete "
                    "(SoL 19 kap. 1–3 §§), och de kan inte vara anonyma. Välj den kategori "
                    "anmälaren arbetar i, eller ta bort krysset."
                )
                % {"category": category.label_sv},
            )
        has_duty = duty if duty is not None else bool(is_mandatory_reporter)
    if not codes:
        error("reason_codes", _("Välj minst en orsak till anmälan."))
    else:
        known = set(
            current_codes("report-reasons").filter(code__in=codes).values_list("code", flat=True)
        )
        if set(codes) - known:
            error("reason_codes", _("En av de valda orsakerna finns inte i kodlistan."))
    if not text:
        error("text", _("Skriv vad anmälan gäller."))
    if is_reporter_identity_protected and not reporter_name and not reporter_contact:
        error(
            "is_reporter_identity_protected",
            _(
                "Det finns ingen anmälaridentitet att skydda. Skriv anmälarens namn eller ta "
                "bort krysset."
            ),
        )
    if stated_received_at is not None:
        stated_received_at = _aware(stated_received_at)
        if stated_received_at > timezone.now():
            error("stated_received_at", _("Tiden för mottagandet kan inte ligga i framtiden."))
        if not stated_received_reason:
            error(
                "stated_received_reason",
                _(
                    "Skriv varför anmälan kom in tidigare än den registreras, till exempel "
                    "att den togs emot per telefon och skrevs ned senare."
                ),
            )
    elif stated_received_reason:
        error("stated_received_at", _("Skriv när anmälan kom in, eller ta bort skälet."))
    if stated_received_at is not None:
        stated_on = timezone.localtime(stated_received_at).date()
        born_after = [c.birth_date for c in children if c.birth_date and c.birth_date > stated_on]
        if born_after:
            error(
                "stated_received_at",
                _(
                    "Tiden för mottagandet ligger före barnets födelsedag (%(born)s). Kontrollera "
                    "datumet."
                )
                % {"born": max(born_after).isoformat()},
            )

    child_ids = [child.pk for child in children]
    if not child_ids:
        error("children", _("Ange minst ett barn som anmälan gäller."))
    elif len(set(child_ids)) != len(child_ids):
        error("children", _("Samma barn är angivet två gånger."))
    elif access.editable_persons(by).filter(pk__in=child_ids).count() != len(child_ids):
        error(
            "children",
            _("Du har inte behörighet att registrera en anmälan om ett av barnen."),
        )
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # Serialise reports about the same children, so that two at once make one case.
        locked = list(Person.objects.select_for_update().filter(pk__in=child_ids).order_by("pk"))
        needs_confirmation = stated_received_at is not None and is_receipt_confirmation_needed(
            stated_received_at, timezone.now()
        )
        report = Report.objects.create(
            district=district,
            kind=kind,
            channel=channel,
            reporter_category=reporter_category,
            is_mandatory_reporter=has_duty,
            reporter_name=reporter_name,
            reporter_contact=reporter_contact,
            is_reporter_identity_protected=is_reporter_identity_protected,
            text=text,
            stated_received_at=stated_received_at,
            stated_received_reason=stated_received_reason if stated_received_at else "",
            is_receipt_confirmation_needed=needs_confirmation,
            registered_by=by,
        )
        ReportReason.objects.bulk_create([ReportReason(report=report, code=c) for c in codes])
        record(
            "intake.report_registered",
            by=by,
            obj=report,
            district=district.code,
            data={
                "kind": kind,
                "channel": channel,
                "reporter_category": reporter_category,
                "is_mandatory_reporter": has_duty,
                "is_reporter_identity_protected": is_reporter_identity_protected,
                "reason_codes": codes,
                "children": len(child_ids),
                "is_receipt_stated": stated_received_at is not None,
                "is_receipt_confirmation_needed": needs_confirmation,
            },
        )
        by_pk = {person.pk: person for person in locked}
        for child_id in child_ids:
            _add_child(report, by_pk[child_id], by=by)
        return report


def reporter_duty(attributes: dict[str, Any]) -> bool | None:
    """Whether a reporter of a category (its code-list attributes) has the duty to report:
    True for the mandatory reporters (SoL 19:1–3), None where it varies and must be asked
    (`may_be_mandatory`), False for everyone else (relatives, private persons, the child,
    anonymous reporters: SoL 19:4)."""
    if attributes.get("mandatory"):
        return True
    if attributes.get("may_be_mandatory"):
        return None
    return False


def may_confirm_stated_receipt(user: User | AnonymousUser, report: Report) -> bool:
    """A team manager of the report's district who did not register it (four eyes)."""
    return _is_district_manager(user, report.district_id) and report.registered_by_id != user.pk


def confirm_stated_receipt(report: Report, *, by: User, note: str) -> Report:
    """A team manager of the district confirms a stated receipt far before the registration,
    with a note; journaled. Nobody confirms a report they registered themselves."""
    note = (note or "").strip()
    with transaction.atomic():
        fresh = Report.objects.select_for_update().select_related("district").get(pk=report.pk)
        if not may_confirm_stated_receipt(by, fresh):
            raise PermissionDenied
        if not fresh.is_receipt_awaiting_confirmation:
            raise ValidationError(
                _("Den uppgivna tiden för mottagandet behöver ingen bekräftelse."), code="note"
            )
        if not note:
            raise ValidationError(
                {
                    "note": _(
                        "Skriv en notering: varför anmälan registreras så långt efter att den "
                        "kom in, och vad du har kontrollerat."
                    )
                }
            )
        updated: Report = update_versioned(
            fresh,
            expected_version=fresh.version,
            changes={
                "receipt_confirmed_at": timezone.now(),
                "receipt_confirmed_by": by,
                "receipt_confirmation_note": note,
            },
        )
        record(
            "intake.stated_receipt_confirmed",
            by=by,
            obj=updated,
            district=fresh.district.code,
            data={"report_id": fresh.pk},
        )
        return updated


def _add_child(report: Report, child: Person, *, by: User) -> ReportChild:
    open_cases = Case.objects.filter(child=child, district=report.district)
    investigation = (
        open_cases.filter(status=CaseStatus.INVESTIGATION).order_by("-recorded_at").first()
    )
    running = (
        open_cases.filter(status__in=[CaseStatus.INTAKE, CaseStatus.PRE_ASSESSMENT])
        .order_by("-recorded_at")
        .first()
    )
    if investigation is not None:
        case, attached, covered = investigation, True, False
    elif running is not None:
        case, attached, covered = running, False, True
    else:
        case, attached, covered = (
            open_case(by=by, child=child, district=report.district),
            False,
            False,
        )
    report_child = ReportChild.objects.create(
        report=report,
        child=child,
        case=case,
        is_attached_to_open_investigation=attached,
        is_covered_by_running_pre_assessment=covered,
    )
    record(
        "intake.report_child_added",
        by=by,
        obj=report_child,
        case_id=case.pk,
        person_id=child.pk,
        district=report.district.code,
        data={
            "report_id": report.pk,
            "is_attached_to_open_investigation": attached,
            "is_covered_by_running_pre_assessment": covered,
            "receipt_date": report.receipt_date.isoformat(),
        },
    )
    return report_child


# --- immediate protection assessment (20:1) ----------------------------------------------------


def _refresh_urgency(case: Case, *, by: User) -> None:
    """The case is urgent while a protection assessment says the child needs immediate
    protection and no protective action is recorded for it; journaled when it changes."""
    is_urgent = ProtectionAssessment.objects.filter(
        report_child__case=case,
        is_immediate_protection_needed=True,
        protective_action_recorded_at__isnull=True,
    ).exists()
    if Case.objects.filter(pk=case.pk).values_list("is_urgent", flat=True).get() == is_urgent:
        return
    # Not a version bump: the flag follows the assessments and is never edited in a form.
    Case.objects.filter(pk=case.pk).update(is_urgent=is_urgent)
    case.is_urgent = is_urgent
    record(
        "cases.urgency_changed",
        by=by,
        obj=case,
        case_id=case.pk,
        person_id=case.child_id,
        district=case.district.code,
        data={"is_urgent": is_urgent},
    )


def _protective_action_values(
    report_child: ReportChild, *, action: str, taken_at: datetime | None, note: str
) -> dict[str, Any]:
    """Checked values of a protective action: a listed action, what was done, and when
    (not before the report came in, not in the future)."""
    errors: dict[str, str] = {}
    if action not in ProtectiveAction.values:
        errors["protective_action"] = _("Välj vilken skyddsåtgärd som vidtogs.")
    if not note:
        errors["protective_action_note"] = _("Beskriv vad som gjordes för att skydda barnet.")
    if taken_at is None:
        errors["protective_action_taken_at"] = _("Skriv när skyddsåtgärden vidtogs.")
    else:
        taken_at = _aware(taken_at)
        # Forms give minutes: the minute the report came in counts as at or after it.
        receipt_at = report_child.report.receipt_at.replace(second=0, microsecond=0)
        if taken_at > timezone.now():
            errors["protective_action_taken_at"] = _("Tiden kan inte ligga i framtiden.")
        elif taken_at < receipt_at:
            errors["protective_action_taken_at"] = _(
                "Tiden kan inte vara före den tid anmälan kom in, %(at)s."
            ) % {"at": timezone.localtime(receipt_at).strftime("%Y-%m-%d %H:%M")}
    if errors:
        raise ValidationError(errors)
    return {
        "protective_action": action,
        "protective_action_note": note,
        "protective_action_taken_at": taken_at,
        "protective_action_recorded_at": timezone.now(),
    }


def _journal_protective_action(assessment: ProtectionAssessment, case: Case, *, by: User) -> None:
    taken_at = assessment.protective_action_taken_at
    record(
        "intake.protective_action_recorded",
        by=by,
        obj=assessment,
        case_id=case.pk,
        person_id=assessment.report_child.child_id,
        district=case.district.code,
        data={
            "report_child_id": assessment.report_child_id,
            "protective_action": assessment.protective_action,
            # UTC, as every time in the journal.
            "taken_at": taken_at.astimezone(UTC).isoformat() if taken_at else None,
        },
    )


def assess_protection(
    report_child: ReportChild,
    *,
    by: User,
    is_immediate_protection_needed: bool,
    actions_taken: str,
    rationale: str,
    information_basis: str = "",
    protective_action: str = "",
    protective_action_taken_at: datetime | None = None,
    protective_action_note: str = "",
) -> ProtectionAssessment:
    """Record the immediate protection assessment of one report about one child (20:1).

    The first assessment on a case in intake moves it to pre-assessment and starts the
    pre-assessment draft, whose 14 days count from the earliest receipt on the case.

    When the child needs immediate protection the team managers of the district are alerted
    (their start page and the team view list it) and the case is urgent until the protective
    action taken, and when, is recorded: here, when it is already known, or later with
    `record_protective_action`. The alert and the action are journaled.
    """
    rationale = (rationale or "").strip()
    actions_taken = (actions_taken or "").strip()
    information_basis = (information_basis or "").strip()
    protective_action = (protective_action or "").strip()
    protective_action_note = (protective_action_note or "").strip()
    has_action = bool(
        protective_action or protective_action_note or protective_action_taken_at is not None
    )
    with transaction.atomic():
        case = (
            Case.objects.select_for_update().select_related("district").get(pk=report_child.case_id)
        )
        _require_case_edit(case, by)
        errors: dict[str, str] = {}
        if ProtectionAssessment.objects.filter(report_child=report_child).exists():
            raise ValidationError(
                _("Skyddsbedömningen för den här anmälan är redan gjord."), code="exists"
            )
        if not rationale:
            errors["rationale"] = _("Skriv hur du har bedömt barnets behov av skydd och varför.")
        if is_immediate_protection_needed and not actions_taken:
            errors["actions_taken"] = _(
                "Barnet behöver omedelbart skydd: skriv vilka åtgärder som har vidtagits."
            )
        if has_action and not is_immediate_protection_needed:
            errors["protective_action"] = _(
                "En skyddsåtgärd registreras bara när barnet behöver skydd omedelbart."
            )
        if errors:
            raise ValidationError(errors)
        action_values: dict[str, Any] = {}
        if has_action:
            action_values = _protective_action_values(
                report_child,
                action=protective_action,
                taken_at=protective_action_taken_at,
                note=protective_action_note,
            )
            action_values["protective_action_recorded_by"] = by
        assessment = ProtectionAssessment.objects.create(
            report_child=report_child,
            performed_by=by,
            information_basis=information_basis,
            is_immediate_protection_needed=is_immediate_protection_needed,
            actions_taken=actions_taken,
            rationale=rationale,
            **action_values,
        )
        record(
            "intake.protection_assessed",
            by=by,
            obj=assessment,
            case_id=case.pk,
            person_id=report_child.child_id,
            district=case.district.code,
            data={
                "report_child_id": report_child.pk,
                "is_immediate_protection_needed": is_immediate_protection_needed,
                "is_late": assessment.performed_on > report_child.receipt_date,
            },
        )
        if is_immediate_protection_needed:
            # The alert: the district's team managers see it at once on their start page and
            # in the team view, until the protective action is recorded.
            record(
                "intake.immediate_protection_alerted",
                by=by,
                obj=assessment,
                case_id=case.pk,
                person_id=report_child.child_id,
                district=case.district.code,
                data={"report_child_id": report_child.pk, "has_protective_action": has_action},
            )
        if has_action:
            _journal_protective_action(assessment, case, by=by)
        _refresh_urgency(case, by=by)
        if case.status == CaseStatus.INTAKE:
            move_case(case, to=CaseStatus.PRE_ASSESSMENT, by=by, reason="protection_assessed")
            _start_pre_assessment(case, by=by)
        return assessment


def record_protective_action(
    assessment: ProtectionAssessment,
    *,
    by: User,
    protective_action: str,
    taken_at: datetime | None,
    note: str,
) -> ProtectionAssessment:
    """Record what was done to protect a child who needs immediate protection, and when
    (LVU 6 §, a placement, or another action); ends the alert; journaled. Recorded once."""
    note = (note or "").strip()
    with transaction.atomic():
        fresh = (
            ProtectionAssessment.objects.select_for_update()
            .select_related("report_child", "report_child__report")
            .get(pk=assessment.pk)
        )
        case = (
            Case.objects.select_for_update()
            .select_related("district")
            .get(pk=fresh.report_child.case_id)
        )
        _require_case_edit(case, by)
        if not fresh.is_immediate_protection_needed:
            raise ValidationError(
                _("En skyddsåtgärd registreras bara när barnet behöver skydd omedelbart."),
                code="protective_action",
            )
        if fresh.protective_action_recorded_at is not None:
            raise ValidationError(
                _("Skyddsåtgärden är redan registrerad."), code="protective_action"
            )
        values = _protective_action_values(
            fresh.report_child, action=protective_action, taken_at=taken_at, note=note
        )
        values["protective_action_recorded_by"] = by
        ProtectionAssessment.objects.filter(pk=fresh.pk).update(**values)
        fresh.refresh_from_db()
        _journal_protective_action(fresh, case, by=by)
        _refresh_urgency(case, by=by)
        return fresh


def _start_pre_assessment(case: Case, *, by: User) -> PreAssessment:
    existing = original_pre_assessment(case)
    if existing is not None:
        return existing
    receipts = [
        rc.report.receipt_date
        for rc in ReportChild.objects.filter(
            case=case, is_attached_to_open_investigation=False
        ).select_related("report")
    ]
    received_on = min(receipts) if receipts else timezone.localdate()
    pre_assessment = PreAssessment.objects.create(
        case=case, event_on=timezone.localdate(), author=by, received_on=received_on
    )
    record(
        "intake.pre_assessment_started",
        by=by,
        obj=pre_assessment,
        case_id=case.pk,
        person_id=case.child_id,
        district=case.district.code,
        data={
            "received_on": received_on.isoformat(),
            "due": pre_assessment_deadline(received_on).due.isoformat(),
        },
    )
    return pre_assessment


# --- pre-assessment (20:2) ---------------------------------------------------------------------


def _validate_draft_changes(pre_assessment: PreAssessment, changes: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    decision = changes.get("decision")
    if decision not in (None, "") and decision not in Decision.values:
        errors["decision"] = _("Välj ett av besluten i listan.")
    event_on = changes.get("event_on")
    if event_on is not None:
        if event_on > timezone.localdate():
            errors["event_on"] = _("Beslutsdatumet kan inte ligga i framtiden.")
        elif event_on < pre_assessment.received_on:
            errors["event_on"] = _("Beslutsdatumet kan inte vara före dagen då anmälan kom in.")
    if pre_assessment.corrects_id is not None and decision not in (None, ""):
        original = cast(PreAssessment | None, pre_assessment.corrects)
        if original is not None and decision != original.decision:
            errors["decision"] = _(
                "Beslutet kan inte ändras genom en rättelse. Rätta texten; ett nytt beslut "
                "kräver ett nytt ärende eller en överprövning."
            )
    if errors:
        raise ValidationError(errors)


def save_pre_assessment_draft(
    pre_assessment: PreAssessment, *, by: User, expected_version: int, changes: dict[str, Any]
) -> PreAssessment:
    """Save (or autosave) the draft; signed documents are locked; stale versions refused."""
    _validate_draft_changes(pre_assessment, changes)
    saved: PreAssessment = save_draft(
        pre_assessment, by=by, expected_version=expected_version, changes=changes
    )
    return saved


def add_pre_assessment_contact(
    pre_assessment: PreAssessment, *, by: User, who: str, contacted_on: date | None, summary: str
) -> PreAssessmentContact:
    """Record a contact with the child, a guardian or the reporter during the pre-assessment.

    Anyone else (school, health care, police, …) needs an opened investigation: refused.
    """
    summary = (summary or "").strip()
    with transaction.atomic():
        case = Case.objects.select_related("district").get(pk=pre_assessment.case_id)
        _require_case_edit(case, by)
        if who not in ContactWho.values:
            raise ValidationError({"who": str(EXTERNAL_CONTACT_MESSAGE)})
        errors: dict[str, str] = {}
        if case.status != CaseStatus.PRE_ASSESSMENT:
            raise ValidationError(
                _("Förhandsbedömningen är avslutad; kontakter dokumenteras nu i utredningen."),
                code="who",
            )
        if contacted_on is None:
            errors["contacted_on"] = _("Skriv vilket datum kontakten togs.")
        elif contacted_on > timezone.localdate():
            errors["contacted_on"] = _("Datumet kan inte ligga i framtiden.")
        elif contacted_on < pre_assessment.received_on:
            errors["contacted_on"] = _("Datumet kan inte vara före dagen då anmälan kom in.")
        if not summary:
            errors["summary"] = _("Skriv vad som kom fram i kontakten.")
        if errors:
            raise ValidationError(errors)
        assert contacted_on is not None
        original = original_pre_assessment(case) or pre_assessment
        contact = PreAssessmentContact.objects.create(
            pre_assessment=original,
            who=who,
            contacted_on=contacted_on,
            summary=summary,
            recorded_by=by,
        )
        record(
            "intake.pre_assessment_contact_added",
            by=by,
            obj=contact,
            case_id=case.pk,
            person_id=case.child_id,
            district=case.district.code,
            data={"who": who, "contacted_on": contacted_on.isoformat()},
        )
        return contact


def sign_pre_assessment(
    pre_assessment: PreAssessment,
    *,
    by: User,
    expected_version: int,
    changes: dict[str, Any] | None = None,
) -> PreAssessment:
    """Sign the pre-assessment: this is the decision to open or not open an investigation.

    `changes` (the form as posted) are saved to the draft first, in the same transaction.
    Open → the case moves to investigation and the investigation is opened on the decision
    date; not open or already open → the case is closed. A decision signed after the 14 days
    (judged by the day of signing, so a back-dated decision date does not avoid it) needs
    "synnerliga skäl". A signed correction keeps the original decision and changes nothing
    else.
    """
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .select_related("district")
            .get(pk=pre_assessment.case_id)
        )
        _require_case_edit(case, by)
        if changes:
            save_pre_assessment_draft(
                pre_assessment, by=by, expected_version=expected_version, changes=changes
            )
            expected_version = PreAssessment.objects.get(pk=pre_assessment.pk).version
        fresh = PreAssessment.objects.get(pk=pre_assessment.pk)
        if fresh.status != DocumentStatus.DRAFT:
            raise DocumentLocked(_("Dokumentet är redan signerat."), code="locked")
        if fresh.version != expected_version:
            raise StaleVersion(current=fresh, changed_fields=[])
        is_original = fresh.corrects_id is None
        today = timezone.localdate()
        deadline = pre_assessment_deadline(fresh.received_on)
        is_late = today > deadline.due
        errors: dict[str, str] = {}
        if not fresh.decision:
            errors["decision"] = _("Välj beslut: om en utredning ska inledas eller inte.")
        if not fresh.reasons.strip():
            errors["reasons"] = _("Skriv skälen för beslutet.")
        registered_on = first_registration_date(case)
        is_dated_before_registration = registered_on is not None and fresh.event_on < registered_on
        if fresh.event_on > today:
            errors["event_on"] = _("Beslutsdatumet kan inte ligga i framtiden.")
        elif fresh.event_on < fresh.received_on:
            errors["event_on"] = _("Beslutsdatumet kan inte vara före dagen då anmälan kom in.")
        elif is_dated_before_registration and not fresh.early_decision_reason.strip():
            errors["early_decision_reason"] = _(
                "Beslutsdatumet %(decided)s ligger före dagen då anmälan registrerades, "
                "%(registered)s. Skriv varför beslutet fattades innan anmälan registrerades, "
                "eller ändra beslutsdatumet."
            ) % {"decided": fresh.event_on.isoformat(), "registered": str(registered_on)}
        if is_original:
            custody_error = _emergency_custody_error(case, fresh.decision)
            if case.status != CaseStatus.PRE_ASSESSMENT:
                errors["decision"] = _("Ärendet är inte i förhandsbedömning.")
            elif custody_error:
                errors["decision"] = custody_error
            elif ReportChild.objects.filter(case=case, protection_assessment__isnull=True).exists():
                errors["decision"] = _(
                    "En anmälan i ärendet saknar skyddsbedömning. Gör den först (SoL 20 kap. 1 §)."
                )
            errors.update(_own_text_errors(fresh))
            if is_late and not fresh.exceptional_reasons.strip():
                errors["exceptional_reasons"] = _(
                    "Beslutet fattas efter 14 dagar (sista dag var %(due)s). Skriv de synnerliga "
                    "skälen till att beslutet dröjde (SoL 20 kap. 2 §)."
                ) % {"due": deadline.due.isoformat()}
        else:
            original = cast(PreAssessment | None, fresh.corrects)
            if original and fresh.decision and fresh.decision != original.decision:
                errors["decision"] = _("Beslutet kan inte ändras genom en rättelse.")
        if errors:
            raise ValidationError(errors)

        signed: PreAssessment = sign_document(fresh, by=by, expected_version=expected_version)
        if is_original:
            _carry_out_decision(signed, case, by=by)
            record(
                "intake.pre_assessment_decided",
                by=by,
                obj=signed,
                case_id=case.pk,
                person_id=case.child_id,
                district=case.district.code,
                data={
                    "decision": signed.decision,
                    "decided_on": signed.event_on.isoformat(),
                    "due": deadline.due.isoformat(),
                    "is_late": is_late,
                    "has_exceptional_reasons": bool(signed.exceptional_reasons.strip()),
                    "is_dated_before_registration": is_dated_before_registration,
                },
            )
        return signed


def _emergency_custody_error(case: Case, decision: str) -> str:
    """Why the decision cannot close a case whose child was taken into care at once, or "".

    An omedelbart omhändertagande (LVU 6 §) is followed by an investigation and, within four
    weeks of its execution, an application for care to the administrative court, or it ends
    (LVU 7–8 §§; SoL 14:2 and 20:1–2; docs/domain.md §2.3). A decision not to open an
    investigation would close the case and leave the child in custody with nobody acting, so
    it is refused. "Already open" is allowed: the running investigation carries on.
    """
    if decision != Decision.NOT_OPEN:
        return ""
    custodies = emergency_custodies(case)
    if not custodies:
        return ""
    taken_at = custodies[0].protective_action_taken_at
    return _(
        "Barnet omhändertogs omedelbart enligt 6 § LVU (%(at)s). Då måste en utredning "
        "inledas: beslutet ska underställas förvaltningsrätten inom en vecka (7 § LVU) och "
        "ansökan om vård göras inom fyra veckor (8 § LVU), annars upphör omhändertagandet. "
        "Välj beslutet att inleda utredning."
    ) % {"at": timezone.localtime(taken_at).strftime("%Y-%m-%d %H:%M") if taken_at else "–"}


def _carry_out_decision(pre_assessment: PreAssessment, case: Case, *, by: User) -> None:
    if pre_assessment.decision == Decision.OPEN:
        move_case(case, to=CaseStatus.INVESTIGATION, by=by, reason="pre_assessment_open")
        handover.open_investigation(case, by=by, opened_on=pre_assessment.event_on)
    elif pre_assessment.decision == Decision.NOT_OPEN:
        move_case(case, to=CaseStatus.CLOSED, by=by, reason="pre_assessment_not_open")
    else:  # already open: the information belongs to the investigation that is running
        move_case(case, to=CaseStatus.CLOSED, by=by, reason="pre_assessment_already_open")


def correct_pre_assessment(
    pre_assessment: PreAssessment, *, by: User, reason: str
) -> PreAssessment:
    """Start a correction of a signed pre-assessment (a new draft; the original stays)."""
    corrected: PreAssessment = correct_document(pre_assessment, by=by, reason=reason)
    return corrected


# --- information to the reporter (19:6) --------------------------------------------------------


def request_reporter_information(
    report: Report, *, by: User, requested_on: date | None
) -> ReporterInformationRequest:
    """Record that a mandatory reporter asked whether an investigation was opened (19:6)."""
    with transaction.atomic():
        _require_report_edit(report, by)
        if not report.is_mandatory_reporter:
            raise ValidationError(
                _(
                    "Rätten att få veta om en utredning har inletts gäller anmälare med "
                    "anmälningsskyldighet (SoL 19 kap. 6 §)."
                ),
                code="requested_on",
            )
        if requested_on is None:
            raise ValidationError({"requested_on": _("Skriv vilket datum anmälaren frågade.")})
        if requested_on > timezone.localdate():
            raise ValidationError({"requested_on": _("Datumet kan inte ligga i framtiden.")})
        if requested_on < report.receipt_date:
            raise ValidationError(
                {"requested_on": _("Datumet kan inte vara före dagen då anmälan kom in.")}
            )
        info_request = ReporterInformationRequest.objects.create(
            report=report, requested_on=requested_on, recorded_by=by
        )
        record(
            "intake.reporter_information_requested",
            by=by,
            obj=info_request,
            district=report.district.code,
            data={"report_id": report.pk, "requested_on": requested_on.isoformat()},
        )
        return info_request


def answer_reporter_information(
    info_request: ReporterInformationRequest,
    *,
    by: User,
    expected_version: int,
    answered_on: date | None,
    answer_text: str,
) -> ReporterInformationRequest:
    """Record what the reporter was told, and when."""
    answer_text = (answer_text or "").strip()
    with transaction.atomic():
        _require_report_edit(info_request.report, by)
        errors: dict[str, str] = {}
        if info_request.is_answered:
            raise ValidationError(_("Begäran är redan besvarad."), code="answer_text")
        if answered_on is None:
            errors["answered_on"] = _("Skriv vilket datum anmälaren fick svar.")
        elif answered_on > timezone.localdate():
            errors["answered_on"] = _("Datumet kan inte ligga i framtiden.")
        elif answered_on < info_request.requested_on:
            errors["answered_on"] = _("Svaret kan inte vara före begäran.")
        if not answer_text:
            errors["answer_text"] = _("Skriv vad anmälaren fick veta.")
        if errors:
            raise ValidationError(errors)
        updated: ReporterInformationRequest = update_versioned(
            info_request,
            expected_version=expected_version,
            changes={
                "answered_on": answered_on,
                "answered_at": timezone.now(),
                "answered_by": by,
                "answer_text": answer_text,
            },
        )
        record(
            "intake.reporter_information_answered",
            by=by,
            obj=info_request,
            district=info_request.report.district.code,
            data={
                "report_id": info_request.report_id,
                "answered_on": answered_on.isoformat() if answered_on else None,
            },
        )
        return updated


# --- Siblings of one report: copying what is the same for both ---------------------------------

# What one action copies from a sibling's document of the same report (docs/architecture.md,
# "Siblings"). The reporter and the reasons are on the report already. Never copied, because
# they are the child's own: whether this child needs protection at once; the pre-assessment's
# assessment, decision, reasons, synnerliga skäl and date; the contacts.
SIBLING_COPY: dict[type[models.Model], tuple[str, ...]] = {
    ProtectionAssessment: ("information_basis", "actions_taken", "rationale"),
    PreAssessment: ("information_obtained",),
}


def merge_copied_text(own: str, copied: str) -> str:
    """The copied text after what the child's field already holds: nothing is replaced."""
    own, copied = (own or "").strip(), (copied or "").strip()
    if not copied or copied in own:
        return own
    return f"{own}\n\n{copied}" if own else copied


def _same_text(first: str, second: str) -> bool:
    return " ".join((first or "").split()).casefold() == " ".join((second or "").split()).casefold()


def _require_sibling_source(case: Case, source_case: Case, *, by: User) -> None:
    """The source is a visible sibling's case of a shared report, and copying is allowed."""
    if not access.visible_cases(by).filter(pk=source_case.pk).exists():
        raise PermissionDenied  # the views answer 404 before asking (intake.views)

    refusal = sibling_copy_refusal(case, source_case, by)
    if refusal:
        raise ValidationError(refusal, code="source")


def copy_pre_assessment_from_sibling(
    pre_assessment: PreAssessment,
    *,
    by: User,
    source: PreAssessment,
    expected_version: int,
    changes: dict[str, Any] | None = None,
) -> PreAssessment:
    """Copy the information obtained from a sibling's pre-assessment into this child's draft.

    `changes` (the form as posted, so that nothing typed is lost) are saved first. The copied
    text goes after what the field holds; the draft is marked `copied_from`, and signing it then
    needs this child's own assessment and reasons (see `_own_text_errors`).
    """
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .select_related("district")
            .get(pk=pre_assessment.case_id)
        )
        _require_case_edit(case, by)
        source_case = Case.objects.get(pk=source.case_id)
        _require_sibling_source(case, source_case, by=by)
        if changes:
            save_pre_assessment_draft(
                pre_assessment, by=by, expected_version=expected_version, changes=changes
            )
            expected_version = PreAssessment.objects.get(pk=pre_assessment.pk).version
        fresh = PreAssessment.objects.get(pk=pre_assessment.pk)
        if fresh.status != DocumentStatus.DRAFT:
            raise DocumentLocked(
                _("Dokumentet är signerat och kan inte ändras. Skriv en rättelse i stället."),
                code="locked",
            )
        source = PreAssessment.objects.get(pk=source.pk)
        fields = SIBLING_COPY[PreAssessment]
        copied = {
            name: merge_copied_text(getattr(fresh, name), getattr(source, name)) for name in fields
        }
        changed = [name for name in fields if copied[name] != getattr(fresh, name)]
        updated: PreAssessment = update_versioned(
            fresh, expected_version=expected_version, changes={**copied, "copied_from": source}
        )
        record(
            "intake.pre_assessment_copied_from_sibling",
            by=by,
            obj=updated,
            case_id=case.pk,
            person_id=case.child_id,
            district=case.district.code,
            data={
                "source_id": source.pk,
                "source_case_id": source_case.pk,
                "fields": changed,
            },
        )
        return updated


def _own_text_errors(document: PreAssessment) -> dict[str, str]:
    """A pre-assessment filled from a sibling's is signed only with this child's own
    assessment and reasons: written, and not the sibling's text again."""
    source = document.copied_from
    if source is None:
        return {}
    errors: dict[str, str] = {}
    if not document.assessment.strip():
        errors["assessment"] = _(
            "Informationen är kopierad från ett syskons förhandsbedömning. Skriv bedömningen "
            "för just det här barnet."
        )
    elif _same_text(document.assessment, source.assessment):
        errors["assessment"] = _(
            "Bedömningen är densamma som i syskonets förhandsbedömning. Skriv bedömningen för "
            "just det här barnet."
        )
    if document.reasons.strip() and _same_text(document.reasons, source.reasons):
        errors["reasons"] = _(
            "Skälen är desamma som i syskonets beslut. Skriv skälen för just det här barnet."
        )
    return errors


def assess_protection_from_sibling(
    report_child: ReportChild,
    *,
    by: User,
    source: ProtectionAssessment,
    is_copy_confirmed: bool,
    **assessment: Any,
) -> ProtectionAssessment:
    """The protection assessment of a child whose form was filled from a sibling's assessment
    of the same report (SIBLING_COPY), confirmed for this child by the one who saves it.

    `assessment` are the arguments of `assess_protection` (the decision on immediate protection
    is this child's own and is never copied). Marked `copied_from` and journaled.
    """
    with transaction.atomic():
        source = ProtectionAssessment.objects.select_related("report_child").get(pk=source.pk)
        if source.report_child.report_id != report_child.report_id:
            raise ValidationError(
                _("Du kan bara kopiera från ett syskon som anmälan också gäller."), code="source"
            )
        source_case = Case.objects.get(pk=source.report_child.case_id)
        _require_case_edit(Case.objects.get(pk=report_child.case_id), by)
        _require_sibling_source(Case.objects.get(pk=report_child.case_id), source_case, by=by)
        if not is_copy_confirmed:
            raise ValidationError(
                {
                    "is_copy_confirmed": _(
                        "Texten är kopierad från syskonets skyddsbedömning. Bekräfta att du har "
                        "läst den och att den stämmer för det här barnet."
                    )
                }
            )
        created = assess_protection(report_child, by=by, **assessment)
        ProtectionAssessment.objects.filter(pk=created.pk).update(copied_from=source)
        created.copied_from = source
        record(
            "intake.protection_assessment_copied_from_sibling",
            by=by,
            obj=created,
            case_id=report_child.case_id,
            person_id=report_child.child_id,
            district=report_child.report.district.code,
            data={
                "source_id": source.pk,
                "source_case_id": source_case.pk,
                "fields": list(SIBLING_COPY[ProtectionAssessment]),
            },
        )
        return created
