from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from rodtrad.lib.forms import MACHINERY_FIELDS, initial_from


class SignableDocumentForm(forms.Form):
    """Base of every signable document's form (pre-assessment, plan, analysis …): the version
    it was rendered with, and content fields named as on the document, so that the initial
    values (`initial_for`), the service's changes (`changes`) and the conflict page
    (lib.forms.form_conflict) all come from the fields declared here."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def changes(self) -> dict[str, Any]:
        """The submitted content as service changes: every field but the machinery."""
        return {
            name: value for name, value in self.cleaned_data.items() if name not in MACHINERY_FIELDS
        }

    @classmethod
    def initial_for(cls, document: Any) -> dict[str, Any]:
        return initial_from(cls, document)


class EmergencyAccessForm(forms.Form):
    identity_number = forms.CharField(
        label=_("Barnets personnummer eller samordningsnummer"),
        help_text=_("Skriv ÅÅÅÅMMDD-NNNN. Numret skickas aldrig i adressfältet."),
        max_length=20,
    )
    reason = forms.CharField(
        label=_("Varför behöver du se ärendet nu?"),
        help_text=_(
            "Nödåtkomst ger dig läsrätt till ett ärende i 60 minuter. Din chef granskar "
            "skälet i efterhand. Skriv vad som har hänt och varför det inte kan vänta."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Kommentar"),
        help_text=_("Var åtkomsten befogad? Skriv vad du har kontrollerat."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class AssignResponsibleForm(forms.Form):
    responsible = forms.IntegerField(label=_("Ansvarig handläggare"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseListForm(forms.Form):
    """The case list's filters (GET: no personal data) and search (read from POST only).

    Only values from the choices are accepted; `sortera` is checked against the allow-list in
    `cases.queries.parse_sort`. An invalid value is dropped, never passed on.
    """

    sok = forms.CharField(
        label=_("Sök på namn eller ärendenummer"),
        help_text=_("Barnets för- eller efternamn, ett ärendenummer eller ett helt personnummer."),
        required=False,
        max_length=100,
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    ansvarig = forms.ChoiceField(label=_("Ansvarig"), required=False)
    enhet = forms.TypedChoiceField(label=_("Enhet"), required=False, coerce=int, empty_value=None)
    forsenade = forms.BooleanField(label=_("Bara ärenden med passerad frist"), required=False)

    def __init__(
        self,
        *args: Any,
        statuses: list[tuple[str, str]],
        responsibles: list[tuple[str, str]],
        units: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        everyone: list[tuple[str, Any]] = [("", _("Alla"))]
        cast(forms.ChoiceField, self.fields["status"]).choices = everyone + statuses
        cast(forms.ChoiceField, self.fields["ansvarig"]).choices = everyone + responsibles
        cast(forms.ChoiceField, self.fields["enhet"]).choices = everyone + [
            (str(pk), name) for pk, name in units
        ]
