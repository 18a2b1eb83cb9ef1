"""The form for one session's rating: who rated, when, and one field per item of the
instrument. It parses; the service scores and decides (`scoring.total` names every wrong
item in Swedish, and the service puts each message on its item's field)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rodtrad.followup import scoring
from rodtrad.followup.models import Instrument, RaterRole
from rodtrad.followup.services import item_field
from rodtrad.investigation.forms import BLANK_CHOICE, date_field
from rodtrad.people.models import Person


class ScoreField(forms.CharField):
    """A number typed as 6,5 or 6.5; empty is None (the service says "Ange ett värde.")."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = str(value or "").strip().replace(",", ".").replace("\u2212", "-")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation as error:
            raise ValidationError(gettext(scoring.NOT_A_NUMBER)) from error
        if not number.is_finite():
            raise ValidationError(gettext(scoring.NOT_A_NUMBER))
        return number


class MeasurementForm(forms.Form):
    """One rater's rating with `instrument` at one session."""

    instrument = forms.CharField(widget=forms.HiddenInput)
    administered_on = date_field(_("Datum för skattningen"))
    rater = forms.ChoiceField(
        label=_("Vem skattar"),
        error_messages={
            "required": _("Välj vem som skattar."),
            "invalid_choice": _("Välj vem som skattar."),
        },
    )

    def __init__(
        self, *args: Any, instrument: Instrument, guardians: list[Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.scored_instrument = instrument
        self.fields["instrument"].initial = instrument.code
        rater = self.fields["rater"]
        assert isinstance(rater, forms.ChoiceField)
        rater.choices = [
            *BLANK_CHOICE,
            (RaterRole.CHILD.value, RaterRole.CHILD.label),
            *[
                (f"guardian:{p.pk}", f"{RaterRole.GUARDIAN.label}: {p.given_name} {p.family_name}")
                for p in guardians
            ],
            (RaterRole.PROVIDER.value, RaterRole.PROVIDER.label),
        ]
        for item in instrument.items:
            name = item_field(str(item["code"]))
            label = item.get("label") or item["code"]
            if instrument.is_rating_scale:
                self.fields[name] = ScoreField(
                    label=label,
                    required=False,
                    help_text=_("Ett tal från %(min)s till %(max)s, högst en decimal.")
                    % {"min": instrument.min_item, "max": instrument.max_item}
                    if instrument.decimals == 1
                    else _("Ett tal från %(min)s till %(max)s.")
                    % {"min": instrument.min_item, "max": instrument.max_item},
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 5}),
                )
            else:
                self.fields[name] = forms.TypedChoiceField(
                    label=label,
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[
                        ("", _("Inget svar")),
                        *[
                            (str(n), str(n))
                            for n in range(instrument.min_item, instrument.max_item + 1)
                        ],
                    ],
                    widget=forms.RadioSelect,
                )

    def clean(self) -> dict[str, Any]:
        """When one item cannot be read as a number, say at once what is wrong with the others
        too (the service, which decides, does the same check when every item is a number)."""
        cleaned = super().clean() or {}
        instrument = self.scored_instrument
        unreadable = {code for code in instrument.item_codes if item_field(code) in self.errors}
        if not unreadable or not instrument.is_rating_scale:
            return cleaned
        readable = {c: v for c, v in self.item_scores().items() if c not in unreadable}
        spec = instrument.spec()
        for code in readable:
            value = readable[code]
            try:
                scoring.total(spec, {c: value if c == code else spec.min_item for c in spec.items})
            except scoring.InvalidItemScores as error:
                problem = error.problems[code]
                self.add_error(item_field(code), gettext(problem.message) % dict(problem.params))
        return cleaned

    def rater_role_and_id(self) -> tuple[str, int | None]:
        value = self.cleaned_data.get("rater") or ""
        if value.startswith("guardian:"):
            return RaterRole.GUARDIAN.value, int(value.split(":", 1)[1])
        return value, None

    def item_scores(self) -> dict[str, Decimal | int | None]:
        return {
            str(item["code"]): self.cleaned_data.get(item_field(str(item["code"])))
            for item in self.scored_instrument.items
        }


class InstrumentForm(forms.Form):
    """The parts of an instrument the administrator enters: name, item wording, licence."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Namn"), max_length=200, required=False)
    licence_note = forms.CharField(
        label=_("Licens"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Vilken licens kommunen har för formuläret, och för vilken tid."),
    )
    is_active = forms.BooleanField(
        label=_("Används"),
        required=False,
        help_text=_("Ett formulär som inte används går inte att välja för nya skattningar."),
    )

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "version": instrument.version,
                "name": instrument.name,
                "licence_note": instrument.licence_note,
                "is_active": instrument.is_active,
                **{f"label_{i['code']}": i.get("label", "") for i in instrument.items},
            },
        )
        super().__init__(*args, **kwargs)
        for number, item in enumerate(instrument.items, start=1):
            self.fields[f"label_{item['code']}"] = forms.CharField(
                label=_("Fråga %(n)s: text") % {"n": number},
                required=False,
                max_length=500,
                help_text=_("Frågans kod: %(code)s") % {"code": item["code"]},
            )
        self.item_codes = [str(item["code"]) for item in instrument.items]

    def item_labels(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"label_{code}") or "" for code in self.item_codes}
