"""Forms of the decisions and interventions. They offer; the services decide (a choice that is
no longer valid when the form is sent is refused by the service with a clear message)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.models import Case
from rodtrad.decisions import services
from rodtrad.decisions.models import (
    GRANTING_KINDS,
    ClosingReason,
    Decision,
    DecisionKind,
    DecisionLevel,
    DoseUnit,
    EndReason,
    NoticeChannel,
)
from rodtrad.frameworks.queries import current_codes
from rodtrad.investigation.forms import BLANK_CHOICE, date_field, text_field, version_field
from rodtrad.people.masking import age_on

REQUIRED = _("Det här fältet måste fyllas i.")


def _choice(label: Any, choices: list[tuple[Any, Any]], *, required: bool = True) -> Any:
    return forms.ChoiceField(
        label=label,
        choices=BLANK_CHOICE + choices,
        required=required,
        error_messages={
            "required": _("Välj ett av alternativen."),
            "invalid_choice": _("Välj ett av alternativen i listan."),
        },
    )


class DecisionForm(forms.Form):
    """One decision; the fields shown depend on its kind (chosen before the form)."""

    kind = forms.ChoiceField(choices=DecisionKind.choices, widget=forms.HiddenInput)
    legal_ground = _choice(_("Lagrum"), [])
    level = _choice(
        _("Beslutsnivå"),
        list(DecisionLevel.choices),
    )
    minutes_reference = forms.CharField(
        label=_("Protokollsparagraf"),
        required=False,
        max_length=120,
        help_text=_("Fylls i när utskottet eller nämnden har fattat beslutet, t.ex. ”IU § 12”."),
    )
    decided_on = date_field(_("Beslutsdatum"))
    reasons = text_field(
        _("Skäl för beslutet"),
        required=True,
        help_text=_("Skriv så att familjen förstår varför nämnden beslutade så här."),
    )
    needs = forms.MultipleChoiceField(
        label=_("Behov som insatsen ska möta"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Behoven från utredningen. Förslaget från utredningen är förvalt."),
    )
    no_needs_reason = text_field(
        _("Om inget behov väljs: varför beslutet inte knyts till något behov"), rows=2
    )
    catalogue_code = _choice(_("Insats"), [], required=False)
    provider_unit = _choice(_("Utförare i kommunen"), [], required=False)
    external_provider = forms.CharField(
        label=_("Eller: extern utförare"),
        required=False,
        max_length=200,
        help_text=_("Till exempel ett HVB eller en privat öppenvård som kommunen köper av."),
    )
    planned_start = date_field(_("Planerad start"), required=False)
    planned_end = date_field(_("Planerat slut"), required=False)
    planned_dose = forms.IntegerField(
        label=_("Planerad omfattning"), required=False, min_value=1, max_value=10000
    )
    dose_unit = forms.ChoiceField(
        label=_("Enhet för omfattningen"), choices=DoseUnit.choices, required=False
    )
    problem_codes = forms.MultipleChoiceField(
        label=_("Problemområden (unga från 13 år, öppenvård)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    effective_from = date_field(
        _("Gäller från"), required=False, help_text=_("Lämna tomt om beslutet gäller från i dag.")
    )
    effective_to = date_field(
        _("Gäller till och med"),
        required=False,
        help_text=_("Fyll i om beslutet är tidsbegränsat."),
    )
    review_on = date_field(
        _("Omprövas senast"),
        required=False,
        help_text=_(
            "När nämnden ser över beslutet igen. Familjen kan alltid be om en ny prövning tidigare."
        ),
    )
    replaces = _choice(_("Ersätter ett tidigare beslut"), [], required=False)
    close_case = forms.BooleanField(
        label=_("Avsluta ärendet (inga fler beslut väntar)"), required=False
    )

    # Fields shown only for some kinds; the rest are removed in __init__.
    GRANTING_FIELDS = (
        "needs",
        "no_needs_reason",
        "catalogue_code",
        "provider_unit",
        "external_provider",
        "planned_start",
        "planned_end",
        "planned_dose",
        "dose_unit",
        "problem_codes",
        "review_on",
    )

    def __init__(self, *args: Any, case: Case, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["kind"].initial = kind
        cast(forms.ChoiceField, self.fields["legal_ground"]).choices = BLANK_CHOICE + [
            (code.code, code.label_sv) for code in services.legal_ground_codes(kind)
        ]
        if kind in GRANTING_KINDS:
            placement = kind == DecisionKind.PLACEMENT
            # What is granted and when it starts are part of every granting decision.
            self.fields["catalogue_code"].required = True
            self.fields["planned_start"].required = True
            cast(forms.ChoiceField, self.fields["catalogue_code"]).choices = BLANK_CHOICE + [
                (code.code, code.label_sv) for code in services.catalogue_codes(placement=placement)
            ]
            cast(forms.ChoiceField, self.fields["provider_unit"]).choices = BLANK_CHOICE + [
                (str(unit.pk), unit.name) for unit in services.provider_units(case)
            ]
            cast(forms.MultipleChoiceField, self.fields["needs"]).choices = [
                (str(need.pk), f"{need.description} ({need.area})")
                for need in services.case_needs(case)
            ]
            proposal = services.answered_investigation(case)
            if proposal is not None:
                self.fields["needs"].initial = [
                    str(pk) for pk in proposal.proposed_needs.values_list("pk", flat=True)
                ]
            if placement or age_on(case.child.birth_date, _today()) < 13:
                del self.fields["problem_codes"]
            else:
                cast(forms.MultipleChoiceField, self.fields["problem_codes"]).choices = [
                    (code.code, code.label_sv) for code in current_codes("open-care-problems")
                ]
        else:
            for name in self.GRANTING_FIELDS:
                if name in self.fields and not (
                    name == "review_on" and kind == DecisionKind.FOLLOW_UP
                ):
                    del self.fields[name]
        if kind != DecisionKind.REFUSED:
            del self.fields["close_case"]
        earlier = Decision.objects.filter(case=case, replaced_by__isnull=True).order_by("-pk")
        cast(forms.ChoiceField, self.fields["replaces"]).choices = BLANK_CHOICE + [
            (str(d.pk), f"{d.decided_on:%Y-%m-%d} {d.get_kind_display()}") for d in earlier
        ]
        if not earlier:
            del self.fields["replaces"]

    def granted(self) -> services.GrantedIntervention:
        data = self.cleaned_data
        return services.GrantedIntervention(
            catalogue_code=data.get("catalogue_code") or "",
            provider_unit_id=int(data["provider_unit"]) if data.get("provider_unit") else None,
            external_provider=data.get("external_provider") or "",
            planned_start=data.get("planned_start"),
            planned_end=data.get("planned_end"),
            planned_dose=data.get("planned_dose"),
            dose_unit=data.get("dose_unit") or DoseUnit.SESSIONS,
            problem_codes=list(data.get("problem_codes") or []),
        )


def _today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


class NoticeForm(forms.Form):
    recipient = _choice(_("Mottagare"), [])
    notified_on = date_field(_("Underrättad"))
    channel = _choice(_("Hur"), list(NoticeChannel.choices))

    def __init__(self, *args: Any, parties: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parties = {str(p.person.pk): p for p in parties}
        cast(forms.ChoiceField, self.fields["recipient"]).choices = BLANK_CHOICE + [
            (key, f"{p.person} – {p.kind_label}") for key, p in self.parties.items()
        ]

    def person(self) -> Any:
        party = self.parties.get(self.cleaned_data.get("recipient") or "")
        return party.person if party else None


class CloseWithoutDecisionForm(forms.Form):
    version = version_field()
    reason = _choice(_("Varför avslutas ärendet utan beslut?"), list(ClosingReason.choices))
    note = text_field(_("Vad hände?"), required=True, rows=3)


class StartInterventionForm(forms.Form):
    version = version_field()
    started_on = date_field(_("Påbörjad"))


class EndInterventionForm(forms.Form):
    version = version_field()
    ended_on = date_field(_("Avslutad"))
    end_reason = _choice(_("Skäl till avslut"), list(EndReason.choices))
    delivered_dose = forms.IntegerField(
        label=_("Genomförd omfattning"), required=False, min_value=0, max_value=10000
    )
    end_note = text_field(_("Kommentar"), rows=3)
