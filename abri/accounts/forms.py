"""Forms for customer identity (shape only; services decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from abri.accounts.numbers import is_valid_customer_number, normalize_customer_number


class LoginForm(forms.Form):
    """Customer number + PIN. A malformed number is refused before any attempt is counted."""

    customer_number = forms.CharField(
        label=_("Numéro client"),
        max_length=20,
        help_text=_("9 caractères, indiqués sur vos courriers et votre carte d'assuré."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "characters",
                                      "spellcheck": "false"}),
        error_messages={"required": _("Saisissez votre numéro client.")},
    )
    pin = forms.CharField(
        label=_("Code secret"),
        max_length=6,
        min_length=6,
        help_text=_("6 chiffres."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "inputmode": "numeric",
                                          "pattern": "[0-9]*"}),
        error_messages={
            "required": _("Saisissez votre code secret."),
            "min_length": _("Le code secret comporte 6 chiffres."),
            "max_length": _("Le code secret comporte 6 chiffres."),
        },
    )

    def clean_customer_number(self) -> str:
        number = normalize_customer_number(self.cleaned_data["customer_number"])
        if not is_valid_customer_number(number):
            raise forms.ValidationError(
                _("Ce numéro client n'est pas valide : vérifiez les 9 caractères (lettres et chiffres).")
            )
        return number

    def clean_pin(self) -> str:
        pin = self.cleaned_data["pin"]
        if not pin.isascii() or not pin.isdigit():
            raise forms.ValidationError(_("Le code secret comporte 6 chiffres."))
        return pin
