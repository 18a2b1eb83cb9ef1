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
from rodtrad.followup.definitions import (
    BandInput,
    Definition,
    ItemInput,
    band_field,
    item_code_field,
    item_label_field,
)
from rodtrad.followup.models import Instrument, InstrumentKind, RaterRole
from rodtrad.followup.services import item_field
from rodtrad.investigation.forms import BLANK_CHOICE, date_field
from rodtrad.people.models import Person

# The rows a new instrument's page offers (an edition: its own rows and a few more).
ITEM_ROWS = 12
BAND_ROWS = 5
BAND_PARTS = ("min_age", "max_age", "clinical_cutoff", "reliable_change")


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


def _whole_number(label: Any, *, help_text: Any = "", required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        help_text=help_text,
        error_messages={"invalid": _("Ange ett heltal."), "required": _("Ange ett heltal.")},
        widget=forms.NumberInput(attrs={"size": 5}),
    )


class InstrumentDefinitionForm(forms.Form):
    """A new instrument ("Nytt formulär") or a new edition of one ("Ny utgåva"): name, kind,
    the item scale, the items as rows of code and wording, and the age bands as rows of ages,
    cut-off and reliable change. Empty rows are left out; the service checks the rest
    (`definitions.checked_definition`)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(
        label=_("Kod"),
        max_length=60,
        help_text=_("Små bokstäver a–z, siffror och bindestreck, till exempel kommunens-skala."),
        error_messages={"required": _("Ange en kod.")},
    )
    name = forms.CharField(
        label=_("Namn"),
        max_length=200,
        error_messages={"required": _("Skriv formulärets namn.")},
    )
    kind = forms.ChoiceField(
        label=_("Slag"),
        choices=[*BLANK_CHOICE, *InstrumentKind.choices],
        error_messages={
            "required": _("Välj vilket slags formulär det är."),
            "invalid_choice": _("Välj vilket slags formulär det är."),
        },
    )
    min_item = _whole_number(_("Lägsta värde per fråga"), required=True)
    max_item = _whole_number(_("Högsta värde per fråga"), required=True)
    decimals = _whole_number(
        _("Decimaler"),
        help_text=_("Hur många decimaler ett svar får ha: 0, 1 eller 2."),
        required=True,
    )
    self_rating_min_age = _whole_number(
        _("Lägsta ålder för barnets egen skattning"),
        help_text=_("Yngre barn skattar inte själva. Lämna tomt om det inte finns någon gräns."),
    )
    licence_note = forms.CharField(
        label=_("Licens"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Vilken licens kommunen har för formuläret, och för vilken tid."),
    )

    def __init__(self, *args: Any, previous: Instrument | None = None, **kwargs: Any) -> None:
        self.previous = previous
        items = list(previous.items) if previous else []
        bands = list(previous.bands) if previous else []
        self.item_rows = max(ITEM_ROWS, len(items) + 5)
        self.band_rows = max(BAND_ROWS, len(bands) + 2)
        if previous is not None:
            initial = {
                "version": previous.version,
                "name": previous.name,
                "kind": previous.kind,
                "min_item": previous.min_item,
                "max_item": previous.max_item,
                "decimals": previous.decimals,
                "self_rating_min_age": previous.self_rating_min_age,
                "licence_note": previous.licence_note,
            }
            for n, item in enumerate(items, start=1):
                initial[item_code_field(n)] = item["code"]
                initial[item_label_field(n)] = item.get("label", "")
            for n, band in enumerate(bands, start=1):
                for name in BAND_PARTS:
                    initial[band_field(name, n)] = band.get(name)
        else:
            initial = {"min_item": 0, "max_item": 10, "decimals": 1}
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if previous is not None:
            # An edition keeps the instrument's code and kind.
            del self.fields["code"]
            self.fields["kind"].disabled = True
        else:
            del self.fields["version"]
        for n in range(1, self.item_rows + 1):
            self.fields[item_code_field(n)] = forms.CharField(
                label=_("Kod"), required=False, max_length=40
            )
            self.fields[item_label_field(n)] = forms.CharField(
                label=_("Text"), required=False, max_length=500
            )
        for n in range(1, self.band_rows + 1):
            self.fields[band_field("min_age", n)] = _whole_number(_("Från ålder"))
            self.fields[band_field("max_age", n)] = _whole_number(
                _("Till och med ålder"), help_text=_("Tomt: ingen övre gräns.")
            )
            self.fields[band_field("clinical_cutoff", n)] = ScoreField(
                label=_("Gränsvärde"),
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
            )
            self.fields[band_field("reliable_change", n)] = ScoreField(
                label=_("Tydlig förändring"),
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
            )

    # What the template shows: the general fields, then the rows.

    def general_fields(self) -> list[forms.BoundField]:
        names = ["version", "code", "name", "kind", "min_item", "max_item", "decimals"]
        names += ["self_rating_min_age", "licence_note"]
        return [self[name] for name in names if name in self.fields]

    def item_row_fields(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (n, [self[item_code_field(n)], self[item_label_field(n)]])
            for n in range(1, self.item_rows + 1)
        ]

    def band_row_fields(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (n, [self[band_field(name, n)] for name in BAND_PARTS])
            for n in range(1, self.band_rows + 1)
        ]

    # What the service takes.

    def definition(self) -> Definition:
        data = self.cleaned_data
        items = [
            ItemInput(
                row=n,
                code=data.get(item_code_field(n)) or "",
                label=data.get(item_label_field(n)) or "",
            )
            for n in range(1, self.item_rows + 1)
            if (data.get(item_code_field(n)) or "").strip()
            or (data.get(item_label_field(n)) or "").strip()
        ]
        bands = [
            BandInput(
                row=n,
                min_age=data.get(band_field("min_age", n)),
                max_age=data.get(band_field("max_age", n)),
                clinical_cutoff=data.get(band_field("clinical_cutoff", n)),
                reliable_change=data.get(band_field("reliable_change", n)),
            )
            for n in range(1, self.band_rows + 1)
            if any(data.get(band_field(name, n)) is not None for name in BAND_PARTS)
        ]
        kind = self.previous.kind if self.previous is not None else data.get("kind") or ""
        return Definition(
            name=data.get("name") or "",
            kind=kind,
            items=items,
            min_item=data.get("min_item"),
            max_item=data.get("max_item"),
            decimals=data.get("decimals"),
            bands=bands,
            self_rating_min_age=data.get("self_rating_min_age"),
            licence_note=data.get("licence_note") or "",
        )
