"""City-sized history for an existing demo database: `rodtrad generate --reports N`.

The demo (generator.py, history.py) replays a few hundred reports through the real services,
which is right for showing the system and far too slow for a city's years of history (the
services journal and check every step: about a second per report). This module adds N reports
of *history* in bulk, so that the demo users then work in a record the size of a city's and
the benchmark (bench/pages.py) measures what the size of the database costs each page.

What it writes, and why it stays consistent (docs/performance.md):

* Every report concerns one child and has its own case, a protection assessment (no need of
  immediate protection) made on the day of receipt, and a signed pre-assessment. Closed cases
  (most of them, in every district) were decided "utredning inleds inte" within the 14 days,
  so status, documents and dates agree as if `sign_pre_assessment` had closed them.
* Open work is added only in districts where no demo user holds a case role: an open case is
  in intake (no assessment yet) or in pre-assessment (assessment made, draft pre-assessment).
  The demo users' own worklists keep their length; only the database around them grows.
* Persons are fictitious: Luhn-valid numbers from `fictitious_identity_number`, never the
  number of a person already stored, born before every report about them; about half of the
  new children come with a guardian born at least 19 years before them.
* The journal gets one chained entry per report (`demo.history_generated`, naming its case
  and child; the history's dates are in `data`), appended under the head lock in the same
  transaction as the batch's rows, so `rodtrad verify-journal` verifies. Each report also has
  the reads a real one leaves (the worker viewed the case on the day of assessment and of
  decision), and a few emergency grants to closed cases in the demo districts have their
  reads too; at the end the access events are sealed and a checkpoint is written, as the
  demo does.

Rows go in batches of a few thousand reports, one transaction each, as plain multi-row
INSERTs with ids counted on from the table's largest (`_insert`): Django's bulk_create spent
three quarters of the time preparing each value, which made 500 000 reports take over an hour.
So run it with the application stopped (nothing else may take ids meanwhile); on PostgreSQL
the sequences are set past the new ids at the end. The server-time columns (`auto_now_add`)
are filled by the generator, with the history's own dates.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from rodtrad.accounts.access import CASE_ROLES
from rodtrad.accounts.models import (
    District,
    EmergencyAccess,
    EmergencyAccessStatus,
    Membership,
    Role,
    Unit,
    User,
)
from rodtrad.cases.models import Case, CaseStatus, DocumentStatus
from rodtrad.cases.services import document_content
from rodtrad.demo import scale_thread
from rodtrad.demo.generator import (
    ADULT_MEN,
    ADULT_WOMEN,
    BOY_NAMES,
    FAMILY_NAMES,
    GIRL_NAMES,
    STREETS,
)
from rodtrad.demo.users import DEMO_USERS
from rodtrad.intake.models import (
    Decision,
    PreAssessment,
    ProtectionAssessment,
    Report,
    ReportChild,
    ReportReason,
)
from rodtrad.journal.chain import canonical_json, compute_hash, entry_fields
from rodtrad.journal.models import AccessAction, AccessEvent, JournalEntry
from rodtrad.journal.services import lock_head, move_head, seal_access_events, write_checkpoint
from rodtrad.people.identity import fictitious_identity_number
from rodtrad.people.models import (
    LegalSex,
    Person,
    PersonNameWord,
    Relationship,
    RelationshipKind,
    name_word_rows,
)
from rodtrad.people.search import search_key
from rodtrad.stats.models import Population

STOCKHOLM = ZoneInfo("Europe/Stockholm")
GENERATED_ACTION = "demo.history_generated"
BATCH_REPORTS = 5000
# Share of reports in a district without demo users that are still open work.
OPEN_SHARE = 0.01
# How far back the history reaches, and the last day a closed report may have come in.
HISTORY_DAYS = 10 * 365
REASON_CODES = ("L", "N", "B", "M", "I", "A", "Q", "S", "K", "G", "E")
# Those of them marked violence = true in report-reasons.toml (about a quarter of reports).
VIOLENCE_CODES = frozenset({"I", "K", "M"})
REPORTER_CATEGORIES = (
    ("polis", True),
    ("skola", True),
    ("forskola", True),
    ("halso-och-sjukvard", True),
    ("anhorig", False),
    ("privatperson", False),
)
CHANNELS = ("telefon", "e-tjanst", "sdk", "e-post", "brev")
HISTORY_MODELS: tuple[type[models.Model], ...] = (
    Person,
    PersonNameWord,
    Relationship,
    Report,
    ReportChild,
    Case,
    ProtectionAssessment,
    PreAssessment,
)


_INSERTED_MODELS: tuple[type[models.Model], ...] = (
    *HISTORY_MODELS,
    *scale_thread.THREAD_MODELS,
    ReportReason,
    AccessEvent,
    JournalEntry,
    EmergencyAccess,
    Population,
)


class GenerationError(RuntimeError):
    """The database is not one the generator can add to (no demo organisation)."""


@dataclass
class ScaleSummary:
    reports: int = 0
    closed: int = 0
    open: int = 0
    persons: int = 0
    journal_entries: int = 0
    access_events: int = 0
    grants: int = 0
    investigations: int = 0
    decisions: int = 0
    measurements: int = 0
    population_rows: int = 0


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """How a value of this field goes to the database, chosen once per field."""
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return lambda value: value


def _insert(objects: list[Any]) -> None:
    """INSERT the objects (one model) with new ids, set on the objects as bulk_create would."""
    if not objects:
        return
    model = type(objects[0])
    meta = model._meta
    fields = list(meta.concrete_fields)
    converters = [_converter(field) for field in fields]
    last = model.objects.aggregate(last=Max("pk"))["last"] or 0
    for offset, obj in enumerate(objects, start=1):
        obj.pk = last + offset
        obj._state.adding = False
        obj._state.db = connection.alias
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    attnames = [field.attname for field in fields]
    per_statement = max(1, 900 // len(fields))  # SQLite's oldest limit on parameters
    with connection.cursor() as cursor:
        for start in range(0, len(objects), per_statement):
            chunk = objects[start : start + per_statement]
            params: list[Any] = []
            for obj in chunk:
                values = obj.__dict__
                params.extend(
                    convert(values[name])
                    for convert, name in zip(converters, attnames, strict=True)
                )
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
                + ", ".join([row] * len(chunk)),
                params,
            )


def _reset_sequences() -> None:
    """PostgreSQL: move each sequence past the ids `_insert` chose (SQLite needs nothing)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(_INSERTED_MODELS))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@dataclass
class _Staff:
    """Who does a district's history: a case-role user of the district (intake if any)."""

    district: District
    intake_unit: Unit | None
    worker: User
    may_have_open_work: bool
    # Who investigates (every case-role member of the district) and who decides (its team
    # manager, else the worker), for the red thread after a pre-assessment (scale_thread.py).
    investigators: list[User]
    manager: User
    provider_unit: Unit | None
    placement_unit: Unit | None


def _staff() -> list[_Staff]:
    demo_districts = {
        user.district for user in DEMO_USERS if user.role in CASE_ROLES and user.district
    }
    memberships = (
        Membership.objects.filter(role__in=CASE_ROLES, district__isnull=False)
        .select_related("user", "district", "unit")
        .order_by("district__code", "pk")
    )
    by_district: dict[int, list[Membership]] = {}
    for membership in memberships:
        by_district.setdefault(membership.district_id or 0, []).append(membership)
    managers = {
        m.district_id: m.user
        for m in Membership.objects.filter(role=Role.TEAM_MANAGER, district__isnull=False)
        .select_related("user")
        .order_by("-pk")
    }
    staff = []
    for district in District.objects.order_by("code"):
        members = by_district.get(district.pk)
        if not members:
            continue
        intake_members = [m for m in members if m.unit is not None and m.unit.kind == "intake"]
        worker = (intake_members or members)[0].user
        staff.append(
            _Staff(
                district=district,
                intake_unit=Unit.objects.filter(district=district, kind="intake").first(),
                worker=worker,
                may_have_open_work=district.code not in demo_districts,
                investigators=list(dict.fromkeys(m.user for m in members)),
                manager=managers.get(district.pk, worker),
                provider_unit=Unit.objects.filter(district=district, kind="provider")
                .order_by("pk")
                .first(),
                placement_unit=Unit.objects.filter(district=district, kind="placement")
                .order_by("pk")
                .first(),
            )
        )
    if not staff:
        raise GenerationError("no district with case workers: run `rodtrad demo` first")
    return staff


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class _Numbers:
    """Fictitious identity numbers never given to anyone else in the database."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used = set(
            Person.objects.exclude(identity_number=None).values_list("identity_number", flat=True)
        )

    def new(self, born: date, sex: str) -> tuple[str, str]:
        while True:
            coordination = self.rng.random() < 0.03
            number = fictitious_identity_number(
                born, legal_sex=sex, rng=self.rng, coordination=coordination
            )
            if number not in self.used:
                self.used.add(number)
                return number, "samordningsnummer" if coordination else "personnummer"


class _Chain:
    """Appends journal entries in bulk, chained exactly as journal.services.record does."""

    def __init__(self) -> None:
        self.pending: list[JournalEntry] = []

    def add(self, *, by: User, case: Case, district: District, data: dict[str, Any]) -> None:
        self.pending.append(
            JournalEntry(
                actor=by,
                actor_username=by.get_username(),
                roles="",
                district=district.code,
                action=GENERATED_ACTION,
                object_type="cases.case",
                object_id="",
                person_id=case.child_id,
                case_id=None,
                data=data,
                request_id="",
                client_ip="",
                channel="",
            )
        )

    def flush(self, cases: list[Case]) -> int:
        """Write the pending entries after the head (call inside the batch's transaction)."""
        seq, previous = lock_head()
        now = timezone.now()
        for entry, case in zip(self.pending, cases, strict=True):
            seq += 1
            entry.seq = seq
            entry.occurred_at = now
            entry.object_id = str(case.pk)
            entry.case_id = case.pk
            entry.person_id = case.child_id
            entry.prev_hash = previous
            entry.hash = previous = compute_hash(entry_fields(entry))
        _insert(self.pending)
        move_head(seq, previous)
        written = len(self.pending)
        self.pending = []
        return written


def _content_hash(document: PreAssessment) -> str:
    return hashlib.sha256(canonical_json(document_content(document)).encode()).hexdigest()


def generate_reports(
    *,
    reports: int,
    seed: int = 7,
    today: date | None = None,
    batch: int = BATCH_REPORTS,
    progress: Callable[[int], None] | None = None,
) -> ScaleSummary:
    """Add `reports` reports of history (see the module docstring) and return what was made."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    staff = _staff()
    numbers = _Numbers(rng)
    summary = ScaleSummary()
    # Children per district, for the one report in three about a child already known.
    known: dict[int, list[Person]] = {s.district.pk: [] for s in staff}
    # The guardian of each new child that has one (the rater of the guardian's ratings).
    guardians: dict[int, int] = {}
    done = 0
    while done < reports:
        size = min(batch, reports - done)
        with transaction.atomic():
            _batch(
                size,
                rng=rng,
                today=today,
                staff=staff,
                numbers=numbers,
                known=known,
                guardians=guardians,
                summary=summary,
            )
        done += size
        if progress is not None:
            progress(done)
    # The grants below go through the ORM, which takes ids from the sequences.
    _reset_sequences()
    with transaction.atomic():
        _emergency_history(
            rng=rng, staff=staff, today=today, summary=summary, count=max(5, reports // 2000)
        )
    summary.reports = done
    with transaction.atomic():
        summary.population_rows = _population(rng, staff=staff, today=today, reports=reports)
    # Seal the new access events and store a signed checkpoint, as `rodtrad demo` does, so
    # that `rodtrad verify-journal` checks the whole record.
    seal_access_events(margin=timedelta(0))
    write_checkpoint(by_label="rodtrad generate")
    return summary


def _person(
    numbers: _Numbers,
    *,
    given: str,
    family: str,
    born: date,
    sex: str,
    district: District,
    street: str,
) -> Person:
    number, kind = numbers.new(born, sex)
    return Person(
        identity_number=number,
        identity_kind=kind,
        given_name=given,
        family_name=family,
        name_key=search_key(given, family),
        birth_date=born,
        legal_sex=sex,
        street_address=street,
        postal_code=f"1{numbers.rng.randrange(10, 99)}{numbers.rng.randrange(10, 99)}",
        city="Stockholm",
        district=district,
        recorded_at=timezone.now(),
        updated_at=timezone.now(),
    )


def _batch(
    size: int,
    *,
    rng: random.Random,
    today: date,
    staff: list[_Staff],
    numbers: _Numbers,
    known: dict[int, list[Person]],
    guardians: dict[int, int],
    summary: ScaleSummary,
) -> None:
    plans: list[dict[str, Any]] = []
    new_persons: list[Person] = []
    guardianships: list[tuple[Person, Person]] = []
    for _ in range(size):
        who = rng.choice(staff)
        district = who.district
        is_open = who.may_have_open_work and rng.random() < OPEN_SHARE
        if is_open:
            received = _weekday(today - timedelta(days=rng.randrange(0, 12)))
            received = min(received, today)
        else:
            received = _weekday(today - timedelta(days=rng.randrange(30, HISTORY_DAYS)))
        children = known[district.pk]
        child: Person | None = None
        if children and rng.random() < 0.33:
            candidate = rng.choice(children)
            if candidate.birth_date < received and (received - candidate.birth_date).days < 6500:
                child = candidate
        if child is None:
            sex = rng.choice((LegalSex.FEMALE, LegalSex.MALE))
            born = received - timedelta(days=rng.randrange(30, 17 * 365))
            family = rng.choice(FAMILY_NAMES)
            street = f"{rng.choice(STREETS)} {rng.randrange(1, 60)}"
            child = _person(
                numbers,
                given=rng.choice(GIRL_NAMES if sex == LegalSex.FEMALE else BOY_NAMES),
                family=family,
                born=born,
                sex=sex,
                district=district,
                street=street,
            )
            new_persons.append(child)
            children.append(child)
            if rng.random() < 0.5:
                adult_sex = rng.choice((LegalSex.FEMALE, LegalSex.MALE))
                guardian = _person(
                    numbers,
                    given=rng.choice(ADULT_WOMEN if adult_sex == LegalSex.FEMALE else ADULT_MEN),
                    family=family,
                    born=born - timedelta(days=rng.randrange(19 * 365, 40 * 365)),
                    sex=adult_sex,
                    district=district,
                    street=street,
                )
                new_persons.append(guardian)
                guardianships.append((child, guardian))
        stage = "closed" if not is_open else rng.choice(("intake", "pre_assessment"))
        decided = _weekday(received + timedelta(days=rng.choice((2, 5, 8, 11, 13))))
        reason = rng.choice(REASON_CODES)
        thread = None
        if stage == "closed" and rng.random() < scale_thread.OPENED_SHARE:
            thread = scale_thread.plan_thread(
                rng,
                opened=decided,
                child_born=child.birth_date,
                reason=reason,
                violent=reason in VIOLENCE_CODES,
                staff=who,
                today=today,
                must_be_over=not who.may_have_open_work,
            )
        plans.append(
            {
                "who": who,
                "child": child,
                "received": received,
                "stage": stage,
                "decided": decided,
                "reason": reason,
                "thread": thread,
            }
        )
    _insert(new_persons)
    _insert(name_word_rows(new_persons))
    summary.persons += len(new_persons)
    guardians.update((child.pk, guardian.pk) for child, guardian in guardianships)
    _insert(
        [
            Relationship(
                child=child,
                other=guardian,
                kind=RelationshipKind.GUARDIAN,
                has_custody=True,
                valid_from=child.birth_date,
                recorded_at=timezone.now(),
            )
            for child, guardian in guardianships
        ]
    )

    report_rows = []
    for plan in plans:
        category, mandatory = rng.choice(REPORTER_CATEGORIES)
        at = _moment(plan["received"], rng.randrange(8, 16), rng.randrange(60))
        plan["at"] = at
        report_rows.append(
            Report(
                district=plan["who"].district,
                kind="anmalan",
                channel=rng.choice(CHANNELS),
                reporter_category=category,
                is_mandatory_reporter=mandatory,
                reporter_name="Påhittad anmälare",
                text="Genererad historik. Oro för barnets situation enligt anmälaren.",
                received_at=at,
                registered_by=plan["who"].worker,
            )
        )
    _insert(report_rows)
    _insert(
        [
            ReportReason(report=report, code=plan["reason"])
            for plan, report in zip(plans, report_rows, strict=True)
        ]
    )
    case_rows = []
    for plan in plans:
        who = plan["who"]
        closed = plan["stage"] == "closed"
        thread = plan["thread"]
        status = {
            "closed": CaseStatus.CLOSED,
            "intake": CaseStatus.INTAKE,
            "pre_assessment": CaseStatus.PRE_ASSESSMENT,
        }[plan["stage"]]
        closed_at = _moment(plan["decided"], 15) if closed else None
        if thread is not None:
            status = thread.status
            closed_at = _moment(thread.case_closed_on, 16) if thread.case_closed_on else None
        case_rows.append(
            Case(
                child=plan["child"],
                district=who.district,
                unit=who.intake_unit,
                responsible=(thread.investigator if thread else who.worker) if closed else None,
                status=status,
                recorded_at=plan["at"],
                closed_at=closed_at,
            )
        )
    _insert(case_rows)
    report_children = [
        ReportChild(report=report, child=plan["child"], case=case, recorded_at=plan["at"])
        for plan, report, case in zip(plans, report_rows, case_rows, strict=True)
    ]
    _insert(report_children)

    assessments = []
    pre_assessments = []
    events = []
    chain = _Chain()
    for plan, case, report_child in zip(plans, case_rows, report_children, strict=True):
        who, stage = plan["who"], plan["stage"]
        data: dict[str, Any] = {
            "received_on": plan["received"].isoformat(),
            "status": case.status,
        }
        if stage != "intake":
            assessed_at = plan["at"] + timedelta(hours=1)
            assessments.append(
                ProtectionAssessment(
                    report_child=report_child,
                    performed_at=assessed_at,
                    performed_by=who.worker,
                    is_immediate_protection_needed=False,
                    actions_taken="Kontakt med vårdnadshavare per telefon.",
                    rationale="Uppgifterna i anmälan tyder inte på att barnet behöver skydd.",
                )
            )
            events.append(_read(who, case, assessed_at))
            pre = PreAssessment(
                case=case,
                received_on=plan["received"],
                author=who.worker,
                event_on=plan["received"],
                recorded_at=assessed_at,
                updated_at=assessed_at,
            )
            if stage == "closed":
                decided_at = _moment(plan["decided"], 15)
                pre.event_on = plan["decided"]
                pre.information_obtained = "Samtal med vårdnadshavare och anmälaren."
                if plan["thread"] is None:
                    pre.assessment = "Familjen har stöd."
                    pre.decision = Decision.NOT_OPEN
                    pre.reasons = "Vårdnadshavarna har själva ordnat stöd; ingen fortsatt oro."
                else:
                    pre.assessment = "Uppgifterna ger anledning att utreda barnets behov."
                    pre.decision = Decision.OPEN
                    pre.reasons = "Oron för barnet kvarstår efter förhandsbedömningen."
                pre.status = DocumentStatus.SIGNED
                pre.signed_at = pre.updated_at = decided_at
                pre.signed_by = who.worker
                pre.content_hash = _content_hash(pre)
                events.append(_read(who, case, decided_at))
                data["decided_on"] = plan["decided"].isoformat()
                thread = plan["thread"]
                if thread is not None:
                    data["status"] = case.status
                    data["investigation_closed_on"] = (
                        thread.closing.isoformat() if thread.closing else None
                    )
            pre_assessments.append(pre)
        chain.add(by=who.worker, case=case, district=who.district, data=data)
        if case.status == CaseStatus.CLOSED:
            summary.closed += 1
        else:
            summary.open += 1
    _insert(assessments)
    _insert(pre_assessments)
    _insert(events)
    summary.access_events += len(events)
    written = scale_thread.write_threads(
        _insert,
        rng,
        [
            (plan["thread"], case)
            for plan, case in zip(plans, case_rows, strict=True)
            if plan["thread"]
        ],
        guardians=guardians,
    )
    summary.investigations += written.investigations
    summary.decisions += written.decisions
    summary.measurements += written.measurements
    summary.journal_entries += chain.flush(case_rows)


def _read(
    who: _Staff, case: Case, at: datetime, *, grant: EmergencyAccess | None = None
) -> AccessEvent:
    user = grant.user if grant is not None else who.worker
    return AccessEvent(
        occurred_at=at,
        user=user,
        username=user.get_username(),
        districts=who.district.code if grant is None else "",
        action=AccessAction.VIEWED,
        person_id=case.child_id,
        case_id=case.pk,
        is_emergency=grant is not None,
        emergency_access_id=grant.pk if grant is not None else None,
        reason=grant.reason if grant is not None else "",
        route="cases:case-detail",
        channel="web",
    )


def _emergency_history(
    *, rng: random.Random, staff: list[_Staff], today: date, summary: ScaleSummary, count: int
) -> None:
    """Expired, reviewed emergency grants to closed cases of the demo districts, each with
    the reads made through it: the team managers' review list then has history to show."""
    demo = [s for s in staff if not s.may_have_open_work]
    managers = {
        m.district_id: m.user
        for m in Membership.objects.filter(role=Role.TEAM_MANAGER).select_related("user")
    }
    others = [s for s in staff if s.may_have_open_work]
    if not demo or not others:
        return
    for _ in range(count):
        target = rng.choice(demo)
        reader = rng.choice(others)
        case = (
            Case.objects.filter(district=target.district, status=CaseStatus.CLOSED)
            .order_by("?")
            .first()
        )
        if case is None:
            return
        start = _moment(_weekday(today - timedelta(days=rng.randrange(20, 700))), 10)
        grant = EmergencyAccess.objects.create(
            user=reader.worker,
            case=case,
            reason="Jourärende utanför kontorstid; barnets tidigare utredning behövdes.",
            status=EmergencyAccessStatus.EXPIRED,  # all in the past
            requested_at=start,
            starts_at=start,
            expires_at=start + timedelta(hours=8),
            reviewed_at=start + timedelta(days=2),
            reviewed_by=managers.get(target.district.pk, target.worker),
            review_note="Granskad: åtkomsten var befogad.",
        )
        AccessEvent.objects.bulk_create(
            [
                _read(target, case, start + timedelta(minutes=10 * n), grant=grant)
                for n in range(rng.randrange(1, 6))
            ]
        )
        summary.grants += 1


# Population per district and year for the per-100 indicators (docs/statistics.md): about
# 20 children of 0–20 per report a year, so about 5 reports per 100, as in the seeds' tables.
CHILDREN_PER_REPORT = 20
AGES = range(21)


def _population(rng: random.Random, *, staff: list[_Staff], today: date, reports: int) -> int:
    """Population rows (stats.Population) for every district and year of the history that
    has none yet; returns how many were added."""
    first = (today - timedelta(days=HISTORY_DAYS)).year
    years = range(first, today.year + 1)
    have = set(
        Population.objects.filter(year__in=list(years))
        .values_list("district_id", "year")
        .distinct()
    )
    per_district_year = max(1, reports * 365 // HISTORY_DAYS // max(1, len(staff)))
    per_cell = max(10, per_district_year * CHILDREN_PER_REPORT // (len(AGES) * 2))
    rows = []
    for who in staff:
        size = rng.uniform(0.7, 1.3)
        for year in years:
            if (who.district.pk, year) in have:
                continue
            for age in AGES:
                for sex in ("F", "M"):
                    count = int(per_cell * size * rng.uniform(0.9, 1.1))
                    rows.append(
                        Population(district=who.district, year=year, age=age, sex=sex, count=count)
                    )
    _insert(rows)
    return len(rows)
