"""The dashboard's filters and the export's reason (docs/statistics.md, "The dashboard")."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from rodtrad.accounts.models import District
from rodtrad.stats.indicators import (
    BREAKDOWNS,
    DASHBOARD_INDICATORS,
    DEFAULT_BREAKDOWN,
    DEFAULT_DASHBOARD,
    StrOrPromise,
)

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


class ExportForm(DashboardFilterForm):
    """What to export (indicator and filters, from the dashboard's link) and why."""

    indicator = forms.ChoiceField(
        label=_("Tabell"), choices=[(code, code) for code in DASHBOARD_INDICATORS]
    )
    reason = forms.CharField(
        label=_("Varför exporterar du?"),
        help_text=_("Till exempel: underlag till nämndens verksamhetsberättelse."),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv varför du exporterar tabellen.")},
    )
