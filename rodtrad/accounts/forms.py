"""Forms for sign-in, the second factor and user administration. Rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rodtrad.accounts.models import District, Role, Unit


class UnitChoiceField(forms.ModelChoiceField):
    """Units named with their district: several districts have a unit called "Mottagning"."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.district} – {obj}"


class TokenForm(forms.Form):
    """The six-digit code from the authenticator app."""

    otp_token = forms.CharField(
        label=_("Engångskod"),
        help_text=_("Sex siffror från appen i telefonen."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": _("Skriv in koden från appen.")},
    )

    def clean_otp_token(self) -> str:
        token = self.cleaned_data["otp_token"].replace(" ", "").strip()
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError(_("Koden består av sex siffror."))
        return token


class ActivationCodeForm(forms.Form):
    """The one-time activation code that the team manager handed over in person."""

    activation_code = forms.CharField(
        label=_("Aktiveringskod"),
        help_text=_(
            "Tolv tecken, till exempel ABCD-EFGH-JKMN. Du har fått koden av din enhetschef."
        ),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": _("Skriv in aktiveringskoden.")},
    )


class ProposalDecisionForm(forms.Form):
    """Approve or decline a proposed role; an empty post decides nothing."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Godkänn")), ("decline", _("Avslå"))],
        error_messages={"required": _("Välj om förslaget ska godkännas eller avslås.")},
    )


class VersionForm(forms.Form):
    """Every change on a user's page posts the version of the user it was shown."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class UserCreateForm(forms.Form):
    username = forms.CharField(
        label=_("Användarnamn"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    first_name = forms.CharField(label=_("Förnamn"), max_length=150)
    last_name = forms.CharField(label=_("Efternamn"), max_length=150)
    title = forms.CharField(label=_("Titel"), max_length=120, required=False)
    password = forms.CharField(
        label=_("Lösenord"),
        help_text=_(
            "Minst 12 tecken. En lång lösenfras är bäst. Lämna lösenordet till användaren på ett "
            "säkert sätt."
        ),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    role = forms.ChoiceField(label=_("Roll"), choices=Role.choices)
    district = forms.ModelChoiceField(
        label=_("Stadsdel"),
        queryset=District.objects.filter(is_active=True),
        required=False,
        help_text=_("Krävs för alla roller utom systemadministratör."),
    )
    unit = UnitChoiceField(
        label=_("Enhet"),
        queryset=Unit.objects.filter(is_active=True).select_related("district"),
        required=False,
        help_text=_("Valfritt. Begränsar rollen till en enhet i stadsdelen."),
    )


class MembershipForm(VersionForm):
    role = forms.ChoiceField(label=_("Roll"), choices=Role.choices)
    district = forms.ModelChoiceField(
        label=_("Stadsdel"),
        queryset=District.objects.filter(is_active=True),
        required=False,
        help_text=_("Krävs för alla roller utom systemadministratör."),
    )
    unit = UnitChoiceField(
        label=_("Enhet"),
        queryset=Unit.objects.filter(is_active=True).select_related("district"),
        required=False,
        help_text=_("Valfritt. Begränsar rollen till en enhet i stadsdelen."),
    )
    valid_from = forms.DateField(
        label=_("Gäller från"),
        required=False,
        help_text=_("Lämna tomt för i dag."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    valid_to = forms.DateField(
        label=_("Gäller till"),
        required=False,
        help_text=_("Lämna tomt om rollen gäller tills vidare."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "membership_%s")  # unique ids beside the password form
        super().__init__(*args, **kwargs)


class SetPasswordForm(VersionForm):
    password = forms.CharField(
        label=_("Nytt lösenord"),
        help_text=_("Minst 12 tecken. Alla inloggningar för användaren avslutas."),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "password_%s")  # unique ids beside the membership form
        super().__init__(*args, **kwargs)
