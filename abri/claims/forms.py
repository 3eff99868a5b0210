"""Forms of the declaration wizard and of the handler's workflow (shape only: services decide)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from abri.claims.choices import ClaimEvent, VisitSlot
from abri.claims.rules import ITEM_CATEGORY_LABELS

MAX_AMOUNT = Decimal("2000000")


def _clean_text(value: str) -> str:
    """Text is stored as plain text: tags removed, never executed (templates escape it again)."""
    return strip_tags(value or "").strip()


class HomeForm(forms.Form):
    contract = forms.ChoiceField(label=_("Quel logement est concerné ?"), widget=forms.RadioSelect,
                                 error_messages={"required": _("Choisissez le logement concerné.")})

    def __init__(self, *args, contracts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].choices = [
            (c.number, _("%(kind)s — %(address)s (contrat %(number)s)") % {
                "kind": c.property.get_kind_display(), "address": c.property.full_address, "number": c.number})
            for c in contracts
        ]


class EventForm(forms.Form):
    event = forms.ChoiceField(label=_("Que s'est-il passé ?"), choices=ClaimEvent.choices, widget=forms.RadioSelect,
                              error_messages={"required": _("Choisissez ce qui s'est passé.")})


class WhenForm(forms.Form):
    LOCATION_CHOICES = [
        ("home", _("Dans mon logement assuré")),
        ("position", _("À ma position actuelle (géolocalisation)")),
        ("typed", _("À une autre adresse")),
    ]
    occurred_date = forms.DateField(label=_("Date du sinistre"), widget=forms.DateInput(attrs={"type": "date"}),
                                    error_messages={"required": _("Indiquez la date du sinistre."),
                                                    "invalid": _("Saisissez une date valide, par exemple 25/11/2026.")})
    learned_date = forms.DateField(
        label=_("Date à laquelle vous l'avez découvert"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Si vous l'avez découvert plus tard (au retour de vacances, par exemple) : votre délai de "
                    "déclaration court à partir de ce jour-là. Sinon, laissez vide."),
        error_messages={"invalid": _("Saisissez une date valide, par exemple 25/11/2026.")})
    occurred_time = forms.TimeField(label=_("Heure approximative"), required=False,
                                    widget=forms.TimeInput(attrs={"type": "time"}),
                                    error_messages={"invalid": _("Saisissez une heure valide, par exemple 22:30.")})
    location_mode = forms.ChoiceField(label=_("Où ?"), choices=LOCATION_CHOICES, initial="home",
                                      widget=forms.RadioSelect)
    address = forms.CharField(label=_("Adresse du sinistre"), required=False, max_length=250,
                              help_text=_("Si ce n'est pas votre logement assuré."))
    lat = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9, decimal_places=6,
                             min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9, decimal_places=6,
                             min_value=-180, max_value=180, widget=forms.HiddenInput)

    def clean_occurred_date(self):
        value = self.cleaned_data["occurred_date"]
        today = timezone.localdate()
        if value > today:
            raise forms.ValidationError(_("La date du sinistre ne peut pas être dans le futur."))
        if value < today - timedelta(days=730):
            raise forms.ValidationError(
                _("Ce sinistre date de plus de deux ans (délai de prescription) : contactez votre conseiller."))
        return value

    def clean_learned_date(self):
        value = self.cleaned_data.get("learned_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("La date de découverte ne peut pas être dans le futur."))
        return value

    def clean(self):
        data = super().clean()
        occurred, learned = data.get("occurred_date"), data.get("learned_date")
        if occurred and learned and learned < occurred:
            self.add_error("learned_date", _("La date de découverte ne peut pas précéder la date du sinistre."))
        mode = data.get("location_mode")
        if mode == "typed" and not _clean_text(data.get("address", "")):
            self.add_error("address", _("Indiquez l'adresse où le sinistre a eu lieu."))
        if mode == "position" and (data.get("lat") is None or data.get("lon") is None):
            self.add_error("location_mode", _("Votre position n'a pas pu être obtenue : choisissez une autre option "
                                              "ou saisissez l'adresse."))
        return data

    def to_values(self) -> dict:
        d = self.cleaned_data
        mode = d["location_mode"]
        return {
            "occurred_date": d["occurred_date"].isoformat(),
            "learned_date": d["learned_date"].isoformat() if d.get("learned_date") else "",
            "occurred_time": d["occurred_time"].strftime("%H:%M") if d.get("occurred_time") else "",
            "location": {
                "mode": mode,
                "address": _clean_text(d.get("address", "")) if mode == "typed" else "",
                "lat": str(d["lat"]) if mode == "position" and d.get("lat") is not None else "",
                "lon": str(d["lon"]) if mode == "position" and d.get("lon") is not None else "",
            },
        }


YES_NO = [("yes", _("Oui")), ("no", _("Non"))]


class DetailsForm(forms.Form):
    """Circumstances; the questions depend on the event."""

    description = forms.CharField(label=_("Décrivez ce qui s'est passé"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=_("Ce qui est abîmé, l'origine si vous la connaissez, ce que vous avez "
                                              "déjà fait pour limiter les dégâts."),
                                  error_messages={"required": _("Décrivez en quelques mots ce qui s'est passé."),
                                                  "max_length": _("5 000 caractères au maximum.")})
    neighbour_involved = forms.ChoiceField(label=_("Un voisin ou le syndic est-il concerné ?"), choices=YES_NO,
                                           required=False, widget=forms.RadioSelect)
    neighbour_insurer = forms.CharField(label=_("Assureur du voisin (si vous le connaissez)"), required=False,
                                        max_length=120)
    water_source = forms.ChoiceField(label=_("Origine de l'eau"), required=False, choices=[
        ("", _("Je ne sais pas")), ("leak", _("Fuite d'une canalisation")), ("appliance", _("Appareil (lave-linge…)")),
        ("infiltration", _("Infiltration (toit, façade)")), ("overflow", _("Débordement")),
        ("neighbour", _("Vient d'un voisin")),
    ])
    police_report_number = forms.CharField(label=_("Numéro du dépôt de plainte"), required=False, max_length=60,
                                           help_text=_("Obligatoire pour un vol : vous pouvez le compléter plus tard."))
    break_in = forms.ChoiceField(label=_("Y a-t-il eu effraction ?"), choices=YES_NO, required=False,
                                 widget=forms.RadioSelect)
    decree_date = forms.DateField(label=_("Date de publication de l'arrêté de catastrophe naturelle"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("Au Journal officiel. Laissez vide s'il n'est pas encore publié."),
                                  error_messages={"invalid": _("Saisissez une date valide.")})
    fire_brigade = forms.ChoiceField(label=_("Les pompiers sont-ils intervenus ?"), choices=YES_NO, required=False,
                                     widget=forms.RadioSelect)
    third_party_damage = forms.CharField(label=_("Quels dommages avez-vous causés à l'autre personne ?"),
                                         required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    EVENT_FIELDS = {
        "water": ["neighbour_involved", "neighbour_insurer", "water_source"],
        "theft": ["police_report_number", "break_in"],
        "vandalism": ["police_report_number", "break_in"],
        "natcat": ["decree_date"],
        "subsidence": ["decree_date"],
        "fire": ["fire_brigade"],
        "liability": ["third_party_damage"],
    }

    def __init__(self, *args, event: str = "other", **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        keep = {"description", *self.EVENT_FIELDS.get(event, [])}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def clean_decree_date(self):
        value = self.cleaned_data.get("decree_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("La date de l'arrêté ne peut pas être dans le futur."))
        return value

    def to_values(self) -> dict:
        values = {}
        for name, value in self.cleaned_data.items():
            if name in {"neighbour_involved", "break_in", "fire_brigade"}:
                values[name] = value == "yes"
            elif name == "decree_date":
                values[name] = value.isoformat() if value else ""
            else:
                values[name] = _clean_text(value)
        return values


class ItemForm(forms.Form):
    label = forms.CharField(label=_("Bien endommagé"), max_length=150, required=False)
    category = forms.ChoiceField(label=_("Catégorie"), choices=list(ITEM_CATEGORY_LABELS.items()), required=False)
    amount = forms.DecimalField(label=_("Valeur estimée (€)"), required=False, max_digits=12, decimal_places=2,
                                error_messages={"invalid": _("Saisissez un montant en euros, par exemple 350,00.")},
                                localize=True)
    age_years = forms.DecimalField(label=_("Âge (années)"), required=False, max_digits=4, decimal_places=1,
                                   min_value=0, max_value=99, localize=True,
                                   error_messages={"invalid": _("Saisissez un âge en années."),
                                                   "min_value": _("L'âge ne peut pas être négatif."),
                                                   "max_value": _("99 ans au maximum.")})

    def clean(self):
        data = super().clean()
        label, amount = _clean_text(data.get("label", "")), data.get("amount")
        if not label and amount is None:
            return data  # an empty row is ignored
        if not label:
            self.add_error("label", _("Indiquez le bien endommagé."))
        if amount is None:
            self.add_error("amount", _("Indiquez une valeur estimée."))
        elif amount <= 0:
            self.add_error("amount", _("Le montant doit être positif."))
        elif amount > MAX_AMOUNT:
            self.add_error("amount", _("Ce montant semble trop élevé : 2 000 000 € au maximum par bien."))
        data["label"] = label
        return data


ItemFormSet = forms.formset_factory(ItemForm, extra=0, max_num=50, absolute_max=50)


class ThirdPartyForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=120, required=False)
    role = forms.ChoiceField(label=_("Rôle"), required=False, choices=[
        ("neighbour", _("Voisin")), ("landlord", _("Propriétaire ou syndic")), ("witness", _("Témoin")),
        ("responsible", _("Responsable présumé")), ("victim", _("Victime")), ("other", _("Autre")),
    ])
    insurer = forms.CharField(label=_("Assureur"), max_length=120, required=False)
    contact = forms.CharField(label=_("Téléphone ou e-mail"), max_length=120, required=False)

    def clean(self):
        data = super().clean()
        for key in ("name", "insurer", "contact"):
            data[key] = _clean_text(data.get(key, ""))
        if not data["name"] and (data["insurer"] or data["contact"]):
            self.add_error("name", _("Indiquez le nom de cette personne."))
        return data


ThirdPartyFormSet = forms.formset_factory(ThirdPartyForm, extra=0, max_num=20, absolute_max=20)


class BankForm(forms.Form):
    iban = forms.CharField(label=_("IBAN du compte pour l'indemnité"), max_length=42, required=False,
                           help_text=_("Commence par FR76 pour un compte en France."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                         "autocapitalize": "characters",
                                                         # never copied to the browser's local storage
                                                         "data-no-local-copy": ""}))
    holder = forms.CharField(label=_("Titulaire du compte"), max_length=120, required=False)
    later = forms.BooleanField(label=_("Je donnerai mes coordonnées bancaires plus tard"), required=False)

    def clean(self):
        data = super().clean()
        iban = (data.get("iban") or "").replace(" ", "").upper()
        if data.get("later") and not iban:
            return data
        if not iban:
            self.add_error("iban", _("Saisissez votre IBAN ou cochez « plus tard »."))
            return data
        try:
            data["iban"] = str(IBAN(iban).compact)
        except SchwiftyException:
            self.add_error("iban", _("Cet IBAN n'est pas valide : vérifiez les caractères saisis."))
        if not _clean_text(data.get("holder", "")):
            self.add_error("holder", _("Indiquez le titulaire du compte."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceUploadForm(forms.Form):
    files = forms.FileField(label=_("Photos et documents"), required=False,
                            widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}),
                            help_text=_("Photos (JPEG, PNG, HEIC, WebP) ou PDF : 20 Mo et 30 fichiers au maximum."))
    kind = forms.ChoiceField(label=_("Type de document"), required=False, choices=[
        ("photo", _("Photo des dommages")), ("invoice", _("Facture")), ("police_report", _("Dépôt de plainte")),
        ("joint_report", _("Constat amiable")), ("estimate", _("Devis")), ("other", _("Autre")),
    ], error_messages={"invalid_choice": _("Choisissez le type de document dans la liste.")})


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Votre message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": _("Écrivez votre message."),
                                           "max_length": _("5 000 caractères au maximum.")})


# --- Back-office forms ----------------------------------------------------------------------
class ExpertForm(forms.Form):
    expert_name = forms.CharField(label=_("Expert ou cabinet"), max_length=150)


class VisitForm(forms.Form):
    visit_date = forms.DateField(label=_("Date de la visite"), widget=forms.DateInput(attrs={"type": "date"}))
    slot = forms.ChoiceField(label=_("Créneau"), choices=VisitSlot.choices)


class RefusalForm(forms.Form):
    reason = forms.CharField(label=_("Motif du refus"), widget=forms.Textarea(attrs={"rows": 3}), min_length=10,
                             max_length=2000, error_messages={"min_length": _("Motivez le refus (10 caractères au moins).")})


class ReportForm(forms.Form):
    report = forms.FileField(label=_("Rapport d'expertise (PDF)"))


class SettlementItemForm(forms.Form):
    label = forms.CharField(label=_("Bien"), max_length=150, required=False)
    category = forms.ChoiceField(label=_("Catégorie"), choices=list(ITEM_CATEGORY_LABELS.items()), required=False)
    replacement_value = forms.DecimalField(label=_("Valeur à neuf (€)"), required=False, min_value=0,
                                           max_value=MAX_AMOUNT, max_digits=12, decimal_places=2, localize=True)
    age_years = forms.DecimalField(label=_("Âge (années)"), required=False, min_value=0, max_value=99, max_digits=4,
                                   decimal_places=1, localize=True)
    has_invoice_for_new = forms.BooleanField(label=_("Facture de remplacement"), required=False)


SettlementItemFormSet = forms.formset_factory(SettlementItemForm, extra=3, max_num=50, absolute_max=50)


class SettlementForm(forms.Form):
    declared_capital = forms.DecimalField(label=_("Capital déclaré (€)"), required=False, min_value=0,
                                          max_digits=12, decimal_places=2, localize=True)
    required_capital = forms.DecimalField(label=_("Capital qui aurait dû être déclaré (€)"), required=False,
                                          min_value=0, max_digits=12, decimal_places=2, localize=True)
    building_required_capital = forms.DecimalField(
        label=_("Valeur de reconstruction à neuf du bâtiment constatée (€)"), required=False, min_value=0,
        max_digits=12, decimal_places=2, localize=True,
        help_text=_("Propriétaire : comparée au capital bâtiment du contrat (règle proportionnelle, L121-5)."))


class QueueFilterForm(forms.Form):
    event = forms.ChoiceField(label=_("Événement"), required=False, choices=[("", _("Tous")), *ClaimEvent.choices])
    status = forms.ChoiceField(label=_("Étape"), required=False, choices=[("", _("Ouverts"))])
    age = forms.ChoiceField(label=_("Ancienneté"), required=False, choices=[
        ("", _("Toutes")), ("7", _("Plus de 7 jours")), ("30", _("Plus de 30 jours"))])
    min_amount = forms.DecimalField(label=_("Montant minimum (€)"), required=False, min_value=0, localize=True)
    deadline_risk = forms.BooleanField(label=_("Délai légal en danger"), required=False)
    mine = forms.BooleanField(label=_("Mes dossiers"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from abri.claims.choices import ClaimStatus

        self.fields["status"].choices = [("", _("Ouverts")), *ClaimStatus.choices]
