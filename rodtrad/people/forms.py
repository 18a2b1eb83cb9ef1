"""Forms for the people pages: input types and required fields only; domain rules are in services.

Django 5.2 adds `aria-invalid="true"` and `aria-describedby="<id>_helptext <id>_error"` to a
widget with help text or errors; `templates/components/field.html` renders the matching ids.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rodtrad.accounts.models import District, User
from rodtrad.people.identity import IdentityNumber, InvalidIdentityNumber, parse_identity_number
from rodtrad.people.masking import CONTACT_FIELDS
from rodtrad.people.models import LegalSex, ProtectionLevel, RelationshipKind
from rodtrad.people.services import (
    ADDRESS_FIELDS,
    EDITABLE_FIELDS,
    NO_ORDINARY_ADDRESS,
    PROTECTION_ORDER,
    check_address_allowed,
    validate_person_values,
)

REQUIRED = _("Det här fältet måste fyllas i.")

IDENTITY_HELP = _(
    "Skriv numret med tolv siffror (ÅÅÅÅMMDD-NNNN) eller tio (ÅÅMMDD-NNNN). "
    "Ett samordningsnummer ges av Skatteverket till den som inte är eller har varit "
    "folkbokförd i Sverige; det ser ut som ett personnummer men dagen är ökad med 60 "
    "(den 3:e blir 63). Ett reservnummer är ett tillfälligt nummer som kommunen ger den som "
    "saknar båda, till exempel ett nyanlänt barn: födelsedatum, bokstaven R och tre siffror "
    "(ÅÅÅÅMMDDRNNN)."
)
PROTECTION_HELP = _(
    "Välj det skydd Skatteverket har registrerat. Sekretessmarkering betyder att uppgifterna "
    "kan vara hemliga och att allt som lämnas ut måste prövas först. Skyddad folkbokföring "
    "betyder att personen är folkbokförd på en annan adress än där hen bor. Fingerade "
    "personuppgifter betyder att personen har fått en ny identitet av polisen. Med alla tre "
    "visas adress och kontaktuppgifter bara för de handläggare som enhetschefen utser."
)


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _identity_number_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=20,
        help_text=IDENTITY_HELP,
        error_messages={"required": REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class PersonSearchForm(forms.Form):
    query = forms.CharField(
        label=_("Personnummer eller namn"),
        max_length=120,
        help_text=_(
            "Skriv ett personnummer, samordningsnummer eller reservnummer i valfri form, "
            "eller förnamn och efternamn. Personer med skyddade personuppgifter hittas bara "
            "med sitt exakta nummer."
        ),
        error_messages={"required": _("Skriv ett nummer eller ett namn att söka på.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_query(self) -> str:
        query = " ".join(self.cleaned_data["query"].split())
        if len(query.replace(" ", "")) < 2:
            raise ValidationError(_("Skriv minst två tecken."))
        return query


class PersonForm(forms.Form):
    """Create or edit a person. Contact fields are left out for users who may not see them."""

    identity_number = _identity_number_field(
        _("Personnummer, samordningsnummer eller reservnummer")
    )
    given_name = forms.CharField(
        label=_("Förnamn"), max_length=120, error_messages={"required": REQUIRED}
    )
    family_name = forms.CharField(
        label=_("Efternamn"), max_length=120, error_messages={"required": REQUIRED}
    )
    birth_date = forms.DateField(
        label=_("Födelsedatum"),
        required=False,
        widget=date_input(),
        help_text=_(
            "Lämna tomt så hämtas datumet från numret. Ibland ger Skatteverket en närliggande "
            "dag i samma månad, så dagen får skilja sig från numret men inte år eller månad."
        ),
        error_messages={"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
    )
    legal_sex = forms.ChoiceField(
        label=_("Juridiskt kön"),
        required=False,
        choices=[("", _("Hämta från numret"))] + list(LegalSex.choices),
        help_text=_(
            "Det kön som är registrerat i folkbokföringen. Näst sista siffran i "
            "personnumret är udda för man och jämn för kvinna."
        ),
    )
    language = forms.CharField(label=_("Språk"), max_length=60, required=False)
    needs_interpreter = forms.BooleanField(label=_("Behöver tolk"), required=False)
    street_address = forms.CharField(label=_("Gatuadress"), max_length=200, required=False)
    postal_code = forms.CharField(
        label=_("Postnummer"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    city = forms.CharField(label=_("Ort"), max_length=120, required=False)
    phone = forms.CharField(
        label=_("Telefon"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("E-post"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )
    protection_level = forms.ChoiceField(
        label=_("Skyddade personuppgifter"),
        choices=ProtectionLevel.choices,
        initial=ProtectionLevel.NONE,
        help_text=PROTECTION_HELP,
        error_messages={"invalid_choice": _("Välj skyddsnivå i listan."), "required": REQUIRED},
    )
    district = forms.ModelChoiceField(
        label=_("Stadsdel"),
        queryset=District.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("Välj en stadsdel där du arbetar."),
            "required": REQUIRED,
        },
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": _("Formuläret saknar versionsuppgift. Ladda om sidan och försök igen.")
        },
    )

    def __init__(
        self,
        *args: Any,
        creating: bool,
        include_contact: bool = True,
        districts: Any = None,
        protection_level: str = ProtectionLevel.NONE,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.only_district: District | None = None
        if creating:
            del self.fields["version"]
            cast(forms.ModelChoiceField, self.fields["district"]).queryset = districts
            if districts is not None and districts.count() == 1:
                # Most users work in one district: no choice to make, nothing to post.
                self.only_district = districts.first()
                del self.fields["district"]
        else:
            # Protection has its own page and service; the district is not edited here.
            del self.fields["protection_level"]
            del self.fields["district"]
        if not include_contact:
            for name in CONTACT_FIELDS:
                del self.fields[name]
        elif protection_level in NO_ORDINARY_ADDRESS:
            # No ordinary address for these persons: the page explains the forwarding instead.
            for name in ADDRESS_FIELDS:
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = {name: cleaned.get(name) for name in EDITABLE_FIELDS if name in self.fields}
        checks = [lambda: validate_person_values(values)]
        if "protection_level" in self.fields:
            level = str(cleaned.get("protection_level") or "")
            checks.append(lambda: check_address_allowed(level, values))
        for check in checks:
            try:
                check()
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    # Fields that already failed their own checks keep that one message.
                    if name in self.fields and name not in self.errors:
                        for message in messages:
                            self.add_error(name, message)
        return cleaned

    def chosen_district(self) -> Any:
        """The district the new person belongs to: chosen, or the user's only one."""
        return self.cleaned_data.get("district") or self.only_district

    def person_values(self) -> dict[str, Any]:
        """The cleaned person fields (no version, no district) for the services."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in {"version", "district"}
        }


class ProtectionForm(forms.Form):
    class Meta:
        # The person's field behind `level` (lib.forms.initial_from, the conflict page).
        sources = {"level": "protection_level"}

    level = forms.ChoiceField(
        label=_("Skyddade personuppgifter"),
        choices=ProtectionLevel.choices,
        help_text=PROTECTION_HELP,
        error_messages={
            "required": REQUIRED,
            "invalid_choice": _(
                "Du kan inte välja den nivån. Bara enhetschefen kan sänka eller ta bort skyddet."
            ),
        },
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": _("Formuläret saknar versionsuppgift. Ladda om sidan och försök igen.")
        },
    )

    def __init__(self, *args: Any, current: str, may_lower: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_lower:
            floor = PROTECTION_ORDER[ProtectionLevel(current)]
            cast(forms.ChoiceField, self.fields["level"]).choices = [
                (value, label)
                for value, label in ProtectionLevel.choices
                if PROTECTION_ORDER[ProtectionLevel(value)] >= floor
            ]


class RelationshipForm(forms.Form):
    other_identity_number = _identity_number_field(_("Den andra personens nummer"))
    kind = forms.ChoiceField(
        label=_("Relation till barnet"),
        choices=RelationshipKind.choices,
        help_text=_("Hur den andra personen står i relation till barnet."),
        error_messages={"invalid_choice": _("Välj relation i listan."), "required": REQUIRED},
    )
    has_custody = forms.BooleanField(
        label=_("Har vårdnaden om barnet"),
        required=False,
        help_text=_(
            "Vårdnad betyder att personen har det rättsliga ansvaret för barnet och fattar "
            "beslut om barnets personliga angelägenheter. En vårdnadshavare har alltid "
            "vårdnaden: det sparas så även utan kryss. Kryssa i för en förälder som har "
            "vårdnaden."
        ),
    )
    valid_from = forms.DateField(
        label=_("Gäller från"),
        widget=date_input(),
        error_messages={"required": REQUIRED, "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
    )
    valid_to = forms.DateField(
        label=_("Gäller till"),
        required=False,
        widget=date_input(),
        help_text=_("Lämna tomt om relationen fortfarande gäller."),
        error_messages={"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
    )

    def clean_other_identity_number(self) -> IdentityNumber:
        try:
            return parse_identity_number(self.cleaned_data["other_identity_number"])
        except InvalidIdentityNumber as exc:
            raise ValidationError(str(exc)) from exc


class RelationshipEndForm(forms.Form):
    valid_to = forms.DateField(
        label=_("Sista dag relationen gäller"),
        widget=date_input(),
        error_messages={"required": REQUIRED, "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": _("Formuläret saknar versionsuppgift. Ladda om sidan och försök igen.")
        },
    )


class HandledUserChoiceField(forms.ModelChoiceField):
    """Users named by full name and username, so that two namesakes can be told apart."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.username})"


class HandlerForm(forms.Form):
    user = HandledUserChoiceField(
        label=_("Handläggare"),
        queryset=User.objects.none(),
        help_text=_(
            "Bara de handläggare du väljer här ser personens adress och kontaktuppgifter. "
            "Välj så få som möjligt."
        ),
        error_messages={
            "required": _("Välj en handläggare."),
            "invalid_choice": _("Välj en handläggare i listan."),
        },
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(HandledUserChoiceField, self.fields["user"]).queryset = users
