"""Forms of the placement plans and records. They offer; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.forms import SignableDocumentForm
from rodtrad.decisions.models import DecisionLevel
from rodtrad.investigation.forms import BLANK_CHOICE, date_field, text_field
from rodtrad.placements.models import CustodyOutcome, ReviewOutcome


def _choice(label: Any, choices: list[tuple[Any, Any]]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=BLANK_CHOICE + choices,
        error_messages={"required": _("Välj ett av alternativen.")},
    )


class CarePlanForm(SignableDocumentForm):
    """Vårdplan: the points of SoF 2025:468 10 kap. 2 §, named as on the model."""

    event_on = date_field(_("Datum"))
    interventions_needed = text_field(_("Vilka insatser som behövs"))
    contact_arrangements = text_field(
        _(
            "Hur umgänge och kontakt med föräldrar, vårdnadshavare, syskon och andra "
            "närstående ordnas"
        )
    )
    care_goal = text_field(_("Målet med vården"))
    child_views = text_field(_("Barnets syn på den planerade vården"))
    guardian_views = text_field(_("Vårdnadshavarnas syn på den planerade vården"))
    other_authorities_measures = text_field(
        _("Insatser som andra huvudmän ansvarar för (region, skola)"),
        help_text=_("Till exempel hälsoundersökning, tandvård och skolans stöd."),
    )
    long_term_arrangement = text_field(
        _("Barnets långsiktiga boendeförhållanden"),
        help_text=_("Tas upp senast när barnet har varit placerat i två år (SoL 9 kap. 13 §)."),
    )


class ImplementationPlanForm(SignableDocumentForm):
    """Genomförandeplan: the points of SoF 2025:468 10 kap. 3 §."""

    event_on = date_field(_("Datum"))
    goals = text_field(_("Målen med insatserna"))
    how_carried_out = text_field(_("När och hur insatserna genomförs"))
    follow_up = text_field(_("När och hur planen följs upp"))
    other_authorities_access = text_field(
        _("Hur barnet får del av insatser som andra huvudmän ansvarar för")
    )
    contact_arrangements = text_field(_("När och hur umgänge ordnas"))
    committee_contact = text_field(_("När och hur barnet har kontakt med socialnämnden"))
    child_views = text_field(_("Barnets syn på hur vården genomförs"))
    guardian_views = text_field(_("Vårdnadshavarnas syn på hur vården genomförs"))


class RevisionForm(forms.Form):
    """Starting a revision takes nothing but the button (and the CSRF token)."""


class CorrectionForm(forms.Form):
    reason = text_field(_("Varför behöver planen rättas?"), required=True, rows=3)


LEVELS = [
    (DecisionLevel.SUBCOMMITTEE.value, DecisionLevel.SUBCOMMITTEE.label),
    (DecisionLevel.COMMITTEE.value, DecisionLevel.COMMITTEE.label),
]


class ReviewForm(forms.Form):
    held_on = date_field(_("Datum för övervägandet"))
    level = _choice(_("Beslutsnivå"), LEVELS)
    minutes_reference = forms.CharField(
        label=_("Protokollsparagraf"), required=False, max_length=120
    )
    outcome = _choice(_("Utfall"), list(ReviewOutcome.choices))
    note = text_field(_("Kommentar"), rows=3)


class CustodyConsiderationForm(forms.Form):
    considered_on = date_field(_("Datum för övervägandet"))
    level = _choice(_("Beslutsnivå"), LEVELS)
    minutes_reference = forms.CharField(
        label=_("Protokollsparagraf"), required=False, max_length=120
    )
    outcome = _choice(_("Utfall"), list(CustodyOutcome.choices))
    note = text_field(_("Skäl och kommentar"), required=True, rows=4)
