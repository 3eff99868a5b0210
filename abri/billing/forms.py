"""Forms for the payment pages (shape only: the selectors decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from abri.billing.choices import HistoryStatus, PaymentKind
from abri.billing.sepa import SepaError, bic_clean, iban_clean


class PaymentFilterForm(forms.Form):
    """The history's filters; choices are the customer's own contracts and years, so nothing else is accepted."""

    contract = forms.ChoiceField(label=_("Contrat"), required=False)
    year = forms.TypedChoiceField(label=_("Année"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Type"), required=False,
                             choices=[("", _("Tous les types")), *PaymentKind.choices])
    status = forms.ChoiceField(label=_("Statut"), required=False,
                               choices=[("", _("Tous les statuts")), *HistoryStatus.choices])

    def __init__(self, data=None, *, contracts: list[str], years: list[int]):
        super().__init__(data)
        self.fields["contract"].choices = [("", _("Tous les contrats")), *((n, n) for n in contracts)]
        self.fields["year"].choices = [("", _("Toutes les années")), *((y, y) for y in years)]

    def filters(self) -> dict:
        """The valid filters (an invalid value is ignored, never an error page)."""
        if not self.is_valid():
            return {name: self.cleaned_data.get(name) or None for name in self.fields if name not in self.errors}
        return {name: self.cleaned_data.get(name) or None for name in self.fields}


class MandateForm(forms.Form):
    """The SEPA e-mandate: account holder, IBAN, optional BIC and the explicit consent (checked again by the service)."""

    holder = forms.CharField(label=_("Titulaire du compte"), max_length=70,
                             error_messages={"required": _("Indiquez le titulaire du compte.")})
    iban = forms.CharField(label=_("IBAN du compte à prélever"), max_length=42,
                           help_text=_("Il figure sur votre RIB ; il commence par FR76 pour un compte en France."),
                           error_messages={"required": _("Saisissez l'IBAN du compte à prélever.")},
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                         "autocapitalize": "characters", "data-no-local-copy": ""}))
    bic = forms.CharField(label=_("BIC (facultatif)"), max_length=14, required=False,
                          help_text=_("8 ou 11 caractères ; retrouvé à partir de l'IBAN s'il est omis."),
                          widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                        "autocapitalize": "characters"}))
    consent = forms.BooleanField(
        label=_("J'autorise l'assureur à envoyer des instructions à ma banque pour débiter mon compte, et ma banque à "
                "débiter mon compte conformément à ces instructions. Je peux demander le remboursement d'un "
                "prélèvement à ma banque dans les 8 semaines suivant le débit."),
        error_messages={"required": _("Cochez la case d'autorisation : sans votre accord, aucun prélèvement "
                                      "n'est possible.")})

    def clean(self):
        data = super().clean()
        try:
            account = iban_clean(data.get("iban", "")) if data.get("iban") else None
        except SepaError as exc:
            self.add_error("iban", str(exc))
            account = None
        if account is not None:
            try:
                data["bic"] = bic_clean(data.get("bic", ""), iban=account)
            except SepaError as exc:
                self.add_error("bic", str(exc))
        return data
