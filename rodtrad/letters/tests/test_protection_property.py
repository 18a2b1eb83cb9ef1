"""S15 as a property (issue 9, point 4; docs/letters.md, "Secrecy"): for drawn protection levels
of the recipient, the other guardian, a sibling (none, or with no case, a case in the district,
a case in another district), a legal representative and the reporter (OSL 26:5), with drawn
Swedish-looking names, addresses and free texts that mention where the protected persons live,
and drawn confirm/redact choices, the kommunicering letter, the decision letter and the printed
investigation are produced and read with `pdftotext`: no protected datum is in any of them
unless the handler confirmed it, and only a named handler of the protected person may confirm.

Every example builds its own family inside a savepoint that is rolled back. PDFs are slow:
the number of examples is modest (three PDFs each); the exhaustive 4 × 4 test of the two
guardians' levels is test_protection_combinations.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from rodtrad.cases.models import CaseStatus
from rodtrad.cases.tests.factories import CaseFactory
from rodtrad.deadlines.tests.clock import TODAY
from rodtrad.decisions.tests.factories import DecisionFactory, InterventionFactory
from rodtrad.intake.tests.factories import ReportChildFactory
from rodtrad.investigation.tests.factories import (
    AreaAssessmentFactory,
    InvestigationFactory,
    InvestigationPlanFactory,
)
from rodtrad.letters import services
from rodtrad.letters.tests.conftest import flat, pdf_text
from rodtrad.people.models import ProtectionLevel
from rodtrad.people.tests.factories import (
    PersonFactory,
    ProtectedPersonHandlerFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db

LEVELS = list(ProtectionLevel.values)
FORWARDED = {"skyddad_folkbokforing", "fingerade_personuppgifter"}
FORWARDING = "Skatteverkets särskilda postförmedling"

# Names and places that look Swedish and collide with no word of the templates.
ADULTS = ["Annika", "Birgitta", "Helena", "Karin", "Malin", "Ulrika", "Björn", "Fredrik"]
ADULTS += ["Gustav", "Johan", "Mikael", "Stefan", "Torbjörn", "Agneta", "Ingegerd", "Leif"]
CHILDREN = ["Alfred", "Elsa", "Hugo", "Ines", "Ludvig", "Majken", "Nils", "Tyra", "Sixten"]
FAMILIES = ["Bergqvist", "Dahlberg", "Forsell", "Holmgren", "Lindqvist", "Nyström", "Sandberg"]
FAMILIES += ["Wikström", "Öberg", "Åkesson", "Hedlund", "Ljungberg"]
STREETS = ["Björk", "Lingon", "Vitsippe", "Ekorr", "Hägg", "Rönnbärs", "Smultron", "Kvarn"]
STREETS += ["Lärk", "Blåbärs", "Hassel", "Nypon"]
SUFFIXES = ["vägen", "stigen", "gränd", "backen", "slingan"]
PLACES = ["Gömby", "Sjöhult", "Tallkrog", "Vretby", "Åsmora", "Lövsta", "Bergsjöby", "Myrhult"]
PLACES += ["Kvarnby", "Norrtorp"]


@dataclass
class Someone:
    role: str  # "father", "mother", "sibling", "representative"
    level: str
    given: str
    family: str
    street: str
    place: str  # "postal code city"
    has_address: bool

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"


@dataclass
class World:
    people: dict[str, Someone]
    recipient: str  # "father" or "representative"
    sibling_case: str  # "none", "no_case", "own", "elsewhere"
    reporter: str
    reporter_protected: bool
    handler_of: set[str]  # the roles whose named handler the investigator is
    choices: dict[str, str] = field(default_factory=dict)  # role/datum → confirm or redact


@st.composite
def worlds(draw: Any) -> World:
    givens = draw(st.lists(st.sampled_from(ADULTS), min_size=4, max_size=4, unique=True))
    streets = draw(st.lists(st.sampled_from(STREETS), min_size=5, max_size=5, unique=True))
    places = draw(st.lists(st.sampled_from(PLACES), min_size=5, max_size=5, unique=True))
    family = draw(st.sampled_from(FAMILIES))
    roles = ["father", "mother", "representative", "sibling"]
    people = {}
    for index, role in enumerate(roles):
        level = draw(st.sampled_from(LEVELS))
        people[role] = Someone(
            role=role,
            level=level,
            given=draw(st.sampled_from(CHILDREN)) if role == "sibling" else givens[index],
            family=draw(st.sampled_from(FAMILIES)) if role != "sibling" else family,
            street=f"{streets[index]}{draw(st.sampled_from(SUFFIXES))} {draw(st.integers(1, 99))}",
            place=f"{draw(st.integers(10000, 99999))} {places[index]}",
            # Skyddad folkbokföring keeps no address (people.services); an old row may.
            has_address=level not in FORWARDED or draw(st.booleans()),
        )
    return World(
        people=people,
        recipient=draw(st.sampled_from(["father", "representative"])),
        sibling_case=draw(st.sampled_from(["none", "no_case", "own", "elsewhere"])),
        reporter=f"Rektor {givens[3]} {places[4]}",
        reporter_protected=draw(st.booleans()),
        handler_of=set(draw(st.lists(st.sampled_from(roles), unique=True))),
    )


def _person(someone: Someone, district: Any, born: date) -> Any:
    street, (postal, city) = someone.street, someone.place.split(" ", 1)
    return PersonFactory(
        district=district,
        given_name=someone.given,
        family_name=someone.family,
        birth_date=born,
        street_address=street if someone.has_address else "",
        postal_code=postal if someone.has_address else "",
        city=city if someone.has_address else "",
        protection_level=someone.level,
    )


def _build(world: World, *, units: dict[str, Any], investigator: Any, elsewhere: Any) -> Any:
    district = units["investigation"].district
    child = PersonFactory(district=district, birth_date=date(2016, 4, 2), given_name="Vera")
    persons = {}
    for role, born in (("father", date(1980, 2, 2)), ("mother", date(1982, 3, 3))):
        persons[role] = _person(world.people[role], district, born)
        RelationshipFactory(
            child=child, other=persons[role], kind="guardian", valid_from=date(2016, 4, 2)
        )
    persons["representative"] = _person(world.people["representative"], district, date(1970, 1, 1))
    RelationshipFactory(
        child=child,
        other=persons["representative"],
        kind="legal_representative",
        valid_from=date(2026, 1, 1),
    )
    if world.sibling_case != "none":
        where = elsewhere if world.sibling_case == "elsewhere" else district
        persons["sibling"] = _person(world.people["sibling"], where, date(2013, 5, 5))
        RelationshipFactory(
            child=persons["sibling"],
            other=persons["father"],
            kind="guardian",
            valid_from=date(2013, 5, 5),
        )
        if world.sibling_case != "no_case":
            CaseFactory(child=persons["sibling"], district=where)
    for role in world.handler_of & set(persons):
        if persons[role].protection_level != ProtectionLevel.NONE:
            ProtectedPersonHandlerFactory(person=persons[role], user=investigator)
    report_child = ReportChildFactory(
        child=child,
        case__child=child,
        case__unit=units["investigation"],
        case__status=CaseStatus.INVESTIGATION,
        case__responsible=investigator,
        report__district=district,
        report__reporter_name=world.reporter,
        report__is_reporter_identity_protected=world.reporter_protected,
        report__reporter_contact="Skolan",
    )
    case = report_child.case
    investigation = InvestigationFactory(case=case, opened_on=TODAY - timedelta(days=60))
    InvestigationPlanFactory(
        investigation=investigation, case=case, author=investigator, signed=True
    )
    mother, sibling = world.people["mother"], world.people["sibling"]
    # A free text can be checked only for what the record knows: a street on file (skyddad
    # folkbokföring keeps none, so a text naming where such a person lives is not found;
    # docs/letters.md, "Secrecy").
    mother_at = mother.street if mother.has_address else "en ny adress"
    sibling_at = sibling.street if sibling.has_address else "en annan ort"
    AreaAssessmentFactory(
        investigation=investigation,
        case=case,
        author=investigator,
        signed=True,
        area="halsa",
        facts=f"Mamman bor sedan i våras på {mother_at} och Vera är där varannan vecka.",
        child_view=f"Vera säger att syskonet har flyttat till {sibling_at.upper()}.",
    )
    decision = DecisionFactory(
        case=case,
        investigation=investigation,
        decided_on=TODAY,
        reasons=f"Vera behöver stöd. Hämtning sker vid {mother_at.lower()}.",
        appealable=True,
    )
    InterventionFactory(decision=decision)
    return case, investigation, decision, persons, report_child.report


def _produce(case: Any, by: Any, arguments: dict[str, Any], draw_choice: Any) -> Any:
    """The document with the drawn choices; a confirmation by someone who is no named handler
    of the protected person is refused (nothing written), and that datum is then redacted."""
    try:
        return services.produce_document(case, by=by, **arguments, marking_confirmed=True)
    except services.SecrecyReviewNeeded as stopped:
        choices = {f.key: draw_choice(f.key) for f in stopped.findings}
    try:
        return services.produce_document(
            case, by=by, **arguments, choices=choices, marking_confirmed=True
        )
    except services.SecrecyReviewNeeded as refused:
        assert refused.problems and not refused.unanswered
        return services.produce_document(
            case,
            by=by,
            **arguments,
            choices={
                f.key: "redact" if f.person_id and choices[f.key] == "confirm" else choices[f.key]
                for f in refused.findings
            },
            marking_confirmed=True,
        )


@settings(
    max_examples=25,
    deadline=None,
    database=None,  # no example database (.hypothesis/) written into the checkout
    # No shrinking: an example is three PDFs, and shrinking a failure would take minutes; the
    # failing example is reported as drawn.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(world=worlds(), data=st.data())
def _check(world: World, data: Any, *, units: Any, investigator: Any, elsewhere: Any, tmp: Any):
    with transaction.atomic():
        case, investigation, decision, persons, report = _build(
            world, units=units, investigator=investigator, elsewhere=elsewhere
        )
        recipient = persons[world.recipient]
        if (
            recipient.protection_level == ProtectionLevel.CONFIDENTIALITY_MARKING
            and world.recipient not in world.handler_of
        ):
            # Only a named handler of a marked recipient writes to them (S15; the refusal of
            # anyone else is tested in test_views).
            ProtectedPersonHandlerFactory(person=recipient, user=investigator)

        drawn: dict[str, str] = {}

        def draw_choice(key: str) -> str:  # one choice per datum, the same in every document
            if key not in drawn:
                drawn[key] = data.draw(st.sampled_from(["confirm", "redact"]), label=key)
            return drawn[key]

        documents = [
            _produce(case, investigator, arguments, draw_choice)
            for arguments in (
                {
                    "kind": "communication",
                    "subject_key": f"investigation:{investigation.pk}",
                    "details": {"answer_by": TODAY + timedelta(days=14)},
                },
                {"kind": "decision", "subject_key": f"decision:{decision.pk}"},
                {"kind": "investigation", "subject_key": f"investigation:{investigation.pk}"},
            )
            for arguments in [{**arguments, "recipient_key": f"person:{recipient.pk}"}]
        ]
        texts = [flat(pdf_text(d.pdf, tmp)).lower() for d in documents]
        whole = " ".join(texts)
        failures = []
        for document, text in zip(documents, texts, strict=True):
            confirmed = {f["key"] for f in document.secrecy_findings if f["choice"] == "confirm"}

            def absent(datum: str, why: str, text: str = text, kind: str = document.kind) -> None:
                if datum.lower() in text:
                    failures.append(f"{kind}: {why}: {datum!r} is printed")

            for role, person in persons.items():
                someone = world.people[role]
                if role == world.recipient:
                    if someone.level in FORWARDED:
                        if FORWARDING.lower() not in text:
                            failures.append(f"{document.kind}: no forwarding text")
                        absent(someone.place, "a forwarded recipient's address")
                    continue
                if someone.level == ProtectionLevel.NONE:
                    continue
                if f"address:person:{person.pk}" not in confirmed:
                    absent(someone.street, f"the {role}'s street ({someone.level})")
                    absent(someone.place, f"the {role}'s place ({someone.level})")
                if (
                    someone.level == "fingerade_personuppgifter"
                    and f"identity:person:{person.pk}" not in confirmed
                ):
                    absent(someone.name, f"the {role}'s name (fingerade personuppgifter)")
            if "sibling" in persons:
                pk = persons["sibling"].pk
                if not {f"other_child:person:{pk}", f"identity:person:{pk}"} & confirmed:
                    absent(world.people["sibling"].name, "the sibling's name")
                if (
                    world.sibling_case == "elsewhere"
                    or f"sibling_case:person:{pk}" not in confirmed
                ):
                    absent("eget ärende", f"the sibling's own case ({world.sibling_case})")
            if world.reporter_protected and f"reporter:report:{report.pk}" not in confirmed:
                absent(world.reporter, "the protected reporter")
        # Not vacuous: what was confirmed is printed.
        every_confirmed = {
            f["key"] for d in documents for f in d.secrecy_findings if f["choice"] == "confirm"
        }
        mother = world.people["mother"]
        if (
            world.recipient != "mother"
            and mother.level == "sekretessmarkering"
            and f"address:person:{persons['mother'].pk}" in every_confirmed
            and mother.street.lower() not in whole
        ):
            failures.append("the mother's confirmed address is missing")
        if (
            f"reporter:report:{report.pk}" in every_confirmed
            and world.reporter.lower() not in whole
        ):
            failures.append("the confirmed reporter is missing")
        # What is confirmed by someone who is no named handler of a protected person never
        # stands: every stored confirmation of such a datum is the handler's.
        for document in documents:
            for finding in document.secrecy_findings:
                if finding["choice"] == "confirm" and finding["person_id"]:
                    role = next(r for r, p in persons.items() if p.pk == finding["person_id"])
                    assert role in world.handler_of, (role, finding["key"])
        assert not failures, "\n".join(failures)
        transaction.set_rollback(True)


def test_s15_no_protected_datum_reaches_any_pdf_unless_a_named_handler_confirmed_it(
    own_units, investigator, other_district, tmp_path
):
    _check(units=own_units, investigator=investigator, elsewhere=other_district, tmp=tmp_path)
