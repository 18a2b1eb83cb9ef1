"""S10, S19 and S31: the permission matrix, generated from the URLconf.

Every named route × method × principal (anonymous and each of the seven roles) × object in the
own or the other district is requested and compared with the expected table kept in
`rodtrad/*/tests/permissions.toml`. A route missing from the table fails the test, and so does a
table entry for a route that no longer exists.

Each route's method names a role profile from `permission_profiles.toml` (e.g.
`GET = { profile = "case-roles-own-district" }`), optionally with its `status` and explicit
per-principal overrides; `load_table()` expands it to one expectation per principal, so every
route is still requested as every principal. A method may also list all eight principals
itself. docs/howto/add-a-route.md explains the format.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import sign_in
from rodtrad.accounts.models import EmergencyAccess, Membership, Role
from rodtrad.accounts.tests.factories import (
    DistrictFactory,
    EmergencyAccessFactory,
    MembershipFactory,
    MembershipProposalFactory,
    UnitFactory,
    UserFactory,
)
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.commissions.tests.factories import CommissionFactory, GoalFactory
from rodtrad.decisions.tests.factories import DecisionFactory, InterventionFactory
from rodtrad.intake.tests.factories import (
    PreAssessmentFactory,
    ReportChildFactory,
    ReporterInformationRequestFactory,
)
from rodtrad.investigation.tests.factories import (
    AnalysisFactory,
    AreaAssessmentFactory,
    CommunicationFactory,
    InvestigationFactory,
    InvestigationPlanFactory,
    NeedFactory,
    RiskAssessmentFactory,
)
from rodtrad.journal.models import AccessAction, AccessEvent
from rodtrad.people.tests.factories import PersonFactory, RelationshipFactory
from rodtrad.placements.tests.factories import PlacementFactory

ROOT = Path(settings.BASE_DIR)
PRINCIPALS = ("anonymous", *(role.value for role in Role))
SIDES = ("own", "other")
METHODS = ("GET", "POST")
# Where each role works in the matrix world: (unit kind or None for the whole district).
ROLE_UNITS = {
    Role.INTAKE_WORKER: "intake",
    Role.INVESTIGATOR: "investigation",
    Role.PROVIDER: "provider",
    Role.TEAM_MANAGER: None,
    Role.ANALYST: None,
    Role.REVIEWER: None,
    Role.ADMINISTRATOR: None,
}


def _walk(patterns: list[Any], namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            found.extend(_walk(entry.url_patterns, inner))
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            found.append((name, entry))
    return found


def url_routes() -> dict[str, URLPattern]:
    return dict(_walk(get_resolver().url_patterns))


PROFILES_FILE = Path(__file__).with_name("permission_profiles.toml")
# Keys of a method's entry that are not principals.
PROFILE_KEYS = {"profile", "status"}


def load_profiles() -> dict[str, dict[str, Any]]:
    with PROFILES_FILE.open("rb") as handle:
        return tomllib.load(handle)


PROFILES = load_profiles()


def _with_status(value: Any, status: int) -> Any:
    """A profile's value with its "status" placeholders replaced by the entry's status."""
    if value == "status":
        return status
    if isinstance(value, dict):
        return {side: _with_status(inner, status) for side, inner in value.items()}
    return value


def expand(method_spec: dict[str, Any], where: str) -> dict[str, Any]:
    """One expectation per principal: the named profile's, then the entry's overrides.

    An entry without `profile` lists the principals itself. Unknown profiles and keys that are
    no principal fail loudly, so a typo cannot silently drop a principal from the matrix.
    """
    if "profile" not in method_spec:
        return dict(method_spec)
    name = method_spec["profile"]
    assert name in PROFILES, f"{where}: unknown profile {name!r} (see {PROFILES_FILE.name})"
    profile = PROFILES[name]
    status = int(method_spec.get("status", profile["status"]))
    expected = {principal: _with_status(profile[principal], status) for principal in PRINCIPALS}
    overrides = {key: value for key, value in method_spec.items() if key not in PROFILE_KEYS}
    unknown = sorted(set(overrides) - set(PRINCIPALS))
    assert not unknown, f"{where}: {unknown} are neither principals nor profile keys"
    expected.update(overrides)
    return expected


def load_table() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for path in sorted(ROOT.glob("rodtrad/*/tests/permissions.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        for route, spec in data.items():
            assert route not in table, f"{route} is in two permission tables ({path})"
            for method in METHODS:
                if method in spec:
                    spec[method] = expand(spec[method], f"{path.name} {route} {method}")
            spec["_file"] = str(path.relative_to(ROOT))
            table[route] = spec
    return table


TABLE = load_table()


def test_s10_every_route_is_in_the_permission_matrix() -> None:
    routes = set(url_routes())
    missing = sorted(routes - set(TABLE))
    stale = sorted(set(TABLE) - routes)
    assert not missing, f"routes missing from a permissions.toml: {missing}"
    assert not stale, f"permissions.toml entries for routes that do not exist: {stale}"


def test_s10_every_matrix_entry_names_every_principal() -> None:
    for route, spec in TABLE.items():
        methods = [m for m in METHODS if m in spec]
        assert methods, f"{route}: no GET or POST expectations"
        for method in methods:
            missing = [p for p in PRINCIPALS if p not in spec[method]]
            assert not missing, f"{route} {method}: no expectation for {missing}"


def test_s10_every_profile_names_every_principal_and_a_default_status() -> None:
    for name, profile in PROFILES.items():
        missing = [p for p in PRINCIPALS if p not in profile]
        assert not missing, f"profile {name}: no expectation for {missing}"
        assert isinstance(profile.get("status"), int), f"profile {name}: no default status"
        assert profile.get("description"), f"profile {name}: say what it means"


def test_s10_a_profile_expands_to_its_statuses_with_the_overrides_on_top() -> None:
    expected = expand(
        {"profile": "case-roles-own-district", "status": 400, "anonymous": 401}, "example"
    )
    assert expected == {
        "anonymous": 401,
        "intake_worker": {"own": 400, "other": 404},
        "investigator": {"own": 400, "other": 404},
        "team_manager": {"own": 400, "other": 404},
        "provider": 404,
        "analyst": 404,
        "reviewer": 404,
        "administrator": 404,
    }


@pytest.mark.parametrize(
    "method_spec",
    [{"profile": "no-such-profile"}, {"profile": "signed-in", "investigatr": 200}],
    ids=["unknown profile", "misspelt principal"],
)
def test_s10_a_typo_in_a_matrix_entry_fails_the_matrix(method_spec: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        expand(method_spec, "example")


class World:
    """Two districts (Bromma = own, Farsta = other) with one user per role in Bromma."""

    def __init__(self) -> None:
        self.districts = {
            "own": DistrictFactory(code="bromma", name="Bromma"),
            "other": DistrictFactory(code="farsta", name="Farsta"),
        }
        self.units = {
            (side, kind): UnitFactory(district=district, kind=kind, code=f"{district.code}-{kind}")
            for side, district in self.districts.items()
            for kind in ("intake", "investigation", "provider", "placement")
        }
        self.users: dict[str, Any] = {}
        for role, unit_kind in ROLE_UNITS.items():
            self.users[role] = UserFactory(
                username=f"matrix-{role}",
                role=role,
                role__district=None if role == Role.ADMINISTRATOR else self.districts["own"],
                role__unit=self.units[("own", unit_kind)] if unit_kind else None,
            )
        self._made: dict[tuple[str, str, str], int] = {}

    def obj(self, kind: str, side: str, principal: str) -> int:
        key = (kind, side, principal)
        if key not in self._made:
            self._made[key] = self._make(kind, side, principal)
        return self._made[key]

    def _make(self, kind: str, side: str, principal: str) -> int:
        district = self.districts[side]
        unit_kind = ROLE_UNITS.get(principal)  # type: ignore[call-overload]
        unit = self.units[(side, unit_kind)] if unit_kind else None
        # Objects of case kinds belong to a case in the principal's unit (or district).
        case_of = {"child__district": district, "unit": unit}
        if kind == "person":
            return PersonFactory(district=district).pk
        if kind == "protected_person":
            return PersonFactory(district=district, protected=True).pk
        if kind == "case":
            return CaseFactory(**case_of).pk
        if kind == "relationship":
            return RelationshipFactory(child__district=district, other__district=district).pk
        if kind == "user":
            return UserFactory(role=Role.INVESTIGATOR, role__district=district).pk
        if kind == "membership":
            return MembershipFactory(role=Role.INVESTIGATOR, district=district).pk
        if kind == "membership_proposal":
            return MembershipProposalFactory(role=Role.INVESTIGATOR, district=district).pk
        if kind == "emergency_access":
            return EmergencyAccessFactory(
                case__child__district=district, reason="Matrix: akut skyddsbehov i socialjouren."
            ).pk
        if kind == "report":
            return ReportChildFactory(
                **{f"case__{key}": value for key, value in case_of.items()},
                report__reporter_name="Matris Anmälare",
                report__text="Matrix: oro för barnet.",
            ).report_id
        if kind == "report_child":
            return ReportChildFactory(
                **{f"case__{key}": value for key, value in case_of.items()},
                report__reporter_name="Matris Anmälare",
                report__text="Matrix: oro för barnet.",
            ).pk
        if kind == "pre_assessment":
            return PreAssessmentFactory(**{f"case__{k}": v for k, v in case_of.items()}).pk
        # An open investigation of a case in the principal's unit (as for "case"), and the
        # asked-for row in it; documents are drafts.
        in_investigation = {f"investigation__case__{k}": v for k, v in case_of.items()}
        if kind == "investigation":
            return InvestigationFactory(**{f"case__{k}": v for k, v in case_of.items()}).pk
        if kind == "investigation_plan":
            return InvestigationPlanFactory(**in_investigation).pk
        if kind == "area_assessment":
            return AreaAssessmentFactory(**in_investigation).pk
        if kind == "risk_assessment":
            return RiskAssessmentFactory(instrument="FREDA", **in_investigation).pk
        if kind == "analysis":
            return AnalysisFactory(**in_investigation).pk
        if kind == "need":
            return NeedFactory(description="Matrix: behov.", **in_investigation).pk
        if kind == "communication":
            return CommunicationFactory(
                subject="Matrix: utredningen.",
                legacy_recipient="Vårdnadshavare",
                **in_investigation,
            ).pk
        if kind == "decision":
            return DecisionFactory(**{f"case__{k}": v for k, v in case_of.items()}).pk
        if kind == "intervention":
            return InterventionFactory(**{f"decision__case__{k}": v for k, v in case_of.items()}).pk
        if kind == "placement":
            return PlacementFactory(**{f"decision__case__{k}": v for k, v in case_of.items()}).pk
        if kind in {"commission", "draft_commission", "goal"}:
            # Sent to the provider unit of the principal's side (the provider principal works
            # there); a draft for the edit routes; a goal of a draft.
            in_case = {f"intervention__decision__case__{k}": v for k, v in case_of.items()}
            provider_unit = self.units[(side, "provider")]
            commission = CommissionFactory(
                provider_unit=provider_unit, sent=kind == "commission", **in_case
            )
            if kind == "goal":
                return GoalFactory(commission=commission).pk
            return commission.pk
        if kind == "outgoing_document":
            from rodtrad.letters.tests.factories import OutgoingDocumentFactory

            return OutgoingDocumentFactory(**{f"case__{k}": v for k, v in case_of.items()}).pk
        if kind == "snapshot":
            from rodtrad.stats.tests.factories import SnapshotFactory

            return SnapshotFactory(districts=[district]).pk
        if kind == "instrument":
            from rodtrad.followup.models import Instrument

            return Instrument.objects.get(code="example-four-item").pk
        if kind == "checklist":
            from rodtrad.audits.models import Checklist

            return Checklist.objects.get(key="violence-cases", is_current=True).pk
        if kind in {"review_programme", "sampled_case", "audit_finding"}:
            # A case of the side's district drawn into a programme; on the own side given to
            # the matrix reviewer, on the other to another reviewer (docs/internal-control.md).
            from rodtrad.audits.tests import factories as audit_factories

            reviewer = (
                self.users[Role.REVIEWER]
                if side == "own"
                else UserFactory(role=Role.REVIEWER, role__district=district)
            )
            sampled = audit_factories.sampled_case(
                CaseFactory(**case_of),
                reviewers=(reviewer,),
                created_by=self.users[Role.ADMINISTRATOR],
            )
            if kind == "review_programme":
                return sampled.programme_id
            if kind == "sampled_case":
                return sampled.pk
            return audit_factories.finding(sampled, by=reviewer).pk
        if kind in {"log_review", "log_review_item"}:
            # A log review with one item: a read of a case of the side's district by an
            # investigator of that district (docs/internal-control.md, "The log review").
            from rodtrad.audits.tests import factories as audit_factories

            review = audit_factories.log_review(created_by=self.users[Role.ADMINISTRATOR])
            if kind == "log_review":
                return review.pk
            reader = UserFactory(role=Role.INVESTIGATOR, role__district=district)
            event = audit_factories.access_event(reader, case=CaseFactory(**case_of))
            return audit_factories.log_item(review, event).pk
        if kind in {"codelist", "code"}:
            from rodtrad.frameworks.models import Code, CodeList

            if kind == "codelist":
                return CodeList.objects.order_by("pk").values_list("pk", flat=True)[0]
            return Code.objects.order_by("pk").values_list("pk", flat=True)[0]
        raise AssertionError(f"unknown object kind {kind!r} in permissions.toml")


URL_ATTRIBUTE = re.compile(r'(?:href|action|src|hx-get|hx-post|hx-put|hx-delete)="([^"]*)"')
IDENTITY_NUMBER = re.compile(r"\d{6,8}[-+]?\d{4}")


def _s31_problems(response: Any, label: str) -> list[str]:
    """S31: no identity number in any URL we answer with or link to; nothing cached."""
    problems = []
    if response.get("Cache-Control") != "no-store":
        problems.append(f"{label}: Cache-Control is {response.get('Cache-Control')!r}")
    location = response.get("Location", "")
    urls = [location] if location else []
    if "html" in response.get("Content-Type", ""):
        urls += URL_ATTRIBUTE.findall(response.content.decode())
    problems += [
        f"{label}: identity number in URL {u!r}" for u in urls if IDENTITY_NUMBER.search(u)
    ]
    return problems


SUBJECT_KINDS = {"case": "case_id", "person": "person_id", "protected_person": "person_id"}
# Objects that belong to one case: a page about one of them shows that case.
CASE_OBJECT_KINDS = {
    "report_child": "intake.ReportChild",
    "pre_assessment": "intake.PreAssessment",
    "investigation": "investigation.Investigation",
    "investigation_plan": "investigation.InvestigationPlan",
    "area_assessment": "investigation.AreaAssessment",
    "risk_assessment": "investigation.RiskAssessment",
    "analysis": "investigation.Analysis",
    "need": "investigation.Need",
    "communication": "investigation.Communication",
    "decision": "decisions.Decision",
    "intervention": "decisions.Intervention",
    "placement": "decisions.Intervention",
    "commission": "commissions.Commission",
    "draft_commission": "commissions.Commission",
    "goal": "commissions.Goal",
    "outgoing_document": "letters.OutgoingDocument",
    "sampled_case": "audits.SampledCase",
    "audit_finding": "audits.Finding",
}


def case_id_of(kind: str, pk: int) -> int | None:
    """The case an object of the matrix world belongs to (None for persons, users, codes)."""
    from django.apps import apps

    if kind == "case":
        return pk
    if kind == "report":
        from rodtrad.intake.models import ReportChild

        return ReportChild.objects.filter(report_id=pk).values_list("case_id", flat=True).first()
    if kind not in CASE_OBJECT_KINDS:
        return None
    obj = apps.get_model(CASE_OBJECT_KINDS[kind]).objects.get(pk=pk)
    if hasattr(obj, "case_id"):
        return int(obj.case_id)
    if hasattr(obj, "commission"):
        return int(obj.commission.case_id)
    return int(obj.investigation.case_id)


def _subject(args_spec: dict[str, str], kwargs: dict[str, int]) -> tuple[str, int] | None:
    """What a page about the URL's object shows: a person, or a case (also through one of the
    case's documents, reports or needs)."""
    for name, kind in args_spec.items():
        if kind in SUBJECT_KINDS:
            return SUBJECT_KINDS[kind], kwargs[name]
        case_id = case_id_of(kind, kwargs[name])
        if case_id is not None:
            return "case_id", case_id
    return None


# Statuses whose body shows the page's person or case (redirects, 403, 404, 405 show nothing).
SHOWING_STATUSES = {"GET": {200}, "POST": {200, 400, 409}}


# htmx status lines (the autosave's "Sparat 10:42" or its error list) show no person or case:
# only the document form that carries them does, and that page wrote its event.
STATUS_FRAGMENTS = {"components/autosave_status.html"}


def _is_status_fragment(response: Any) -> bool:
    names = {template.name for template in getattr(response, "templates", [])}
    return bool(names) and names <= STATUS_FRAGMENTS


def _reads(subject: tuple[str, int] | None) -> int:
    if subject is None:
        return 0
    field, pk = subject
    return AccessEvent.objects.filter(**{field: pk}).exclude(action=AccessAction.DENIED).count()


def _expected(spec: dict[str, Any], principal: str, side: str) -> int:
    value = spec[principal]
    if isinstance(value, dict):
        return int(value[side])
    return int(value)


@pytest.mark.parametrize("route", sorted(TABLE))
def test_s10_route_answers_each_principal_as_the_table_says(route: str, db: Any) -> None:
    spec = TABLE[route]
    pattern = url_routes()[route]
    args_spec: dict[str, str] = spec.get("args", {})
    assert set(args_spec) == set(pattern.pattern.converters), (
        f"{route}: args in {spec['_file']} must name {sorted(pattern.pattern.converters)}"
    )
    world = World()
    failures = []
    for method in METHODS:
        if method not in spec:
            continue
        for principal in PRINCIPALS:
            for side in SIDES if args_spec else ("own",):
                kwargs = {
                    name: world.obj(kind, side, principal) for name, kind in args_spec.items()
                }
                url = reverse(route, kwargs=kwargs)
                client = Client()
                if principal != "anonymous":
                    sign_in(client, world.users[principal])
                subject = _subject(args_spec, kwargs)
                reads_before = _reads(subject)
                response = client.get(url) if method == "GET" else client.post(url, {})
                expected = _expected(spec[method], principal, side)
                failures.extend(_s31_problems(response, f"{method} {route} as {principal}"))
                # S19: a page or response showing a person or case writes exactly one
                # access event for it, whatever the method and status: a GET's page, and a
                # POST's form re-rendered with errors (200/400) or conflict page (409).
                shows_subject = (
                    subject
                    and response.status_code in SHOWING_STATUSES[method]
                    and not _is_status_fragment(response)
                )
                if shows_subject and _reads(subject) - reads_before != 1:
                    failures.append(
                        f"{method} {route} as {principal} ({side}): "
                        f"{response.status_code} without a single access event"
                    )
                if response.status_code != expected:
                    failures.append(
                        f"{method} {route} as {principal} ({side}): "
                        f"got {response.status_code}, expected {expected}"
                    )
                elif principal == "anonymous" and expected == 302 and not spec.get("public"):
                    login = reverse(settings.LOGIN_URL)
                    if not response["Location"].startswith(login):
                        failures.append(f"{method} {route} anonymous: redirect not to login")
    assert not failures, "\n".join(failures)


def test_s10_membership_world_has_one_user_per_role(db: Any) -> None:
    world = World()
    assert {m.role for m in Membership.objects.filter(user__username__startswith="matrix-")} == {
        r.value for r in Role
    }
    assert len(world.users) == len(Role)


# --- S16/S19: every read through an emergency grant carries the grant --------------------------


def _grant_world_case(world: World, kind: str, pk: int) -> Any:
    """The case a grant must open so that the reader can see the route's object (persons get a
    case of their own, with a related person, as a child in another district would have)."""
    from rodtrad.cases.models import Case

    if kind in {"person", "protected_person"}:
        case = Case.objects.filter(child_id=pk).first()
        if case is None:
            from rodtrad.people.models import Person

            child = Person.objects.get(pk=pk)
            case = CaseFactory(child=child, unit=world.units[("other", "investigation")])
            RelationshipFactory(child=child, other__district=case.district)
        return case
    case_id = case_id_of(kind, pk)
    return Case.objects.get(pk=case_id) if case_id is not None else None


def test_s16_every_read_through_an_emergency_grant_carries_the_grant(db: Any) -> None:
    """An investigator of Bromma holds grants on Farsta cases; every GET route that answers
    200 writes access events that name the grant (id, flag, reason) for every case and person
    it opened. Lists (case list, API, queue, deadlines) are walked too."""
    from rodtrad.people.models import Relationship

    world = World()
    reader = world.users[Role.INVESTIGATOR]
    client = sign_in(Client(), reader)
    grants: dict[int, EmergencyAccess] = {}  # case id -> grant
    grant_of_person: dict[int, EmergencyAccess] = {}

    def grant_for(case: Any) -> None:
        if case.pk in grants:
            return
        grants[case.pk] = EmergencyAccessFactory(
            user=reader,
            case=case,
            reason=f"Socialjouren: akut placering i natt, ärende {case.pk}.",
            active=True,
        )
        related = Relationship.objects.filter(child=case.child_id).values_list(
            "other_id", flat=True
        )
        for person_id in [case.child_id, *related]:
            grant_of_person[person_id] = grants[case.pk]

    grant_for(_grant_world_case(world, "case", world.obj("case", "other", "investigator")))
    failures: list[str] = []
    reached: set[str] = set()
    for route, spec in sorted(TABLE.items()):
        if "GET" not in spec:
            continue
        args_spec: dict[str, str] = spec.get("args", {})
        kwargs = {
            name: world.obj(kind, "other", "investigator") for name, kind in args_spec.items()
        }
        cases = [_grant_world_case(world, kind, kwargs[name]) for name, kind in args_spec.items()]
        if args_spec and None in cases:
            continue  # users, memberships, code lists: nothing a grant opens
        for case in cases:
            grant_for(case)
        before = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.get(reverse(route, kwargs=kwargs))
        if response.status_code != 200:
            continue
        reached.add(route)
        events = AccessEvent.objects.filter(id__gt=before).exclude(action=AccessAction.DENIED)
        if args_spec and not events.exists():
            failures.append(f"GET {route} under a grant: no access event")
        for event in events:
            grant = (
                grants.get(event.case_id)
                if event.case_id is not None
                else grant_of_person.get(event.person_id or 0)
            )
            if grant is None:
                continue  # not opened by a grant (e.g. the reader's own district)
            carried = (event.is_emergency, event.emergency_access_id, event.reason)
            if carried != (True, grant.pk, grant.reason):
                subject = f"case {event.case_id}" if event.case_id else f"person {event.person_id}"
                failures.append(f"GET {route} under a grant: {subject} written as {carried}")
    assert not failures, "\n".join(failures)
    must_reach = {
        "cases:case-list",
        "cases:case-detail",
        "api:case-list",
        "api:case-detail",
        "api:person-detail",
        "people:person-detail",
        "intake:report-detail",
        "investigation:investigation-detail",
    }
    assert must_reach <= reached, f"not readable under a grant: {sorted(must_reach - reached)}"


# --- S19: conflict pages (409) write the access event too ---------------------------------------


def _stale_post(world: World, route: str, kind: str, principal: str) -> tuple[int, dict[str, Any]]:
    """A valid POST for the route's object with the version it had before someone else saved:
    (the object's pk, the form data). The object's version is moved on by one."""
    from django.apps import apps
    from django.db.models import F
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    pk = world.obj(kind, "own", principal)
    if kind == "report":
        from rodtrad.intake.models import Report

        target: Any = ReporterInformationRequestFactory(
            report=Report.objects.get(pk=pk),
            requested_on=today,
            recorded_by=world.users[Role.TEAM_MANAGER],
        )
        data = {"request": target.pk, "answered_on": today, "answer_text": "Utredning inledd."}
    elif kind == "person":
        from rodtrad.people.models import Person

        target = Person.objects.get(pk=pk)
        data = {
            "identity_number": target.identity_number,
            "given_name": "Ändrad",
            "family_name": target.family_name,
            "birth_date": target.birth_date.isoformat(),
            "legal_sex": target.legal_sex,
        }
    else:
        target = apps.get_model(CASE_OBJECT_KINDS[kind]).objects.get(pk=pk)
        data = {
            "pre_assessment": {"event_on": today, "information_obtained": "Samtal med skolan."},
            "analysis": {"event_on": today, "text": "Barnets behov är ..."},
            "investigation": {"informed_on": today, "informed_how": "Brev till föräldrarna."},
            "need": {"area": "halsa", "description": "Stöd i skolan.", "severity": "low"},
            "communication": {"answered_on": today, "answer": "Inga synpunkter."},
        }[kind]
    data["version"] = target.version
    type(target).objects.filter(pk=target.pk).update(version=F("version") + 1)
    return pk, data


CONFLICT_ROUTES = [
    ("people:person-edit", "person", Role.INVESTIGATOR),
    ("intake:reporter-information-answer", "report", Role.INTAKE_WORKER),
    ("intake:pre-assessment-sign", "pre_assessment", Role.INTAKE_WORKER),
    ("investigation:analysis-edit", "analysis", Role.INVESTIGATOR),
    ("investigation:analysis-sign", "analysis", Role.INVESTIGATOR),
    ("investigation:informing-edit", "investigation", Role.INVESTIGATOR),
    ("investigation:need-edit", "need", Role.INVESTIGATOR),
    ("investigation:communication-answer", "communication", Role.INVESTIGATOR),
]


@pytest.mark.parametrize(("route", "kind", "principal"), CONFLICT_ROUTES)
def test_s19_a_conflict_page_writes_one_access_event(
    route: str, kind: str, principal: str, db: Any
) -> None:
    world = World()
    pk, data = _stale_post(world, route, kind, principal)
    client = sign_in(Client(), world.users[principal])
    subject = ("person_id", pk) if kind == "person" else ("case_id", case_id_of(kind, pk))
    before = _reads(subject)
    response = client.post(reverse(route, kwargs={"pk": pk}), data)
    assert response.status_code == 409
    assert "components/conflict.html" in {t.name for t in response.templates}
    assert _reads(subject) - before == 1
    event = AccessEvent.objects.exclude(action=AccessAction.DENIED).latest("id")
    assert (event.route, event.request_id) == (route, response["X-Request-ID"])
