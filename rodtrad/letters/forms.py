"""The forms of the documents' pages: one form path per write (docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rodtrad.investigation.forms import BLANK_CHOICE, date_field
from rodtrad.letters import secrecy
from rodtrad.letters.content import Recipient
from rodtrad.letters.models import Channel, DocumentKind
from rodtrad.letters.queries import Subject

CHOOSE = {
    "required": _("Välj ett av alternativen."),
    "invalid_choice": _("Välj ett av alternativen i listan."),
}
SECRECY_PREFIX = "sekretess:"
SECRECY_CHOICES = [
    (secrecy.Choice.REDACT.value, _("Ta bort uppgiften ur dokumentet")),
    (secrecy.Choice.CONFIRM.value, _("Ta med uppgiften – jag har prövat att den får lämnas ut")),
]
# The fields only some kinds have.
KIND_FIELDS = {
    DocumentKind.COMMUNICATION: {"answer_by"},
    DocumentKind.MEETING: {"meeting_on", "meeting_time", "place", "with_whom"},
}
OPTIONAL_FIELDS = {"answer_by", "meeting_on", "meeting_time", "place", "with_whom"}


class ProduceForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices, widget=forms.HiddenInput)
    subject = forms.ChoiceField(label=_("Vad gäller dokumentet?"), error_messages=CHOOSE)
    recipient = forms.ChoiceField(
        label=_("Mottagare"),
        error_messages=CHOOSE,
        help_text=_(
            "Mottagaren väljs bland ärendets parter. Adressen hämtas från personregistret."
        ),
    )
    answer_by = date_field(_("Sista dag att lämna synpunkter"), required=False)
    meeting_on = date_field(_("Dag för mötet"), required=False)
    meeting_time = forms.TimeField(
        label=_("Tid"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Skriv tiden som TT:MM.")},
    )
    place = forms.CharField(label=_("Plats"), required=False, max_length=300)
    with_whom = forms.CharField(
        label=_("Vem mottagaren träffar"),
        required=False,
        max_length=300,
        help_text=_("Till exempel: handläggaren Eva Ek och enhetschefen."),
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        subjects: list[Subject],
        recipients: list[Recipient],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = BLANK_CHOICE + [(s.key, s.label) for s in subjects]  # type: ignore[attr-defined]
        if len(subjects) == 1:
            self.fields["subject"].initial = subjects[0].key
        self.fields["recipient"].choices = BLANK_CHOICE + [  # type: ignore[attr-defined]
            (r.key, f"{r.name} – {r.capacity}") for r in recipients
        ]
        for name in OPTIONAL_FIELDS - KIND_FIELDS.get(kind, set()):  # type: ignore[call-overload]
            del self.fields[name]
        self.second_look = False
        self.review: list[secrecy.Finding] = []

    def add_review(self, findings: list[secrecy.Finding], *, second_look: bool) -> None:
        """The secrecy step: one choice per finding, and the second look at a recipient with
        sekretessmarkering."""
        self.review = findings
        for finding in findings:
            self.fields[SECRECY_PREFIX + finding.key] = forms.ChoiceField(
                label=finding.label,
                choices=SECRECY_CHOICES,
                widget=forms.RadioSelect,
                required=False,
            )
        if second_look:
            self.second_look = True
            self.fields["marking_confirmed"] = forms.BooleanField(
                label=_(
                    "Jag har kontrollerat att adressen får användas trots sekretessmarkeringen"
                ),
                required=False,
            )

    def secrecy_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith(SECRECY_PREFIX)]

    def choices(self) -> dict[str, str]:
        """The handler's choices as posted (also before the review fields exist)."""
        return {
            name[len(SECRECY_PREFIX) :]: value
            for name, value in self.data.items()
            if name.startswith(SECRECY_PREFIX) and value in set(secrecy.Choice)
        }

    def marking_confirmed(self) -> bool:
        return self.data.get("marking_confirmed") in ("on", "true", "1")

    def details(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data.get(name) for name in OPTIONAL_FIELDS if name in self.fields
        }


class SendForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Hur skickas dokumentet?"),
        choices=Channel.choices,
        widget=forms.RadioSelect,
        error_messages=CHOOSE,
    )


class ReceivedForm(forms.Form):
    received_on = date_field(
        _("Mottaget"),
        help_text=_(
            "Den dag mottagaren fick dokumentet, till exempel enligt ett mottagningsbevis "
            "eller vad mottagaren själv har sagt."
        ),
    )
