"""Choices for billing."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduleStatus(models.TextChoices):
    UPCOMING = "upcoming", _("À venir")
    PAID = "paid", _("Payée")
    FAILED = "failed", _("Rejetée")
    REFUNDED = "refunded", _("Remboursée")
    CANCELLED = "cancelled", _("Annulée")


class PaymentMethod(models.TextChoices):
    DIRECT_DEBIT = "direct_debit", _("Prélèvement")
    CARD = "card", _("Carte bancaire")
    TRANSFER = "transfer", _("Virement")


class PaymentKind(models.TextChoices):
    """What a line of the payment history is (a ScheduleItem with a blank kind is classified from its reference)."""

    PREMIUM = "premium", _("Cotisation")
    ADJUSTMENT = "adjustment", _("Ajustement d'avenant")
    ADJUSTMENT_REFUND = "adjustment_refund", _("Remboursement d'avenant")
    TERMINATION_REFUND = "termination_refund", _("Remboursement de résiliation")
    INDEMNITY = "indemnity", _("Indemnité de sinistre")
    REGULARISATION = "regularisation", _("Régularisation")


class HistoryStatus(models.TextChoices):
    """The status shown in the payment history, for every source (schedule, indemnities)."""

    UPCOMING = "upcoming", _("À venir")
    OVERDUE = "overdue", _("En retard")
    PAID = "paid", _("Payé")
    RECEIVED = "received", _("Versé")
    FAILED = "failed", _("Rejeté")
    REFUNDED = "refunded", _("Remboursé")
    CANCELLED = "cancelled", _("Annulé")


class BillingNoticeKind(models.TextChoices):
    """A step of the reminders, the renewal notice and the unpaid-premium procedure (L113-3)."""

    REMINDER = "reminder", _("Rappel d'échéance")
    RENEWAL_NOTICE = "renewal_notice", _("Avis d'échéance")
    FORMAL_NOTICE = "formal_notice", _("Mise en demeure")
    SUSPENSION = "suspension", _("Suspension des garanties")
    RESUMPTION = "resumption", _("Remise en vigueur des garanties")
    TERMINATION = "termination", _("Résiliation pour non-paiement")
