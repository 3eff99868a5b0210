"""Vault search form: the query and its combinable filters, with French messages beside each field."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from abri.core.formats import day as day_in_words
from abri.documents.choices import DocumentKind, GuaranteeCategory
from abri.documents.models import Document
from abri.documents.search import MAX_QUERY_LENGTH, ORDER_DATE, ORDER_RELEVANCE, SearchFilters

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
MAX_AMOUNT = Decimal("9999999999.99")
_AMOUNT = re.compile(r"^\d+(?:[.,]\d{1,2})?$")
# The models a document points to (documents sits below contracts: no import of abri.contracts).
Contract = Document._meta.get_field("contract").related_model
Property = Document._meta.get_field("property").related_model


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.number


class PropertyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.address_line}, {obj.postcode} {obj.city}"


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Saisissez une date valide, par exemple 31/12/2025.")},
    )


class DocumentSearchForm(forms.Form):
    """What the customer typed and chose; validated here, searched by abri.documents.search."""

    q = forms.CharField(
        label=_("Rechercher dans mes documents"),
        required=False,
        strip=True,
        help_text=_("Un ou plusieurs mots, par exemple « dégât des eaux » ou un numéro de contrat."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )
    kind = forms.ChoiceField(
        label=_("Type de document"),
        required=False,
        choices=[("", _("Tous les types")), *DocumentKind.choices],
        error_messages={"invalid_choice": _("Choisissez un type de document dans la liste.")},
    )
    date_from = _date_field(_("Du"))
    date_to = _date_field(_("Au"))
    amount_min = forms.CharField(label=_("Montant minimum (€)"), required=False,
                                 widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    amount_max = forms.CharField(label=_("Montant maximum (€)"), required=False,
                                 widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    category = forms.ChoiceField(
        label=_("Garantie"),
        required=False,
        choices=[("", _("Toutes les garanties")), *GuaranteeCategory.choices],
        error_messages={"invalid_choice": _("Choisissez une garantie dans la liste.")},
    )
    contract = ContractChoiceField(
        label=_("Contrat"),
        required=False,
        queryset=Contract.objects.none(),
        empty_label=_("Tous les contrats"),
        error_messages={"invalid_choice": _("Choisissez un de vos contrats dans la liste.")},
    )
    property = PropertyChoiceField(
        label=_("Bien assuré"),
        required=False,
        queryset=Property.objects.none(),
        empty_label=_("Tous les biens"),
        error_messages={"invalid_choice": _("Choisissez un de vos biens dans la liste.")},
    )
    order = forms.ChoiceField(
        label=_("Trier par"),
        required=False,
        choices=[(ORDER_RELEVANCE, _("Pertinence")), (ORDER_DATE, _("Date (plus récent d'abord)"))],
        error_messages={"invalid_choice": _("Choisissez un tri dans la liste.")},
    )

    FILTER_FIELDS = ("kind", "date_from", "date_to", "amount_min", "amount_max", "category", "contract", "property")

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the customer's own contracts and properties can be chosen: another id is an invalid choice.
        self.fields["contract"].queryset = Contract.objects.for_customer(customer).order_by("number")
        self.fields["property"].queryset = Property.objects.for_customer(customer).order_by("city", "id")

    def clean_q(self) -> str:
        value = self.cleaned_data.get("q", "")
        if len(value) > MAX_QUERY_LENGTH:
            raise forms.ValidationError(
                _("La recherche est limitée à %(max)d caractères (vous en avez saisi %(n)d). Raccourcissez-la."),
                params={"max": MAX_QUERY_LENGTH, "n": len(value)},
            )
        return value

    def _clean_amount(self, name: str) -> Decimal | None:
        raw = self.cleaned_data.get(name, "")
        cleaned = raw.replace("€", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "").strip()
        if not cleaned:
            return None
        if cleaned.startswith("-"):
            raise forms.ValidationError(_("Saisissez un montant positif, par exemple 150 ou 150,50."))
        if not _AMOUNT.match(cleaned):
            raise forms.ValidationError(_("Saisissez un montant en euros, par exemple 150 ou 150,50."))
        try:
            amount = Decimal(cleaned.replace(",", "."))
        except InvalidOperation as exc:
            raise forms.ValidationError(_("Saisissez un montant en euros, par exemple 150 ou 150,50.")) from exc
        if amount > MAX_AMOUNT:
            raise forms.ValidationError(_("Ce montant est trop grand."))
        return amount

    def clean_amount_min(self):
        return self._clean_amount("amount_min")

    def clean_amount_max(self):
        return self._clean_amount("amount_max")

    def clean(self):
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("La date de fin doit être égale ou postérieure à la date de début (%(d)s).")
                           % {"d": day_in_words(date_from)})
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", _("Le montant maximum doit être supérieur ou égal au montant minimum."))
        return data

    def has_filters(self) -> bool:
        """Whether a filter is set or wrong (the filters panel is then shown open)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return any(data.get(name) not in (None, "") for name in self.FILTER_FIELDS) or any(
            self.errors.get(name) for name in self.FILTER_FIELDS
        )

    def search_filters(self) -> SearchFilters:
        return SearchFilters.from_mapping({k: self.cleaned_data.get(k) for k in self.FILTER_FIELDS})
