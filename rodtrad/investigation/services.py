"""Every write in an investigation (SoL 20:3–7).

Each service takes `by=user`, runs in one transaction, checks access (`edit_case` on the
investigation's case: emergency access is read-only) and the domain rules, writes, and
journals. The documents (plan, area texts, risk assessments, analysis) are saved, signed and
corrected through the generic services in `rodtrad.cases.services`, which journal
`investigation.<model>_draft_saved`, `_signed` and `_correction_started`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from rodtrad.accounts import access
from rodtrad.accounts.models import Role, Unit, UnitKind
from rodtrad.cases import services as documents
from rodtrad.cases.models import Case, CaseStatus, DocumentStatus
from rodtrad.cases.workflow import move_case
from rodtrad.deadlines import rules
from rodtrad.frameworks.queries import get_code
from rodtrad.investigation import queries
from rodtrad.investigation.models import (
    Analysis,
    AreaAssessment,
    Communication,
    Contact,
    ContactKind,
    ExtensionDecision,
    ExtensionRequest,
    ExtensionRequestStatus,
    Investigation,
    InvestigationDocument,
    InvestigationPlan,
    Need,
    Outcome,
    RiskAssessment,
    RiskJudgement,
    Severity,
    TimeHorizon,
)
from rodtrad.journal.services import record
from rodtrad.lib.versioning import StaleVersion, update_versioned
from rodtrad.people import queries as people_queries
from rodtrad.people.models import Person, Relationship

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from rodtrad.accounts.models import User

D = TypeVar("D", bound=InvestigationDocument)


def open_investigation(case: Case, *, by: User, opened_on: date) -> Investigation:
    """Open the investigation of a case (called by the pre-assessment decision to open).

    The caller (intake.services.decide_pre_assessment) checks access and moves the case's
    status; this creates the investigation and journals it, in the caller's transaction.
    """
    with transaction.atomic():
        # The caller has checked too; a service is a door of its own (S16: emergency access
        # is read-only in every service).
        if not access.can(by, "edit_case", case):
            raise PermissionDenied
        investigation = Investigation.objects.create(case=case, opened_on=opened_on, opened_by=by)
        # The case passes from intake to the district's investigation unit, whose
        # investigators now see it (access follows the case's unit).
        unit = Unit.objects.filter(
            district=case.district, kind=UnitKind.INVESTIGATION, is_active=True
        ).first()
        if unit is not None and case.unit_id != unit.pk:
            Case.objects.filter(pk=case.pk).update(unit=unit, version=F("version") + 1)
            case.refresh_from_db()
        record(
            "investigation.investigation_opened",
            by=by,
            obj=investigation,
            case_id=case.pk,
            person_id=case.child_id,
            district=case.district.code,
            data={"opened_on": opened_on.isoformat(), "unit": case.unit.code if case.unit else ""},
        )
        return investigation


# --- Shared checks ----------------------------------------------------------------------------


def _journal(
    action: str,
    *,
    by: User,
    investigation: Investigation,
    obj: models.Model,
    data: dict[str, Any],
) -> None:
    case = investigation.case
    record(
        f"investigation.{action}",
        by=by,
        obj=obj,
        case_id=case.pk,
        person_id=case.child_id,
        district=case.district.code,
        data=data,
    )


def _locked(investigation: Investigation, by: User) -> Investigation:
    """The investigation, re-read under a row lock, after the access and open checks.

    The lock serialises writes that depend on the investigation's state (extensions, closing,
    new documents) on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers anyway.
    """
    fresh = (
        Investigation.objects.select_for_update()
        .select_related("case", "case__district")
        .get(pk=investigation.pk)
    )
    if not access.can(by, "edit_case", fresh.case):
        raise PermissionDenied
    if not fresh.is_open:
        raise ValidationError(_("Utredningen är avslutad och kan inte ändras."), code="closed")
    return fresh


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _date_in_investigation(
    value: date | None, field: str, investigation: Investigation, *, required: bool = True
) -> None:
    """A date of something that happened in the investigation: from opening up to today."""
    if value is None:
        if required:
            raise ValidationError({field: _("Ange ett datum.")})
        return
    if value > timezone.localdate():
        raise ValidationError({field: _("Datumet kan inte vara senare än i dag.")})
    if value < investigation.opened_on:
        raise ValidationError(
            {
                field: _("Datumet kan inte vara före den dag utredningen inleddes, %(day)s.")
                % {"day": investigation.opened_on.isoformat()}
            }
        )


def _choice(value: str, choices: type[models.TextChoices], field: str, *, blank: bool) -> None:
    if (value == "" and blank) or value in choices.values:
        return
    raise ValidationError({field: _("Välj ett av alternativen.")})


def _area(framework: str, code: str, field: str = "area") -> str:
    """An area code of the framework (current or retired, never a triangle side)."""
    row = get_code(framework, code) if code else None
    if row is None or row.attributes.get("kind", "area") != "area":
        raise ValidationError({field: _("Välj ett område i listan.")})
    return code


# --- Informing the parties (SoL 20:4) ---------------------------------------------------------


def record_informing(
    investigation: Investigation,
    *,
    by: User,
    expected_version: int,
    informed_on: date | None = None,
    informed_how: str = "",
    deferred_reason: str = "",
) -> Investigation:
    """Record when and how the parties were told of the investigation, or why that waits."""
    informed_how = (informed_how or "").strip()
    deferred_reason = (deferred_reason or "").strip()
    with transaction.atomic():
        fresh = _locked(investigation, by)
        if informed_on is None and not deferred_reason:
            raise ValidationError(
                _(
                    "Ange när och hur parterna informerades, eller skriv varför informationen "
                    "måste vänta."
                ),
                code="informed_on",
            )
        if informed_on is not None:
            _date_in_investigation(informed_on, "informed_on", fresh)
            _required(informed_how, "informed_how", _("Skriv hur parterna informerades."))
        updated: Investigation = update_versioned(
            fresh,
            expected_version=expected_version,
            changes={
                "informed_on": informed_on,
                "informed_how": informed_how,
                "information_deferred_reason": deferred_reason,
                "informing_recorded_at": timezone.now(),
            },
        )
        _journal(
            "parties_informed" if informed_on else "information_deferred",
            by=by,
            investigation=updated,
            obj=updated,
            data={"informed_on": informed_on.isoformat() if informed_on else None},
        )
        return updated


# --- Documents: create, save, sign, correct ---------------------------------------------------


def _create_document(
    model: type[D], investigation: Investigation, *, by: User, event_on: date, **fields: Any
) -> D:
    _date_in_investigation(event_on, "event_on", investigation)
    document: D = model._default_manager.create(
        case=investigation.case,
        investigation=investigation,
        event_on=event_on,
        author=by,
        **fields,
    )
    codes = {k: v for k, v in fields.items() if k in {"framework", "area", "instrument_code"}}
    _journal(
        f"{model._meta.model_name}_created",
        by=by,
        investigation=investigation,
        obj=document,
        data={"event_on": event_on.isoformat(), **codes},
    )
    return document


def create_plan(
    investigation: Investigation, *, by: User, event_on: date, framework: str
) -> InvestigationPlan:
    """Start the investigation plan (utredningsplan) as a draft, with its framework of areas."""
    with transaction.atomic():
        fresh = _locked(investigation, by)
        if framework not in dict(queries.framework_choices()):
            raise ValidationError({"framework": _("Välj ett ramverk i listan.")})
        if queries.documents_of(InvestigationPlan, fresh).exists():
            raise ValidationError(
                _("Utredningen har redan en plan. Ändra den, eller rätta den om den är signerad."),
                code="plan",
            )
        return _create_document(
            InvestigationPlan, fresh, by=by, event_on=event_on, framework=framework
        )


def create_area_assessment(
    investigation: Investigation, *, by: User, event_on: date, area: str
) -> AreaAssessment:
    """Start the text for one area of the investigation's framework."""
    with transaction.atomic():
        fresh = _locked(investigation, by)
        framework = queries.framework_of(fresh)
        _area(framework, area)
        if queries.documents_of(AreaAssessment, fresh).filter(area=area).exists():
            raise ValidationError(
                {"area": _("Det finns redan en text för det här området. Öppna den i stället.")}
            )
        return _create_document(
            AreaAssessment, fresh, by=by, event_on=event_on, framework=framework, area=area
        )


def create_risk_assessment(
    investigation: Investigation,
    *,
    by: User,
    event_on: date,
    instrument: str,
    instrument_code: str = "",
    instrument_version: str = "",
) -> RiskAssessment:
    """Start a risk assessment; an investigation may have several over time."""
    with transaction.atomic():
        fresh = _locked(investigation, by)
        instrument = _required(
            instrument, "instrument", _("Skriv vilken metod eller vilket instrument du använder.")
        )
        if documents_in_slot(RiskAssessment, fresh, {}).exists():
            raise ValidationError(
                _("Det finns redan en påbörjad riskbedömning. Skriv klart och signera den först."),
                code="instrument",
            )
        return _create_document(
            RiskAssessment,
            fresh,
            by=by,
            event_on=event_on,
            instrument=instrument,
            instrument_code=(instrument_code or "").strip(),
            instrument_version=(instrument_version or "").strip(),
        )


def create_analysis(investigation: Investigation, *, by: User, event_on: date) -> Analysis:
    """Start the analysis and assessment (analys och bedömning)."""
    with transaction.atomic():
        fresh = _locked(investigation, by)
        if queries.documents_of(Analysis, fresh).exists():
            raise ValidationError(
                _(
                    "Utredningen har redan en analys. Ändra den, eller rätta den om den är "
                    "signerad."
                ),
                code="analysis",
            )
        return _create_document(Analysis, fresh, by=by, event_on=event_on)


# --- Documents started in the editor: the draft is created on the first save ----------------

# The fields a document is started with and that are fixed afterwards (the framework decides
# which areas exist; an area text belongs to its area). Everything else is editable content.
START_FIELDS: dict[type[InvestigationDocument], tuple[str, ...]] = {
    InvestigationPlan: ("framework",),
    AreaAssessment: ("area",),
    RiskAssessment: (),
    Analysis: (),
}


def _start_values(
    model: type[InvestigationDocument], investigation: Investigation, params: Mapping[str, Any]
) -> dict[str, Any]:
    """The start fields, checked: a framework that exists, an area of the framework in use."""
    if set(params) != set(START_FIELDS[model]):
        raise ValueError(
            f"{model.__name__} starts with {START_FIELDS[model]}, got {sorted(params)}"
        )
    if model is InvestigationPlan:
        framework = params["framework"]
        if framework not in dict(queries.framework_choices()):
            raise ValidationError({"framework": _("Välj ett ramverk i listan.")})
        return {"framework": framework}
    if model is AreaAssessment:
        framework = queries.framework_of(investigation)
        return {"framework": framework, "area": _area(framework, params["area"])}
    return {}


def documents_in_slot(
    model: type[D], investigation: Investigation, values: Mapping[str, Any]
) -> models.QuerySet[D]:
    """The documents a "new" editor would collide with, newest first.

    The plan and the analysis are one per investigation and an area text one per area (with
    their corrections); a risk assessment is one unsigned new draft at a time (migration
    0003_document_unique_draft holds the same rules as constraints).
    """
    found = queries.documents_of(model, investigation)
    if model is AreaAssessment:
        found = found.filter(area=values["area"])
    elif model is RiskAssessment:
        found = found.filter(status=DocumentStatus.DRAFT, corrects__isnull=True)
    return found.order_by("-pk")


def start_document_draft(
    model: type[D],
    investigation: Investigation,
    *,
    by: User,
    params: Mapping[str, Any],
    changes: Mapping[str, Any],
    sign: bool = False,
) -> D:
    """Create a document's draft on its first save, with what was written so far.

    Nothing is created by opening the editor: this runs on the first autosave or when the Save
    (or Save and sign) button is pressed. `params` are the start fields (START_FIELDS),
    `changes` the editable content with `event_on`.

    Find-or-create under the investigation's row lock, with the unique constraints as a
    backstop: when the document already exists (another tab, a colleague, the same first save
    sent twice) the same content returns it untouched; anything else raises StaleVersion with
    the saved document, so that the caller shows the conflict and nothing is overwritten.
    `sign=True` signs it in the same transaction: when signing is refused, nothing is created.
    """
    changes = dict(changes)
    unknown = set(changes) - {"event_on", *model.EDITABLE_FIELDS}
    if unknown:
        raise ValueError(f"not editable fields: {sorted(unknown)}")
    event_on = changes.pop("event_on", None)
    with transaction.atomic():
        fresh = _locked(investigation, by)
        values = _start_values(model, fresh, params)
        existing = documents_in_slot(model, fresh, values).first()
        if existing is not None:
            submitted = {"event_on": event_on, **values, **changes}
            differs = sorted(k for k, v in submitted.items() if getattr(existing, k) != v)
            if differs or existing.is_signed:
                raise StaleVersion(current=existing, changed_fields=differs)
            return _sign(existing, by=by) if sign else existing
        _date_in_investigation(event_on, "event_on", fresh)
        document = model(
            case=fresh.case,
            investigation=fresh,
            event_on=event_on,
            author=by,
            **values,
            **changes,
        )
        _validate_content(document, changes)
        try:
            with transaction.atomic():
                document.save()
        except IntegrityError:
            # Another start got past the lock (it cannot on PostgreSQL or SQLite, whose
            # writers are serialised, but the constraint is the last word).
            current = documents_in_slot(model, fresh, values).first()
            if current is None:  # pragma: no cover - the constraint names the slot
                raise
            raise StaleVersion(current=current, changed_fields=[]) from None
        assert event_on is not None  # checked by _date_in_investigation
        codes = {k: v for k, v in values.items() if k in {"framework", "area"}}
        if changes.get("instrument_code"):
            codes["instrument_code"] = changes["instrument_code"]
        _journal(
            f"{model._meta.model_name}_created",
            by=by,
            investigation=fresh,
            obj=document,
            data={
                "event_on": event_on.isoformat(),
                **codes,
                "fields": sorted(name for name, value in changes.items() if value),
            },
        )
        return _sign(document, by=by) if sign else document


def _sign(document: D, *, by: User) -> D:
    signed: D = SIGNERS[type(document)](document, by=by, expected_version=document.version)
    return signed


def _validate_content(document: InvestigationDocument, changes: Mapping[str, Any]) -> None:
    """Types and codes of a draft's content; completeness is checked when it is signed."""
    investigation = document.investigation
    if "event_on" in changes:
        _date_in_investigation(changes["event_on"], "event_on", investigation)
    if isinstance(document, InvestigationPlan) and "areas" in changes:
        areas = changes["areas"]
        if not isinstance(areas, list):
            raise ValidationError({"areas": _("Välj områden i listan.")})
        for code in areas:
            _area(document.framework, code, "areas")
    if isinstance(document, RiskAssessment):
        if "judgement" in changes:
            _choice(changes["judgement"], RiskJudgement, "judgement", blank=True)
        if "time_horizon" in changes:
            _choice(changes["time_horizon"], TimeHorizon, "time_horizon", blank=True)
        if "answers" in changes:
            answers = changes["answers"]
            if not isinstance(answers, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in answers.items()
            ):
                raise ValidationError({"answers": _("Svaren kunde inte läsas.")})
        event_on = changes.get("event_on", document.event_on)
        reassessment_on = changes.get("reassessment_on", document.reassessment_on)
        if reassessment_on is not None and event_on is not None and reassessment_on < event_on:
            raise ValidationError(
                {"reassessment_on": _("Den nya bedömningen kan inte vara före den här.")}
            )


def save_document_draft(
    document: D, *, by: User, expected_version: int, changes: dict[str, Any]
) -> D:
    """Save (or autosave) a draft of an investigation document.

    Refused when the investigation is closed or the document signed (DocumentLocked); a stale
    version raises StaleVersion. Only the document's editable fields and `event_on` change.
    """
    unknown = set(changes) - {"event_on", *document.EDITABLE_FIELDS}
    if unknown:
        raise ValueError(f"not editable fields: {sorted(unknown)}")
    with transaction.atomic():
        _locked(document.investigation, by)
        _validate_content(document, changes)
        # Only what differs from the saved draft is written and journaled: a form posts every
        # field on each autosave.
        current = type(document)._default_manager.get(pk=document.pk)
        changed = {k: v for k, v in changes.items() if getattr(current, k) != v}
        saved: D = documents.save_draft(
            document, by=by, expected_version=expected_version, changes=changed
        )
        return saved


def _save_and_sign(
    document: D,
    *,
    by: User,
    expected_version: int,
    changes: dict[str, Any] | None,
    check: Callable[[D], dict[str, Any] | None],
) -> D:
    """Save the last edits, check that the document is complete, and sign it, in one step.

    `check` raises ValidationError for what is missing, and may return content the signature
    must cover (the analysis keeps a snapshot of its needs).
    """
    model = type(document)
    with transaction.atomic():
        _locked(document.investigation, by)
        fresh = model._default_manager.select_related("investigation", "case").get(pk=document.pk)
        if fresh.is_signed:
            raise documents.DocumentLocked(_("Dokumentet är redan signerat."), code="locked")
        if fresh.version != expected_version:
            # The form's own autosave may have saved exactly what is submitted a moment
            # earlier; then the user signs what they see. Anything else is a conflict.
            differs = [k for k, v in (changes or {}).items() if getattr(fresh, k) != v]
            if changes is None or differs:
                raise StaleVersion(current=fresh, changed_fields=sorted(differs))
            expected_version = fresh.version
        if changes:
            fresh = save_document_draft(
                fresh, by=by, expected_version=expected_version, changes=changes
            )
        extra = check(fresh)
        if extra:
            fresh = update_versioned(fresh, expected_version=fresh.version, changes=extra)
        signed: D = documents.sign_document(fresh, by=by, expected_version=fresh.version)
        return signed


def _check_plan(plan: InvestigationPlan) -> None:
    _required(plan.questions, "questions", _("Skriv vilka frågor utredningen ska besvara."))
    if not plan.areas:
        raise ValidationError({"areas": _("Välj minst ett område att utreda.")})
    return None


def _check_area(assessment: AreaAssessment) -> None:
    _required(assessment.facts, "facts", _("Skriv vad som har kommit fram om området."))
    return None


def _check_risk(assessment: RiskAssessment) -> None:
    errors: dict[str, str] = {}
    if not assessment.instrument.strip():
        errors["instrument"] = _("Skriv vilken metod eller vilket instrument du använt.")
    if not assessment.judgement:
        errors["judgement"] = _("Välj den samlade bedömningen av risken.")
    if not assessment.time_horizon:
        errors["time_horizon"] = _("Välj vilket tidsperspektiv bedömningen gäller.")
    if assessment.reassessment_on is None:
        errors["reassessment_on"] = _("Ange när risken ska bedömas på nytt.")
    if errors:
        raise ValidationError(errors)
    return None


def _needs_snapshot(investigation: Investigation) -> list[dict[str, Any]]:
    return [
        {
            "id": need.pk,
            "framework": need.framework,
            "area": need.area,
            "description": need.description,
            "severity": need.severity,
            "child_view": need.child_view,
        }
        for need in queries.active_needs(investigation)
    ]


def _check_analysis(analysis: Analysis) -> dict[str, Any]:
    investigation = analysis.investigation
    errors: dict[str, str] = {}
    if not analysis.text.strip():
        errors["text"] = _("Skriv analysen och bedömningen.")
    if (
        not queries.has_child_conversation(investigation)
        and not analysis.child_not_met_reason.strip()
    ):
        errors["child_not_met_reason"] = _(
            "Inget samtal med barnet finns i kontaktloggen. Skriv varför barnet inte har "
            "träffats, eller registrera samtalet först."
        )
    if queries.is_risk_assessment_required(investigation) and not (
        queries.has_signed_risk_assessment(investigation)
    ):
        errors["__all__"] = _(
            "Anmälan gäller våld. Innan analysen kan signeras måste en riskbedömning vara "
            "signerad (HSLF-FS 2022:39)."
        )
    if errors:
        raise ValidationError(errors)
    return {"needs_snapshot": _needs_snapshot(investigation)}


def sign_plan(
    plan: InvestigationPlan,
    *,
    by: User,
    expected_version: int,
    changes: dict[str, Any] | None = None,
) -> InvestigationPlan:
    """Sign the plan: it needs the questions and at least one area."""
    return _save_and_sign(
        plan, by=by, expected_version=expected_version, changes=changes, check=_check_plan
    )


def sign_area_assessment(
    assessment: AreaAssessment,
    *,
    by: User,
    expected_version: int,
    changes: dict[str, Any] | None = None,
) -> AreaAssessment:
    """Sign an area's text: it needs the facts that came forward."""
    return _save_and_sign(
        assessment, by=by, expected_version=expected_version, changes=changes, check=_check_area
    )


def sign_risk_assessment(
    assessment: RiskAssessment,
    *,
    by: User,
    expected_version: int,
    changes: dict[str, Any] | None = None,
) -> RiskAssessment:
    """Sign a risk assessment: instrument, judgement, time horizon and re-assessment date."""
    return _save_and_sign(
        assessment, by=by, expected_version=expected_version, changes=changes, check=_check_risk
    )


def sign_analysis(
    analysis: Analysis,
    *,
    by: User,
    expected_version: int,
    changes: dict[str, Any] | None = None,
) -> Analysis:
    """Sign the analysis; its needs are locked with it and kept in the signed content.

    Without a logged conversation with the child it needs the reason; when the case's report
    reasons include violence, a signed risk assessment must exist first.
    """
    return _save_and_sign(
        analysis,
        by=by,
        expected_version=expected_version,
        changes=changes,
        check=_check_analysis,
    )


# How each kind of document is signed (start_document_draft signs through it).
SIGNERS: dict[type[InvestigationDocument], Callable[..., Any]] = {
    InvestigationPlan: sign_plan,
    AreaAssessment: sign_area_assessment,
    RiskAssessment: sign_risk_assessment,
    Analysis: sign_analysis,
}


def correct_investigation_document(document: D, *, by: User, reason: str) -> D:
    """Start a correction of a signed document: a new draft that points at it, with a reason."""
    with transaction.atomic():
        _locked(document.investigation, by)
        copy: D = documents.correct_document(document, by=by, reason=reason)
        return copy


# --- Contacts (the child's participation is the child conversations) -----------------------


def log_contact(
    investigation: Investigation,
    *,
    by: User,
    kind: str,
    event_on: date | None,
    summary: str,
    child_alone: bool | None = None,
    covered_violence: bool | None = None,
) -> Contact:
    """Log a contact; a conversation with the child records whether the child was alone and
    whether violence was talked about (SoL 20:7: the child may be heard without the guardians)."""
    with transaction.atomic():
        fresh = _locked(investigation, by)
        _choice(kind, ContactKind, "kind", blank=False)
        _date_in_investigation(event_on, "event_on", fresh)
        summary = _required(summary, "summary", _("Skriv en kort sammanfattning av kontakten."))
        if kind == ContactKind.CHILD_CONVERSATION:
            errors = {}
            if child_alone is None:
                errors["child_alone"] = _("Ange om barnet var ensamt med dig.")
            if covered_violence is None:
                errors["covered_violence"] = _("Ange om ni pratade om våld.")
            if errors:
                raise ValidationError(errors)
        else:
            child_alone = covered_violence = None
        assert event_on is not None  # checked above
        contact = Contact.objects.create(
            investigation=fresh,
            kind=kind,
            event_on=event_on,
            child_alone=child_alone,
            covered_violence=covered_violence,
            summary=summary,
            recorded_by=by,
        )
        _journal(
            "contact_logged",
            by=by,
            investigation=fresh,
            obj=contact,
            data={
                "kind": kind,
                "event_on": event_on.isoformat(),
                "child_alone": child_alone,
                "covered_violence": covered_violence,
            },
        )
        return contact


# --- Needs (editable while the analysis is a draft) -----------------------------------------


def _require_needs_editable(investigation: Investigation) -> None:
    if not queries.are_needs_editable(investigation):
        raise ValidationError(
            _(
                "Analysen är signerad och behoven är låsta med den. Rätta analysen för att "
                "ändra behoven."
            ),
            code="locked",
        )


def _need_values(
    investigation: Investigation, *, area: str, description: str, severity: str
) -> tuple[str, str, str]:
    framework = queries.framework_of(investigation)
    _area(framework, area)
    description = _required(description, "description", _("Beskriv behovet."))
    _choice(severity, Severity, "severity", blank=False)
    return framework, description, severity


def add_need(
    investigation: Investigation,
    *,
    by: User,
    area: str,
    description: str,
    severity: str,
    child_view: str = "",
) -> Need:
    """Name a need of the child, in an area of the framework."""
    with transaction.atomic():
        fresh = _locked(investigation, by)
        _require_needs_editable(fresh)
        framework, description, severity = _need_values(
            fresh, area=area, description=description, severity=severity
        )
        need = Need.objects.create(
            investigation=fresh,
            framework=framework,
            area=area,
            description=description,
            severity=severity,
            child_view=(child_view or "").strip(),
            recorded_by=by,
        )
        _journal(
            "need_added",
            by=by,
            investigation=fresh,
            obj=need,
            data={"area": area, "severity": severity},
        )
        return need


def update_need(
    need: Need,
    *,
    by: User,
    expected_version: int,
    area: str,
    description: str,
    severity: str,
    child_view: str = "",
) -> Need:
    """Change a need while the analysis is a draft."""
    with transaction.atomic():
        fresh = _locked(need.investigation, by)
        _require_needs_editable(fresh)
        framework, description, severity = _need_values(
            fresh, area=area, description=description, severity=severity
        )
        changes = {
            "framework": framework,
            "area": area,
            "description": description,
            "severity": severity,
            "child_view": (child_view or "").strip(),
        }
        updated: Need = update_versioned(need, expected_version=expected_version, changes=changes)
        _journal(
            "need_updated",
            by=by,
            investigation=fresh,
            obj=updated,
            data={"area": area, "severity": severity},
        )
        return updated


def remove_need(need: Need, *, by: User, expected_version: int) -> None:
    """Remove a need while the analysis is a draft (a signed analysis keeps its own copy)."""
    with transaction.atomic():
        fresh = _locked(need.investigation, by)
        _require_needs_editable(fresh)
        current = Need.objects.get(pk=need.pk)
        if current.version != expected_version:
            raise StaleVersion(current=current, changed_fields=[])
        _journal(
            "need_removed",
            by=by,
            investigation=fresh,
            obj=current,
            data={"need_id": current.pk, "area": current.area},
        )
        fresh.proposed_needs.remove(current)
        current.delete()


# --- Extension of the time limit (SoL 20:3) --------------------------------------------------


def _is_district_manager(user: User | AnonymousUser, case: Case) -> bool:
    return any(
        m.role == Role.TEAM_MANAGER and m.district_id == case.district_id
        for m in access.active_memberships(user)
    )


def can_decide_extension(user: User | AnonymousUser, investigation: Investigation) -> bool:
    return _is_district_manager(user, investigation.case)


def _check_extension_bound(proposed_to: date, current_due: date, field: str) -> None:
    """A new last day at most settings.RODTRAD_EXTENSION_MAX_MONTHS months after the current
    one: SoL 20:3 allows an extension "för viss tid" (docs/deadlines.md)."""
    months = settings.RODTRAD_EXTENSION_MAX_MONTHS
    latest = rules.latest_extension_end(current_due, months)
    if proposed_to > latest:
        raise ValidationError(
            {
                field: _(
                    "En förlängning gäller för viss tid. Den nya sista dagen får ligga högst "
                    "%(months)d månader efter den nuvarande sista dagen %(due)s, alltså senast "
                    "%(latest)s. Behövs mer tid efter det fattas ett nytt beslut om förlängning "
                    "innan den nya sista dagen har passerat."
                )
                % {
                    "months": months,
                    "due": current_due.isoformat(),
                    "latest": latest.isoformat(),
                }
            }
        )


def request_extension(
    investigation: Investigation, *, by: User, reasons: str, proposed_to: date | None
) -> ExtensionRequest:
    """Ask the team managers of the district for more time (SoL 20:3); journaled.

    Anyone who may work on the case asks; the request lands on the district's team managers'
    list and waits for their decision (`decide_extension` or `refuse_extension_request`).
    A request comes before the time runs out, proposes a last day later than the current
    one, and only one request waits at a time.
    """
    with transaction.atomic():
        fresh = _locked(investigation, by)
        reasons = _required(
            reasons,
            "reasons",
            _("Skriv varför utredningen inte kan bli klar i tid (de särskilda skälen)."),
        )
        if proposed_to is None:
            raise ValidationError(
                {"proposed_to": _("Föreslå en ny sista dag. En förlängning gäller för viss tid.")}
            )
        current = fresh.deadline
        today = timezone.localdate()
        if not rules.is_extension_decided_in_time(today, current.due):
            raise ValidationError(
                {
                    "proposed_to": _(
                        "Utredningens sista dag, %(due)s, har passerat. En förlängning kan inte "
                        "beslutas i efterhand."
                    )
                    % {"due": current.due.isoformat()}
                }
            )
        if proposed_to <= current.due:
            raise ValidationError(
                {
                    "proposed_to": _(
                        "Den nya sista dagen måste vara senare än den nuvarande, %(due)s."
                    )
                    % {"due": current.due.isoformat()}
                }
            )
        _check_extension_bound(proposed_to, current.due, "proposed_to")
        if fresh.extension_requests.filter(status=ExtensionRequestStatus.PENDING).exists():
            raise ValidationError(
                _("Det finns redan en begäran om förlängning som väntar på enhetschefens beslut."),
                code="pending",
            )
        extension_request = ExtensionRequest.objects.create(
            investigation=fresh, reasons=reasons, proposed_to=proposed_to, requested_by=by
        )
        _journal(
            "extension_requested",
            by=by,
            investigation=fresh,
            obj=extension_request,
            data={"proposed_to": proposed_to.isoformat(), "current_due": current.due.isoformat()},
        )
        return extension_request


def pending_extension_request(investigation: Investigation) -> ExtensionRequest | None:
    return investigation.extension_requests.filter(status=ExtensionRequestStatus.PENDING).first()


def _answer_request(
    extension_request: ExtensionRequest,
    *,
    by: User,
    investigation: Investigation,
    status: str,
    decision: ExtensionDecision | None = None,
    refusal_reason: str = "",
) -> ExtensionRequest:
    updated: ExtensionRequest = update_versioned(
        extension_request,
        expected_version=extension_request.version,
        changes={
            "status": status,
            "decided_at": timezone.now(),
            "decided_by": by,
            "decision": decision,
            "refusal_reason": refusal_reason,
        },
    )
    _journal(
        f"extension_request_{status}",
        by=by,
        investigation=investigation,
        obj=updated,
        data={"decision_id": decision.pk if decision else None},
    )
    return updated


def refuse_extension_request(
    investigation: Investigation, *, by: User, reason: str
) -> ExtensionRequest:
    """Refuse the waiting request for more time, with the reason (team manager of the
    district); journaled. The time limit stays as it is."""
    with transaction.atomic():
        fresh = _locked(investigation, by)
        if not _is_district_manager(by, fresh.case):
            raise PermissionDenied
        extension_request = pending_extension_request(fresh)
        if extension_request is None:
            raise ValidationError(
                _("Det finns ingen begäran om förlängning som väntar på beslut."), code="pending"
            )
        reason = _required(
            reason, "refusal_reason", _("Skriv varför begäran om förlängning avslås.")
        )
        return _answer_request(
            extension_request,
            by=by,
            investigation=fresh,
            status=ExtensionRequestStatus.REFUSED,
            refusal_reason=reason,
        )


def decide_extension(
    investigation: Investigation,
    *,
    by: User,
    decided_on: date | None,
    extended_to: date | None,
    reasons: str,
) -> ExtensionDecision:
    """Extend the investigation's time for a set period (särskilda skäl, SoL 20:3).

    Only a team manager of the case's district decides, on or before the current last day;
    the new last day must be later than the current one, and it is the day the manager sets
    (not moved to a weekday). A request waiting for a decision is answered by it (granted).
    """
    with transaction.atomic():
        fresh = _locked(investigation, by)
        if not _is_district_manager(by, fresh.case):
            raise PermissionDenied
        reasons = _required(
            reasons, "reasons", _("Skriv de särskilda skälen till att utredningen förlängs.")
        )
        if extended_to is None:
            raise ValidationError(
                {"extended_to": _("Ange den nya sista dagen. En förlängning gäller för viss tid.")}
            )
        _date_in_investigation(decided_on, "decided_on", fresh)
        assert decided_on is not None  # checked above
        current = fresh.deadline
        if not rules.is_extension_decided_in_time(decided_on, current.due):
            raise ValidationError(
                {
                    "decided_on": _(
                        "Ett beslut om förlängning måste fattas senast utredningens sista dag, "
                        "%(due)s. Tiden har redan gått ut."
                    )
                    % {"due": current.due.isoformat()}
                }
            )
        try:
            rules.investigation_deadline(fresh.opened_on, [*fresh.extension_dates(), extended_to])
        except rules.InvalidExtension as exc:
            raise ValidationError({"extended_to": _(exc.message) % exc.params}) from exc
        _check_extension_bound(extended_to, current.due, "extended_to")
        decision = ExtensionDecision.objects.create(
            investigation=fresh,
            decided_on=decided_on,
            extended_to=extended_to,
            previous_due=current.due,
            reasons=reasons,
            decided_by=by,
        )
        _journal(
            "extension_decided",
            by=by,
            investigation=fresh,
            obj=decision,
            data={
                "decided_on": decided_on.isoformat(),
                "extended_to": extended_to.isoformat(),
                "previous_due": current.due.isoformat(),
            },
        )
        waiting = pending_extension_request(fresh)
        if waiting is not None:
            _answer_request(
                waiting,
                by=by,
                investigation=fresh,
                status=ExtensionRequestStatus.GRANTED,
                decision=decision,
            )
        return decision


# --- Communication (förvaltningslagen 25 §) --------------------------------------------------


def _require_analysis_for_communication(investigation: Investigation) -> None:
    """Kommunicering lets the party see what the decision will rest on, the analysis
    included: it needs the analysis written, at least as a draft (förvaltningslagen 25 §)."""
    analysis = queries.current_analysis(investigation)
    if analysis is None or not analysis.text.strip():
        raise ValidationError(
            _(
                "Analysen och bedömningen saknas. Skriv analysen (ett utkast räcker) innan du "
                "kommunicerar utredningen: den som berörs ska kunna se vad beslutet kommer att "
                "grunda sig på."
            ),
            code="analysis",
        )


def record_communication(
    investigation: Investigation,
    *,
    by: User,
    subject: str,
    recipient: Person | None,
    relationship: Relationship | None = None,
    sent_on: date | None,
    answer_by: date | None = None,
    is_secrecy_checked: bool = False,
) -> Communication:
    """Record that material was sent to one of the parties to comment on before the
    decision (förvaltningslagen 25 §): a guardian through `relationship` (a guardian, or a
    parent with custody), or the child from 15 (SoL 3:4); `people.queries.parties_of_child`.

    The analysis must exist (at least a draft with text); `answer_by` is the last day for
    the party's answer, which closing the investigation waits for. When the recipient or
    anyone in the child's network has protected personal data, the user must confirm a
    secrecy check first (docs/domain.md §2.8: every disclosure is checked).
    """
    with transaction.atomic():
        fresh = _locked(investigation, by)
        _require_analysis_for_communication(fresh)
        subject = _required(subject, "subject", _("Skriv vad som kommunicerades."))
        _date_in_investigation(sent_on, "sent_on", fresh)
        assert sent_on is not None  # checked above
        if answer_by is None:
            raise ValidationError({"answer_by": _("Ange sista dag för svar (svarstiden).")})
        if answer_by < sent_on:
            raise ValidationError(
                {"answer_by": _("Sista dag för svar kan inte vara före utskicket.")}
            )
        child = fresh.case.child
        chosen = next(
            (
                choice
                for choice in people_queries.parties_of_child(child, on=sent_on)
                if recipient is not None
                and choice.person.pk == recipient.pk
                and getattr(choice.relationship, "pk", None) == getattr(relationship, "pk", None)
            ),
            None,
        )
        if chosen is None:
            raise ValidationError(
                {
                    "recipient": _(
                        "Kommunicering skickas till parterna: barnets vårdnadshavare, och "
                        "barnet självt från 15 år. Välj en av dem. Syskon och andra "
                        "närstående är inte parter."
                    )
                }
            )
        has_protected_network = people_queries.has_protected_person_in_network(child)
        needs_check = chosen.person.is_protected or child.is_protected or has_protected_network
        if needs_check and not is_secrecy_checked:
            raise ValidationError(
                {
                    "is_secrecy_checked": _(
                        "Det finns skyddade personuppgifter hos mottagaren eller i barnets "
                        "nätverk. Gör en sekretessprövning och bekräfta den innan du "
                        "registrerar utskicket."
                    )
                }
            )
        communication = Communication.objects.create(
            investigation=fresh,
            subject=subject,
            recipient=chosen.person,
            recipient_relationship=chosen.relationship,
            is_secrecy_checked=bool(needs_check and is_secrecy_checked),
            sent_on=sent_on,
            answer_by=answer_by,
            recorded_by=by,
        )
        _journal(
            "communication_sent",
            by=by,
            investigation=fresh,
            obj=communication,
            data={
                "sent_on": sent_on.isoformat(),
                "answer_by": answer_by.isoformat(),
                "recipient_id": chosen.person.pk,
                "recipient_kind": chosen.relationship.kind if chosen.relationship else "child",
                "is_recipient_protected": chosen.person.is_protected,
                "has_protected_network": has_protected_network,
                "is_secrecy_checked": communication.is_secrecy_checked,
            },
        )
        return communication


def record_communication_answer(
    communication: Communication,
    *,
    by: User,
    expected_version: int,
    answer: str,
    answered_on: date | None,
) -> Communication:
    """Record the party's answer to a communication."""
    with transaction.atomic():
        fresh = _locked(communication.investigation, by)
        answer = _required(answer, "answer", _("Skriv vad svaret innehöll."))
        _date_in_investigation(answered_on, "answered_on", fresh)
        assert answered_on is not None  # checked above
        if answered_on < communication.sent_on:
            raise ValidationError({"answered_on": _("Svaret kan inte ha kommit före utskicket.")})
        updated: Communication = update_versioned(
            communication,
            expected_version=expected_version,
            changes={
                "answer": answer,
                "answered_on": answered_on,
                "answer_recorded_at": timezone.now(),
            },
        )
        _journal(
            "communication_answered",
            by=by,
            investigation=fresh,
            obj=updated,
            data={"answered_on": answered_on.isoformat()},
        )
        return updated


# --- Closing ---------------------------------------------------------------------------------


def _check_planned_areas(
    investigation: Investigation, area_reasons: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Every area of the signed plan is written (a signed text) or has a reason. Returns the
    reasons kept, by area code, and one Swedish message per missing area (by form field)."""
    labels = queries.area_labels(queries.framework_of(investigation))
    kept: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for code in queries.unwritten_planned_areas(investigation):
        reason = (area_reasons.get(code) or "").strip()
        if reason:
            kept[code] = reason
            continue
        errors.setdefault(f"area_reason_{code}", []).append(
            _(
                "Området ”%(area)s” finns i utredningsplanen men har ingen signerad text. "
                "Skriv och signera texten, eller skriv här varför området inte utreddes."
            )
            % {"area": labels.get(code, code)}
        )
    return kept, errors


def _communication_errors(investigation: Investigation, closed_on: date) -> list[str]:
    """One message per kommunicering that is neither answered nor past its time to answer on
    `closed_on`."""
    messages = []
    for communication in queries.waiting_communications(investigation, closed_on):
        if communication.answer_by is None:
            messages.append(
                _(
                    "Kommuniceringen till %(recipient)s (skickad %(sent)s) har inget svar och "
                    "ingen svarstid. Registrera svaret innan utredningen avslutas."
                )
                % {"recipient": communication.recipient, "sent": communication.sent_on.isoformat()}
            )
        else:
            messages.append(
                _(
                    "Kommuniceringen till %(recipient)s (skickad %(sent)s) har inget svar och "
                    "svarstiden går ut %(answer_by)s. Registrera svaret, eller avsluta "
                    "utredningen tidigast dagen efter."
                )
                % {
                    "recipient": communication.recipient,
                    "sent": communication.sent_on.isoformat(),
                    "answer_by": communication.answer_by.isoformat(),
                }
            )
    return messages


def close_investigation(
    investigation: Investigation,
    *,
    by: User,
    expected_version: int,
    outcome: str,
    closed_on: date | None,
    need_ids: Iterable[int] = (),
    note: str = "",
    area_reasons: Mapping[str, str] | None = None,
) -> Investigation:
    """Close the investigation with its outcome and move the case on (workflow.move_case).

    A proposal of interventions names at least one of the investigation's needs and moves the
    case to "proposal awaiting decision"; no intervention and transferred close the case.
    Proposal and no intervention need a signed analysis, every area of the signed plan
    written (signed) or a reason in `area_reasons` (area code → reason), and every
    kommunicering answered or its time to answer run out. A transfer needs a note saying
    where and why. Every rule that is not met is reported in one ValidationError (a message
    per field). A request for more time still waiting is closed with the investigation.
    """
    with transaction.atomic():
        fresh = _locked(investigation, by)
        _choice(outcome, Outcome, "outcome", blank=False)
        # Every rule that blocks closing is checked, and all are reported at once: one round
        # trip for the user, not one per rule (issue 6, U-11).
        errors: dict[str, list[str]] = {}
        try:
            _date_in_investigation(closed_on, "closed_on", fresh)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        note = (note or "").strip()
        ids = sorted({int(i) for i in need_ids})
        needs: list[Need] = []
        kept_reasons: dict[str, str] = {}
        if outcome in {Outcome.PROPOSAL, Outcome.NO_INTERVENTION}:
            analysis = queries.current_analysis(fresh)
            if analysis is None or not analysis.is_signed:
                errors["analysis"] = [_("Analysen måste vara signerad innan utredningen avslutas.")]
            kept_reasons, area_errors = _check_planned_areas(fresh, area_reasons or {})
            errors.update(area_errors)
            if "closed_on" not in errors:
                assert closed_on is not None  # checked above
                unanswered = _communication_errors(fresh, closed_on)
                if unanswered:
                    errors["communications"] = unanswered
        if outcome == Outcome.PROPOSAL:
            needs = list(queries.active_needs(fresh).filter(pk__in=ids))
            if not needs or len(needs) != len(ids):
                errors["needs"] = [
                    _("Välj minst ett av utredningens behov som insatserna ska möta.")
                ]
        elif outcome == Outcome.TRANSFERRED and not note:
            errors["note"] = [_("Skriv vart utredningen har flyttats över och varför.")]
        if errors:
            raise ValidationError(errors)
        assert closed_on is not None  # checked above
        updated: Investigation = update_versioned(
            fresh,
            expected_version=expected_version,
            changes={
                "closed_on": closed_on,
                "closed_at": timezone.now(),
                "closed_by": by,
                "outcome": outcome,
                "closing_note": note,
                "unwritten_area_reasons": kept_reasons,
            },
        )
        updated.proposed_needs.set(needs)
        waiting = pending_extension_request(updated)
        if waiting is not None:
            _answer_request(
                waiting, by=by, investigation=updated, status=ExtensionRequestStatus.WITHDRAWN
            )
        target = (
            CaseStatus.PROPOSAL_AWAITING_DECISION
            if outcome == Outcome.PROPOSAL
            else CaseStatus.CLOSED
        )
        move_case(updated.case, to=target, by=by, reason=outcome)
        _journal(
            "investigation_closed",
            by=by,
            investigation=updated,
            obj=updated,
            data={
                "outcome": outcome,
                "closed_on": closed_on.isoformat() if closed_on else None,
                "need_ids": [n.pk for n in needs],
                "is_late": updated.is_closed_late,
                "unwritten_areas": sorted(kept_reasons),
            },
        )
        return updated
