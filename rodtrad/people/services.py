"""Every write to persons, relationships, protection levels and protected-person handlers.

One door per change (docs/principles.md rule 1): each function checks access and domain rules,
writes inside `transaction.atomic()` and journals in the same transaction. Journal data holds field
names and codes only, never names, addresses or identity numbers.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rodtrad.accounts.access import (
    CASE_ROLES,
    active_memberships,
    can,
    case_role_districts,
    editable_persons,
    may_see_protected_contact,
    visible_persons,
)
from rodtrad.journal.services import record
from rodtrad.lib.versioning import update_versioned
from rodtrad.people.identity import IdentityNumber, InvalidIdentityNumber, parse_identity_number
from rodtrad.people.masking import CONTACT_FIELDS
from rodtrad.people.models import (
    HandlerProposal,
    LegalSex,
    Person,
    ProtectedPersonHandler,
    ProtectionLevel,
    Relationship,
    RelationshipKind,
)
from rodtrad.people.search import search_key

if TYPE_CHECKING:
    from rodtrad.accounts.models import District, User

# Fields update_person may change. Protection has its own service; the district is not edited
# here (moving a person between districts is a later, separate change).
EDITABLE_FIELDS = (
    "identity_number",
    "given_name",
    "family_name",
    "birth_date",
    "legal_sex",
    "street_address",
    "postal_code",
    "city",
    "phone",
    "email",
    "language",
    "needs_interpreter",
)

# Higher is more protective; lowering protection is for the team manager only.
PROTECTION_ORDER = {
    ProtectionLevel.NONE: 0,
    ProtectionLevel.CONFIDENTIALITY_MARKING: 1,
    ProtectionLevel.PROTECTED_REGISTRATION: 2,
    ProtectionLevel.FICTITIOUS_IDENTITY: 3,
}

# Kinds of relationship that can carry custody (vårdnad).
CUSTODY_KINDS = frozenset({RelationshipKind.GUARDIAN, RelationshipKind.PARENT})

POSTAL_CODE = re.compile(r"^\d{5}$")
PHONE = re.compile(r"^[0-9 +\-()]*$")


# Protection levels under which the person's real address must not be stored in the ordinary
# fields (docs/domain.md §2.8): post goes through Skatteverket, which forwards it.
NO_ORDINARY_ADDRESS = frozenset(
    {ProtectionLevel.PROTECTED_REGISTRATION, ProtectionLevel.FICTITIOUS_IDENTITY}
)
ADDRESS_FIELDS = ("street_address", "postal_code", "city")


# What a user is told when a number cannot be used: the same words whether the number belongs
# to a person outside their scope, protected or not (S11, S15). It does not say that the number
# exists; the registrator or team manager can find out what applies.
NUMBER_REFUSED_MESSAGE = gettext_lazy(
    "Numret kan inte användas. Kontakta din enhetschef eller registratorn, så får du hjälp "
    "att gå vidare."
)


class DuplicatePerson(Exception):
    """The identity number is already in the register.

    `existing` is that person only when the user may already see them; otherwise it is None
    and nothing about the person may be shown: not that the number exists, where, or whether
    the person is protected (S11, S15). The refusal is then journaled.
    """

    def __init__(self, existing: Person | None) -> None:
        super().__init__("duplicate identity number")
        self.existing = existing


# --- validation -------------------------------------------------------------------------------


def _parse_number(raw: object) -> IdentityNumber:
    try:
        return parse_identity_number(str(raw or ""))
    except InvalidIdentityNumber as exc:
        raise ValidationError({"identity_number": str(exc)}) from exc


def _clean_person_values(values: dict[str, Any], identity: IdentityNumber | None) -> dict[str, Any]:
    """Domain rules for a person's fields; ValidationError with Swedish messages per field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}

    for name, label_required in (
        ("given_name", _("Förnamn måste fyllas i.")),
        ("family_name", _("Efternamn måste fyllas i.")),
    ):
        text = str(values.get(name) or "").strip()
        if not text:
            errors[name] = label_required
        elif len(text) > 120:
            errors[name] = _("Namnet får vara högst 120 tecken.")
        cleaned[name] = text

    today = timezone.localdate()
    birth_date = values.get("birth_date")
    legal_sex = values.get("legal_sex") or None
    if legal_sex is not None and legal_sex not in LegalSex.values:
        errors["legal_sex"] = _("Välj juridiskt kön i listan.")
        legal_sex = None

    if identity is not None:
        cleaned["identity_number"] = identity.value
        cleaned["identity_kind"] = identity.kind
        if identity.birth_date > today:
            errors["identity_number"] = _("Numret anger ett födelsedatum i framtiden.")
        if birth_date is None:
            birth_date = identity.birth_date
        elif (birth_date.year, birth_date.month) != (
            identity.birth_date.year,
            identity.birth_date.month,
        ):
            # Skatteverket may give a neighbouring day in the same month when birth numbers run
            # out (prop. 2008/09:111), so only year and month must agree (docs/domain.md §2.9).
            errors["birth_date"] = _(
                "Födelsedatumet stämmer inte med numret. År och månad måste vara desamma som i "
                "numret."
            )
        if identity.legal_sex is not None:
            if legal_sex in (None, LegalSex.UNKNOWN):
                legal_sex = identity.legal_sex
            elif legal_sex != identity.legal_sex:
                errors["legal_sex"] = _(
                    "Juridiskt kön stämmer inte med numret. Den näst sista siffran visar "
                    "juridiskt kön: udda för man, jämn för kvinna."
                )
    if birth_date is None:
        errors.setdefault("birth_date", _("Ange födelsedatum."))
    elif birth_date > today:
        errors.setdefault("birth_date", _("Födelsedatumet kan inte vara i framtiden."))
    cleaned["birth_date"] = birth_date
    cleaned["legal_sex"] = legal_sex or LegalSex.UNKNOWN

    cleaned["street_address"] = str(values.get("street_address") or "").strip()
    cleaned["city"] = str(values.get("city") or "").strip()
    if len(cleaned["street_address"]) > 200:
        errors["street_address"] = _("Adressen får vara högst 200 tecken.")
    if len(cleaned["city"]) > 120:
        errors["city"] = _("Orten får vara högst 120 tecken.")

    postal_code = str(values.get("postal_code") or "").replace(" ", "")
    if postal_code and not POSTAL_CODE.match(postal_code):
        errors["postal_code"] = _("Postnumret ska ha fem siffror, till exempel 168 67.")
    cleaned["postal_code"] = f"{postal_code[:3]} {postal_code[3:]}" if postal_code else ""

    phone = str(values.get("phone") or "").strip()
    if len(phone) > 40 or not PHONE.match(phone):
        errors["phone"] = _(
            "Telefonnumret får bara innehålla siffror, mellanslag, plus, bindestreck och "
            "parenteser."
        )
    cleaned["phone"] = phone

    email = str(values.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Ange en giltig e-postadress, till exempel namn@exempel.se.")
    cleaned["email"] = email

    language = str(values.get("language") or "").strip()
    if len(language) > 60:
        errors["language"] = _("Språket får vara högst 60 tecken.")
    cleaned["language"] = language
    cleaned["needs_interpreter"] = bool(values.get("needs_interpreter"))

    if errors:
        raise ValidationError(errors)
    return cleaned


def validate_person_values(values: dict[str, Any]) -> None:
    """The same domain checks create_person and update_person make, without writing.

    Forms call this so that a user sees every problem at once; the services check again.
    """
    errors: dict[str, list[str]] = {}
    identity = None
    if values.get("identity_number"):
        try:
            identity = _parse_number(values["identity_number"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        _clean_person_values(values, identity)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            # Without a readable number the birth date cannot be derived; one message is enough.
            if field == "birth_date" and "identity_number" in errors and not values.get(field):
                continue
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


def _require_edit(by: User, person: Person) -> None:
    if not editable_persons(by).filter(pk=person.pk).exists():
        raise PermissionDenied("person outside the user's edit scope")


def _duplicate_of(identity_number: str, *, exclude_pk: int | None = None) -> Person | None:
    queryset = Person.objects.filter(identity_number=identity_number)
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.select_related("district").first()


def _duplicate(by: User, existing: Person, *, operation: str, district: str) -> DuplicatePerson:
    """The answer to a number that is already taken: the person, if the user may see them;
    otherwise nothing, and the attempt is journaled (in its own transaction, because the
    caller's write has been rolled back). The journal holds the person's id, never the
    number, so that the person's district can see who tried it."""
    if visible_persons(by).filter(pk=existing.pk).exists():
        return DuplicatePerson(existing)
    with transaction.atomic():
        record(
            "people.duplicate_number_refused",
            by=by,
            person_id=existing.pk,
            district=district,
            data={"operation": operation},
        )
    return DuplicatePerson(None)


def check_address_allowed(protection_level: str, values: dict[str, Any]) -> None:
    """Skyddad folkbokföring and fingerade personuppgifter: the ordinary address stays empty."""
    if protection_level not in NO_ORDINARY_ADDRESS:
        return
    filled = [name for name in ADDRESS_FIELDS if values.get(name)]
    if filled:
        message = _(
            "Personen har skyddad folkbokföring eller fingerade personuppgifter. Skriv ingen "
            "adress här – inte heller den riktiga. Post till personen skickas via Skatteverket, "
            "som skickar den vidare."
        )
        raise ValidationError({name: message for name in filled})


# --- persons ----------------------------------------------------------------------------------


def create_person(
    *,
    by: User,
    identity_number: str,
    given_name: str,
    family_name: str,
    district: District | None,
    birth_date: date | None = None,
    legal_sex: str | None = None,
    street_address: str = "",
    postal_code: str = "",
    city: str = "",
    phone: str = "",
    email: str = "",
    language: str = "",
    needs_interpreter: bool = False,
    protection_level: str = ProtectionLevel.NONE,
) -> Person:
    """Register a person; a number already in the register raises DuplicatePerson.

    Every check that does not need the register comes first, so that an invalid form gets the
    same answer whether or not its number exists elsewhere (S11); the number is only tried
    against the register by the insert itself.
    """
    if not can(by, "create_person") or district is None:
        raise PermissionDenied("role may not create persons")
    if district.pk not in case_role_districts(by):
        raise PermissionDenied("district outside the user's scope")
    if protection_level not in ProtectionLevel.values:
        raise ValidationError({"protection_level": _("Välj skyddsnivå i listan.")})

    identity = _parse_number(identity_number)
    values = _clean_person_values(
        {
            "given_name": given_name,
            "family_name": family_name,
            "birth_date": birth_date,
            "legal_sex": legal_sex,
            "street_address": street_address,
            "postal_code": postal_code,
            "city": city,
            "phone": phone,
            "email": email,
            "language": language,
            "needs_interpreter": needs_interpreter,
        },
        identity,
    )
    check_address_allowed(protection_level, values)
    person = Person(**values, district=district, protection_level=protection_level)
    try:
        with transaction.atomic():
            person.save()  # the unique number is checked here, by the database
            record(
                "people.person_created",
                by=by,
                obj=person,
                person_id=person.pk,
                district=district.code,
                data={
                    "identity_kind": person.identity_kind,
                    "protection_level": person.protection_level,
                },
            )
    except IntegrityError:
        existing = _duplicate_of(identity.value)
        if existing is None:
            raise
        raise _duplicate(by, existing, operation="create", district=district.code) from None
    return person


def update_person(
    person: Person, *, by: User, expected_version: int, changes: dict[str, Any]
) -> Person:
    """Change a person's details if nobody has saved since `expected_version` (StaleVersion).

    Validation, then the version, then the register: a stale form gets the conflict page
    whether or not a new number exists elsewhere (S11).
    """
    _require_edit(by, person)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"update_person cannot change {sorted(unknown)}")
    if set(changes) & set(CONTACT_FIELDS) and not may_see_protected_contact(by, person):
        # A user who cannot see the protected address must not be able to overwrite it.
        raise PermissionDenied("contact data of a protected person")

    identity: IdentityNumber | None = None
    if "identity_number" in changes:
        identity = _parse_number(changes["identity_number"])
    elif person.identity_number and {"birth_date", "legal_sex"} & set(changes):
        identity = _parse_number(person.identity_number)

    merged = {name: getattr(person, name) for name in EDITABLE_FIELDS} | dict(changes)
    cleaned = _clean_person_values(merged, identity)
    if identity is None:
        cleaned.pop("identity_number", None)
    check_address_allowed(person.protection_level, {name: cleaned.get(name) for name in changes})
    changed = [
        name
        for name in (*EDITABLE_FIELDS, "identity_kind")
        if name in cleaned and cleaned[name] != getattr(person, name)
    ]
    if not changed:
        return person  # nothing to write, so nothing can be overwritten

    try:
        with transaction.atomic():
            # The compare-and-set answers a stale version before the unique number is tried.
            written = {name: cleaned[name] for name in changed}
            if {"given_name", "family_name"} & set(changed):
                # The search key follows the names (an UPDATE does not run Person.save).
                written["name_key"] = search_key(
                    cleaned.get("given_name", person.given_name),
                    cleaned.get("family_name", person.family_name),
                )
            update_versioned(person, expected_version=expected_version, changes=written)
            if "name_key" in written:
                person.index_name_words()  # the search's words follow (no save() ran)
            record(
                "people.person_updated",
                by=by,
                obj=person,
                person_id=person.pk,
                district=person.district.code,
                data={"fields": sorted(changed)},
            )
    except IntegrityError:
        existing = _duplicate_of(cleaned.get("identity_number", ""), exclude_pk=person.pk)
        if existing is None:
            raise
        raise _duplicate(by, existing, operation="update", district=person.district.code) from None
    return person


def set_protection_level(person: Person, *, by: User, level: str, expected_version: int) -> Person:
    """Raise or lower a person's protection level; lowering is for the district's team manager.

    Skyddad folkbokföring and fingerade personuppgifter empty the ordinary address fields in
    the same write: the address on file may be the real one, which must not be kept there
    (docs/domain.md §2.8); post goes through Skatteverket from now on.
    """
    _require_edit(by, person)
    if level not in ProtectionLevel.values:
        raise ValidationError({"level": _("Välj skyddsnivå i listan.")})
    old = person.protection_level
    if level == old:
        return person
    if PROTECTION_ORDER[ProtectionLevel(level)] < PROTECTION_ORDER[ProtectionLevel(old)] and not (
        can(by, "appoint_protected_handler", person)
    ):
        raise PermissionDenied("only the team manager may lower protection")
    changes: dict[str, Any] = {"protection_level": level}
    cleared = []
    if level in NO_ORDINARY_ADDRESS:
        cleared = [name for name in ADDRESS_FIELDS if getattr(person, name)]
        changes.update({name: "" for name in cleared})
    with transaction.atomic():
        update_versioned(person, expected_version=expected_version, changes=changes)
        record(
            "people.protection_changed",
            by=by,
            obj=person,
            person_id=person.pk,
            district=person.district.code,
            data={"from": old, "to": level, "cleared_fields": cleared},
        )
    return person


# --- protected-person handlers ----------------------------------------------------------------


def _works_in_district(user: User, district_id: int) -> bool:
    return any(
        m.role in CASE_ROLES and m.district_id == district_id for m in active_memberships(user)
    )


def appoint_protected_handler(
    person: Person, user: User | None, *, by: User
) -> ProtectedPersonHandler | None:
    """Name `user` as one of the few who may see the person's protected contact data.

    Four eyes (issue 6, §3.5): the first team manager of the district proposes the handler;
    the appointment is made when a second team manager of the district appoints the same
    user. Nobody names themself, and nobody approves their own proposal. Returns the new
    handler, or None while the proposal waits for the second team manager.
    """
    if not can(by, "appoint_protected_handler", person):
        raise PermissionDenied("only the district's team manager appoints handlers")
    if user is None or not _works_in_district(user, person.district_id):
        raise ValidationError(
            {
                "user": _(
                    "Handläggaren måste arbeta i personens stadsdel med barn- och ungdomsärenden."
                )
            }
        )
    if user.pk == by.pk:
        raise ValidationError(
            {
                "user": _(
                    "Du kan inte utse dig själv. Två andra enhetschefer i stadsdelen behöver "
                    "föreslå och godkänna det."
                )
            }
        )
    with transaction.atomic():
        if ProtectedPersonHandler.objects.filter(person=person, user=user).exists():
            raise ValidationError({"user": _("Användaren är redan utsedd handläggare.")})
        proposal = (
            HandlerProposal.objects.select_for_update()
            .filter(person=person, user=user, status=HandlerProposal.Status.PENDING)
            .first()
        )
        if proposal is None:
            HandlerProposal.objects.create(person=person, user=user, proposed_by=by)
            record(
                "people.handler_proposed",
                by=by,
                obj=person,
                person_id=person.pk,
                district=person.district.code,
                data={"handler_id": user.pk},
            )
            return None
        if proposal.proposed_by_id == by.pk:
            raise ValidationError(
                {
                    "user": _(
                        "Du har redan föreslagit den här handläggaren. En annan enhetschef i "
                        "stadsdelen behöver godkänna förslaget."
                    )
                }
            )
        handler = ProtectedPersonHandler.objects.create(
            person=person, user=user, appointed_by=proposal.proposed_by, approved_by=by
        )
        proposal.status = HandlerProposal.Status.APPROVED
        proposal.decided_by = by
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
        record(
            "people.handler_appointed",
            by=by,
            obj=person,
            person_id=person.pk,
            district=person.district.code,
            data={"handler_id": user.pk, "proposed_by_id": proposal.proposed_by_id},
        )
    return handler


def decline_handler_proposal(person: Person, user: User, *, by: User) -> None:
    """A team manager of the district declines (or the proposer withdraws) a pending proposal."""
    if not can(by, "appoint_protected_handler", person):
        raise PermissionDenied("only the district's team manager decides on handlers")
    with transaction.atomic():
        updated = HandlerProposal.objects.filter(
            person=person, user=user, status=HandlerProposal.Status.PENDING
        ).update(status=HandlerProposal.Status.DECLINED, decided_by=by, decided_at=timezone.now())
        if not updated:
            raise ValidationError({"user": _("Det finns inget förslag som väntar.")})
        record(
            "people.handler_declined",
            by=by,
            obj=person,
            person_id=person.pk,
            district=person.district.code,
            data={"handler_id": getattr(user, "pk", None)},
        )


def remove_protected_handler(person: Person, user: User, *, by: User) -> None:
    """Withdraw a named handler's right to see the person's protected contact data."""
    if not can(by, "appoint_protected_handler", person):
        raise PermissionDenied("only the district's team manager removes handlers")
    with transaction.atomic():
        deleted, _rows = ProtectedPersonHandler.objects.filter(person=person, user=user).delete()
        if not deleted:
            raise ValidationError({"user": _("Användaren är inte utsedd handläggare.")})
        record(
            "people.handler_removed",
            by=by,
            obj=person,
            person_id=person.pk,
            district=person.district.code,
            data={"handler_id": getattr(user, "pk", None)},
        )


# --- relationships ----------------------------------------------------------------------------


def add_relationship(
    child: Person,
    other: Person,
    *,
    by: User,
    kind: str,
    has_custody: bool = False,
    valid_from: date,
    valid_to: date | None = None,
) -> Relationship:
    """Record how `other` relates to `child` (guardian, parent, ...) for a period.

    A guardian (vårdnadshavare) always has custody: `has_custody` is set for that kind.

    The child must be in the user's edit scope, and the other person visible to the user
    without an emergency grant. A relationship makes `other` visible to everyone who sees a
    case of `child` (accounts/access.py, visible_persons), so a link to a person seen only
    through a grant would outlive the grant and widen other people's scope (S16). A person
    the user cannot see on their own is linked by someone who can (docs/architecture.md,
    "Access rules").
    """
    _require_edit(by, child)
    if not visible_persons(by, include_emergency=False).filter(pk=other.pk).exists():
        raise PermissionDenied("other person outside the user's own scope")
    errors: dict[str, str] = {}
    if child.pk == other.pk:
        errors["other"] = _("En person kan inte ha en relation till sig själv.")
    if kind not in RelationshipKind.values:
        errors["kind"] = _("Välj relation i listan.")
    elif has_custody and kind not in CUSTODY_KINDS:
        errors["has_custody"] = _("Bara en vårdnadshavare eller en förälder kan ha vårdnaden.")
    elif kind == RelationshipKind.GUARDIAN:
        # A vårdnadshavare is the one who has custody: the kind says it, so it is set here and
        # never left as "no" (decided in issue 6, U-11; the form says so too).
        has_custody = True
    if valid_from is None:
        errors["valid_from"] = _("Ange från vilket datum relationen gäller.")
    elif valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = _("Slutdatumet kan inte vara före startdatumet.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        open_same = Relationship.objects.filter(
            child=child, other=other, kind=kind, valid_to__isnull=True
        )
        if valid_to is None and open_same.exists():
            raise ValidationError(
                {
                    "kind": _(
                        "Det finns redan en pågående relation av det här slaget mellan personerna."
                    )
                }
            )
        relationship = Relationship.objects.create(
            child=child,
            other=other,
            kind=kind,
            has_custody=has_custody,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        record(
            "people.relationship_added",
            by=by,
            obj=relationship,
            person_id=child.pk,
            district=child.district.code,
            data={"kind": kind, "has_custody": has_custody, "other_person_id": other.pk},
        )
    return relationship


def end_relationship(
    relationship: Relationship, *, by: User, valid_to: date, expected_version: int
) -> Relationship:
    """Set the last day a relationship applies; StaleVersion if it changed meanwhile."""
    child = relationship.child
    _require_edit(by, child)
    if valid_to is None:
        raise ValidationError({"valid_to": _("Ange sista dagen relationen gäller.")})
    if valid_to < relationship.valid_from:
        raise ValidationError({"valid_to": _("Slutdatumet kan inte vara före startdatumet.")})
    if relationship.valid_to is not None and relationship.version == expected_version:
        raise ValidationError({"valid_to": _("Relationen är redan avslutad.")})
    with transaction.atomic():
        update_versioned(
            relationship, expected_version=expected_version, changes={"valid_to": valid_to}
        )
        record(
            "people.relationship_ended",
            by=by,
            obj=relationship,
            person_id=child.pk,
            district=child.district.code,
            data={"kind": relationship.kind},
        )
    return relationship
