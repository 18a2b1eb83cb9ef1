from django import forms
from django.utils.translation import gettext_lazy as _


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
