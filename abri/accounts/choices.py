"""Choices for identities."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Civility(models.TextChoices):
    MADAME = "mme", _("Madame")
    MONSIEUR = "m", _("Monsieur")
    OTHER = "", _("Non précisé")


class StaffRole(models.TextChoices):
    ADVISOR = "advisor", _("Conseiller")
    CLAIMS_HANDLER = "claims_handler", _("Gestionnaire sinistres")
    ADMINISTRATOR = "administrator", _("Administrateur")
    ACCOUNTING = "accounting", _("Comptabilité")
