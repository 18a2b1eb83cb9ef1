"""Forms for the administrator's code list pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rodtrad.frameworks.models import Code, CodeList
from rodtrad.lib.forms import initial_from

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
VERSION_MESSAGES = {
    "required": _("Formuläret saknar versionsnummer. Ladda om sidan och försök igen."),
    "invalid": _("Formuläret har ett ogiltigt versionsnummer. Ladda om sidan och försök igen."),
}


class ParentChoiceField(forms.ModelChoiceField):
    """Codes shown as "code – label"."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} – {obj.label_sv}"


class CodeEditForm(forms.Form):
    """Labels, explanation and end date of one code, with the version it was rendered at."""

    label_sv = forms.CharField(label=_("Benämning på svenska"), max_length=200)
    label_en = forms.CharField(label=_("Benämning på engelska"), max_length=200, required=False)
    description_sv = forms.CharField(
        label=_("Förklaring"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("En kort förklaring på lätt svenska av vad koden betyder."),
    )
    valid_to = forms.DateField(
        label=_("Används inte från och med"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_(
            "Lämna tomt om koden ska gälla tills vidare. Från och med detta datum går koden "
            "inte att välja, men äldre uppgifter behåller den."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, error_messages=VERSION_MESSAGES)

    def __init__(self, *args: Any, code: Code, **kwargs: Any) -> None:
        kwargs.setdefault("initial", initial_from(CodeEditForm, code))
        super().__init__(*args, **kwargs)
        self.fields["label_sv"].error_messages["required"] = _("Skriv en svensk benämning.")
        if not code.code_list.is_editable_labels:
            note = _("Benämningarna i den här listan kommer från källan och kan inte ändras här.")
            for name in ("label_sv", "label_en"):
                self.fields[name].disabled = True
                self.fields[name].help_text = note

    def full_clean(self) -> None:
        super().full_clean()
        # The hidden version field has nowhere to show its error: report it for the form.
        if self.is_bound and "version" in self.errors:
            for message in self.errors.pop("version"):
                self.add_error(None, message)


class CodeAddForm(forms.Form):
    """A new local code in a list."""

    code = forms.CharField(
        label=_("Kod"),
        max_length=60,
        help_text=_(
            "Den korta koden som sparas i ärendena, till exempel Z eller ny-kanal. Den kan inte "
            "ändras eller återanvändas senare."
        ),
    )
    label_sv = forms.CharField(label=_("Benämning på svenska"), max_length=200)
    label_en = forms.CharField(label=_("Benämning på engelska"), max_length=200, required=False)
    description_sv = forms.CharField(
        label=_("Förklaring"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("En kort förklaring på lätt svenska av vad koden betyder."),
    )
    group = forms.CharField(label=_("Grupp"), max_length=120, required=False)
    parent = ParentChoiceField(
        label=_("Överordnad kod"),
        queryset=Code.objects.none(),
        required=False,
        empty_label=_("Ingen"),
        help_text=_("Till exempel triangelns sida för ett nytt BBIC-område."),
    )
    valid_from = forms.DateField(
        label=_("Gäller från"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Lämna tomt för att koden ska gälla från i dag."),
    )

    def __init__(self, *args: Any, code_list: CodeList, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"valid_from": timezone.localdate()})
        super().__init__(*args, **kwargs)
        parent_field = self.fields["parent"]
        assert isinstance(parent_field, ParentChoiceField)
        parent_field.queryset = code_list.codes.filter(parent__isnull=True).order_by(
            "sort_order", "code"
        )
