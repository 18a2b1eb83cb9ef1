"""Forms of the internal control. They offer; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rodtrad.accounts.models import District
from rodtrad.audits import services
from rodtrad.audits.models import (
    CasePhase,
    Checklist,
    ChecklistItem,
    ItemKind,
    LogAnswer,
    Openness,
    ReviewProgramme,
)
from rodtrad.frameworks.queries import current_codes
from rodtrad.investigation.forms import date_field, text_field, version_field
from rodtrad.stats.forms import StepUpExportForm

CHOOSE = {"required": _("Välj ett av alternativen."), "invalid_choice": _("Välj i listan.")}


class ProgrammeForm(forms.Form):
    name = forms.CharField(
        label=_("Namn"), max_length=200, error_messages={"required": _("Skriv ett namn.")}
    )
    description = text_field(_("Syfte"), rows=3)
    checklist = forms.ModelChoiceField(
        label=_("Checklista"),
        queryset=Checklist.objects.filter(is_current=True).order_by("name"),
        error_messages=CHOOSE,
    )
    districts = forms.ModelMultipleChoiceField(
        label=_("Stadsdelar"),
        queryset=District.objects.filter(is_active=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Välj minst en stadsdel.")},
    )
    period_start = date_field(_("Ärenden registrerade från och med"))
    period_end = date_field(_("Till och med"))
    phase = forms.ChoiceField(label=_("Fas"), choices=CasePhase.choices, error_messages=CHOOSE)
    openness = forms.ChoiceField(
        label=_("Öppna eller avslutade"), choices=Openness.choices, error_messages=CHOOSE
    )
    reason_codes = forms.MultipleChoiceField(
        label=_("Anmälningsorsaker"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Inga valda: alla orsaker. Våldsorsakerna är markerade."),
    )
    sample_per_stratum = forms.IntegerField(
        label=_("Antal ärenden per stadsdel"),
        min_value=1,
        max_value=services.MAX_PER_STRATUM,
        error_messages={"required": _("Ange ett antal.")},
    )
    review_ends_on = date_field(_("Granskningen pågår till och med"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason_codes"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (
                code.code,
                f"{code.code} – {code.label}"
                + (" " + _("(våld)") if (code.attributes or {}).get("violence") else ""),
            )
            for code in current_codes("report-reasons")
        ]


class SampleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(
            _("Ärende %(case)s (%(district)s)")
            % {"case": obj.case_id, "district": obj.stratum.name}
        )


class ReviewerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class AssignForm(forms.Form):
    sampled_cases = SampleChoiceField(
        label=_("Ärenden i urvalet"),
        queryset=ReviewProgramme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Välj minst ett ärende.")},
    )
    reviewers = ReviewerChoiceField(
        label=_("Granskare"),
        queryset=services.reviewers(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Med två eller fler granskare per ärende mäts samstämmigheten. "
            "Granskarna ser inte varandras svar."
        ),
        error_messages={"required": _("Välj minst en granskare.")},
    )

    def __init__(self, *args: Any, programme: ReviewProgramme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sampled_cases"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = programme.sampled_cases.select_related("stratum").order_by(
            "stratum__name", "draw_order"
        )
        reviewers_field = self.fields["reviewers"]
        assert isinstance(reviewers_field, forms.ModelMultipleChoiceField)
        reviewers_field.queryset = services.reviewers()


def item_field_name(item: ChecklistItem) -> str:
    return f"item_{item.key}"


# The id of the review form's version field: the autosave answer swaps the new version into
# it (hx-swap-oob), so that the page's own Submit after an autosave is not a conflict.
VERSION_INPUT_ID = "review-version"


class ReviewForm(forms.Form):
    """One field per checklist item; nothing is required until the review is submitted (the
    service checks that). The items a submitted review must answer (every item but the
    free-text ones) say "(krävs för att lämna in)", the others "(frivilligt)"."""

    version = forms.IntegerField(
        widget=forms.HiddenInput(attrs={"id": VERSION_INPUT_ID}), required=False, min_value=0
    )
    note = text_field(_("Kommentar till granskningen"), rows=3)
    # Set by the button pressed: "submit" hands the review in, anything else saves a draft.
    action = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)

    def __init__(self, *args: Any, items: list[ChecklistItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            name = item_field_name(item)
            if item.kind == ItemKind.TEXT:
                self.fields[name] = text_field(item.text, rows=3, help_text=item.help_text)
            else:
                field = forms.ChoiceField(
                    label=item.text,
                    help_text=item.help_text,
                    required=False,
                    choices=list(item.answer_labels.items()),
                    widget=forms.RadioSelect,
                    error_messages=CHOOSE,
                )
                # Optional in a draft, needed to submit (services._clean_answers).
                field.required_to_submit = True  # type: ignore[attr-defined]
                self.fields[name] = field

    def answers(self) -> dict[str, str]:
        return {item.key: self.cleaned_data.get(item_field_name(item)) or "" for item in self.items}

    def item_fields(self) -> list[tuple[ChecklistItem, Any]]:
        return [(item, self[item_field_name(item)]) for item in self.items]


class FindingForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("Fråga i checklistan"),
        queryset=ChecklistItem.objects.none(),
        required=False,
        empty_label=_("– Ingen särskild fråga –"),
    )
    note = text_field(
        _("Vad såg du?"),
        required=True,
        help_text=_(
            "Skriv så att enhetschefen förstår vad som behöver göras. "
            "Skriv inte mer om barnet än det som behövs."
        ),
    )

    def __init__(self, *args: Any, programme: ReviewProgramme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programme.checklist.items.all()


class FindingActionForm(forms.Form):
    version = version_field()
    action_note = text_field(_("Vad gjordes?"), required=True)


class _TwoProgrammes:
    """A comparison needs two different programmes (one compared with itself says nothing)."""

    same_programme_field: str | None = "second"  # None: the form's own error (hidden fields)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean()  # type: ignore[misc]
        first, second = data.get("first"), data.get("second")
        if first is not None and first == second:
            self.add_error(self.same_programme_field, services.SAME_PROGRAMME)  # type: ignore[attr-defined]
        return data


class CompareForm(_TwoProgrammes, forms.Form):
    first = forms.ModelChoiceField(
        label=_("Första granskningen"),
        queryset=ReviewProgramme.objects.all(),
        error_messages=CHOOSE,
    )
    second = forms.ModelChoiceField(
        label=_("Andra granskningen"), queryset=ReviewProgramme.objects.all(), error_messages=CHOOSE
    )


NEW_ITEMS = 3
NEW_ITEM_KINDS = [
    (ItemKind.YES_NO.value, _("Ja / nej / ej aktuellt")),
    (ItemKind.TEXT.value, _("Fritext")),
]


def _level_fields(
    form: forms.Form, prefix: str, number: int, *, label: str = "", description: str = ""
) -> None:
    """A level's two fields, `{prefix}_label_{n}` and `{prefix}_description_{n}` (the names the
    service's errors use); an existing scale's label is required, a new scale's rows are not."""
    form.fields[f"{prefix}_label_{number}"] = forms.CharField(
        label=_("Nivå %(n)s") % {"n": number},
        initial=label,
        max_length=200,
        required=prefix != "new_scale",
        error_messages={"required": _("Skriv en text för varje nivå.")},
    )
    form.fields[f"{prefix}_description_{number}"] = forms.CharField(
        label=_("Beskrivning av nivå %(n)s") % {"n": number},
        initial=description,
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EditionForm(forms.Form):
    """A new edition of a checklist: each question's text (or removed), the level texts of each
    scale, up to three new yes/no or free-text questions and one new scale question with two to
    six levels (services.new_checklist_edition decides)."""

    edition = forms.CharField(
        label=_("Den nya utgåvans namn"),
        max_length=40,
        help_text=_("Till exempel året: 2027."),
        error_messages={"required": _("Skriv vad den nya utgåvan heter.")},
    )

    def __init__(self, *args: Any, checklist: Checklist, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checklist_items = list(checklist.items.all())
        for item in self.checklist_items:
            self.fields[f"text_{item.key}"] = forms.CharField(
                label=item.text, initial=item.text, max_length=1000, required=False
            )
            self.fields[f"remove_{item.key}"] = forms.BooleanField(
                label=_("Ta bort frågan"), required=False
            )
            if item.kind == ItemKind.ORDINAL:
                for number, level in enumerate(item.levels, start=1):
                    _level_fields(
                        self,
                        f"levels_{item.key}",
                        number,
                        label=str(level["label"]),
                        description=str(level.get("description", "")),
                    )
        for n in range(1, NEW_ITEMS + 1):
            self.fields[f"new_text_{n}"] = forms.CharField(
                label=_("Ny fråga %(n)s") % {"n": n}, max_length=1000, required=False
            )
            self.fields[f"new_kind_{n}"] = forms.ChoiceField(
                label=_("Svarstyp för ny fråga %(n)s") % {"n": n},
                choices=NEW_ITEM_KINDS,
                required=False,
            )
        self.fields["new_scale_text"] = forms.CharField(
            label=_("Ny fråga med skala"),
            help_text=_("Till exempel: I vilken grad användes BBIC:s teori i analysen?"),
            max_length=1000,
            required=False,
        )
        for number in range(1, services.MAX_LEVELS + 1):
            _level_fields(self, "new_scale", number)

    def item_rows(self) -> list[tuple[ChecklistItem, list[Any], list[tuple[int, list[Any]]]]]:
        """Per item: its text and remove fields, and per level of a scale its two fields."""
        return [
            (
                item,
                [self[f"text_{item.key}"], self[f"remove_{item.key}"]],
                [
                    (n, self._level_bound(f"levels_{item.key}", n))
                    for n in range(1, len(item.levels) + 1)
                ]
                if item.kind == ItemKind.ORDINAL
                else [],
            )
            for item in self.checklist_items
        ]

    def new_item_fields(self) -> list[Any]:
        return [
            self[f"new_{part}_{n}"] for n in range(1, NEW_ITEMS + 1) for part in ("text", "kind")
        ]

    def new_scale_levels(self) -> list[tuple[int, list[Any]]]:
        return [(n, self._level_bound("new_scale", n)) for n in range(1, services.MAX_LEVELS + 1)]

    def _level_bound(self, prefix: str, number: int) -> list[Any]:
        return [self[f"{prefix}_label_{number}"], self[f"{prefix}_description_{number}"]]

    def field_map(self) -> dict[str, str]:
        """The service's error on a scale as a whole goes to the scale's first level."""
        scales = [f"levels_{i.key}" for i in self.checklist_items if i.kind == ItemKind.ORDINAL]
        return {f"{p}_levels": f"{p}_label_1" for p in [*scales, "new_scale"]}

    def texts(self) -> dict[str, str]:
        return {i.key: self.cleaned_data.get(f"text_{i.key}") or "" for i in self.checklist_items}

    def removed(self) -> list[str]:
        return [i.key for i in self.checklist_items if self.cleaned_data.get(f"remove_{i.key}")]

    def added(self) -> list[tuple[str, str]]:
        return [
            (
                self.cleaned_data.get(f"new_text_{n}") or "",
                self.cleaned_data.get(f"new_kind_{n}") or ItemKind.YES_NO.value,
            )
            for n in range(1, NEW_ITEMS + 1)
        ]

    def _levels(self, prefix: str, count: int) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [
            (data.get(f"{prefix}_label_{n}") or "", data.get(f"{prefix}_description_{n}") or "")
            for n in range(1, count + 1)
        ]

    def levels(self) -> dict[str, list[tuple[str, str]]]:
        """The level texts of each scale kept in the new edition, by item key."""
        return {
            i.key: self._levels(f"levels_{i.key}", len(i.levels))
            for i in self.checklist_items
            if i.kind == ItemKind.ORDINAL
        }

    def new_scale(self) -> tuple[str, list[tuple[str, str]]]:
        return (
            self.cleaned_data.get("new_scale_text") or "",
            self._levels("new_scale", services.MAX_LEVELS),
        )


class LogReviewForm(forms.Form):
    period_start = date_field(_("Händelser från och med"))
    period_end = date_field(_("Till och med"))
    sample_size = forms.IntegerField(
        label=_("Antal slumpvis valda händelser per stadsdel och månad"),
        min_value=0,
        max_value=services.MAX_LOG_SAMPLE,
        help_text=_(
            "Dras för varje stadsdel läsaren arbetade i och varje månad. "
            "0: bara de händelser som reglerna flaggar."
        ),
        error_messages={"required": _("Ange ett antal.")},
    )


class LogAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Bedömning"),
        choices=LogAnswer.choices,
        widget=forms.RadioSelect,
        error_messages=CHOOSE,
    )
    note = text_field(
        _("Kommentar"),
        help_text=_("Behövs om läsningen inte var befogad eller om du skickar den vidare."),
        rows=3,
    )
    version = version_field()


# --- Exports (docs/internal-control.md, "Exports") ----------------------------------------------


class ResultsExportForm(StepUpExportForm):
    """A programme's results as a file: the format, why, and the code from the app again
    (the statistics' export form; step-up)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _(
            "Skriv varför du exporterar resultaten."
        )
        self.fields["reason"].help_text = _("Till exempel: underlag till nämndens uppföljning.")


class ComparisonExportForm(_TwoProgrammes, ResultsExportForm):
    """The comparison of two programmes as a file (the two from the comparison page)."""

    same_programme_field = None

    first = forms.ModelChoiceField(
        queryset=ReviewProgramme.objects.all(), widget=forms.HiddenInput, error_messages=CHOOSE
    )
    second = forms.ModelChoiceField(
        queryset=ReviewProgramme.objects.all(), widget=forms.HiddenInput, error_messages=CHOOSE
    )
