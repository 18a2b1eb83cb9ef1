"""Generated demo data: Stockholm's 14 districts (2011–2014), units, one user per role, and
~300 fictitious children with their guardians. Deterministic for a given seed.

Identity numbers are random, Luhn-valid and fictitious (never copied from any register).
Later issues extend `generate()` with reports, investigations and interventions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from rodtrad.accounts.access import CASE_ROLES
from rodtrad.accounts.models import District, Membership, Role, Unit, UnitKind, User
from rodtrad.cases.models import Case
from rodtrad.demo.letters import generate_letters
from rodtrad.demo.log_review import generate_log_review
from rodtrad.demo.reviews import generate_reviews
from rodtrad.demo.users import DEMO_PASSWORD, DEMO_USERS
from rodtrad.journal.services import record
from rodtrad.people.identity import fictitious_identity_number
from rodtrad.people.models import (
    LegalSex,
    Person,
    PersonNameWord,
    ProtectedPersonHandler,
    ProtectionLevel,
    Relationship,
    RelationshipKind,
    name_word_rows,
)
from rodtrad.people.search import search_key
from rodtrad.stats.models import MAX_AGE, Population, Sex

# Stockholm's stadsdelsområden 2011–2014, the districts of the seed review.
DISTRICTS: tuple[tuple[str, str], ...] = (
    ("bromma", "Bromma"),
    ("enskede-arsta-vantor", "Enskede-Årsta-Vantör"),
    ("farsta", "Farsta"),
    ("hagersten-liljeholmen", "Hägersten-Liljeholmen"),
    ("hasselby-vallingby", "Hässelby-Vällingby"),
    ("kungsholmen", "Kungsholmen"),
    ("norrmalm", "Norrmalm"),
    ("rinkeby-kista", "Rinkeby-Kista"),
    ("skarpnack", "Skarpnäck"),
    ("skarholmen", "Skärholmen"),
    ("spanga-tensta", "Spånga-Tensta"),
    ("sodermalm", "Södermalm"),
    ("alvsjo", "Älvsjö"),
    ("ostermalm", "Östermalm"),
)
UNIT_NAMES = {
    UnitKind.INTAKE: "Mottagningen",
    UnitKind.INVESTIGATION: "Utredningsenheten",
    UnitKind.PROVIDER: "Öppenvården",
    UnitKind.PLACEMENT: "Placeringsenheten",
}

GIRL_NAMES = (
    "Alice",
    "Maja",
    "Elsa",
    "Astrid",
    "Wilma",
    "Freja",
    "Olivia",
    "Selma",
    "Ella",
    "Alma",
    "Saga",
    "Ebba",
    "Vera",
    "Nora",
    "Agnes",
    "Leah",
    "Amira",
    "Sara",
    "Hanna",
    "Iris",
    "Ines",
    "Yasmin",
    "Liv",
    "Signe",
    "Tyra",
    "Nova",
    "Lea",
    "Edith",
    "Stella",
    "Juni",
)
BOY_NAMES = (
    "William",
    "Noah",
    "Hugo",
    "Lucas",
    "Liam",
    "Oliver",
    "Elias",
    "Adam",
    "Alexander",
    "Leo",
    "Nils",
    "Melvin",
    "Theo",
    "Vincent",
    "Ali",
    "Omar",
    "Isak",
    "Viktor",
    "Axel",
    "Sam",
    "Malte",
    "Otto",
    "Ebbe",
    "Loke",
    "Mohammed",
    "Josef",
    "Arvid",
    "Harry",
    "Colin",
    "Emil",
)
ADULT_WOMEN = (
    "Anna",
    "Maria",
    "Karin",
    "Sofia",
    "Fatima",
    "Emma",
    "Lina",
    "Jenny",
    "Sanna",
    "Nadia",
)
ADULT_MEN = (
    "Erik",
    "Johan",
    "Anders",
    "Mikael",
    "Ahmed",
    "Daniel",
    "Peter",
    "Jonas",
    "Karim",
    "Marcus",
)
FAMILY_NAMES = (
    "Lindqvist",
    "Berglund",
    "Sandberg",
    "Ekström",
    "Holmgren",
    "Nyström",
    "Lundin",
    "Forsberg",
    "Sjöberg",
    "Wikström",
    "Isaksson",
    "Björk",
    "Hedlund",
    "Mohammadi",
    "Haddad",
    "Yilmaz",
    "Nieminen",
    "Kowalski",
    "Abdi",
    "Rahimi",
    "Strand",
    "Åberg",
    "Öhman",
    "Dahl",
    "Falk",
    "Hassan",
    "Lind",
    "Moberg",
    "Sundqvist",
    "Törnqvist",
)
STREETS = (
    "Lingonstigen",
    "Blåbärsvägen",
    "Hjortronbacken",
    "Nyponvägen",
    "Rönnbärsgränd",
    "Kvistgatan",
    "Mossvägen",
    "Tallbacken",
    "Granvägen",
    "Ekorrstigen",
)
LANGUAGES = (
    "svenska",
    "svenska",
    "svenska",
    "arabiska",
    "somaliska",
    "persiska",
    "finska",
    "polska",
)


@dataclass
class DemoSummary:
    districts: int = 0
    units: int = 0
    users: list[str] = field(default_factory=list)
    children: int = 0
    adults: int = 0
    protected: int = 0
    cases: int = 0


def demo_data_exists() -> bool:
    return User.objects.filter(is_demo=True).exists()


def _organisation() -> tuple[dict[str, District], dict[tuple[str, str], Unit]]:
    districts: dict[str, District] = {}
    units: dict[tuple[str, str], Unit] = {}
    for code, name in DISTRICTS:
        district, _ = District.objects.get_or_create(code=code, defaults={"name": name})
        districts[code] = district
        for kind, unit_name in UNIT_NAMES.items():
            unit, _ = Unit.objects.get_or_create(
                code=f"{code}-{kind}",
                defaults={"district": district, "name": f"{unit_name} {name}", "kind": kind},
            )
            units[(code, kind)] = unit
    return districts, units


def _users(districts: dict[str, District], units: dict[tuple[str, str], Unit]) -> dict[str, User]:
    users: dict[str, User] = {}
    # The demo users share one published password, so its Argon2 hash is computed once (each
    # hash takes a fifth of a second on purpose; nine of them were a tenth of the demo's time).
    password_hash = ""
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "title": spec.title,
                "is_demo": True,
            },
        )
        if created:
            if not password_hash:
                user.set_password(DEMO_PASSWORD)
                password_hash = user.password
            user.password = password_hash
            user.save(update_fields=["password"])
            Membership.objects.create(
                user=user,
                role=spec.role,
                district=districts[spec.district] if spec.district else None,
                unit=units[(spec.district, spec.unit_kind)]
                if spec.district and spec.unit_kind
                else None,
                valid_from=date(2020, 1, 1),
            )
        users[spec.username] = user
    # Background staff: every district without demo users has an intake worker, an
    # investigator and a team manager, who cannot sign in (no usable password). They do the
    # district's history, so that every district has some and comparisons are never empty.
    worked = {spec.district for spec in DEMO_USERS if spec.role in CASE_ROLES}
    for code, district in districts.items():
        if code in worked:
            continue
        for username, title, role, kind in (
            (f"mottagning.{code}", "Socialsekreterare, mottagning", Role.INTAKE_WORKER, "intake"),
            (
                f"utredning.{code}",
                "Socialsekreterare, utredning",
                Role.INVESTIGATOR,
                "investigation",
            ),
            (f"chef.{code}", "Enhetschef", Role.TEAM_MANAGER, None),
        ):
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": title.split(",")[0],
                    "last_name": district.name,
                    "title": title,
                    "is_demo": True,
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                Membership.objects.create(
                    user=user,
                    role=role,
                    district=district,
                    unit=units[(code, kind)] if kind else None,
                    valid_from=date(2020, 1, 1),
                )
            users[username] = user
    return users


def _birth_date(rng: random.Random, today: date, min_age: int, max_age: int) -> date:
    earliest = today - timedelta(days=365 * max_age + 300)
    latest = today - timedelta(days=365 * min_age + 1)
    return earliest + timedelta(days=rng.randrange((latest - earliest).days))


def _district_weights() -> list[float]:
    # Bromma and Farsta (where the demo users work) get more families than the others.
    return [6.0 if code in {"bromma", "farsta"} else 1.0 for code, _ in DISTRICTS]


def _population(seed: int, districts: dict[str, District], today: date) -> None:
    """The 0–20 population of every district for this year and the two before, so that the
    statistics' rates per 100 (docs/statistics.md) have something to divide by.

    Scaled to the demo, not to Stockholm: the demo holds a few families per district, so the
    population is a few children per age and sex (more in Bromma and Farsta, as the families),
    which puts the reports per 100 near the seeds' figures. Its own random generator: the rest
    of the demo stays as it was."""
    rng = random.Random(f"population-{seed}")
    weights = dict(zip((code for code, _ in DISTRICTS), _district_weights(), strict=True))
    Population.objects.bulk_create(
        Population(
            district=district,
            year=year,
            age=age,
            sex=sex,
            count=max(1, round(weights[code] * rng.uniform(1.5, 3.0))),
        )
        for code, district in districts.items()
        for year in range(today.year - 2, today.year + 1)
        for age in range(MAX_AGE + 1)
        for sex in (Sex.FEMALE, Sex.MALE)
    )


def generate(*, seed: int = 1, families: int = 180, letter_cases: int = 0) -> DemoSummary:
    """Create the demo organisation, users, families and a few open cases. Idempotent."""
    summary = DemoSummary()
    if demo_data_exists():
        summary.users = [u.username for u in DEMO_USERS]
        return summary
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        districts, units = _organisation()
        users = _users(districts, units)
        _population(seed, districts, today)
        summary.districts, summary.units, summary.users = len(districts), len(units), list(users)
        codes = [code for code, _ in DISTRICTS]
        used_numbers: set[str] = set()

        def new_number(born: date, sex: str) -> str:
            while True:
                coordination = rng.random() < 0.03
                number = fictitious_identity_number(
                    born, legal_sex=sex, rng=rng, coordination=coordination
                )
                if number not in used_numbers:
                    used_numbers.add(number)
                    return number

        def person(**fields: Any) -> Person:
            number = new_number(fields["birth_date"], fields["legal_sex"])
            day = int(number[6:8])
            return Person(
                identity_number=number,
                identity_kind="samordningsnummer" if day > 60 else "personnummer",
                # bulk_create skips Person.save(), which keeps the search key and the name's
                # words (PersonNameWord, below) in step.
                name_key=search_key(fields["given_name"], fields["family_name"]),
                **fields,
            )

        children: list[Person] = []
        adults: list[Person] = []
        relationships: list[tuple[int, int, str, bool]] = []  # indexes into children/adults
        sibling_groups: list[list[int]] = []
        protected_family_indexes: list[int] = []
        for family_index in range(families):
            # Two families in every district first, so that every district has history.
            district = districts[
                codes[family_index % len(codes)]
                if family_index < 2 * len(codes)
                else rng.choices(codes, weights=_district_weights())[0]
            ]
            family_name = rng.choice(FAMILY_NAMES)
            street = f"{rng.choice(STREETS)} {rng.randrange(1, 60)}"
            postal_code = f"1{rng.randrange(10, 99)}{rng.randrange(10, 99)}"
            language = rng.choice(LANGUAGES)
            roll = rng.random()
            protection = (
                ProtectionLevel.PROTECTED_REGISTRATION
                if roll < 0.03
                else ProtectionLevel.CONFIDENTIALITY_MARKING
                if roll < 0.06
                else ProtectionLevel.NONE
            )
            if protection != ProtectionLevel.NONE:
                protected_family_indexes.append(family_index)
            # Skyddad folkbokföring: no ordinary address is kept (post goes via Skatteverket).
            has_address = protection != ProtectionLevel.PROTECTED_REGISTRATION
            common = {
                "family_name": family_name,
                "street_address": street if has_address else "",
                "postal_code": postal_code if has_address else "",
                "city": "Stockholm" if has_address else "",
                "district": district,
                "language": language,
                "needs_interpreter": language != "svenska" and rng.random() < 0.5,
                "protection_level": protection,
            }
            # The children first: the guardians are at least 18 years older than the eldest.
            child_count = rng.choices((1, 2, 3), weights=(5, 4, 2))[0]
            child_births = [_birth_date(rng, today, 0, 17) for _ in range(child_count)]
            eldest_age = (today - min(child_births)).days // 365
            guardian_indexes: list[int] = []
            for sex, names in ((LegalSex.FEMALE, ADULT_WOMEN), (LegalSex.MALE, ADULT_MEN)):
                if guardian_indexes and rng.random() < 0.3:
                    continue  # about a third of families have one guardian in the record
                youngest = max(24, eldest_age + 19)
                adults.append(
                    person(
                        given_name=rng.choice(names),
                        birth_date=_birth_date(
                            rng, today, youngest, youngest + rng.randrange(3, 22)
                        ),
                        legal_sex=sex,
                        phone=f"070-{rng.randrange(100, 999)} {rng.randrange(10, 99)} "
                        f"{rng.randrange(10, 99)}",
                        **common,
                    )
                )
                guardian_indexes.append(len(adults) - 1)
            group = []
            for born in child_births:
                sex = rng.choice((LegalSex.FEMALE, LegalSex.MALE))
                children.append(
                    person(
                        given_name=rng.choice(GIRL_NAMES if sex == LegalSex.FEMALE else BOY_NAMES),
                        birth_date=born,
                        legal_sex=sex,
                        **common,
                    )
                )
                child_index = len(children) - 1
                group.append(child_index)
                for adult_index in guardian_indexes:
                    relationships.append((child_index, adult_index, "guardian", True))
            sibling_groups.append(group)

        Person.objects.bulk_create(children + adults, batch_size=500)
        PersonNameWord.objects.bulk_create(name_word_rows(children + adults), batch_size=500)
        rows = [
            Relationship(
                child=children[c],
                other=adults[a],
                kind=RelationshipKind.GUARDIAN if kind == "guardian" else kind,
                has_custody=custody,
                valid_from=children[c].birth_date,
            )
            for c, a, kind, custody in relationships
        ]
        for group in sibling_groups:
            for first in group:
                for second in group:
                    if first != second:
                        rows.append(
                            Relationship(
                                child=children[first],
                                other=children[second],
                                kind=RelationshipKind.SIBLING,
                                has_custody=False,
                                valid_from=max(
                                    children[first].birth_date, children[second].birth_date
                                ),
                            )
                        )
        Relationship.objects.bulk_create(rows, batch_size=500)

        # The demo investigator is the named handler of the protected families in Bromma.
        handler = users["utredare"]
        manager = users["chef"]
        for family_index in protected_family_indexes:
            for child_index in sibling_groups[family_index]:
                child = children[child_index]
                if child.district.code == "bromma":
                    ProtectedPersonHandler.objects.create(
                        person=child, user=handler, appointed_by=manager
                    )

        summary.children = len(children)
        summary.adults = len(adults)
        summary.protected = sum(1 for p in children + adults if p.is_protected)
        record(
            "demo.data_generated",
            by=None,
            data={
                "seed": seed,
                "districts": summary.districts,
                "children": summary.children,
                "adults": summary.adults,
            },
        )
    # The case spine's history: reports, assessments and investigations over ~8 months,
    # replayed through the services with the clock moved (outside the bulk transaction).
    from rodtrad.demo.history import DEMO_ACTORS, generate_history

    generate_history(seed=seed, users=users, districts=districts)
    summary.cases = Case.objects.count()
    # Letters and printed investigations for a share of the decided cases (docs/letters.md).
    managers = {
        code: users[DEMO_ACTORS.get(code, ("", "", f"chef.{code}"))[2]] for code in districts
    }
    generate_letters(seed=seed, managers=managers, districts=districts, cases=letter_cases)
    # Sampled reviews of violence cases for the demo reviewers, and a log review of the last
    # weeks' reads (docs/internal-control.md, "Demo").
    # One transaction: each service's own becomes a savepoint (SQLite commits are the cost).
    with transaction.atomic():
        generate_reviews(seed=seed, users=users, districts=districts)
        generate_log_review(seed=seed, users=users)
    # Seal the history's access events (nothing else is writing: no margin) and store a signed
    # checkpoint, so that `rodtrad verify-journal` on a fresh demo checks one (S22).
    from rodtrad.journal.services import seal_access_events, write_checkpoint

    seal_access_events(margin=timedelta(0))
    write_checkpoint(by_label="rodtrad demo")
    return summary
