"""Historical import: `rodtrad import districts|population|reports FILE` (docs/import-format.md).

Each import is one service, for an administrator (`access.can(by, "import_data")`), and is
atomic in two ways: every row is checked before anything is written, and every error (line,
column, message) is raised at once as `ImportFailed`; then everything is written in one
transaction, with one journal entry for the run (kind, file name, SHA-256, counts), not one
per row (docs/import-format.md, "The journal").

Imported reports become the ordinary record, as `rodtrad generate` writes history
(rodtrad/demo/scale.py): a person, a report with its reasons, a case, the report's child, the
signed pre-assessment decision, the investigation and its extension decision. Statistics and
the case pages then read them like any other; the report keeps its id in the earlier system
(`Report.external_id`), which the pages show as "Importerad".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rodtrad.accounts import access
from rodtrad.accounts import services as accounts
from rodtrad.accounts.models import District, Unit, UnitKind
from rodtrad.cases.models import Case, CaseStatus, DocumentStatus
from rodtrad.cases.services import document_content
from rodtrad.deadlines import rules
from rodtrad.frameworks.queries import code_labels, get_code
from rodtrad.intake.models import Decision, PreAssessment, Report, ReportChild, ReportReason
from rodtrad.intake.services import reporter_duty
from rodtrad.investigation.models import ExtensionDecision, Investigation
from rodtrad.journal import services as journal
from rodtrad.journal.chain import canonical_json
from rodtrad.lib.bulk import insert_rows
from rodtrad.lib.validation import FieldErrors
from rodtrad.people.identity import IdentityNumber, InvalidIdentityNumber, parse_identity_number
from rodtrad.people.models import IdentityKind, LegalSex, Person, PersonNameWord
from rodtrad.people.search import name_words, search_key
from rodtrad.stats.exports import FileFormat, table_from_json, table_to_json
from rodtrad.stats.importing import (
    WHOLE_ROW,
    BadValue,
    ImportFailed,
    Row,
    RowError,
    parse_date,
    parse_integer,
    read_rows,
    required,
    shown,
)
from rodtrad.stats.indicators import (
    BREAKDOWNS,
    DASHBOARD_INDICATORS,
    PublishedTable,
    suppression_threshold,
)
from rodtrad.stats.models import (
    MAX_AGE,
    ImportedReport,
    ImportKind,
    ImportRun,
    Population,
    Pseudonym,
    Sex,
    Snapshot,
)

if TYPE_CHECKING:
    from rodtrad.accounts.models import User

DISTRICT_COLUMNS = ("code", "name")
POPULATION_COLUMNS = ("district", "year", "age", "sex", "count")
REPORT_COLUMNS = (
    "report_id",
    "received_on",
    "district",
    "child_id",
    "child_sex",
    "child_birth_date",
    "reasons",
    "reporter_category",
    "decision_on",
    "investigation_opened_on",
    "investigation_closed_on",
    "extended_until",
)
BATCH_ROWS = 5000  # rows written per step; progress is reported after each
# SQLite's page cache while an import writes: 128 MB (negative: in KiB).
SQLITE_CACHE_PRAGMA = "PRAGMA cache_size = -131072"
LOOKUP_CHUNK = 5000  # values per `__in` lookup (SQLite's limit on parameters)
PSEUDONYM_PREFIX = "ref:"
# Ten or twelve digits, with or without the separator, anywhere in a pseudonym.
_NUMBER_LIKE = re.compile(r"(?<!\d)(?:\d{8}|\d{6})[-+]?\d{4}(?!\d)")


def _holds_identity_number(ref: str) -> bool:
    """Whether a pseudonym contains a valid personnummer or samordningsnummer (reserve numbers
    are local and say nothing about who the child is)."""
    for candidate in _NUMBER_LIKE.findall(ref):
        try:
            number = parse_identity_number(candidate)
        except InvalidIdentityNumber:
            continue
        if number.kind != IdentityKind.RESERVE:
            return True
    return False


DISTRICT_CODE = re.compile(r"[-a-zA-Z0-9_]{1,40}")
# What an imported record says where the earlier system had no text (docs/import-format.md).
IMPORTED_TEXT = "Importerad från tidigare system."
UNKNOWN_GIVEN_NAME = "Okänt"
UNKNOWN_FAMILY_NAME = "namn"
UNKNOWN_NAME_KEY = search_key(UNKNOWN_GIVEN_NAME, UNKNOWN_FAMILY_NAME)
UNKNOWN_NAME_WORDS = name_words(UNKNOWN_GIVEN_NAME, UNKNOWN_FAMILY_NAME)
IMPORT_KIND = "anmalan"  # report-kinds: every imported row is a report (anmälan)
SEX_TO_LEGAL = {Sex.FEMALE.value: LegalSex.FEMALE.value, Sex.MALE.value: LegalSex.MALE.value}

Progress = Callable[[int, int], None]
T = TypeVar("T")


def _authorize(by: User) -> None:
    if not access.can(by, "import_data"):
        raise PermissionDenied(_("Bara en systemadministratör får importera data."))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _chunks(values: list[T], size: int = LOOKUP_CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _noon(day: date) -> datetime:
    """A date as a moment (12:00 Europe/Stockholm) where the model needs a time of day."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def _start_run(kind: str, data: bytes, file_name: str, rows: int, by: User) -> ImportRun:
    return ImportRun.objects.create(
        kind=kind,
        file_name=file_name[:255],
        file_sha256=_sha256(data),
        rows=rows,
        created=0,
        updated=0,
        unchanged=0,
        by=by,
    )


def _finish_run(run: ImportRun, *, created: int, updated: int, unchanged: int, by: User) -> None:
    run.created, run.updated, run.unchanged = created, updated, unchanged
    run.save(update_fields=["created", "updated", "unchanged"])
    journal.record(
        f"stats.{run.kind}_imported",
        by=by,
        obj=run,
        data={
            "kind": run.kind,
            "file_name": run.file_name,
            "file_sha256": run.file_sha256,
            "rows": run.rows,
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
        },
    )


def _value(row: Row, column: str, errors: list[RowError], parse: Callable[[str], T]) -> T | None:
    """The column's value parsed, or None with the error noted."""
    try:
        return parse(row.values[column])
    except BadValue as exc:
        errors.append(RowError(row.line, column, str(exc)))
        return None


# --- districts --------------------------------------------------------------------------------


def import_districts(data: bytes, *, file_name: str, by: User) -> ImportRun:
    """`code,name`: a new code creates a district, a known one is renamed when the name differs."""
    _authorize(by)
    errors: list[RowError] = []
    rows = read_rows(data, DISTRICT_COLUMNS, errors)
    wanted: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for row in rows:
        code = _value(row, "code", errors, _district_code)
        name = _value(row, "name", errors, _district_name)
        if code is None or name is None:
            continue
        if code in wanted:
            errors.append(
                RowError(
                    row.line,
                    "code",
                    _("Koden finns redan på rad %(line)s.") % {"line": first_line[code]},
                )
            )
            continue
        wanted[code], first_line[code] = name, row.line
    if errors:
        raise ImportFailed(errors)
    with transaction.atomic():
        run = _start_run(ImportKind.DISTRICTS, data, file_name, len(rows), by)
        existing = {d.code: d for d in District.objects.filter(code__in=list(wanted))}
        created = updated = unchanged = 0
        for code, name in wanted.items():
            district = existing.get(code)
            if district is None:
                District.objects.create(code=code, name=name)
                created += 1
            elif district.name != name:
                district.name = name
                district.save(update_fields=["name"])
                updated += 1
            else:
                unchanged += 1
        _finish_run(run, created=created, updated=updated, unchanged=unchanged, by=by)
    return run


def _district_code(value: str) -> str:
    if not DISTRICT_CODE.fullmatch(required(value)):
        raise BadValue(_("Koden får bara innehålla a–z, A–Z, siffror, - och _ (högst 40 tecken)."))
    return value


def _district_name(value: str) -> str:
    if len(required(value)) > 120:
        raise BadValue(_("Namnet får vara högst 120 tecken."))
    return value


# --- population -------------------------------------------------------------------------------


def import_population(data: bytes, *, file_name: str, by: User) -> ImportRun:
    """`district,year,age,sex,count`: one row per cell; a known cell gets the new count."""
    _authorize(by)
    errors: list[RowError] = []
    rows = read_rows(data, POPULATION_COLUMNS, errors)
    districts = {d.code: d for d in District.objects.all()}
    cells: dict[tuple[int, int, int, str], int] = {}
    first_line: dict[tuple[int, int, int, str], int] = {}
    for row in rows:
        district = _value(row, "district", errors, lambda v: _known_district(v, districts))
        year = _value(row, "year", errors, lambda v: parse_integer(v, low=1900, high=2200))
        age = _value(row, "age", errors, lambda v: parse_integer(v, low=0, high=MAX_AGE))
        sex = _value(row, "sex", errors, _sex)
        count = _value(row, "count", errors, lambda v: parse_integer(v, low=0, high=10**9))
        if district is None or year is None or age is None or sex is None or count is None:
            continue
        key = (district.pk, year, age, sex)
        if key in cells:
            errors.append(
                RowError(
                    row.line,
                    WHOLE_ROW,
                    _("Samma stadsdel, år, ålder och kön finns redan på rad %(line)s.")
                    % {"line": first_line[key]},
                )
            )
            continue
        cells[key], first_line[key] = count, row.line
    if errors:
        raise ImportFailed(errors)
    with transaction.atomic():
        run = _start_run(ImportKind.POPULATION, data, file_name, len(rows), by)
        years = sorted({year for _district, year, _age, _sex in cells})
        existing = {
            (p.district_id, p.year, p.age, p.sex): p
            for p in Population.objects.filter(year__in=years)
        }
        new: list[Population] = []
        changed: list[Population] = []
        for (district_id, year, age, sex), count in cells.items():
            cell = existing.get((district_id, year, age, sex))
            if cell is None:
                new.append(
                    Population(district_id=district_id, year=year, age=age, sex=sex, count=count)
                )
            elif cell.count != count:
                cell.count = count
                changed.append(cell)
        Population.objects.bulk_create(new, batch_size=BATCH_ROWS)
        Population.objects.bulk_update(changed, ["count"], batch_size=BATCH_ROWS)
        _finish_run(
            run,
            created=len(new),
            updated=len(changed),
            unchanged=len(cells) - len(new) - len(changed),
            by=by,
        )
    return run


def _known_district(value: str, districts: dict[str, District]) -> District:
    district = districts.get(required(value))
    if district is None:
        raise BadValue(
            _("Stadsdelen %(code)s finns inte. Importera stadsdelarna först.")
            % {"code": shown(value)}
        )
    return district


def _sex(value: str) -> str:
    if value not in Sex.values:
        raise BadValue(_("Kön ska vara F eller M."))
    return value


# --- reports ----------------------------------------------------------------------------------


@dataclass
class _Child:
    """A child of the file: an identity number or a pseudonym, with birth date and sex."""

    identity: IdentityNumber | None
    ref: str
    born: date
    sex: str  # LegalSex value
    district: District
    line: int
    person: Person | None = None
    person_id: int | None = None

    @property
    def key(self) -> str:
        return self.identity.value if self.identity is not None else PSEUDONYM_PREFIX + self.ref


@dataclass
class _ReportRow:
    line: int
    report_id: str
    received_on: date
    district: District
    child: _Child
    reasons: list[str]
    category: str
    is_mandatory: bool
    decision_on: date | None
    opened_on: date | None
    closed_on: date | None
    extended_until: date | None
    row_sha256: str


@dataclass
class _Lookups:
    districts: dict[str, District]
    reasons: set[str]
    categories: dict[str, bool]  # code -> the duty to report (None where asked: False)
    today: date
    intake_units: dict[int, Unit] = field(default_factory=dict)
    moments: dict[date, datetime] = field(default_factory=dict)

    def noon(self, day: date) -> datetime:
        """A date as a moment (12:00 Europe/Stockholm) where a model needs a time of day."""
        moment = self.moments.get(day)
        if moment is None:
            moment = self.moments[day] = _noon(day)
        return moment


def import_reports(
    data: bytes, *, file_name: str, by: User, progress: Progress | None = None
) -> ImportRun:
    """The report file (docs/import-format.md): check every row, then write them all.

    A `report_id` imported before with the same row is left as it is (counted unchanged); with
    another row it is an error: an import never changes what an earlier one created.
    """
    _authorize(by)
    errors: list[RowError] = []
    rows = read_rows(data, REPORT_COLUMNS, errors)
    lookups = _Lookups(
        districts={d.code: d for d in District.objects.all()},
        reasons=set(code_labels("report-reasons")),
        categories=_categories(),
        today=timezone.localdate(),
    )
    parsed: list[_ReportRow] = []
    seen: dict[str, int] = {}
    for row in rows:
        report_id = row.values["report_id"]
        if report_id and report_id in seen:
            errors.append(
                RowError(
                    row.line,
                    "report_id",
                    _("Id:t finns redan på rad %(line)s.") % {"line": seen[report_id]},
                )
            )
            continue
        seen.setdefault(report_id, row.line)
        report = _parse_report(row, lookups, errors)
        if report is not None:
            parsed.append(report)
    new_rows, unchanged = _check_against_file_and_record(parsed, errors)
    if errors:
        raise ImportFailed(errors)
    lookups.intake_units = {}
    for unit in Unit.objects.filter(kind=UnitKind.INTAKE, is_active=True).order_by("pk"):
        lookups.intake_units.setdefault(unit.district_id, unit)
    with transaction.atomic():
        if connection.vendor == "sqlite":
            # One transaction of a whole file outgrows SQLite's default page cache (2 MB),
            # which then spills to the WAL mid-transaction: 100 000 rows took twice as long.
            # The setting lasts for this connection only (docs/import-format.md, "Speed").
            with connection.cursor() as cursor:
                cursor.execute(SQLITE_CACHE_PRAGMA)
        run = _start_run(ImportKind.REPORTS, data, file_name, len(rows), by)
        done = 0
        for batch in _chunks(new_rows, BATCH_ROWS):
            _write_reports(batch, run=run, lookups=lookups, by=by)
            done += len(batch)
            if progress is not None:
                progress(done, len(new_rows))
        _finish_run(run, created=len(new_rows), updated=0, unchanged=unchanged, by=by)
    return run


def _categories() -> dict[str, bool]:
    """Every reporter category the list has (current and retired: old records use old codes),
    with whether its reporters have the duty to report."""
    duties: dict[str, bool] = {}
    for code in code_labels("reporter-categories"):
        category = get_code("reporter-categories", code)
        duties[code] = bool(reporter_duty(category.attributes or {})) if category else False
    return duties


def _row_hash(row: Row) -> str:
    return hashlib.sha256(
        "\x1f".join(row.values[column] for column in REPORT_COLUMNS).encode()
    ).hexdigest()


def _optional_date(value: str) -> date | None:
    return parse_date(value) if value else None


def _parse_report(row: Row, lookups: _Lookups, errors: list[RowError]) -> _ReportRow | None:
    before = len(errors)
    line = row.line

    def error(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    report_id = _value(row, "report_id", errors, _report_id)
    received_on = _value(row, "received_on", errors, lambda v: parse_date(required(v)))
    district = _value(row, "district", errors, lambda v: _known_district(v, lookups.districts))
    sex = _value(row, "child_sex", errors, _sex)
    born = _value(row, "child_birth_date", errors, lambda v: parse_date(required(v)))
    identity, ref = None, ""
    raw_id = row.values["child_id"]
    if raw_id.startswith(PSEUDONYM_PREFIX):
        ref = raw_id[len(PSEUDONYM_PREFIX) :].strip()
        if not ref:
            error("child_id", _("Skriv pseudonymen efter ref:, till exempel ref:A123."))
        elif len(ref) > 200:
            error("child_id", _("Pseudonymen får vara högst 200 tecken."))
        elif _holds_identity_number(ref):
            error(
                "child_id",
                _(
                    "Pseudonymen innehåller ett personnummer eller samordningsnummer. En "
                    "pseudonym får inte gå att föra tillbaka till en person: ange numret utan "
                    "ref: eller en annan pseudonym."
                ),
            )
    else:
        try:
            identity = parse_identity_number(required(raw_id))
        except BadValue as exc:
            error("child_id", str(exc))
        except InvalidIdentityNumber as exc:
            error("child_id", str(exc))
        else:
            if identity.kind == IdentityKind.RESERVE:
                error(
                    "child_id",
                    _(
                        "Ett reservnummer kan inte importeras: ange personnummer, "
                        "samordningsnummer eller en pseudonym (ref:…)."
                    ),
                )
                identity = None
            else:
                if born is not None and identity.birth_date != born:
                    error(
                        "child_birth_date",
                        _("Födelsedatumet stämmer inte med personnumret eller samordningsnumret."),
                    )
                if sex is not None and identity.legal_sex != SEX_TO_LEGAL[sex]:
                    error(
                        "child_sex", _("Könet stämmer inte med personnumret (näst sista siffran).")
                    )
    reasons = _value(row, "reasons", errors, lambda v: _reasons(v, lookups.reasons))
    category = row.values["reporter_category"]
    if category and category not in lookups.categories:
        error(
            "reporter_category",
            _("Anmälarkategorin %(code)s finns inte i kodlistan.") % {"code": shown(category)},
        )
    decision_on = _value(row, "decision_on", errors, _optional_date)
    opened_on = _value(row, "investigation_opened_on", errors, _optional_date)
    closed_on = _value(row, "investigation_closed_on", errors, _optional_date)
    extended_until = _value(row, "extended_until", errors, _optional_date)
    if len(errors) > before:
        return None
    assert report_id is not None and received_on is not None and district is not None
    assert sex is not None and born is not None and reasons is not None
    # The dates in their order (each only when the ones it needs are there).
    today = lookups.today
    for column, day in (
        ("received_on", received_on),
        ("decision_on", decision_on),
        ("investigation_opened_on", opened_on),
        ("investigation_closed_on", closed_on),
    ):
        if day is not None and day > today:
            error(column, _("Datumet ligger i framtiden."))
    if born > received_on:
        error("child_birth_date", _("Barnet är fött efter att anmälan kom in."))
    if decision_on is not None and decision_on < received_on:
        error("decision_on", _("Beslutet är fattat före den dag anmälan kom in."))
    if opened_on is not None:
        if decision_on is None:
            error(
                "investigation_opened_on",
                _("En utredning kan inte inledas utan beslut: decision_on saknas."),
            )
        elif opened_on < decision_on:
            error(
                "investigation_opened_on", _("Utredningen är inledd före beslutet att inleda den.")
            )
    if closed_on is not None:
        if opened_on is None:
            error(
                "investigation_closed_on",
                _(
                    "En utredning kan inte avslutas utan att ha inletts: "
                    "investigation_opened_on saknas."
                ),
            )
        elif closed_on < opened_on:
            error(
                "investigation_closed_on", _("Utredningen är avslutad före den dag den inleddes.")
            )
    if extended_until is not None:
        if opened_on is None:
            error(
                "extended_until",
                _("Bara en inledd utredning kan förlängas: investigation_opened_on saknas."),
            )
        else:
            due = rules.deadline_for(rules.INVESTIGATION, opened_on).due
            if extended_until <= due:
                error(
                    "extended_until",
                    _(
                        "Förlängningen ska gå längre än utredningstidens sista dag "
                        "(%(due)s, fyra månader från att utredningen inleddes)."
                    )
                    % {"due": due.isoformat()},
                )
    if len(errors) > before:
        return None
    return _ReportRow(
        line=line,
        report_id=report_id,
        received_on=received_on,
        district=district,
        child=_Child(
            identity=identity,
            ref=ref,
            born=born,
            sex=SEX_TO_LEGAL[sex],
            district=district,
            line=line,
        ),
        reasons=reasons,
        category=category,
        is_mandatory=lookups.categories.get(category, False),
        decision_on=decision_on,
        opened_on=opened_on,
        closed_on=closed_on,
        extended_until=extended_until,
        row_sha256=_row_hash(row),
    )


def _report_id(value: str) -> str:
    if len(required(value)) > 100:
        raise BadValue(_("Id:t får vara högst 100 tecken."))
    return value


def _reasons(value: str, known: set[str]) -> list[str]:
    codes = [code.strip() for code in required(value).split(";")]
    if any(not code for code in codes):
        raise BadValue(_("Skilj orsakskoderna åt med ; utan tomma koder emellan."))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise BadValue(
            _("Orsakskoden %(codes)s finns inte i kodlistan.")
            % {
                "codes": ", ".join(shown(code) for code in unknown[:5])
                + (" …" if len(unknown) > 5 else "")
            }
        )
    return sorted(set(codes))


def _check_against_file_and_record(
    parsed: list[_ReportRow], errors: list[RowError]
) -> tuple[list[_ReportRow], int]:
    """Rows imported before, and children that contradict each other or the record.

    Returns the rows to create and the number left unchanged (imported before, same row).
    """
    unique = parsed  # the ids are unique in the file (checked while reading)
    imported: dict[str, str] = {}
    for chunk in _chunks([report.report_id for report in parsed]):
        imported.update(
            ImportedReport.objects.filter(report__external_id__in=chunk).values_list(
                "report__external_id", "row_sha256"
            )
        )
        # A report id in the record that no import made (should not happen): a conflict too.
        for external_id in Report.objects.filter(external_id__in=chunk).values_list(
            "external_id", flat=True
        ):
            imported.setdefault(external_id, "")
    new_rows: list[_ReportRow] = []
    unchanged = 0
    for report in unique:
        earlier = imported.get(report.report_id)
        if earlier is None:
            new_rows.append(report)
        elif earlier == report.row_sha256:
            unchanged += 1
        else:
            errors.append(
                RowError(
                    report.line,
                    "report_id",
                    _(
                        "Aktualiseringen är redan importerad med andra uppgifter. En import "
                        "ändrar inte det som en tidigare import skapade."
                    ),
                )
            )
    _resolve_children(new_rows, errors)
    return new_rows, unchanged


def _resolve_children(rows: list[_ReportRow], errors: list[RowError]) -> None:
    """One `_Child` per child of the file, matched with the persons and pseudonyms already in
    the record; a row that gives the same child another birth date or sex is an error."""
    children: dict[str, _Child] = {}
    for report in rows:
        child = report.child
        first = children.get(child.key)
        if first is None:
            children[child.key] = child
            continue
        if (first.born, first.sex) != (child.born, child.sex):
            column = "child_birth_date" if first.born != child.born else "child_sex"
            errors.append(
                RowError(
                    report.line,
                    column,
                    _("Samma barn har ett annat födelsedatum eller kön på rad %(line)s.")
                    % {"line": first.line},
                )
            )
        report.child = first
    numbers = [c.identity.value for c in children.values() if c.identity is not None]
    for chunk in _chunks(numbers):
        for person in Person.objects.filter(identity_number__in=chunk):
            children[person.identity_number or ""].person = person
    refs = [c.ref for c in children.values() if c.identity is None]
    for chunk in _chunks(refs):
        for pseudonym in Pseudonym.objects.filter(ref__in=chunk).select_related("person"):
            children[PSEUDONYM_PREFIX + pseudonym.ref].person = pseudonym.person
    for child in children.values():
        known = child.person
        child.person_id = known.pk if known is not None else None
        if known is not None and known.is_protected:
            # A person with protected personal data is not attached to an imported report
            # without a word (red-team finding): the district registers the report in Rodtrad,
            # where the protection and the named handlers are checked (S15).
            errors.append(
                RowError(
                    child.line,
                    "child_id",
                    _(
                        "Barnet finns redan i Rodtrad med skyddade personuppgifter. Registrera "
                        "anmälan i Rodtrad i stället."
                    ),
                )
            )
            continue
        if known is not None and (known.birth_date, known.legal_sex) != (child.born, child.sex):
            errors.append(
                RowError(
                    child.line,
                    "child_id",
                    _(
                        "Barnet finns redan i Rodtrad med ett annat födelsedatum eller kön än "
                        "på den här raden."
                    ),
                )
            )


def _stage(report: _ReportRow) -> str:
    if report.decision_on is None:
        return CaseStatus.INTAKE
    if report.opened_on is None or report.closed_on is not None:
        return CaseStatus.CLOSED
    return CaseStatus.INVESTIGATION


def _write_reports(rows: list[_ReportRow], *, run: ImportRun, lookups: _Lookups, by: User) -> None:
    """Write one batch, one multi-row INSERT per table in order (lib/bulk.py, `insert_rows`):
    persons, their name words and pseudonyms, reports and reasons, cases, the reports'
    children, pre-assessments, investigations, extensions, and the import's own rows."""
    now = timezone.now()
    noon = lookups.noon
    new_children: list[_Child] = []
    seen: set[int] = set()
    for report in rows:
        child = report.child
        if child.person_id is None and id(child) not in seen:
            seen.add(id(child))
            new_children.append(child)
    person_ids = insert_rows(
        Person,
        (
            "identity_number",
            "identity_kind",
            "given_name",
            "family_name",
            "name_key",
            "birth_date",
            "legal_sex",
            "district_id",
        ),
        [
            (
                child.identity.value if child.identity else None,
                # A pseudonymous child has no number; "reserve" is the local kind of
                # identity (docs/import-format.md, "Pseudonyms").
                child.identity.kind if child.identity else IdentityKind.RESERVE,
                UNKNOWN_GIVEN_NAME,
                UNKNOWN_FAMILY_NAME,
                UNKNOWN_NAME_KEY,
                child.born,
                child.sex,
                child.district.pk,
            )
            for child in new_children
        ],
    )
    for child, person_id in zip(new_children, person_ids, strict=True):
        child.person_id = person_id
    insert_rows(
        PersonNameWord,
        ("person_id", "district_id", "word"),
        [
            (child.person_id, child.district.pk, word)
            for child in new_children
            for word in UNKNOWN_NAME_WORDS
        ],
    )
    insert_rows(
        Pseudonym,
        ("ref", "person_id", "run_id"),
        [(c.ref, c.person_id, run.pk) for c in new_children if c.identity is None],
    )
    report_ids = insert_rows(
        Report,
        (
            "district_id",
            "kind",
            "channel",
            "reporter_category",
            "is_mandatory_reporter",
            "text",
            "stated_received_at",
            "stated_received_reason",
            "registered_by_id",
            "external_id",
        ),
        [
            (
                row.district.pk,
                IMPORT_KIND,
                "",
                row.category,
                row.is_mandatory,
                IMPORTED_TEXT,
                # Registered now, by the import; received when the earlier system says.
                noon(row.received_on),
                IMPORTED_TEXT,
                by.pk,
                row.report_id,
            )
            for row in rows
        ],
    )
    insert_rows(
        ReportReason,
        ("report_id", "code"),
        [
            (report_id, code)
            for report_id, row in zip(report_ids, rows, strict=True)
            for code in row.reasons
        ],
    )
    case_rows = []
    for row in rows:
        stage = _stage(row)
        last_day = row.closed_on or row.decision_on
        unit = lookups.intake_units.get(row.district.pk)
        case_rows.append(
            (
                row.child.person_id,
                row.district.pk,
                unit.pk if unit else None,
                stage,
                noon(last_day) if stage == CaseStatus.CLOSED and last_day else None,
            )
        )
    case_ids = insert_rows(
        Case, ("child_id", "district_id", "unit_id", "status", "closed_at"), case_rows
    )
    insert_rows(
        ReportChild,
        ("report_id", "child_id", "case_id"),
        [
            (report_id, row.child.person_id, case_id)
            for report_id, row, case_id in zip(report_ids, rows, case_ids, strict=True)
        ],
    )
    insert_rows(
        PreAssessment,
        (
            "case_id",
            "received_on",
            "event_on",
            "author_id",
            "decision",
            "reasons",
            "status",
            "signed_at",
            "signed_by_id",
            "content_hash",
        ),
        [
            _pre_assessment(row, case_id, by, noon)
            for row, case_id in zip(rows, case_ids, strict=True)
            if row.decision_on is not None
        ],
    )
    investigated = [
        (row, case_id) for row, case_id in zip(rows, case_ids, strict=True) if row.opened_on
    ]
    investigation_ids = insert_rows(
        Investigation,
        (
            "case_id",
            "opened_on",
            "opened_by_id",
            "closed_on",
            "closed_at",
            "closed_by_id",
            "closing_note",
        ),
        [
            (
                case_id,
                row.opened_on,
                by.pk,
                row.closed_on,
                now if row.closed_on else None,
                by.pk if row.closed_on else None,
                IMPORTED_TEXT if row.closed_on else "",
            )
            for row, case_id in investigated
        ],
    )
    insert_rows(
        ExtensionDecision,
        (
            "investigation_id",
            "decided_on",
            "extended_to",
            "previous_due",
            "reasons",
            "decided_by_id",
        ),
        [
            _extension(row, investigation_id, by)
            for (row, _case), investigation_id in zip(investigated, investigation_ids, strict=True)
            if row.extended_until is not None
        ],
    )
    insert_rows(
        ImportedReport,
        ("report_id", "run_id", "row_sha256"),
        [
            (report_id, run.pk, row.row_sha256)
            for report_id, row in zip(report_ids, rows, strict=True)
        ],
    )


def _pre_assessment(
    row: _ReportRow, case_id: int, by: User, noon: Callable[[date], datetime]
) -> tuple[Any, ...]:
    """The signed decision; its content hash is computed as signing computes it."""
    assert row.decision_on is not None
    decision = Decision.OPEN if row.opened_on is not None else Decision.NOT_OPEN
    content = document_content(
        PreAssessment(event_on=row.decision_on, decision=decision, reasons=IMPORTED_TEXT)
    )
    content_hash = hashlib.sha256(canonical_json(content).encode()).hexdigest()
    return (
        case_id,
        row.received_on,
        row.decision_on,
        by.pk,
        decision,
        IMPORTED_TEXT,
        DocumentStatus.SIGNED,
        noon(row.decision_on),
        by.pk,
        content_hash,
    )


def _extension(row: _ReportRow, investigation_id: int, by: User) -> tuple[Any, ...]:
    """The earlier system knew the new last day only: the decision is dated the day the four
    months ran out (the last day it could be made in time)."""
    assert row.opened_on is not None and row.extended_until is not None
    due = rules.deadline_for(rules.INVESTIGATION, row.opened_on).due
    return (investigation_id, due, row.extended_until, due, IMPORTED_TEXT, by.pk)


# --- Export of a dashboard table (docs/statistics.md, "Export") --------------------------------


def _visible_districts(district_codes: list[str], by: User) -> list[District]:
    """The districts asked for, each one the user sees statistics of (else PermissionDenied)."""
    visible = {d.code: d for d in access.statistics_districts(by)}
    if not visible or not district_codes or any(code not in visible for code in district_codes):
        raise PermissionDenied
    return [visible[code] for code in district_codes]


def _journal_district(district_codes: list[str]) -> str:
    # One district's table belongs to that district's journal view; several: none.
    return district_codes[0] if len(district_codes) == 1 else ""


def export_table(
    indicator: str,
    *,
    year: int,
    district_codes: list[str],
    reason: str,
    file_format: str,
    otp_token: str,
    by: User,
    breakdown: str = "",
    snapshot: Snapshot | None = None,
) -> PublishedTable:
    """One dashboard table for a file, after step-up, journaled with who, what and why
    (docs/statistics.md, "Export").

    The user must see every district asked for (`access.statistics_districts`), or every
    district of the snapshot. The second factor is asked again (step-up,
    `accounts.services.confirm_second_factor`): a wrong code is a form error, journaled as a
    failed second factor in its own transaction, and nothing is exported. The table is the
    page's, computed and suppressed as there, or a snapshot's frozen one (never recomputed);
    the journal entry `stats.export` names the indicator and its version, the filters (year,
    districts, grouping), the threshold, the format, the snapshot and the reason (aggregates
    only).
    """
    if snapshot is not None:
        district_codes = sorted(snapshot.districts.values_list("code", flat=True))
        year = snapshot.year
    districts = _visible_districts(district_codes, by)
    errors = FieldErrors()
    reason = reason.strip()
    if not reason:
        errors.add("reason", _("Skriv varför du exporterar tabellen."))
    if file_format not in set(FileFormat):
        errors.add("file_format", _("Välj ett filformat."))
    frozen = _snapshot_table(snapshot, indicator) if snapshot is not None else None
    if indicator not in DASHBOARD_INDICATORS or (snapshot is not None and frozen is None):
        errors.add("indicator", _("Välj en tabell som finns."))
    if snapshot is not None:
        breakdown = str(snapshot.filters.get("breakdown", ""))
    elif breakdown and breakdown not in BREAKDOWNS:
        errors.add("breakdown", _("Välj en uppdelning som finns."))
    errors.raise_any()
    # Step-up after the checks above, before anything is computed: its own transaction, so a
    # failed code stays in the journal.
    step_up = accounts.confirm_second_factor(by, otp_token, purpose="stats.export")
    if not step_up:
        errors.add("otp_token", accounts.wrong_code_message(step_up.throttled))
        errors.raise_any()
    with transaction.atomic():
        table = frozen or DASHBOARD_INDICATORS[indicator](breakdown=breakdown or None).publish(
            year, districts
        )
        journal.record(
            "stats.export",
            by=by,
            obj=snapshot,
            district=_journal_district(district_codes),
            data={
                "indicator": table.indicator,
                "version": table.version,
                "year": year,
                "districts": sorted(district_codes),
                "breakdown": breakdown,
                "threshold": table.threshold,
                "format": file_format,
                "snapshot": snapshot.pk if snapshot is not None else None,
                "reason": reason,
            },
        )
    return table


def _snapshot_table(snapshot: Snapshot, indicator: str) -> PublishedTable | None:
    for data in snapshot.tables:
        if data["indicator"] == indicator:
            return table_from_json(data)
    return None


def create_snapshot(
    *,
    title: str,
    year: int,
    district_codes: list[str],
    indicators: list[str],
    breakdown: str = "",
    reason: str,
    by: User,
) -> Snapshot:
    """Freeze the dashboard's tables as shown (docs/statistics.md, "Snapshots"): the
    `indicators` (codes, in the dashboard's order) for the year, districts and grouping, as
    published, already suppressed, with the indicators' codes and versions, the filters, the
    moment and who and why, journaled as `stats.snapshot_created`.
    """
    districts = _visible_districts(district_codes, by)
    errors = FieldErrors()
    title, reason = title.strip(), reason.strip()
    if not title:
        errors.add("title", _("Skriv en rubrik för ögonblicksbilden."))
    if not reason:
        errors.add("reason", _("Skriv varför du sparar en ögonblicksbild."))
    if not indicators or any(code not in DASHBOARD_INDICATORS for code in indicators):
        errors.add("show", _("Välj minst en tabell som finns."))
    if breakdown and breakdown not in BREAKDOWNS:
        errors.add("breakdown", _("Välj en uppdelning som finns."))
    errors.raise_any()
    with transaction.atomic():
        now = timezone.now()
        tables = [
            DASHBOARD_INDICATORS[code](breakdown=breakdown or None).publish(year, districts)
            for code in DASHBOARD_INDICATORS
            if code in indicators
        ]
        snapshot = Snapshot.objects.create(
            title=title,
            year=year,
            filters={"year": year, "districts": sorted(district_codes), "breakdown": breakdown},
            indicators=[{"code": t.indicator, "version": t.version} for t in tables],
            threshold=tables[0].threshold if tables else suppression_threshold(),
            data_at=now,
            tables=[table_to_json(t) for t in tables],
            reason=reason,
            created_by=by,
            created_at=now,
        )
        snapshot.districts.set(districts)
        journal.record(
            "stats.snapshot_created",
            by=by,
            obj=snapshot,
            district=_journal_district(district_codes),
            data={
                "title": title,
                "year": year,
                "districts": sorted(district_codes),
                "breakdown": breakdown,
                "indicators": snapshot.indicators,
                "threshold": snapshot.threshold,
                "data_at": now.isoformat(),
                "reason": reason,
            },
        )
    return snapshot
