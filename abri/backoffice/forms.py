"""Back-office forms (shape only: the services decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StaffLoginForm(forms.Form):
    """Staff e-mail + password."""

    email = forms.EmailField(
        label=_("Adresse e-mail professionnelle"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
        error_messages={
            "required": _("Saisissez votre adresse e-mail."),
            "invalid": _("Saisissez une adresse e-mail valide, par exemple prenom.nom@assureur.fr."),
        },
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Saisissez votre mot de passe.")},
    )


class StaffCodeForm(forms.Form):
    """A 6-digit code from the authenticator app (or a recovery code when allowed)."""

    code = forms.CharField(
        label=_("Code de vérification"),
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}),
        error_messages={"required": _("Saisissez le code affiché par votre application.")},
    )

    def __init__(self, *args, allow_recovery: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_recovery = allow_recovery
        self.fields["code"].help_text = (
            _("Les 6 chiffres affichés par votre application d'authentification, ou un code de secours.")
            if allow_recovery else _("Les 6 chiffres affichés par votre application d'authentification.")
        )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        digits = code.replace("-", "")
        if not code.isascii() or not digits.isdigit() or len(digits) not in ({6, 10} if self.allow_recovery else {6}):
            raise forms.ValidationError(_("Le code de vérification comporte 6 chiffres."))
        return code


class CustomerSearchForm(forms.Form):
    """The back-office search box."""

    q = forms.CharField(
        label=_("Rechercher un client"),
        min_length=2,
        max_length=100,
        help_text=_("Numéro client, nom de famille (suivi du prénom si besoin), e-mail, numéro de contrat "
                    "ou de sinistre. Majuscules et accents indifférents."),
        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "required": _("Saisissez ce que vous cherchez."),
            "min_length": _("Saisissez au moins 2 caractères."),
            "max_length": _("100 caractères au plus."),
        },
    )
