"""Forms of the commission and its goals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from rodtrad.commissions.models import Commission, Goal
from rodtrad.decisions.services import case_needs
from rodtrad.investigation.forms import date_field, text_field, version_field


class CommissionForm(forms.Form):
    version = version_field()
    participants = text_field(_("Vilka i familjen deltar"), rows=2)
    frequency = forms.CharField(
        label=_("Hur ofta"),
        required=False,
        max_length=200,
        help_text=_("Till exempel ”en gång i veckan i tolv veckor”."),
    )
    child_goals = text_field(_("Barnets egna mål, med barnets ord"), rows=3)
    child_view = text_field(_("Barnets syn på målen"), rows=3)
    child_view_missing_reason = text_field(_("Om barnets syn saknas: varför"), rows=2)
    first_follow_up_on = date_field(_("Första uppföljning"), required=False)
    follow_up_every_weeks = forms.IntegerField(
        label=_("Därefter uppföljning var … vecka"), required=False, min_value=1, max_value=52
    )
    instruments = text_field(
        _("Instrument att använda"),
        rows=2,
        help_text=_("Till exempel skattningsskalor vid varje träff och målskalan (GAS)."),
    )
    reporting = text_field(_("Vad utföraren rapporterar och när"), rows=2)
    safety_information = text_field(
        _("Säkerhet"),
        rows=3,
        help_text=_(
            "Det utföraren måste veta för att arbeta säkert: skyddade uppgifter, kontaktförbud, "
            "vad som ska göras vid ny oro (utföraren har anmälningsskyldighet)."
        ),
    )
    risk_summary = text_field(_("Vad riskbedömningen visade (våldsärenden)"), rows=3)
    violence_follow_up = text_field(_("Hur våldet följs upp under insatsen (våldsärenden)"), rows=3)


class GoalForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    text = text_field(_("Mål"), required=True, rows=2)
    needs = forms.MultipleChoiceField(
        label=_("Behov som målet ska möta"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Ett mål pekar på minst ett av barnets behov.")},
    )
    is_childs_own = forms.BooleanField(label=_("Målet är barnets eget"), required=False)
    level_minus_2 = text_field(_("−2: mycket sämre än väntat"), required=True, rows=2)
    level_minus_1 = text_field(_("−1: något sämre än väntat"), required=True, rows=2)
    level_0 = text_field(_("0: det förväntade resultatet"), required=True, rows=2)
    level_plus_1 = text_field(_("+1: något bättre än väntat"), required=True, rows=2)
    level_plus_2 = text_field(_("+2: mycket bättre än väntat"), required=True, rows=2)
    baseline_level = forms.TypedChoiceField(
        label=_("Nivå när målet sätts"),
        coerce=int,
        choices=[(str(level), f"{level:+d}" if level else "0") for level in range(-2, 3)],
        initial="-1",
    )
    weight = forms.DecimalField(
        label=_("Vikt"),
        min_value=Decimal("0.1"),
        max_value=Decimal("10"),
        decimal_places=1,
        initial=Decimal("1.0"),
        help_text=_("Hur viktigt målet är jämfört med de andra; 1 om alla väger lika."),
    )
    target_on = date_field(_("Nås senast"), required=False)

    def __init__(self, *args: Any, commission: Commission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["needs"]).choices = [
            (str(need.pk), f"{need.description} ({need.area})")
            for need in case_needs(commission.case)
        ]

    @staticmethod
    def initial_for(goal: Goal) -> dict[str, Any]:
        return {
            "version": goal.version,
            "text": goal.text,
            "needs": [str(pk) for pk in goal.needs.values_list("pk", flat=True)],
            "is_childs_own": goal.is_childs_own,
            **{name: getattr(goal, name) for name in Goal.LEVEL_FIELDS},
            "baseline_level": str(goal.baseline_level),
            "weight": goal.weight,
            "target_on": goal.target_on,
        }

    def levels(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in Goal.LEVEL_FIELDS}


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
