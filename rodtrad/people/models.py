"""Persons (children, guardians, others), their identity numbers, protection and relationships."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from rodtrad.people.search import name_words, search_key


class IdentityKind(models.TextChoices):
    PERSONNUMMER = "personnummer", _("Personnummer")
    SAMORDNINGSNUMMER = "samordningsnummer", _("Samordningsnummer")
    RESERVE = "reserve", _("Reservnummer")


class LegalSex(models.TextChoices):
    FEMALE = "female", _("Kvinna")
    MALE = "male", _("Man")
    UNKNOWN = "unknown", _("Okänt")


class ProtectionLevel(models.TextChoices):
    """Skyddade personuppgifter (docs/domain.md §2.8); anything but NONE masks contact data."""

    NONE = "none", _("Inget skydd")
    CONFIDENTIALITY_MARKING = "sekretessmarkering", _("Sekretessmarkering")
    PROTECTED_REGISTRATION = "skyddad_folkbokforing", _("Skyddad folkbokföring")
    FICTITIOUS_IDENTITY = "fingerade_personuppgifter", _("Fingerade personuppgifter")


class Person(models.Model):
    """A natural person known to the service; identity number stored as 12 characters."""

    identity_number = models.CharField(
        _("identitetsnummer"), max_length=12, unique=True, null=True, blank=True
    )
    identity_kind = models.CharField(
        _("typ av nummer"), max_length=20, choices=IdentityKind.choices
    )
    given_name = models.CharField(_("förnamn"), max_length=120)
    family_name = models.CharField(_("efternamn"), max_length=120)
    birth_date = models.DateField(_("födelsedatum"))
    legal_sex = models.CharField(
        _("juridiskt kön"), max_length=10, choices=LegalSex.choices, default=LegalSex.UNKNOWN
    )
    # Contact data: masked for protected persons everywhere but for named handlers.
    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=10, blank=True)
    city = models.CharField(_("ort"), max_length=120, blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    language = models.CharField(_("språk"), max_length=60, blank=True)
    needs_interpreter = models.BooleanField(_("behöver tolk"), default=False)
    # The folded name that name search compares with (people/search.py): kept in step with the
    # names by save() and by people.services.update_person (which writes with UPDATE).
    name_key = models.CharField(max_length=250, blank=True, editable=False, default="")
    protection_level = models.CharField(
        _("skyddsnivå"),
        max_length=30,
        choices=ProtectionLevel.choices,
        default=ProtectionLevel.NONE,
    )
    # The district responsible for the person (folkbokföring or where the case belongs).
    district = models.ForeignKey(
        "accounts.District", on_delete=models.PROTECT, related_name="persons"
    )
    handlers: models.ManyToManyField[Any, ProtectedPersonHandler] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ProtectedPersonHandler",
        through_fields=("person", "user"),
        related_name="protected_persons",
        blank=True,
    )
    version = models.PositiveIntegerField(default=1)
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # (name_key, district_id) as the PersonNameWord rows hold them; None: not known.
    _indexed_name: tuple[Any, Any] | None = None

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["district", "family_name"]),
            # Name search scans only the district's part of this index (both columns are in
            # it, so no table row is read until a name matches): docs/performance.md.
            models.Index(fields=["district", "name_key"], name="person_district_name_key"),
        ]
        constraints = [
            # Identity numbers are stored normalised: 12 characters (docs/domain.md §2.9).
            models.CheckConstraint(
                condition=models.Q(identity_number__isnull=True)
                | models.Q(Exact(Length("identity_number"), 12)),
                name="person_identity_number_twelve_characters",
            ),
            models.CheckConstraint(
                condition=models.Q(identity_kind__in=IdentityKind.values),
                name="person_identity_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(legal_sex__in=LegalSex.values),
                name="person_legal_sex_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(protection_level__in=ProtectionLevel.values),
                name="person_protection_level_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = search_key(self.given_name, self.family_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"given_name", "family_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "name_key"}
        is_new = self._state.adding
        super().save(*args, **kwargs)
        written = update_fields is None or bool(
            {"given_name", "family_name", "district"} & set(update_fields)
        )
        if written and (is_new or self._indexed_name != self._name_index_state()):
            self.index_name_words(replace=not is_new)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Person:
        person = super().from_db(db, field_names, values)
        person._indexed_name = person._name_index_state()
        return person

    def _name_index_state(self) -> tuple[Any, Any]:
        """What the PersonNameWord rows follow: the folded name and the district."""
        return self.__dict__.get("name_key"), self.__dict__.get("district_id")

    def index_name_words(self, *, replace: bool = True) -> None:
        """Write the person's PersonNameWord rows from the names as they are now (save() does
        it; an UPDATE, as people.services.update_person writes, must call it)."""
        if replace:
            PersonNameWord.objects.filter(person_id=self.pk).delete()
        PersonNameWord.objects.bulk_create(name_word_rows([self]))
        self._indexed_name = self._name_index_state()

    @property
    def is_protected(self) -> bool:
        return self.protection_level != ProtectionLevel.NONE


class PersonNameWord(models.Model):
    """One folded word of a person's name (people/search.py), for name search to seek a
    word's start in the index (district, word) instead of reading every name of the district.

    Kept in step by Person.save() and people.services.update_person; rows made with
    bulk_create or plain INSERTs (the demo, `rodtrad generate`) come from `name_word_rows`.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_words")
    # The person's district, so that the search seeks only the user's districts.
    district = models.ForeignKey(
        "accounts.District", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    word = models.CharField(max_length=250)

    class Meta:
        indexes = [
            # The search reads only this index (the person is in it). PostgreSQL answers
            # `word LIKE 'ber%'` from it only with the pattern operator class (the database's
            # collation need not be "C"); SQLite seeks it as a range in its BINARY order
            # (people/queries.py, `_with_word_start`).
            models.Index(
                fields=["district", "word", "person"],
                name="person_name_word_prefix",
                opclasses=["int8_ops", "varchar_pattern_ops", "int8_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.word


def name_word_rows(persons: Iterable[Person]) -> list[PersonNameWord]:
    """The PersonNameWord rows of saved persons (with their primary keys)."""
    return [
        PersonNameWord(person_id=person.pk, district_id=person.district_id, word=word)
        for person in persons
        for word in name_words(person.given_name, person.family_name)
    ]


class ProtectedPersonHandler(models.Model):
    """A named handler who may see a protected person's address and contact data."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    appointed_at = models.DateTimeField(auto_now_add=True)
    # The second team manager who approved the appointment (four eyes); empty for handlers
    # named before that rule, or by the demo generator.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "user"], name="one_handler_row_per_user")
        ]


class HandlerProposal(models.Model):
    """A team manager's proposal to name a handler of a protected person. It gives nothing
    until a second team manager of the district approves it (people/services.py,
    appoint_protected_handler); then it becomes a ProtectedPersonHandler."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Väntar på godkännande")
        APPROVED = "approved", _("Godkänd")
        DECLINED = "declined", _("Avslagen")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_handler_proposal_per_user",
            )
        ]


class RelationshipKind(models.TextChoices):
    GUARDIAN = "guardian", _("Vårdnadshavare")
    PARENT = "parent", _("Förälder")
    SIBLING = "sibling", _("Syskon")
    FOSTER_CARER = "foster_carer", _("Familjehemsförälder")
    OTHER = "other", _("Annan närstående")
    # Ombud, offentligt biträde or särskild företrädare för barn: someone who acts for the child
    # or a guardian in the case. Not a relative and not a party; may be sent the case's letters
    # (docs/letters.md).
    LEGAL_REPRESENTATIVE = "legal_representative", _("Ombud eller företrädare")


class Relationship(models.Model):
    """How another person relates to a child, for a period (valid_from/valid_to)."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relationships")
    other = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="relationships_as_other"
    )
    kind = models.CharField(_("relation"), max_length=20, choices=RelationshipKind.choices)
    has_custody = models.BooleanField(_("har vårdnad"), default=False)
    valid_from = models.DateField(_("gäller från"))
    valid_to = models.DateField(_("gäller till"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(child=models.F("other")), name="relationship_not_to_self"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="relationship_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=RelationshipKind.values),
                name="relationship_kind_valid",
            ),
            # One current relationship of a kind between the same two persons.
            models.UniqueConstraint(
                fields=["child", "other", "kind"],
                condition=models.Q(valid_to__isnull=True),
                name="one_current_relationship_per_kind",
            ),
        ]

    @property
    def is_custodian(self) -> bool:
        """Whether the other person has custody: a guardian always does (the kind says it,
        also on rows saved before add_relationship set it), a parent when recorded."""
        return self.kind == RelationshipKind.GUARDIAN or self.has_custody
