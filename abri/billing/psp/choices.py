"""Statuses of card payments (Abri's side) and of the sandbox PSP's own payments."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CardPaymentStatus(models.TextChoices):
    CREATED = "created", _("Créé")
    REQUIRES_ACTION = "requires_action", _("Authentification 3-D Secure demandée")
    SUCCEEDED = "succeeded", _("Accepté")
    FAILED = "failed", _("Refusé")
    CANCELLED = "cancelled", _("Annulé")
    REFUNDED = "refunded", _("Remboursé")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("En cours")
    SUCCEEDED = "succeeded", _("Effectué")
    FAILED = "failed", _("Échoué")


class SandboxStatus(models.TextChoices):
    REQUIRES_PAYMENT_METHOD = "requires_payment_method", _("En attente de la carte")
    REQUIRES_ACTION = "requires_action", _("3-D Secure en attente")
    SUCCEEDED = "succeeded", _("Payé")
    FAILED = "failed", _("Refusé")
    CANCELLED = "cancelled", _("Annulé")
