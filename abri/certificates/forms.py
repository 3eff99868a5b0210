"""Forms for certificates: the customer's request and the public verification (shape only; services decide)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abri.certificates.choices import CertificateKind
from abri.certificates.rules import (
    certificate_kinds_for,
    certificate_number_is_valid,
    certificate_number_normalize,
    school_years_offered,
)

# Fields each kind needs, beyond the contract and the kind (used by the template and clean()).
KIND_FIELDS = {
    CertificateKind.TEMPORARY: ("valid_from", "valid_until"),
    CertificateKind.SCHOOL: ("child_first_name", "child_last_name", "school_year"),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CertificateRequestForm(forms.Form):
    """Which contract, which kind, and the extra fields of temporary and school certificates."""

    contract = forms.ChoiceField(label=_("Contrat"))
    kind = forms.ChoiceField(label=_("Type d'attestation"), choices=CertificateKind.choices, widget=forms.RadioSelect)
    valid_from = forms.DateField(
        label=_("Début de validité"), required=False, widget=DateInput(),
        help_text=_("Attestation temporaire : 30 jours au plus."),
    )
    valid_until = forms.DateField(label=_("Fin de validité"), required=False, widget=DateInput())
    child_first_name = forms.CharField(label=_("Prénom de l'enfant"), max_length=80, required=False)
    child_last_name = forms.CharField(label=_("Nom de l'enfant"), max_length=80, required=False)
    school_year = forms.ChoiceField(label=_("Année scolaire"), required=False)

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        self.contracts = {c.number: c for c in contracts}
        # A certificate states only what is covered: offer the kinds that apply to at least one contract,
        # and say for each contract why the others do not (KindEligibility.reason).
        self.eligibility = {c.number: certificate_kinds_for(contract=c) for c in contracts}
        offered = {e.kind for kinds in self.eligibility.values() for e in kinds if e.eligible}
        self.fields["kind"].choices = [(value, label) for value, label in CertificateKind.choices if value in offered]
        self.fields["contract"].choices = [
            (c.number, f"{c.number} — {c.property.full_address}") for c in contracts
        ]
        if len(contracts) == 1:
            self.fields["contract"].initial = contracts[0].number
        self.fields["school_year"].choices = [("", _("Choisir"))] + [
            (year, year) for year in school_years_offered(timezone.localdate())
        ]
        self.fields["child_first_name"].widget.attrs["autocomplete"] = "off"
        self.fields["child_last_name"].widget.attrs["autocomplete"] = "off"

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        required_messages = {
            "valid_from": _("Indiquez la date de début."),
            "valid_until": _("Indiquez la date de fin."),
            "child_first_name": _("Indiquez le prénom de l'enfant."),
            "child_last_name": _("Indiquez le nom de l'enfant."),
            "school_year": _("Choisissez l'année scolaire."),
        }
        for name in KIND_FIELDS.get(kind, ()):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, required_messages[name])
        for eligibility in self.eligibility.get(data.get("contract"), ()):
            if eligibility.kind == kind and not eligibility.eligible:
                self.add_error("kind", eligibility.reason)
        return data

    @property
    def offered_kinds(self) -> list[str]:
        return [value for value, _label in self.fields["kind"].choices]

    def unavailable(self) -> list[tuple]:
        """[(contract, [KindEligibility not applying, with its reason])] for the page."""
        return [(self.contracts[number], [e for e in kinds if not e.eligible])
                for number, kinds in self.eligibility.items() if any(not e.eligible for e in kinds)]

    @property
    def selected_contract(self):
        return self.contracts.get(self.cleaned_data.get("contract"))


class VerificationForm(forms.Form):
    """« Numéro d'attestation », as printed on the certificate."""

    numero = forms.CharField(
        label=_("Numéro d'attestation"), max_length=40,
        help_text=_("Tel qu'imprimé sur l'attestation, par exemple ATT-2026-7KQ4M2XD."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
        error_messages={"required": _("Saisissez le numéro d'attestation."),
                        "max_length": _("Ce numéro est trop long : il a la forme ATT-2026-7KQ4M2XD.")},
    )

    def clean_numero(self):
        number = certificate_number_normalize(self.cleaned_data["numero"])
        if not certificate_number_is_valid(number):
            raise forms.ValidationError(
                _("Ce numéro n'a pas la bonne forme : ATT, l'année, puis 8 lettres ou chiffres (ex. ATT-2026-7KQ4M2XD).")
            )
        return number
