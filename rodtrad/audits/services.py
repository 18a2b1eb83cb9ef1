"""Every write of the internal control (docs/internal-control.md).

Each function is one transaction: the checks, the rows and the journal entry commit together
or not at all; every rule that is not met is reported in one ValidationError.

Who may do what:
* the **administrator** creates programmes (the sample is drawn at once) and gives sampled
  cases to reviewers. The one who chooses the population is not the one who reads the cases,
  and the administrator never sees a case's content: the programme page names case numbers and
  districts only;
* a **reviewer given the case** saves and submits answers and flags a finding, until the
  programme's review period ends;
* a **team manager of the case's district** who sees the case records what was done about a
  finding;
* the **administrator** or an **internal reviewer** creates a log review and answers its items,
  but never an item about their own reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rodtrad.accounts import access
from rodtrad.accounts import services as accounts
from rodtrad.accounts.models import District, Membership, Role, User
from rodtrad.audits import logreview, results, sampling
from rodtrad.audits.checklists import ChecklistSpec, ItemSpec, create_edition
from rodtrad.audits.models import (
    CasePhase,
    CaseReview,
    Checklist,
    ChecklistItem,
    Finding,
    ItemKind,
    LogAnswer,
    LogReview,
    LogReviewItem,
    LogRule,
    Openness,
    ReviewerAssignment,
    ReviewProgramme,
    ReviewStatus,
    SampledCase,
)
from rodtrad.cases.models import Case, CaseStatus
from rodtrad.frameworks.models import Code
from rodtrad.journal.services import record
from rodtrad.lib.validation import FieldErrors
from rodtrad.lib.versioning import update_versioned
from rodtrad.stats import suppression
from rodtrad.stats.exports import FileFormat

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

MAX_PER_STRATUM = 500
MAX_TEXT = 4000


# --- Who --------------------------------------------------------------------------------------


def may_administer(user: User | AnonymousUser) -> bool:
    """Creates programmes and assigns reviewers (docs/internal-control.md, "Who does what")."""
    return access.has_role(user, Role.ADMINISTRATOR)


def is_reviewer(user: User | AnonymousUser) -> bool:
    return access.has_role(user, Role.REVIEWER)


def is_assigned(user: User | AnonymousUser, sampled_case: SampledCase) -> bool:
    return (
        is_reviewer(user)
        and ReviewerAssignment.objects.filter(
            sampled_case=sampled_case, reviewer_id=user.pk
        ).exists()
    )


def review_is_open(programme: ReviewProgramme, today: date | None = None) -> bool:
    return (today or timezone.localdate()) <= programme.review_ends_on


def may_handle_finding(user: User | AnonymousUser, finding: Finding) -> bool:
    """A team manager of the case's district who sees the case."""
    case = finding.sampled_case.case
    return any(
        m.role == Role.TEAM_MANAGER and m.district_id == case.district_id
        for m in access.active_memberships(user)
    ) and access.can(user, "view_case", case)


# --- The population and the sample -------------------------------------------------------------


def population(
    *,
    districts: Iterable[District],
    period_start: date,
    period_end: date,
    phase: str,
    openness: str,
    reason_codes: Iterable[str],
) -> dict[str, list[int]]:
    """{district code: case ids} of the cases a programme with these settings reviews: recorded
    in the period (Stockholm dates, both ends included) in the districts, of the phase and
    openness, with at least one of the report reasons (none given: any)."""
    by_code = {d.pk: d.code for d in districts}
    cases = Case.objects.filter(
        district_id__in=by_code,
        recorded_at__date__gte=period_start,
        recorded_at__date__lte=period_end,
    )
    if phase == CasePhase.INVESTIGATED:
        cases = cases.filter(investigations__isnull=False)
    elif phase == CasePhase.INTERVENTION:
        cases = cases.filter(interventions__isnull=False)
    if openness == Openness.OPEN:
        cases = cases.exclude(status=CaseStatus.CLOSED)
    elif openness == Openness.CLOSED:
        cases = cases.filter(status=CaseStatus.CLOSED)
    codes = sorted(set(reason_codes))
    if codes:
        cases = cases.filter(report_children__report__reasons__code__in=codes)
    found: dict[str, list[int]] = {code: [] for code in by_code.values()}
    for pk, district_id in cases.order_by().values_list("pk", "district_id").distinct():
        found[by_code[district_id]].append(pk)
    return found


def create_programme(
    *,
    by: User,
    name: str,
    checklist: Checklist,
    districts: Iterable[District],
    period_start: date,
    period_end: date,
    sample_per_stratum: int,
    review_ends_on: date,
    phase: str = CasePhase.ANY,
    openness: str = Openness.ANY,
    reason_codes: Iterable[str] = (),
    description: str = "",
    seed: int | None = None,
) -> ReviewProgramme:
    """Create a programme and draw its sample at once, from a new seed (or `seed`, to repeat a
    draw). The sample is never drawn again: another draw is another programme."""
    if not may_administer(by):
        raise PermissionDenied
    districts = list(districts)
    codes = sorted({c.strip() for c in reason_codes if c.strip()})
    errors = FieldErrors()
    name = name.strip()
    if not name:
        errors.add("name", _("Skriv ett namn på granskningen."))
    if not districts:
        errors.add("districts", _("Välj minst en stadsdel."))
    if period_end < period_start:
        errors.add("period_end", _("Perioden kan inte sluta innan den börjar."))
    if not 1 <= sample_per_stratum <= MAX_PER_STRATUM:
        errors.add(
            "sample_per_stratum",
            _("Välj mellan 1 och %(max)s ärenden per stadsdel.") % {"max": MAX_PER_STRATUM},
        )
    if review_ends_on < timezone.localdate():
        errors.add("review_ends_on", _("Granskningen kan inte sluta före i dag."))
    if not checklist.is_current:
        errors.add("checklist", _("Välj den gällande utgåvan av checklistan."))
    known = set(
        Code.objects.filter(code_list__key="report-reasons", code__in=codes).values_list(
            "code", flat=True
        )
    )
    if set(codes) - known:
        errors.add("reason_codes", _("Välj anmälningsorsaker ur listan."))
    if phase not in CasePhase.values:
        errors.add("phase", _("Välj en fas."))
    if openness not in Openness.values:
        errors.add("openness", _("Välj öppna, avslutade eller båda."))
    errors.raise_any()
    seed = sampling.new_seed() if seed is None else seed
    with transaction.atomic():
        found = population(
            districts=districts,
            period_start=period_start,
            period_end=period_end,
            phase=phase,
            openness=openness,
            reason_codes=codes,
        )
        if not any(found.values()):
            raise ValidationError(
                {
                    "districts": [
                        _("Inga ärenden stämmer med urvalet. Ändra perioden eller villkoren.")
                    ]
                }
            )
        programme = ReviewProgramme.objects.create(
            name=name,
            description=description.strip(),
            checklist=checklist,
            period_start=period_start,
            period_end=period_end,
            phase=phase,
            openness=openness,
            reason_codes=codes,
            sample_per_stratum=sample_per_stratum,
            seed=seed,
            population_counts={code: len(ids) for code, ids in sorted(found.items())},
            population_hash=sampling.population_hash(found),
            review_ends_on=review_ends_on,
            created_by=by,
        )
        programme.districts.set(districts)
        district_of = {d.code: d for d in districts}
        drawn = sampling.draw(found, sample_per_stratum, seed)
        SampledCase.objects.bulk_create(
            SampledCase(
                programme=programme,
                case_id=case_id,
                stratum=district_of[code],
                draw_order=position,
            )
            for code, ids in drawn.items()
            for position, case_id in enumerate(ids, start=1)
        )
        record(
            "audits.programme_created",
            by=by,
            obj=programme,
            data={
                "checklist": f"{checklist.key} {checklist.edition}",
                "seed": seed,
                "population": programme.population_counts,
                "population_hash": programme.population_hash,
                "sample": {code: len(ids) for code, ids in drawn.items()},
            },
        )
    return programme


# --- Checklists ---------------------------------------------------------------------------------


# A scale has two to six levels (docs/internal-control.md, "Checklists are data").
MIN_LEVELS, MAX_LEVELS = 2, 6


def _clean_levels(
    rows: Sequence[tuple[str, str]], errors: FieldErrors, *, field: str, keep_blank: bool
) -> list[tuple[str, str]]:
    """The levels (label, description) as written, best first. Each level needs a label
    (reported on `{field}_label_{n}`, n from 1). A row with neither is left out when
    `keep_blank` is false (the new scale's empty rows), else it is a level without a label."""
    levels: list[tuple[str, str]] = []
    for number, (label, description) in enumerate(rows, start=1):
        label, description = (label or "").strip(), (description or "").strip()
        if not label and not description and not keep_blank:
            continue
        if not label:
            errors.add(f"{field}_label_{number}", _("Skriv en text för varje nivå."))
        levels.append((label, description))
    labels = [label.casefold() for label, _description in levels if label]
    if len(set(labels)) != len(labels):
        errors.add(f"{field}_levels", _("Två nivåer har samma text. Skriv olika texter."))
    return levels


def new_checklist_edition(
    *,
    by: User,
    checklist: Checklist,
    edition: str,
    texts: Mapping[str, str],
    removed: Iterable[str] = (),
    added: Iterable[tuple[str, str]] = (),
    levels: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    new_scale: tuple[str, Sequence[tuple[str, str]]] | None = None,
) -> Checklist:
    """A new edition of the checklist (new rows; the old edition stays with its programmes):
    the items' new texts by key, the keys left out, new items as (text, kind), the new level
    texts of scales by key (label, description; as many levels as before, each keeps its
    value, so answers and comparisons still match) and one new scale as (text, levels best
    first, two to six). Errors name `levels_{key}_label_{n}`, `levels_{key}_levels`,
    `new_scale_text`, `new_scale_label_{n}`, `new_scale_levels` (docs/internal-control.md)."""
    if not may_administer(by):
        raise PermissionDenied
    edition = edition.strip()
    errors = FieldErrors()
    if not edition:
        errors.add("edition", _("Skriv vad den nya utgåvan heter, till exempel året."))
    elif Checklist.objects.filter(key=checklist.key, edition=edition).exists():
        errors.add("edition", _("Det finns redan en utgåva med det namnet."))
    if not checklist.is_current:
        errors.add("edition", _("Bara den gällande utgåvan kan få en ny utgåva."))
    gone = set(removed)
    level_texts = levels or {}
    changed_scales: list[str] = []
    items: list[ItemSpec] = []
    for item in checklist.items.all():
        if item.key in gone:
            continue
        text = (texts.get(item.key) or item.text).strip()
        item_levels = [dict(level) for level in item.levels]
        if item.kind == ItemKind.ORDINAL and item.key in level_texts:
            written = _clean_levels(
                level_texts[item.key], errors, field=f"levels_{item.key}", keep_blank=True
            )
            if len(written) != len(item_levels):
                errors.add(
                    f"levels_{item.key}_levels",
                    _("En skala behåller sina nivåer i en ny utgåva. Ändra bara texterna."),
                )
            else:
                was = [(lv["label"], lv.get("description", "")) for lv in item_levels]
                if written != was:
                    changed_scales.append(item.key)
                for level, (label, description) in zip(item_levels, written, strict=True):
                    level["label"], level["description"] = label, description
        items.append(
            ItemSpec(
                key=item.key,
                text=text,
                kind=item.kind,
                group=item.group,
                help_text=item.help_text,
                levels=item_levels,
                record_rule=item.record_rule,
            )
        )
    taken = {i.key for i in items} | {i.key for i in checklist.items.all()}

    def next_key() -> str:
        number = 1
        while f"item-{number}" in taken:
            number += 1
        taken.add(f"item-{number}")
        return f"item-{number}"

    for text, kind in added:
        if not text.strip():
            continue
        if kind not in (ItemKind.YES_NO, ItemKind.TEXT):
            errors.add("added", _("En ny fråga är ja/nej eller fritext."))
            continue
        items.append(ItemSpec(key=next_key(), text=text.strip(), kind=kind))
    scale_key = ""
    if new_scale is not None:
        scale_text, scale_rows = new_scale[0].strip(), new_scale[1]
        written = _clean_levels(scale_rows, errors, field="new_scale", keep_blank=False)
        if scale_text or written:
            if not scale_text:
                errors.add("new_scale_text", _("Skriv frågan för den nya skalan."))
            if len(written) < MIN_LEVELS:
                errors.add("new_scale_levels", _("En skala behöver minst två nivåer."))
            elif len(written) > MAX_LEVELS:
                errors.add("new_scale_levels", _("En skala kan ha högst sex nivåer."))
            scale_key = next_key()
            items.append(
                ItemSpec(
                    key=scale_key,
                    text=scale_text,
                    kind=ItemKind.ORDINAL,
                    levels=[
                        {"value": f"level-{n}", "label": label, "description": description}
                        for n, (label, description) in enumerate(written, start=1)
                    ],
                )
            )
    if not items:
        errors.add("added", _("En checklista behöver minst en fråga."))
    errors.raise_any()
    spec = ChecklistSpec(
        key=checklist.key,
        edition=edition,
        name=checklist.name,
        description=checklist.description,
        source=checklist.source,
        items=items,
    )
    with transaction.atomic():
        current = list(
            Checklist.objects.select_for_update().filter(key=checklist.key, is_current=True)
        )
        if [c.pk for c in current] != [checklist.pk]:
            raise ValidationError(
                {"edition": [_("Någon annan har just gjort en ny utgåva. Ladda om sidan.")]}
            )
        made: Checklist = create_edition(spec, checklist_model=Checklist, item_model=ChecklistItem)
        record(
            "audits.checklist_edition_created",
            by=by,
            obj=made,
            data={
                "key": made.key,
                "edition": made.edition,
                "replaces": checklist.edition,
                "items": len(items),
                "scale_added": scale_key,
                "scale_levels_changed": changed_scales,
            },
        )
    return made


# --- Reviewers ----------------------------------------------------------------------------------


def reviewers() -> QuerySet[User]:
    """Users who hold the reviewer role today (whom a sampled case can be given)."""
    today = timezone.localdate()
    holders = (
        Membership.objects.filter(role=Role.REVIEWER, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .values("user_id")
    )
    return User.objects.filter(is_active=True, pk__in=holders).order_by(
        "last_name", "first_name", "username"
    )


def assign_reviewers(
    *,
    by: User,
    programme: ReviewProgramme,
    sampled_cases: Iterable[SampledCase],
    reviewer_users: Iterable[User],
) -> int:
    """Give each of the sampled cases to each reviewer (already given ones are kept); returns
    how many assignments were added. Reviewers are blind to each other: each sees only their
    own answers."""
    if not may_administer(by):
        raise PermissionDenied
    cases = list(sampled_cases)
    people = list(reviewer_users)
    errors = FieldErrors()
    if not review_is_open(programme):
        errors.add("reviewers", _("Granskningsperioden är slut."))
    if not cases:
        errors.add("sampled_cases", _("Välj minst ett ärende i urvalet."))
    if not people:
        errors.add("reviewers", _("Välj minst en granskare."))
    allowed = set(reviewers().filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
    if any(p.pk not in allowed for p in people):
        errors.add("reviewers", _("Bara den som har rollen intern granskare kan få ärenden."))
    if any(c.programme_id != programme.pk for c in cases):
        errors.add("sampled_cases", _("Ärendet ingår inte i den här granskningen."))
    errors.raise_any()
    added = 0
    with transaction.atomic():
        for sampled in SampledCase.objects.select_for_update().filter(pk__in=[c.pk for c in cases]):
            existing = set(sampled.assignments.values_list("reviewer_id", flat=True))
            position = sampled.assignments.aggregate(top=Max("position"))["top"] or 0
            for person in people:
                if person.pk in existing:
                    continue
                position += 1
                ReviewerAssignment.objects.create(
                    sampled_case=sampled, reviewer=person, position=position
                )
                added += 1
        record(
            "audits.reviewers_assigned",
            by=by,
            obj=programme,
            data={
                "sampled_cases": sorted(c.pk for c in cases),
                "reviewers": sorted(p.pk for p in people),
                "added": added,
            },
        )
    return added


# --- Answers ------------------------------------------------------------------------------------


def _clean_answers(
    items: list[ChecklistItem], answers: Mapping[str, Any], *, complete: bool
) -> dict[str, str]:
    errors = FieldErrors()
    cleaned: dict[str, str] = {}
    known = {item.key: item for item in items}
    for key in answers:
        if key not in known:
            errors.add("__all__", _("Svaret hör inte till checklistan."))
    for item in items:
        value = str(answers.get(item.key) or "").strip()
        if item.kind == ItemKind.TEXT:
            if len(value) > MAX_TEXT:
                errors.add(f"item_{item.key}", _("Texten är för lång."))
            if value:
                cleaned[item.key] = value
            continue
        if value and value not in item.answer_values:
            errors.add(f"item_{item.key}", _("Välj ett av svaren."))
        elif value:
            cleaned[item.key] = value
        elif complete:
            errors.add(f"item_{item.key}", _("Svara på frågan innan du lämnar in."))
    errors.raise_any()
    return cleaned


def save_review(
    *,
    by: User,
    sampled_case: SampledCase,
    answers: Mapping[str, Any],
    note: str = "",
    expected_version: int | None = None,
    submit: bool = False,
) -> CaseReview:
    """Save the reviewer's answers as a draft (autosave), or submit them (every question but
    the free-text ones answered). A submitted review is not changed again. The first save
    creates the review (`expected_version` None); later ones compare-and-set (StaleVersion)."""
    if not is_assigned(by, sampled_case):
        raise PermissionDenied
    programme = sampled_case.programme
    if not review_is_open(programme):
        raise ValidationError(_("Granskningsperioden är slut. Svaren kan inte ändras."))
    items = list(programme.checklist.items.all())
    cleaned = _clean_answers(items, answers, complete=submit)
    changes: dict[str, Any] = {"answers": cleaned, "note": note.strip()[:MAX_TEXT]}
    if submit:
        changes.update(status=ReviewStatus.SUBMITTED, submitted_at=timezone.now())
    with transaction.atomic():
        review = (
            CaseReview.objects.select_for_update()
            .filter(sampled_case=sampled_case, reviewer=by)
            .first()
        )
        if review is not None and review.is_submitted:
            raise ValidationError(_("Granskningen är redan inlämnad och kan inte ändras."))
        if review is None:
            if expected_version not in (None, 0):
                raise ValidationError(_("Granskningen finns inte längre. Ladda om sidan."))
            review = CaseReview.objects.create(sampled_case=sampled_case, reviewer=by, **changes)
        else:
            if expected_version is None:
                raise ValidationError(
                    _("Formuläret saknar version. Ladda om sidan och försök igen.")
                )
            review = update_versioned(review, expected_version=expected_version, changes=changes)
        record(
            "audits.review_submitted" if submit else "audits.review_saved",
            by=by,
            obj=review,
            case_id=sampled_case.case_id,
            data={
                "programme": programme.pk,
                "answered": len(cleaned),
                "version": review.version,
            },
        )
    return review


# --- Findings -----------------------------------------------------------------------------------


def flag_finding(
    *, by: User, sampled_case: SampledCase, note: str, item: ChecklistItem | None = None
) -> Finding:
    """Send a finding about the case (a checklist item and a note) to the team managers of its
    district: a task on their start page."""
    if not is_assigned(by, sampled_case):
        raise PermissionDenied
    errors = FieldErrors()
    note = note.strip()
    if not note:
        errors.add("note", _("Skriv vad du såg, så att enhetschefen kan göra något åt det."))
    if len(note) > MAX_TEXT:
        errors.add("note", _("Texten är för lång."))
    if item is not None and item.checklist_id != sampled_case.programme.checklist_id:
        errors.add("item", _("Frågan hör inte till checklistan."))
    if not review_is_open(sampled_case.programme):
        errors.add("note", _("Granskningsperioden är slut."))
    errors.raise_any()
    with transaction.atomic():
        # One open flag per case and question: a second would be a second task for the same
        # thing on the manager's start page. Once the manager has acted, it may be flagged again.
        if Finding.objects.filter(
            sampled_case=sampled_case, item=item, action_at__isnull=True
        ).exists():
            raise ValidationError(
                {
                    "item" if item is not None else "note": _(
                        "Ärendet är redan flaggat för den här frågan och enhetschefen har inte "
                        "svarat ännu."
                    )
                }
            )
        finding = Finding.objects.create(
            sampled_case=sampled_case, item=item, note=note, flagged_by=by
        )
        record(
            "audits.finding_flagged",
            by=by,
            obj=finding,
            case_id=sampled_case.case_id,
            data={"programme": sampled_case.programme_id, "item": item.key if item else ""},
        )
    return finding


def record_finding_action(
    *, by: User, finding: Finding, action_note: str, expected_version: int
) -> Finding:
    """The team manager records what was done about the finding; the task then leaves the
    start page."""
    if not may_handle_finding(by, finding):
        raise PermissionDenied
    action_note = action_note.strip()
    errors = FieldErrors()
    if not action_note:
        errors.add("action_note", _("Skriv vad som gjordes."))
    if len(action_note) > MAX_TEXT:
        errors.add("action_note", _("Texten är för lång."))
    if not finding.is_open:
        errors.add("action_note", _("Det som gjordes är redan registrerat."))
    errors.raise_any()
    with transaction.atomic():
        finding = update_versioned(
            finding,
            expected_version=expected_version,
            changes={"action_note": action_note, "action_by": by, "action_at": timezone.now()},
        )
        record(
            "audits.finding_handled",
            by=by,
            obj=finding,
            case_id=finding.sampled_case.case_id,
            data={"programme": finding.sampled_case.programme_id},
        )
    return finding


# --- The log review -----------------------------------------------------------------------------

MAX_LOG_SAMPLE = 1000
MAX_LOG_PERIOD_DAYS = 366


def may_review_log(user: User | AnonymousUser) -> bool:
    """Creates log reviews, reads them and answers their items (docs/internal-control.md,
    "The log review"): the administrator (the security officer's role here) and the internal
    reviewer. Everyone else gets 404 on the pages."""
    return access.has_role(user, Role.ADMINISTRATOR, Role.REVIEWER)


def log_access_reason(review: LogReview) -> str:
    """The `reason` of the access events the log review's pages write."""
    return f"Loggranskning {review.pk}"


def create_log_review(
    *,
    by: User,
    period_start: date,
    period_end: date,
    sample_size: int,
    seed: int | None = None,
) -> LogReview:
    """Create a log review of the period: draw `sample_size` of its access events per
    stratum, the reader's districts and the month (`logreview.strata`; from a new seed, or
    `seed` to repeat a draw), and flag the events the rules find (logreview.py). Each drawn or
    flagged event becomes an item to answer."""
    if not may_review_log(by):
        raise PermissionDenied
    errors = FieldErrors()
    if period_end < period_start:
        errors.add("period_end", _("Perioden kan inte sluta innan den börjar."))
    elif (period_end - period_start).days >= MAX_LOG_PERIOD_DAYS:
        errors.add("period_end", _("Välj en period på högst ett år."))
    if period_start > timezone.localdate():
        errors.add("period_start", _("Perioden kan inte börja i framtiden."))
    if not 0 <= sample_size <= MAX_LOG_SAMPLE:
        errors.add(
            "sample_size",
            _("Välj mellan 0 och %(max)s händelser.") % {"max": MAX_LOG_SAMPLE},
        )
    errors.raise_any()
    seed = sampling.new_seed() if seed is None else seed
    with transaction.atomic():
        events = logreview.period_events(period_start, period_end)
        population = logreview.strata(events)
        drawn = sampling.draw(population, sample_size, seed) if sample_size else {}
        review = LogReview.objects.create(
            period_start=period_start,
            period_end=period_end,
            sample_size=sample_size,
            seed=seed,
            population_count=sum(len(ids) for ids in population.values()),
            population_counts={key: len(ids) for key, ids in sorted(population.items())},
            population_hash=sampling.population_hash(population),
            created_by=by,
        )
        items = [
            LogReviewItem(
                review=review,
                event_id=pk,
                kind=LogRule.SAMPLE,
                detail={"stratum": key, "order": n},
            )
            for key, ids in drawn.items()
            for n, pk in enumerate(ids, start=1)
        ]
        found = logreview.flags(events)
        items += [
            LogReviewItem(review=review, event_id=f.event_id, kind=f.rule, detail=f.detail)
            for f in found
        ]
        LogReviewItem.objects.bulk_create(items)
        per_rule: dict[str, int] = {}
        for item in items:
            per_rule[item.kind] = per_rule.get(item.kind, 0) + 1
        record(
            "audits.log_review_created",
            by=by,
            obj=review,
            data={
                "period": [period_start.isoformat(), period_end.isoformat()],
                "seed": seed,
                "population": review.population_counts,
                "population_hash": review.population_hash,
                "items": dict(sorted(per_rule.items())),
            },
        )
    return review


def answer_log_item(
    *, by: User, item: LogReviewItem, answer: str, note: str, expected_version: int
) -> LogReviewItem:
    """Answer one item: justified, not justified or referred, with a note (needed unless the
    read was justified). An answer can be changed (compare-and-set on `version`); each answer
    is journaled. Nobody answers an item about their own read."""
    if not may_review_log(by):
        raise PermissionDenied
    note = note.strip()
    errors = FieldErrors()
    if answer not in LogAnswer.values:
        errors.add("answer", _("Välj befogad, inte befogad eller lämnad vidare."))
    elif answer != LogAnswer.JUSTIFIED and not note:
        errors.add("note", _("Skriv vad du såg och vad som händer nu."))
    if len(note) > MAX_TEXT:
        errors.add("note", _("Texten är för lång."))
    if item.event.user_id == by.pk:
        errors.add(
            "answer", _("Du kan inte bedöma din egen läsning. Låt en annan granskare svara.")
        )
    errors.raise_any()
    with transaction.atomic():
        item = update_versioned(
            item,
            expected_version=expected_version,
            changes={
                "answer": answer,
                "note": note,
                "answered_by": by,
                "answered_at": timezone.now(),
            },
        )
        record(
            "audits.log_item_answered",
            by=by,
            obj=item,
            data={
                "review": item.review_id,
                "event": item.event_id,
                "kind": item.kind,
                "answer": answer,
                "version": item.version,
            },
        )
    return item


# --- Exports (docs/internal-control.md, "Exports") ----------------------------------------------


def may_see_results(
    user: User | AnonymousUser, programme: ReviewProgramme, today: date | None = None
) -> bool:
    """The administrator at any time; a reviewer given a case of the programme once its review
    period has ended (until then the reviewers stay blind to each other's answers)."""
    if may_administer(user):
        return True
    return (
        is_reviewer(user)
        and not review_is_open(programme, today)
        and ReviewerAssignment.objects.filter(
            sampled_case__programme=programme, reviewer_id=user.pk
        ).exists()
    )


def _export_checks(by: User, *, file_format: str, reason: str, otp_token: str) -> str:
    """The reason, the format and the second factor again (step-up, as the statistics' export:
    `accounts.services.confirm_second_factor`, journaled in its own transaction, so that a
    failed code stays in the journal although nothing is exported). The reason, stripped."""
    errors = FieldErrors()
    reason = reason.strip()
    if not reason:
        errors.add("reason", _("Skriv varför du exporterar resultaten."))
    if file_format not in set(FileFormat):
        errors.add("file_format", _("Välj ett filformat."))
    errors.raise_any()
    step_up = accounts.confirm_second_factor(by, otp_token, purpose="audits.export")
    if not step_up:
        errors.add("otp_token", accounts.wrong_code_message(step_up.throttled))
        errors.raise_any()
    return reason


def export_results(
    *,
    by: User,
    programme: ReviewProgramme,
    file_format: str,
    reason: str,
    otp_token: str,
) -> list[results.ItemResult]:
    """A programme's results for a file, after step-up, journaled with who, the programme,
    the format and why (`audits.results_exported`). Those who see the results page may export
    it (`may_see_results`); the results are the page's, suppressed as there."""
    if not may_see_results(by, programme):
        raise PermissionDenied
    reason = _export_checks(by, file_format=file_format, reason=reason, otp_token=otp_token)
    with transaction.atomic():
        item_results = results.programme_results(programme)
        record(
            "audits.results_exported",
            by=by,
            obj=programme,
            data={
                "what": "results",
                "programme": programme.pk,
                "checklist": f"{programme.checklist.key} {programme.checklist.edition}",
                "seed": programme.seed,
                "threshold": suppression.DEFAULT_THRESHOLD,
                "format": file_format,
                "reason": reason,
            },
        )
    return item_results


# A comparison needs two different programmes (one compared with itself says nothing); the
# comparison forms give the same message.
SAME_PROGRAMME = gettext_lazy("Välj två olika granskningar att jämföra.")


def export_comparison(
    *,
    by: User,
    first: ReviewProgramme,
    second: ReviewProgramme,
    file_format: str,
    reason: str,
    otp_token: str,
) -> list[results.ItemComparison]:
    """The comparison of two programmes for a file, after step-up, journaled with who, the
    programmes, the format and why (`audits.comparison_exported`). The administrator only, as
    the comparison page."""
    if not may_administer(by):
        raise PermissionDenied
    if first.pk == second.pk:
        raise ValidationError({"second": SAME_PROGRAMME})
    reason = _export_checks(by, file_format=file_format, reason=reason, otp_token=otp_token)
    with transaction.atomic():
        rows = results.compare(first, second)
        record(
            "audits.comparison_exported",
            by=by,
            obj=first,
            data={
                "what": "comparison",
                "programmes": [first.pk, second.pk],
                "checklists": [f"{p.checklist.key} {p.checklist.edition}" for p in (first, second)],
                "seeds": [first.seed, second.seed],
                "threshold": suppression.DEFAULT_THRESHOLD,
                "format": file_format,
                "reason": reason,
            },
        )
    return rows
