"""Statuses and kinds of certificates (attestations)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateKind(models.TextChoices):
    """Kinds of certificate (attestation) a customer can issue."""

    TENANT = "tenant", _("Attestation locative (pour le bailleur)")
    LENDER = "lender", _("Attestation pour l'organisme prêteur")
    TEMPORARY = "temporary", _("Attestation temporaire")
    SCHOOL = "school", _("Attestation responsabilité civile scolaire")


class VerificationOutcome(models.TextChoices):
    """What a public verification found."""

    VALID = "valid", _("Valide")
    NOT_YET_VALID = "not_yet_valid", _("Pas encore en vigueur")
    EXPIRED = "expired", _("Expirée")
    REVOKED = "revoked", _("Révoquée")
    UNKNOWN = "unknown", _("Inconnue")
    MALFORMED = "malformed", _("Numéro mal formé")
