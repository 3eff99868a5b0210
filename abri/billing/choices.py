"""Choices for billing."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduleStatus(models.TextChoices):
    UPCOMING = "upcoming", _("À venir")
    PAID = "paid", _("Payée")
    FAILED = "failed", _("Impayée")
    CANCELLED = "cancelled", _("Annulée")


class PaymentMethod(models.TextChoices):
    DIRECT_DEBIT = "direct_debit", _("Prélèvement")
    CARD = "card", _("Carte bancaire")
    TRANSFER = "transfer", _("Virement")
