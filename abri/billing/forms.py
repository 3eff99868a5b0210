"""Forms for the payment pages (shape only: the selectors decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from abri.billing.choices import HistoryStatus, PaymentKind


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
