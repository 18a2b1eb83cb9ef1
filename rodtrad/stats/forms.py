"""The dashboard's filters and the export's reason (docs/statistics.md, "The dashboard")."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from rodtrad.accounts.forms import TokenForm
from rodtrad.accounts.models import District
from rodtrad.stats.exports import FORMAT_LABELS, FileFormat
from rodtrad.stats.indicators import (
    BREAKDOWNS,
    DASHBOARD_INDICATORS,
    DEFAULT_BREAKDOWN,
    DEFAULT_DASHBOARD,
    StrOrPromise,
)
from rodtrad.stats.significance import DEFAULT_LEVEL, LEVELS

ALL = ""
FIRST_YEAR = 2000


class DashboardFilterForm(forms.Form):
    """Year, and the district when the user may see more than one (GET)."""

    year = forms.IntegerField(
        label=_("År"),
        min_value=FIRST_YEAR,
        max_value=2100,
        error_messages={"invalid": _("Ange ett år med fyra siffror.")},
    )
    district = forms.ChoiceField(label=_("Stadsdel"), required=False)

    def __init__(self, *args: Any, districts: list[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.districts = districts
        choices: list[tuple[str, StrOrPromise]] = [
            (ALL, _("Alla mina stadsdelar") if len(districts) > 1 else _("Alla"))
        ]
        choices += [(d.code, d.name) for d in districts]
        cast("forms.ChoiceField", self.fields["district"]).choices = choices

    def chosen_districts(self) -> list[District]:
        """The districts the filter chose (all the user's when none was chosen)."""
        code = self.cleaned_data.get("district") or ALL
        if code == ALL:
            return list(self.districts)
        return [d for d in self.districts if d.code == code]


class DashboardForm(DashboardFilterForm):
    """The dashboard's filters: year, district, which tables to show (only those are
    computed) and the grouping of the table by group."""

    show = forms.MultipleChoiceField(
        label=_("Tabeller att visa"),
        required=False,
        choices=[(code, indicator.title) for code, indicator in DASHBOARD_INDICATORS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    breakdown = forms.ChoiceField(
        label=_("Aktualiseringar per grupp: dela upp efter"),
        required=False,
        choices=list(BREAKDOWNS.items()),
    )

    def shown(self) -> list[str]:
        """The codes of the indicators to show, in the dashboard's order (the default three
        when none is chosen)."""
        chosen = set(self.cleaned_data.get("show") or DEFAULT_DASHBOARD)
        return [code for code in DASHBOARD_INDICATORS if code in chosen]

    def chosen_breakdown(self) -> str:
        return self.cleaned_data.get("breakdown") or DEFAULT_BREAKDOWN


class StepUpExportForm(forms.Form):
    """An export's format, why, and the second factor again (step-up; docs/statistics.md,
    "Export"). The statistics' table export and the internal control's exports
    (docs/internal-control.md, "Exports") add what to export."""

    file_format = forms.ChoiceField(
        label=_("Filformat"),
        choices=list(FORMAT_LABELS.items()),
        initial=FileFormat.CSV.value,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Välj ett filformat."),
            "invalid_choice": _("Välj ett filformat."),
        },
    )
    reason = forms.CharField(
        label=_("Varför exporterar du?"),
        help_text=_("Till exempel: underlag till nämndens verksamhetsberättelse."),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv varför du exporterar tabellen.")},
    )
    otp_token = TokenForm.base_fields["otp_token"]  # the sign-in page's field (copied per form)

    def __init__(self, *args: Any, needs_code: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].help_text = _(
            "Sex siffror från appen i telefonen. Du bekräftar att det är du som exporterar."
        )
        if not needs_code:  # a demo user without an app, in demo mode (accounts.services)
            self.fields["otp_token"].required = False
            self.fields["otp_token"].widget = forms.HiddenInput()

    def clean_otp_token(self) -> str:
        token = str(self.cleaned_data.get("otp_token") or "")
        if not self.fields["otp_token"].required and not token:
            return ""
        return TokenForm.clean_otp_token(cast("TokenForm", self))


class ExportForm(DashboardFilterForm, StepUpExportForm):
    """What to export (indicator and filters from the dashboard's link, or a snapshot), in
    which format, why, and the second factor again (step-up; docs/statistics.md, "Export")."""

    indicator = forms.ChoiceField(
        label=_("Tabell"), choices=[(code, code) for code in DASHBOARD_INDICATORS]
    )
    snapshot = forms.IntegerField(required=False, widget=forms.HiddenInput)
    breakdown = forms.ChoiceField(
        required=False, choices=list(BREAKDOWNS.items()), widget=forms.HiddenInput
    )


class SnapshotForm(DashboardForm):
    """Freeze the dashboard's tables as chosen (year, districts, tables, grouping;
    docs/statistics.md, "Snapshots"): a title and why."""

    title = forms.CharField(
        label=_("Rubrik"),
        help_text=_("Till exempel: Nämndens sammanträde i juni."),
        max_length=200,
        error_messages={"required": _("Skriv en rubrik för ögonblicksbilden.")},
    )
    reason = forms.CharField(
        label=_("Varför sparar du en ögonblicksbild?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv varför du sparar en ögonblicksbild.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["show"].widget = forms.MultipleHiddenInput()
        self.fields["breakdown"].widget = forms.HiddenInput()


YEARS = "years"
GROUPS = "districts"
LEVEL_CHOICES = [(str(level), str(level).replace(".", ",")) for level in LEVELS]


class ComparisonForm(forms.Form):
    """Compare two years, or two districts, on the dashboard (GET; docs/statistics.md,
    "Comparisons")."""

    compare = forms.ChoiceField(
        label=_("Jämför"),
        choices=[(YEARS, _("två år")), (GROUPS, _("två stadsdelar"))],
        widget=forms.RadioSelect,
    )
    other_year = forms.IntegerField(
        label=_("Jämför med år"),
        min_value=FIRST_YEAR,
        max_value=2100,
        required=False,
        error_messages={"invalid": _("Ange ett år med fyra siffror.")},
    )
    first = forms.ChoiceField(label=_("Första stadsdelen"), required=False)
    second = forms.ChoiceField(label=_("Andra stadsdelen"), required=False)
    level = forms.ChoiceField(
        label=_("Signifikansnivå"),
        help_text=_("Markera skillnader med p-värde högst så här. Förebilderna använder 0,005."),
        choices=LEVEL_CHOICES,
        initial=str(DEFAULT_LEVEL),
    )

    def __init__(self, *args: Any, districts: list[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(d.code, d.name) for d in districts]
        if len(districts) < 2:  # one district: only two years can be compared
            cast("forms.ChoiceField", self.fields["compare"]).choices = [(YEARS, _("två år"))]
        cast("forms.ChoiceField", self.fields["first"]).choices = choices
        cast("forms.ChoiceField", self.fields["second"]).choices = choices
        self.districts = districts

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("compare") == YEARS and not data.get("other_year"):
            self.add_error("other_year", _("Ange vilket år du vill jämföra med."))
        if data.get("compare") == GROUPS:
            if not data.get("first") or not data.get("second"):
                self.add_error("second", _("Välj två stadsdelar."))
            elif data["first"] == data["second"]:
                self.add_error("second", _("Välj två olika stadsdelar."))
        return data
