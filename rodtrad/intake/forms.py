"""Forms for intake: input types and required fields; the domain rules are in services.py.

Django 5.2 adds `aria-invalid="true"` and `aria-describedby` to widgets with help text or
errors; `templates/components/field.html` renders the matching ids.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from rodtrad.accounts.models import District
from rodtrad.cases.forms import SignableDocumentForm
from rodtrad.frameworks.queries import current_codes
from rodtrad.intake.models import ContactWho, Decision, ProtectiveAction
from rodtrad.intake.services import EXTERNAL_CONTACT_MESSAGE, reporter_duty
from rodtrad.lib.forms import MACHINERY_FIELDS
from rodtrad.people.identity import InvalidIdentityNumber, parse_identity_number
from rodtrad.people.models import Person
from rodtrad.people.queries import find_by_identity_number

REQUIRED = _("Det här fältet måste fyllas i.")


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(list_key: str, *, blank: bool = True) -> list[tuple[str, str]]:
    choices = [(c.code, c.label) for c in current_codes(list_key)]
    return ([("", "–")] if blank else []) + choices


def _grouped_choices(list_key: str) -> list[tuple[str, Any]]:
    """The current codes under their `group` (rendered as <optgroup>), groups in the order
    of their first code; codes without a group come first, ungrouped."""
    groups: dict[str, list[tuple[str, str]]] = {}
    ungrouped: list[tuple[str, Any]] = [("", "–")]
    for code in current_codes(list_key):
        if code.group:
            groups.setdefault(code.group, []).append((code.code, code.label))
        else:
            ungrouped.append((code.code, code.label))
    return ungrouped + list(groups.items())


def datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class ReportForm(forms.Form):
    """Register a report: the children by identity number, looked up in the same form."""

    district = forms.ModelChoiceField(
        label=_("Stadsdel som tar emot anmälan"),
        queryset=District.objects.none(),
        empty_label=None,
        error_messages={"required": REQUIRED},
    )
    children_numbers = forms.CharField(
        label=_("Barnens personnummer"),
        help_text=_(
            "Ett nummer per rad (ÅÅÅÅMMDD-NNNN). Gäller anmälan syskon skriver du alla barnen "
            "här: varje barn får ett eget ärende och egna tidsfrister, och syskonen kopplas ihop "
            "genom anmälan. Tryck på ”Hämta barnen” för att kontrollera vilka barn numren "
            "gäller innan du registrerar."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Ange minst ett barn som anmälan gäller.")},
    )
    kind = forms.ChoiceField(
        label=_("Typ av aktualisering"),
        help_text=_(
            "Anmälan: någon är orolig för barnet. Ansökan: barnet eller vårdnadshavaren ber om "
            "hjälp. Annan information: socialtjänsten får veta på annat sätt."
        ),
        error_messages={"required": REQUIRED},
    )
    channel = forms.ChoiceField(
        label=_("Hur kom uppgifterna in?"), error_messages={"required": REQUIRED}
    )
    reporter_category = forms.ChoiceField(
        label=_("Vem kommer anmälan från?"),
        help_text=_(
            "Kategorierna med anmälningsskyldighet (SoL 19 kap. 1–3 §§) står först, andra "
            "anmälare sist."
        ),
        error_messages={"required": REQUIRED},
    )
    is_mandatory_reporter = forms.BooleanField(
        label=_("Anmälaren är anmälningsskyldig i sitt arbete"),
        help_text=_(
            "Fyll bara i för kategorin %(categories)s. För kategorierna under "
            "”Anmälningsskyldig” gäller anmälningsskyldigheten alltid och följer av "
            "kategorin (SoL 19 kap. 1–3 §§). Anhöriga, privatpersoner, barnet självt och "
            "anonyma anmälare är inte anmälningsskyldiga. En anmälningsskyldig anmälare kan "
            "begära att få veta om en utredning inleds (19 kap. 6 §)."
        ),
        required=False,
    )
    reporter_name = forms.CharField(label=_("Anmälarens namn"), max_length=200, required=False)
    reporter_contact = forms.CharField(
        label=_("Anmälarens kontaktuppgifter"),
        help_text=_("Telefon, e-post eller arbetsplats."),
        max_length=300,
        required=False,
    )
    is_reporter_identity_protected = forms.BooleanField(
        label=_("Anmälarens identitet ska skyddas (OSL 26 kap. 5 §)"),
        help_text=_(
            "Kryssa i om det finns risk för våld eller annan allvarlig skada för anmälaren. "
            "Då visas anmälarens namn aldrig i något som familjen får se eller får skickat "
            "till sig."
        ),
        required=False,
    )
    reason_codes = forms.MultipleChoiceField(
        label=_("Orsaker till anmälan"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Välj minst en orsak till anmälan.")},
    )
    text = forms.CharField(
        label=_("Vad gäller anmälan?"),
        help_text=_("Skriv med anmälarens egna ord vad hen är orolig för."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        error_messages={"required": _("Skriv vad anmälan gäller.")},
    )
    stated_received_at = forms.DateTimeField(
        label=_("Anmälan kom in tidigare (datum och tid)"),
        help_text=_(
            "Fyll bara i om anmälan kom in före nu, till exempel ett telefonsamtal som du skriver "
            "ned i efterhand. Tidsfristerna räknas då från den tiden. Annars gäller tiden då du "
            "registrerar. Ligger tiden mer än %(days)d dagar bakåt registreras anmälan ändå, men "
            "en enhetschef i stadsdelen måste bekräfta tiden med en notering."
        ),
        widget=datetime_input(),
        input_formats=DATETIME_FORMATS,
        required=False,
    )
    stated_received_reason = forms.CharField(
        label=_("Varför registreras anmälan först nu?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args: Any, user: Any, districts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        district = cast(forms.ModelChoiceField, self.fields["district"])
        district.queryset = districts
        if districts.count() == 1:
            district.initial = districts.first()
        for name, list_key in (("kind", "report-kinds"), ("channel", "report-channels")):
            cast(forms.ChoiceField, self.fields[name]).choices = _choices(list_key)
        # One list; the mandatory reporters grouped together (code list groups).
        cast(forms.ChoiceField, self.fields["reporter_category"]).choices = _grouped_choices(
            "reporter-categories"
        )
        # The duty follows from the category; the box is asked only for the categories where
        # it varies (intake.services.reporter_duty), and left out when there are none.
        varying = [
            str(code.label)
            for code in current_codes("reporter-categories")
            if reporter_duty(code.attributes or {}) is None
        ]
        if varying:
            duty = self.fields["is_mandatory_reporter"]
            duty.help_text = str(duty.help_text) % {
                "categories": ", ".join(f"”{label}”" for label in varying)
            }
        else:
            del self.fields["is_mandatory_reporter"]
        stated = self.fields["stated_received_at"]
        stated.help_text = str(stated.help_text) % {
            "days": settings.RODTRAD_STATED_RECEIPT_MAX_DAYS
        }
        cast(forms.ChoiceField, self.fields["reason_codes"]).choices = _choices(
            "report-reasons", blank=False
        )
        self.children: list[Person] = []

    def clean_children_numbers(self) -> str:
        raw = self.cleaned_data["children_numbers"]
        lines = [line.strip() for line in raw.replace(",", "\n").splitlines() if line.strip()]
        problems: list[str] = []
        children: list[Person] = []
        for line in lines:
            try:
                number = parse_identity_number(line)
            except InvalidIdentityNumber as exc:
                problems.append(f"{line}: {exc}")
                continue
            person = find_by_identity_number(self.user, number)
            if person is None:
                problems.append(
                    gettext_now(
                        "%(number)s: ingen person med numret finns i registret (eller så har du "
                        "inte behörighet). Registrera barnet på personsidan först."
                    )
                    % {"number": number.display}
                )
            elif person in children:
                problems.append(
                    gettext_now("%(number)s: numret står två gånger.") % {"number": number.display}
                )
            else:
                children.append(person)
        if problems:
            raise ValidationError(problems)
        if not children:
            raise ValidationError(gettext_now("Ange minst ett barn som anmälan gäller."))
        self.children = children
        return raw


class ProtectiveActionForm(forms.Form):
    """What was done to protect the child, and when (required once the form is used)."""

    protective_action = forms.ChoiceField(
        label=_("Vilken skyddsåtgärd vidtogs?"),
        choices=ProtectiveAction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj vilken skyddsåtgärd som vidtogs.")},
    )
    protective_action_taken_at = forms.DateTimeField(
        label=_("När vidtogs skyddsåtgärden? (datum och tid)"),
        help_text=_("Inte före den tid anmälan kom in och inte senare än nu."),
        widget=datetime_input(),
        input_formats=DATETIME_FORMATS,
        error_messages={
            "required": _("Skriv när skyddsåtgärden vidtogs."),
            "invalid": _("Skriv datum och tid som ÅÅÅÅ-MM-DD TT:MM."),
        },
    )
    protective_action_note = forms.CharField(
        label=_("Vad gjordes?"),
        help_text=_(
            "Till exempel vem som beslutade om omedelbart omhändertagande och var barnet är nu."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        error_messages={"required": _("Beskriv vad som gjordes för att skydda barnet.")},
    )


class ProtectionAssessmentForm(forms.Form):
    information_basis = forms.CharField(
        label=_("Underlag"),
        help_text=_("Vad bygger bedömningen på? Till exempel anmälan och samtal med anmälaren."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        required=False,
    )
    is_immediate_protection_needed = forms.TypedChoiceField(
        label=_("Behöver barnet skydd omedelbart?"),
        choices=[("no", _("Nej")), ("yes", _("Ja"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Svara om barnet behöver skydd omedelbart.")},
    )
    actions_taken = forms.CharField(
        label=_("Åtgärder"),
        help_text=_(
            "Vad har gjorts för att skydda barnet? Till exempel kontakt med socialjouren eller "
            "polisen, eller beslut om omedelbart omhändertagande (LVU 6 §)."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        required=False,
    )
    rationale = forms.CharField(
        label=_("Bedömning och skäl"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        error_messages={
            "required": _("Skriv hur du har bedömt barnets behov av skydd och varför.")
        },
    )
    # Optional here: when immediate protection is needed and the action is already taken it
    # is recorded with the assessment; otherwise later, and the case is urgent until then.
    protective_action = forms.ChoiceField(
        label=_("Vilken skyddsåtgärd vidtogs?"),
        choices=ProtectiveAction.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    protective_action_taken_at = forms.DateTimeField(
        label=_("När vidtogs skyddsåtgärden? (datum och tid)"),
        widget=datetime_input(),
        input_formats=DATETIME_FORMATS,
        required=False,
        error_messages={"invalid": _("Skriv datum och tid som ÅÅÅÅ-MM-DD TT:MM.")},
    )
    protective_action_note = forms.CharField(
        label=_("Vad gjordes?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        required=False,
    )


class PreAssessmentForm(SignableDocumentForm):
    """The draft's content (fields named as on PreAssessment) and the version it was rendered
    with."""

    information_obtained = forms.CharField(
        label=_("Inhämtad information"),
        help_text=_("Vad har barnet, vårdnadshavarna och anmälaren berättat?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=50000,
        required=False,
    )
    assessment = forms.CharField(
        label=_("Bedömning"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=50000,
        required=False,
    )
    decision = forms.ChoiceField(
        label=_("Beslut"),
        choices=[("", "–"), *Decision.choices],
        required=False,
    )
    reasons = forms.CharField(
        label=_("Skäl för beslutet"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        required=False,
    )
    event_on = forms.DateField(
        label=_("Beslutsdatum"),
        widget=date_input(),
        error_messages={
            "required": _("Skriv beslutsdatumet."),
            "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD."),
        },
    )
    exceptional_reasons = forms.CharField(
        label=_("Synnerliga skäl"),
        help_text=_(
            "Behövs bara om beslutet fattas efter 14 dagar: skriv vilka mycket starka skäl som "
            "gjorde att beslutet inte kunde fattas i tid (SoL 20 kap. 2 §)."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        required=False,
    )
    early_decision_reason = forms.CharField(
        label=_("Varför är beslutet daterat före registreringen?"),
        help_text=_(
            "Behövs bara om beslutsdatumet ligger före dagen då anmälan registrerades, till "
            "exempel när socialjouren fattade beslutet under helgen och anmälan skrevs in efteråt."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=20000,
        required=False,
    )

    def __init__(self, *args: Any, autosave_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if autosave_url:
            for name in self.fields:
                if name in MACHINERY_FIELDS:
                    continue
                self.fields[name].widget.attrs.update(
                    {
                        "hx-post": autosave_url,
                        "hx-trigger": "input changed delay:1500ms",
                        "hx-target": "#autosave-status",
                        "hx-swap": "innerHTML",
                        "hx-include": "closest form",
                        # One autosave at a time per form; the newest waits for the one in
                        # flight, so it carries the version that answer returned.
                        "hx-sync": "closest form:queue last",
                    }
                )


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Varför behöver förhandsbedömningen rättas?"),
        help_text=_(
            "En signerad förhandsbedömning ändras aldrig. En rättelse blir ett nytt dokument som "
            "visas bredvid originalet."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Skriv varför dokumentet behöver rättas.")},
    )


class ContactForm(forms.Form):
    who = forms.ChoiceField(
        label=_("Kontakt med"),
        choices=[("", "–"), *ContactWho.choices],
        help_text=_(
            "Under förhandsbedömningen får du bara kontakta barnet, vårdnadshavarna och "
            "anmälaren. Andra kontakter kräver att en utredning har inletts."
        ),
        error_messages={
            "required": _("Välj vem du hade kontakt med."),
            "invalid_choice": EXTERNAL_CONTACT_MESSAGE,
        },
    )
    contacted_on = forms.DateField(
        label=_("Datum för kontakten"),
        widget=date_input(),
        error_messages={
            "required": _("Skriv vilket datum kontakten togs."),
            "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD."),
        },
    )
    summary = forms.CharField(
        label=_("Vad kom fram?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        error_messages={"required": _("Skriv vad som kom fram i kontakten.")},
    )


class ReceiptConfirmationForm(forms.Form):
    note = forms.CharField(
        label=_("Enhetschefens notering"),
        help_text=_(
            "Varför registreras anmälan så långt efter att den kom in, och vad har du "
            "kontrollerat? Noteringen sparas med anmälan."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": _("Skriv en notering.")},
    )


class InformationRequestForm(forms.Form):
    requested_on = forms.DateField(
        label=_("Datum då anmälaren frågade"),
        widget=date_input(),
        error_messages={
            "required": _("Skriv vilket datum anmälaren frågade."),
            "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD."),
        },
    )


class InformationAnswerForm(forms.Form):
    request = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    answered_on = forms.DateField(
        label=_("Datum då anmälaren fick svar"),
        widget=date_input(),
        error_messages={
            "required": _("Skriv vilket datum anmälaren fick svar."),
            "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD."),
        },
    )
    answer_text = forms.CharField(
        label=_("Vad fick anmälaren veta?"),
        help_text=_(
            "Bara om en utredning har inletts, inte inletts eller redan pågår. Inga andra "
            "uppgifter om barnet eller familjen."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": _("Skriv vad anmälaren fick veta.")},
    )


class SiblingCopyForm(forms.Form):
    """Beside the protection assessment's form once its text was copied from a sibling's:
    which assessment it came from, and the handler's confirmation for this child."""

    copied_from = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    is_copy_confirmed = forms.BooleanField(
        label=_("Jag har läst den kopierade texten och den stämmer för det här barnet"),
        required=False,
    )
