"""Forms for contracts: termination, changes, simulations, moving (shape only; services decide)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from abri.contracts.choices import Formula, PaymentFrequency, TerminationReason


class TerminationForm(forms.Form):
    """The form required by décret 2023-182: contract, reason (at least « à échéance » and free text), date."""

    reason = forms.ChoiceField(label=_("Motif de la résiliation"), choices=TerminationReason.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": _("Choisissez le motif de la résiliation.")})
    reason_text = forms.CharField(label=_("Précisions (facultatif)"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("Obligatoire pour « Autre motif »."))
    requested_date = forms.DateField(label=_("Date du déménagement ou de la vente"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text=_("Pour un déménagement ou une vente uniquement."),
                                     error_messages={"invalid": _("Saisissez une date valide.")})

    def clean(self):
        data = super().clean()
        data["reason_text"] = strip_tags(data.get("reason_text") or "").strip()
        reason = data.get("reason")
        if reason == "other" and not data["reason_text"]:
            self.add_error("reason_text", _("Précisez le motif de votre résiliation."))
        requested = data.get("requested_date")
        if reason in {"moving", "sale"} and requested is None:
            self.add_error("requested_date", _("Indiquez la date du déménagement ou de la vente."))
        if requested and requested < timezone.localdate() - timedelta(days=60):
            self.add_error("requested_date", _("Cette date est trop ancienne : contactez votre conseiller."))
        if requested and requested > timezone.localdate() + timedelta(days=365):
            self.add_error("requested_date", _("Cette date est à plus d'un an : revenez plus près de la date."))
        return data


DEDUCTIBLES = [("0", _("0 €")), ("150", _("150 €")), ("300", _("300 €")), ("500", _("500 €"))]
OPTION_LABELS = [
    ("valuables", _("Objets de valeur")),
    ("new_for_old", _("Rééquipement à neuf")),
    ("legal", _("Protection juridique")),
    ("assistance", _("Assistance")),
    ("garden", _("Jardin")),
    ("pool", _("Piscine")),
    ("outbuildings", _("Dépendances")),
    ("alarm", _("Alarme télésurveillée (réduction)")),
]


class ChangeForm(forms.Form):
    """The choices of a contract the customer may change, priced instantly."""

    formula = forms.ChoiceField(label=_("Formule"), choices=Formula.choices)
    options = forms.MultipleChoiceField(label=_("Options"), choices=OPTION_LABELS, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    deductible = forms.ChoiceField(label=_("Franchise"), choices=DEDUCTIBLES)
    contents_capital = forms.DecimalField(label=_("Capital mobilier (€)"), min_value=0, max_value=1_000_000,
                                          max_digits=9, decimal_places=0, localize=True, required=False,
                                          help_text=_("Valeur de vos meubles et affaires. Laissez vide : le plafond."),
                                          error_messages={"invalid": _("Saisissez un montant en euros."),
                                                          "min_value": _("Le montant ne peut pas être négatif."),
                                                          "max_value": _("1 000 000 € au maximum.")})
    valuables_capital = forms.DecimalField(label=_("Capital objets de valeur (€)"), min_value=0, max_value=500_000,
                                           max_digits=9, decimal_places=0, localize=True, required=False,
                                           error_messages={"invalid": _("Saisissez un montant en euros."),
                                                           "min_value": _("Le montant ne peut pas être négatif."),
                                                           "max_value": _("500 000 € au maximum.")})
    payment_frequency = forms.ChoiceField(label=_("Paiement"), choices=PaymentFrequency.choices)

    def choices(self) -> dict:
        d = self.cleaned_data
        return {
            "formula": d["formula"], "options": sorted(d.get("options") or []), "deductible": d["deductible"],
            "contents_capital": str(d["contents_capital"]) if d.get("contents_capital") is not None else "",
            "valuables_capital": str(d.get("valuables_capital") or 0),
            "payment_frequency": d["payment_frequency"],
        }


class SimulationNameForm(forms.Form):
    name = forms.CharField(label=_("Nom de la simulation"), max_length=80,
                           error_messages={"required": _("Donnez un nom à votre simulation.")})
