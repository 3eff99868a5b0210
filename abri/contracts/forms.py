"""Forms for contracts: termination, changes, simulations, moving (shape only; services decide)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from abri.contracts.choices import Formula, PaymentFrequency, TerminationReason
from abri.contracts.rules import add_months, moving_window_end


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
        if requested and reason == "moving" and moving_window_end(requested) < timezone.localdate():
            # L113-16: within the three months following the event (not 60 days).
            self.add_error("requested_date", _(
                "Le déménagement date de plus de trois mois : la résiliation pour déménagement (article L113-16) "
                "doit être demandée dans les trois mois qui le suivent."))
        elif requested and reason != "moving" and requested < timezone.localdate() - timedelta(days=60):
            self.add_error("requested_date", _("Cette date est trop ancienne : contactez votre conseiller."))
        if requested and requested > timezone.localdate() + timedelta(days=365):
            self.add_error("requested_date", _("Cette date est à plus d'un an : revenez plus près de la date."))
        return data


class TerminationConfirmForm(forms.Form):
    """Click 2: the end date among the bases that apply (the earliest offered first) and, for a tenant's Hamon
    termination, the insurer that takes over the compulsory cover."""

    basis = forms.ChoiceField(label=_("Date de fin de votre contrat"), widget=forms.RadioSelect,
                              error_messages={"required": _("Choisissez la date de fin de votre contrat.")})
    new_insurer = forms.CharField(label=_("Nom de votre nouvel assureur"), required=False, max_length=120)
    new_policy_number = forms.CharField(label=_("Numéro de votre nouveau contrat"), required=False, max_length=60)

    def __init__(self, *args, options, needs_new_insurer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["basis"].choices = [(o["code"], o["label"]) for o in options]
        self.needs_new_insurer = needs_new_insurer

    def clean(self):
        data = super().clean()
        for key in ("new_insurer", "new_policy_number"):
            data[key] = strip_tags(data.get(key) or "").strip()
        if data.get("basis") and self.needs_new_insurer(data["basis"]):
            if not data["new_insurer"]:
                self.add_error("new_insurer", _("Indiquez le nom de votre nouvel assureur."))
            if not data["new_policy_number"]:
                self.add_error("new_policy_number", _("Indiquez le numéro de votre nouveau contrat."))
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

    def __init__(self, *args, offer=None, **kwargs):
        """`offer` (contracts.pricing.OptionOffer): only the options that apply to the home are choices; those the
        formula includes are accepted and dropped (already covered)."""
        super().__init__(*args, **kwargs)
        self.offer = offer
        if offer is not None:
            allowed = set(offer.offered) | {code for code, _label in offer.included}
            self.fields["options"].choices = [(code, label) for code, label in OPTION_LABELS if code in allowed]
            self.fields["options"].error_messages["invalid_choice"] = _(
                "Cette option n'est pas proposée pour votre logement : voyez pourquoi sous la liste des options.")

    def clean_options(self):
        options = self.cleaned_data.get("options") or []
        if self.offer is not None:
            included = {code for code, _label in self.offer.included}
            options = [code for code in options if code not in included]
        return options

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


class MoveForm(forms.Form):
    """The new home and the moving date."""

    moving_date = forms.DateField(label=_("Date du déménagement"), widget=forms.DateInput(attrs={"type": "date"}),
                                  error_messages={"required": _("Indiquez la date du déménagement."),
                                                  "invalid": _("Saisissez une date valide.")})
    address_line = forms.CharField(label=_("Adresse du nouveau logement"), max_length=200,
                                   error_messages={"required": _("Indiquez l'adresse.")})
    postcode = forms.RegexField(label=_("Code postal"), regex=r"^(\d{5}|2[AB]\d{3})$", max_length=5,
                                error_messages={"invalid": _("Un code postal français a 5 chiffres."),
                                                "required": _("Indiquez le code postal.")})
    city = forms.CharField(label=_("Ville"), max_length=100, error_messages={"required": _("Indiquez la ville.")})
    kind = forms.ChoiceField(label=_("Type de logement"), choices=[("apartment", _("Appartement")),
                                                                   ("house", _("Maison"))])
    occupant_status = forms.ChoiceField(label=_("Vous serez"), choices=[("tenant", _("Locataire")),
                                                                        ("owner", _("Propriétaire occupant"))])
    rooms = forms.IntegerField(label=_("Nombre de pièces principales"), min_value=1, max_value=30,
                               error_messages={"min_value": _("Au moins 1 pièce."),
                                               "max_value": _("30 pièces au maximum en ligne."),
                                               "invalid": _("Saisissez un nombre de pièces.")})
    surface_m2 = forms.IntegerField(label=_("Surface habitable (m²)"), min_value=9, max_value=2000,
                                    error_messages={"min_value": _("La surface semble trop petite (9 m² au moins)."),
                                                    "max_value": _("Au-delà de 2 000 m², contactez un conseiller."),
                                                    "invalid": _("Saisissez une surface en m².")})
    floor = forms.IntegerField(label=_("Étage (0 = rez-de-chaussée)"), min_value=0, max_value=60, required=False,
                               help_text=_("Pour un appartement."))
    has_garden = forms.BooleanField(label=_("Jardin"), required=False)
    old_home_until = forms.DateField(
        label=_("Garder l'ancien logement assuré jusqu'au (facultatif)"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Fin de votre bail ou date de la vente, si elle est après le déménagement (six mois au plus). "
                    "Laissez vide : l'ancien logement est assuré jusqu'au jour du déménagement."),
        error_messages={"invalid": _("Saisissez une date valide.")})

    def clean_moving_date(self):
        value = self.cleaned_data["moving_date"]
        today = timezone.localdate()
        if value < today:
            raise forms.ValidationError(_("La date du déménagement ne peut pas être passée : contactez votre conseiller."))
        if value > today + timedelta(days=180):
            raise forms.ValidationError(_("Déclarez votre déménagement au plus tôt 6 mois avant."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("kind") == "apartment" and data.get("floor") is None:
            self.add_error("floor", _("Indiquez l'étage de l'appartement."))
        until, moving = data.get("old_home_until"), data.get("moving_date")
        if until and moving and until < moving:
            self.add_error("old_home_until", _("Cette date doit être au plus tôt celle du déménagement."))
        elif until and moving and until > add_months(moving, 6):
            self.add_error("old_home_until", _("L'ancien logement peut rester assuré six mois au plus après le "
                                               "déménagement : contactez votre conseiller."))
        for key in ("address_line", "city"):
            if key in data:
                data[key] = strip_tags(data[key]).strip()
        return data

    def home(self) -> dict:
        d = self.cleaned_data
        return {"kind": d["kind"], "occupant_status": d["occupant_status"], "address_line": d["address_line"],
                "postcode": d["postcode"], "city": d["city"], "rooms": d["rooms"], "surface_m2": d["surface_m2"],
                "floor": d.get("floor") if d["kind"] == "apartment" else None, "has_garden": d.get("has_garden", False)}
