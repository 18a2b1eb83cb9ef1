"""Forms for the investigation pages: input types only; the domain rules are in services.

Django 5.2 adds `aria-invalid="true"` and `aria-describedby` to a widget with help text or
errors; `templates/components/field.html` renders the matching ids.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rodtrad.cases.forms import SignableDocumentForm
from rodtrad.frameworks.queries import current_codes
from rodtrad.investigation.models import (
    ContactKind,
    Outcome,
    RiskJudgement,
    Severity,
    TimeHorizon,
)

REQUIRED = _("Det här fältet måste fyllas i.")
BLANK_CHOICE: list[tuple[str, Any]] = [("", _("– Välj –"))]
YES_NO = [("yes", _("Ja")), ("no", _("Nej"))]
TEXT_ROWS = 5


# Common instruments and models (docs/domain.md §4.2): only their names, as suggestions.
def instrument_suggestions() -> list[str]:
    """Names offered in the risk-assessment form: the current codes of the "risk-instruments"
    code list, which the administrator can extend (frameworks are data)."""
    return [code.label_sv for code in current_codes("risk-instruments")]


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=date_input(),
        error_messages={
            "required": _("Ange ett datum."),
            "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD."),
        },
    )


def text_field(
    label: Any, *, required: bool = False, help_text: Any = "", rows: int = TEXT_ROWS
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=20000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": REQUIRED},
    )


def version_field() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput(attrs={"id": "document-version"}), min_value=1
    )


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class InformingForm(forms.Form):
    class Meta:
        # The row's name of a field named otherwise here (lib.forms.initial_from).
        sources = {"deferred_reason": "information_deferred_reason"}

    version = version_field()
    informed_on = date_field(
        _("Datum då parterna informerades"),
        required=False,
        help_text=_("Lämna tomt om informationen måste vänta."),
    )
    informed_how = text_field(
        _("Hur parterna informerades"),
        help_text=_("Till exempel brev, telefonsamtal eller möte, och vilka som fick veta."),
        rows=3,
    )
    deferred_reason = text_field(
        _("Varför informationen måste vänta"),
        help_text=_(
            "Fyll bara i om det finns särskilda skäl att inte informera genast, till exempel "
            "att barnet kan utsättas för fara eller att en polisutredning kan försvåras."
        ),
        rows=3,
    )


# --- Editing documents (the same form saves, autosaves and signs) -----------------------------


class DocumentForm(SignableDocumentForm):
    """Base of the investigation's document forms: the version it rendered (the id the
    autosave answer swaps) and the document's date."""

    version = version_field()
    event_on = date_field(_("Datum"))
    # Optional in a draft, needed to sign: the field shows "(krävs för att signera)".
    REQUIRED_TO_SIGN: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.REQUIRED_TO_SIGN:
            self.fields[name].required_to_sign = True  # type: ignore[attr-defined]


class PlanForm(DocumentForm):
    REQUIRED_TO_SIGN = ("questions", "areas")
    questions = text_field(
        _("Frågor som utredningen ska besvara"),
        help_text=_("Vad behöver ni ta reda på för att kunna bedöma barnets behov?"),
    )
    areas = forms.MultipleChoiceField(
        label=_("Områden att utreda"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    planned_contacts = text_field(
        _("Planerade kontakter"),
        help_text=_(
            "Vilka ni vill prata med, till exempel skola, BVC (barnavårdscentralen) eller "
            "hälso- och sjukvården. När utredningen är inledd ska de lämna de uppgifter som "
            "behövs (SoL 20 kap. 6 §), men ta inte fler kontakter än som behövs (20 kap. 5 §)."
        ),
    )
    child_meeting = text_field(
        _("Hur barnet ska träffas och vara delaktigt"),
        help_text=_(
            "Barnet har rätt att få information och säga sin mening (SoL 3 kap. 2–3 §§). Barnet "
            "får höras utan vårdnadshavarnas samtycke och utan att de är med (20 kap. 7 §)."
        ),
    )
    time_plan = text_field(
        _("Tidsplan"),
        help_text=_("Utredningen ska vara klar inom fyra månader från att den inleddes."),
    )

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_on"].label = _("Datum för planen")
        cast(forms.ChoiceField, self.fields["areas"]).choices = areas


class AreaAssessmentForm(DocumentForm):
    REQUIRED_TO_SIGN = ("facts",)
    facts = text_field(_("Vad har kommit fram?"), rows=8)
    sources = text_field(
        _("Källor"),
        help_text=_("Varifrån uppgifterna kommer, till exempel samtal eller intyg."),
        rows=3,
    )
    risk_factors = text_field(_("Riskfaktorer"), help_text=_("Det som kan skada barnet."))
    protective_factors = text_field(
        _("Skyddsfaktorer"), help_text=_("Det som skyddar och stärker barnet.")
    )
    child_view = text_field(
        _("Barnets syn"),
        help_text=_("Vad barnet själv har sagt om området, gärna med barnets egna ord."),
    )
    guardians_view = text_field(_("Vårdnadshavarnas syn"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_on"].label = _("Datum för uppgifterna")


class AnswersField(forms.CharField):
    """Answers as lines "question: answer"; stored as a JSON object.

    Only the municipality's own numbering or short names of the items go here: licensed item
    texts are not shipped with Rodtrad.
    """

    def to_python(self, value: Any) -> dict[str, str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        answers: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            if ":" not in line:
                raise ValidationError(
                    _("Rad %(n)d saknar kolon. Skriv fråga, kolon och svar, till exempel ”3: Ja”.")
                    % {"n": number}
                )
            key, answer = (part.strip() for part in line.split(":", 1))
            if not key:
                raise ValidationError(_("Rad %(n)d saknar fråga före kolon.") % {"n": number})
            answers[key] = answer
        return answers

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return "\n".join(f"{key}: {answer}" for key, answer in value.items())
        return value


class RiskAssessmentForm(DocumentForm):
    REQUIRED_TO_SIGN = ("instrument", "judgement", "time_horizon", "reassessment_on")
    instrument = forms.CharField(
        label=_("Metod eller instrument"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "instrument-suggestions"}),
    )
    instrument_code = forms.CharField(
        label=_("Kod för instrumentet"), max_length=40, required=False
    )
    instrument_version = forms.CharField(label=_("Version"), max_length=40, required=False)
    answers = AnswersField(
        label=_("Svar"),
        required=False,
        help_text=_(
            "En rad per fråga: frågans nummer eller korta namn, kolon, svaret. Till exempel "
            "”4: Ja, hot med vapen i mars”. Skriv inte av frågornas text från licensierat material."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    judgement = forms.ChoiceField(
        label=_("Samlad bedömning av risken"),
        required=False,
        choices=BLANK_CHOICE + list(RiskJudgement.choices),
    )
    time_horizon = forms.ChoiceField(
        label=_("Tidsperspektiv"),
        required=False,
        choices=BLANK_CHOICE + list(TimeHorizon.choices),
        help_text=_("Vilken tid bedömningen gäller: nu, de närmaste veckorna eller längre fram."),
    )
    reassessment_on = date_field(
        _("Ny bedömning senast"),
        required=False,
        help_text=_(
            "Gör också en ny bedömning om något nytt händer, till exempel ett nytt våldstillfälle."
        ),
    )
    safety_plan = text_field(
        _("Säkerhetsplan"),
        help_text=_("Vad som görs för att skydda barnet, av vem och när."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_on"].label = _("Datum för bedömningen")


class AnalysisForm(DocumentForm):
    REQUIRED_TO_SIGN = ("text",)
    text = text_field(
        _("Analys och bedömning"),
        help_text=_(
            "Väg samman det som kommit fram om barnets utveckling, föräldrarnas förmåga och "
            "familj och miljö: vilka behov har barnet, och vad skulle hjälpa? Behoven skriver du "
            "in nedanför, ett i taget."
        ),
        rows=12,
    )
    child_not_met_reason = text_field(
        _("Varför barnet inte har träffats"),
        help_text=_(
            "Fyll i om inget samtal med barnet finns i kontaktloggen. Barnet har rätt att säga "
            "sin mening (SoL 3 kap. 2 §)."
        ),
        rows=3,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_on"].label = _("Datum för analysen")


# --- Starting documents: the editor itself, before the first save ---------------------------


def version_field_of_new_document() -> forms.IntegerField:
    """Empty until the first save; the autosave answer swaps in the version (id kept)."""
    return forms.IntegerField(
        widget=forms.HiddenInput(attrs={"id": "document-version"}), required=False, min_value=1
    )


class NewDocumentForm(forms.Form):
    """What the editor of a document that does not exist yet adds to the document's form.

    `document` is empty until the first autosave has created the draft; the autosave answer
    then swaps in its id, and later saves change that draft. START_FIELDS are fixed when the
    draft is created (services.START_FIELDS).
    """

    version = version_field_of_new_document()
    document = forms.IntegerField(
        widget=forms.HiddenInput(attrs={"id": "document-id"}), required=False, min_value=1
    )
    START_FIELDS: tuple[str, ...] = ()

    def start_params(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.START_FIELDS}

    def changes(self) -> dict[str, Any]:
        """The editable content: every field but the version, the draft's id and the start."""
        skip = {"version", "document", *self.START_FIELDS}
        return {name: value for name, value in self.cleaned_data.items() if name not in skip}


class NewPlanForm(NewDocumentForm, PlanForm):
    START_FIELDS = ("framework",)
    field_order = ("version", "document", "event_on", "framework")
    framework = forms.ChoiceField(
        label=_("Ramverk för områdena"),
        help_text=_(
            "Vilken version av BBIC-triangelns områden utredningen använder. BBIC (Barns behov "
            "i centrum) är Socialstyrelsens struktur för utredningar av barn. Valet kan inte "
            "ändras när planen är sparad."
        ),
        error_messages={"required": REQUIRED},
    )

    def __init__(
        self,
        *args: Any,
        frameworks: list[tuple[str, str]],
        areas: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, areas=areas, **kwargs)
        cast(forms.ChoiceField, self.fields["framework"]).choices = frameworks


class NewAreaAssessmentForm(NewDocumentForm, AreaAssessmentForm):
    START_FIELDS = ("area",)
    field_order = ("version", "document", "area", "event_on")
    area = forms.ChoiceField(
        label=_("Område"),
        help_text=_("Texten hör till ett område. Det kan inte ändras när texten är sparad."),
        error_messages={"required": REQUIRED},
    )

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = BLANK_CHOICE + areas


class NewRiskAssessmentForm(NewDocumentForm, RiskAssessmentForm):
    pass


class NewAnalysisForm(NewDocumentForm, AnalysisForm):
    pass


class CorrectionForm(forms.Form):
    reason = text_field(
        _("Varför behöver dokumentet rättas?"),
        required=True,
        help_text=_(
            "Det signerade dokumentet finns kvar som det var. Rättelsen blir ett nytt utkast "
            "som pekar på det."
        ),
        rows=3,
    )


# --- Other records ----------------------------------------------------------------------------


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Slag av kontakt"),
        choices=BLANK_CHOICE + list(ContactKind.choices),
        error_messages={"required": REQUIRED},
    )
    event_on = date_field(_("Datum för kontakten"))
    child_alone = forms.ChoiceField(
        label=_("Var barnet ensamt med dig?"),
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=_(
            "Bara för samtal med barnet. Barnet får höras utan vårdnadshavarnas samtycke och "
            "utan att de är med (SoL 20 kap. 7 §)."
        ),
    )
    covered_violence = forms.ChoiceField(
        label=_("Pratade ni om våld?"),
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=_("Bara för samtal med barnet."),
    )
    summary = text_field(_("Sammanfattning"), required=True)


class NeedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    area = forms.ChoiceField(label=_("Område"), error_messages={"required": REQUIRED})
    description = text_field(
        _("Behov"),
        required=True,
        help_text=_("Vad barnet behöver, så konkret som möjligt."),
        rows=3,
    )
    severity = forms.ChoiceField(
        label=_("Hur stort är behovet?"),
        choices=BLANK_CHOICE + list(Severity.choices),
        error_messages={"required": REQUIRED},
    )
    child_view = text_field(_("Barnets syn på behovet"), rows=3)

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = BLANK_CHOICE + areas


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ExtensionRequestForm(forms.Form):
    """The investigator's request for more time, sent to the team managers of the district."""

    proposed_to = date_field(
        _("Föreslagen ny sista dag"),
        help_text=_(
            "En förlängning gäller för viss tid, högst %(months)d månader efter den nuvarande "
            "sista dagen. Enhetschefen bestämmer slutdatumet."
        ),
    )
    reasons = text_field(
        _("Skäl till förlängning"),
        required=True,
        help_text=_(
            "Varför kan utredningen inte bli klar i tid? Till exempel att ett utlåtande från "
            "vården dröjer."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fill_extension_bound(self.fields["proposed_to"])


def _fill_extension_bound(field: forms.Field) -> None:
    """Put the configured bound on extensions into the field's help text."""
    field.help_text = str(field.help_text) % {"months": settings.RODTRAD_EXTENSION_MAX_MONTHS}


class RefuseExtensionForm(forms.Form):
    refusal_reason = text_field(
        _("Skäl till avslaget"),
        required=True,
        help_text=_("Handläggaren ser skälet på utredningens sida."),
        rows=3,
    )


class ExtensionForm(forms.Form):
    decided_on = date_field(_("Beslutsdatum"))
    extended_to = date_field(
        _("Ny sista dag"),
        help_text=_(
            "En förlängning gäller för viss tid: ange slutdatumet, högst %(months)d månader efter "
            "den nuvarande sista dagen. Den dag du anger gäller, även om den är en lördag, "
            "söndag eller helgdag."
        ),
    )
    reasons = text_field(
        _("Särskilda skäl"),
        required=True,
        help_text=_(
            "Skälen till att utredningen inte kan bli klar inom fyra månader, till exempel att "
            "ett utlåtande från vården dröjer."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()
        _fill_extension_bound(self.fields["extended_to"])


class CommunicationForm(forms.Form):
    """Kommunicering: the recipient is chosen among the parties, never typed.

    `recipients` are people.queries.CasePerson rows (people.queries.parties_of_child); the
    labels carry name and relationship and a marker for protected persons, never an address.
    The secrecy-check box is there only when the recipient or someone in the family has
    protected personal data.
    """

    subject = text_field(
        _("Vad kommunicerades?"),
        required=True,
        help_text=_("Till exempel utredningen i sin helhet eller ett visst utlåtande."),
        rows=3,
    )
    recipient = forms.ChoiceField(
        label=_("Till vem"),
        widget=forms.RadioSelect,
        help_text=_(
            "Kommunicering går till parterna: barnets vårdnadshavare, och barnet självt om det "
            "har fyllt 15 år. Syskon och andra närstående är inte parter. Saknas en "
            "vårdnadshavare? Lägg till relationen på barnets personsida först."
        ),
        error_messages={
            "required": _("Välj vem materialet skickades till."),
            "invalid_choice": _("Välj vem materialet skickades till."),
        },
    )
    sent_on = date_field(_("Skickat"))
    answer_by = date_field(
        _("Svar senast"),
        help_text=_(
            "Sista dag för svar (svarstiden), ofta 10–14 dagar. Utredningen kan avslutas när "
            "svaret har kommit eller svarstiden har gått ut."
        ),
    )

    is_secrecy_checked = forms.BooleanField(
        label=_(
            "Jag har gjort en sekretessprövning. Det som skickas avslöjar inte var någon med "
            "skyddade personuppgifter bor eller vistas."
        ),
        required=False,
    )

    def __init__(
        self, *args: Any, recipients: list[Any], needs_secrecy_check: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.recipients = {choice.key: choice for choice in recipients}
        cast(forms.ChoiceField, self.fields["recipient"]).choices = [
            (choice.key, recipient_label(choice)) for choice in recipients
        ]
        if not needs_secrecy_check:
            del self.fields["is_secrecy_checked"]

    def chosen(self) -> Any:
        """The CasePerson chosen (after is_valid())."""
        return self.recipients[self.cleaned_data["recipient"]]


def recipient_label(choice: Any) -> str:
    """Name and relationship; protected persons are marked. Never an address."""
    from django.utils.translation import gettext

    label = f"{choice.person} – {choice.kind_label}"
    if choice.relationship is not None and choice.relationship.is_custodian:
        label += ", " + gettext("har vårdnaden")
    if choice.person.is_protected:
        label += " (" + gettext("skyddade personuppgifter") + ")"
    return label


class CommunicationAnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    answered_on = date_field(_("Svar kom in"))
    answer = text_field(_("Svar"), required=True)


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    outcome = forms.ChoiceField(
        label=_("Utfall"),
        choices=list(Outcome.choices),
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj hur utredningen avslutas.")},
    )
    closed_on = date_field(_("Datum för avslut"))
    needs = forms.MultipleChoiceField(
        label=_("Behov som insatserna ska möta"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Vid förslag på insatser: välj minst ett behov."),
    )
    note = text_field(
        _("Kommentar"),
        help_text=_("Vid överflyttning: skriv vart och varför."),
        rows=3,
    )

    def __init__(
        self,
        *args: Any,
        needs: list[tuple[str, str]],
        unwritten_areas: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["needs"]).choices = needs
        self.fields["closed_on"].initial = timezone.localdate()
        # One reason per area of the signed plan that has no signed text.
        self.area_fields: list[tuple[str, str]] = []
        for code, label in unwritten_areas or []:
            name = f"area_reason_{code}"
            self.fields[name] = text_field(
                _("Varför utreddes inte området ”%(area)s”?") % {"area": label},
                help_text=_("Området finns i utredningsplanen men har ingen signerad text."),
                rows=2,
            )
            self.area_fields.append((code, name))

    def area_reasons(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(name, "") for code, name in self.area_fields}
