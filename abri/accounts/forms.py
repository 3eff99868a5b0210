"""Forms for customer identity (shape only; services decide).

A malformed field is refused here with a French message beside it, and never counts as an attempt.
"""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abri.accounts.numbers import is_valid_customer_number, normalize_customer_number

PIN_ATTRS = {"inputmode": "numeric", "pattern": "[0-9]*", "maxlength": "6", "class": "pin-input"}
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{4,14}$")


class CustomerNumberField(forms.CharField):
    """9 characters, case, spaces and dashes forgiven, check character validated."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Numéro client"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("9 caractères, indiqués sur vos courriers et votre carte d'assuré."))
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "autocomplete": "username", "autocapitalize": "characters", "spellcheck": "false"}))
        kwargs.setdefault("error_messages", {
            "required": _("Saisissez votre numéro client."),
            "max_length": _("Le numéro client comporte 9 caractères."),
        })
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        number = normalize_customer_number(value)
        if not is_valid_customer_number(number):
            raise forms.ValidationError(
                _("Ce numéro client n'est pas valide : vérifiez les 9 caractères (lettres et chiffres)."))
        return number


class PinField(forms.CharField):
    """Exactly 6 ASCII digits."""

    def __init__(self, *, autocomplete: str = "current-password", **kwargs):
        kwargs.setdefault("label", _("Code secret"))
        kwargs.setdefault("help_text", _("6 chiffres."))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("strip", True)
        kwargs.setdefault("widget", forms.PasswordInput(attrs={**PIN_ATTRS, "autocomplete": autocomplete}))
        kwargs.setdefault("error_messages", {
            "required": _("Saisissez votre code secret."),
            "max_length": _("Le code secret comporte 6 chiffres."),
        })
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if len(value) != 6 or not value.isascii() or not value.isdigit():
            raise forms.ValidationError(_("Le code secret comporte 6 chiffres."))
        return value


class BirthDateField(forms.DateField):
    """JJ/MM/AAAA (also AAAA-MM-JJ), in the past."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Date de naissance"))
        kwargs.setdefault("help_text", _("Au format JJ/MM/AAAA, par exemple 17/04/1986."))
        kwargs.setdefault("input_formats", ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d%m%Y"])
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "bday", "inputmode": "numeric",
                                                           "maxlength": "10"}))
        kwargs.setdefault("error_messages", {
            "required": _("Saisissez votre date de naissance."),
            "invalid": _("Saisissez la date au format JJ/MM/AAAA, par exemple 17/04/1986."),
        })
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and len(value) > 20:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)

    def clean(self, value):
        value = super().clean(value)
        if value is not None and not (date(1900, 1, 1) <= value <= timezone.localdate()):
            raise forms.ValidationError(_("Cette date de naissance n'est pas plausible."))
        return value


class VerificationCodeField(forms.CharField):
    """A 6-digit code, or a recovery/postal code (letters, digits, dashes)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Code de vérification"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false",
            "autocapitalize": "characters"}))
        kwargs.setdefault("error_messages", {
            "required": _("Saisissez le code reçu."),
            "max_length": _("Ce code est trop long : vérifiez-le."),
        })
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value.isascii() or not CODE_RE.match(value):
            raise forms.ValidationError(_("Le code ne contient que des chiffres (et parfois des lettres)."))
        return value


CHANNEL_CHOICES = [("sms", _("Par SMS, au numéro de mobile enregistré")),
                   ("email", _("Par e-mail, à l'adresse enregistrée"))]


class LoginForm(forms.Form):
    """Customer number + PIN. A malformed number is refused before any attempt is counted."""

    customer_number = CustomerNumberField()
    pin = PinField()


class SecondFactorForm(forms.Form):
    """The second-factor step of a login or a step-up."""

    code = VerificationCodeField()
    trust_device = forms.BooleanField(
        label=_("Faire confiance à cet appareil (ne pas redemander de code ici)"), required=False)


class StepUpForm(forms.Form):
    code = VerificationCodeField()


class ActivationForm(forms.Form):
    customer_number = CustomerNumberField()
    contract_number = forms.CharField(
        label=_("Numéro de contrat"), max_length=20,
        help_text=_("Indiqué sur vos conditions particulières, par exemple MRH-2024-000123."),
        error_messages={"required": _("Saisissez votre numéro de contrat."),
                        "max_length": _("Le numéro de contrat comporte au plus 20 caractères.")},
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    birth_date = BirthDateField()
    channel = forms.ChoiceField(label=_("Recevoir le code"), choices=CHANNEL_CHOICES, initial="sms",
                                widget=forms.RadioSelect)

    def clean_contract_number(self) -> str:
        value = self.cleaned_data["contract_number"].strip().upper()
        if not value.isascii() or not re.fullmatch(r"[A-Z0-9][A-Z0-9 \-/]{2,19}", value):
            raise forms.ValidationError(_("Ce numéro de contrat n'est pas valide : lettres, chiffres et tirets."))
        return value


class NewPinForm(forms.Form):
    """Choose a PIN twice; trivial PINs are refused by the service (message shown beside the field)."""

    pin = PinField(label=_("Nouveau code secret"), autocomplete="new-password",
                   help_text=_("6 chiffres, ni suite (123456), ni chiffres identiques, ni votre date de naissance."))
    pin_confirm = PinField(label=_("Confirmez le code secret"), autocomplete="new-password", help_text="")

    def __init__(self, *args, birth_date: date | None = None, ask_totp: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.birth_date = birth_date
        if ask_totp:
            self.fields["totp_code"] = VerificationCodeField(
                label=_("Code de votre application d'authentification"),
                help_text=_("Ou l'un de vos codes de secours."))

    def clean(self):
        from abri.accounts.services import pin_problem

        data = super().clean()
        pin, confirm = data.get("pin"), data.get("pin_confirm")
        if pin:
            problem = pin_problem(pin, birth_date=self.birth_date)
            if problem:
                self.add_error("pin", problem)
            elif confirm and confirm != pin:
                self.add_error("pin_confirm", _("Les deux codes secrets ne sont pas identiques."))
        return data


class ActivationPinForm(NewPinForm):
    trust_device = forms.BooleanField(label=_("Faire confiance à cet appareil"), required=False)


class ChangePinForm(NewPinForm):
    current_pin = PinField(label=_("Code secret actuel"), help_text="")

    field_order = ["current_pin", "pin", "pin_confirm"]


class RecoveryForm(forms.Form):
    customer_number = CustomerNumberField()
    birth_date = BirthDateField()
    channel = forms.ChoiceField(label=_("Recevoir"), widget=forms.RadioSelect, initial="email", choices=[
        ("email", _("Un lien par e-mail (valable 1 heure)")),
        ("sms", _("Un code par SMS (valable 5 minutes)")),
    ])


class NumberReminderForm(forms.Form):
    contact = forms.CharField(
        label=_("Votre e-mail ou votre numéro de mobile"), max_length=254,
        help_text=_("Celui que vous nous avez communiqué."),
        error_messages={"required": _("Saisissez votre e-mail ou votre numéro de mobile."),
                        "max_length": _("Cette valeur est trop longue.")},
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )

    def clean_contact(self) -> str:
        value = self.cleaned_data["contact"].strip()
        if "@" in value:
            try:
                validate_email(value)
            except forms.ValidationError as exc:
                raise forms.ValidationError(_("Cette adresse e-mail n'est pas valide.")) from exc
            return value
        digits = "".join(ch for ch in value if ch.isdigit())
        if not value.isascii() or not re.fullmatch(r"[0-9 +.\-()]{9,20}", value) or len(digits) < 9:
            raise forms.ValidationError(_("Saisissez une adresse e-mail ou un numéro de mobile, par exemple "
                                          "06 12 34 56 78."))
        return value


class ContactDetailsForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254,
                             error_messages={"invalid": _("Cette adresse e-mail n'est pas valide."),
                                             "required": _("Saisissez votre e-mail.")})
    phone = forms.CharField(label=_("Téléphone mobile"), max_length=20, help_text=_("Par exemple 06 12 34 56 78."),
                            error_messages={"required": _("Saisissez votre numéro de mobile."),
                                            "max_length": _("Ce numéro est trop long.")})

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"].strip()
        digits = "".join(ch for ch in value if ch.isdigit())
        if not value.isascii() or not re.fullmatch(r"[0-9 +.\-()]{9,20}", value):
            raise forms.ValidationError(_("Saisissez un numéro de mobile, par exemple 06 12 34 56 78."))
        if digits.startswith("0") and len(digits) == 10:
            return "+33" + digits[1:]
        if digits.startswith("33") and len(digits) == 11:
            return "+" + digits
        raise forms.ValidationError(_("Saisissez un numéro de mobile français, par exemple 06 12 34 56 78."))


class TotpConfirmForm(forms.Form):
    code = VerificationCodeField(label=_("Code affiché par l'application"))
