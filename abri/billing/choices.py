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
    CHEQUE = "cheque", _("Chèque")


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
    PARTIAL = "partial", _("Partiellement payé")
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


class MandateStatus(models.TextChoices):
    """Where a SEPA direct-debit mandate stands: only an active one is collected."""

    ACTIVE = "active", _("Actif")
    REPLACED = "replaced", _("Remplacé")
    REVOKED = "revoked", _("Révoqué")
    LAPSED = "lapsed", _("Caduc (inutilisé depuis 36 mois)")
    ACCOUNT_CLOSED = "account_closed", _("Compte clôturé")


class SequenceType(models.TextChoices):
    """The SEPA sequence type of a debit: the first collection of a mandate, then the recurring ones."""

    FIRST = "FRST", _("Premier prélèvement")
    RECURRING = "RCUR", _("Prélèvement récurrent")


class CollectionStatus(models.TextChoices):
    SENT = "sent", _("Transmis à la banque")
    RETURNED = "returned", _("Rejeté par la banque")


class TransferStatus(models.TextChoices):
    """How a credit line of the insurer's bank statement was reconciled."""

    PAID = "paid", _("Rapproché : payé")
    PARTIAL = "partial", _("Rapproché : paiement partiel")
    OVERPAID = "overpaid", _("Rapproché : trop-perçu")
    UNMATCHED = "unmatched", _("À traiter : référence inconnue")
    INVALID = "invalid", _("À traiter : montant invalide")


# SEPA R-transaction reason codes (EPC rulebook, ISO 20022 ExternalStatusReason1Code) as a customer reads them.
RETURN_REASONS = {
    "AC01": _("numéro de compte erroné"),
    "AC04": _("compte clôturé"),
    "AC06": _("compte bloqué"),
    "AC13": _("compte d'un professionnel"),
    "AG01": _("prélèvement interdit sur ce compte"),
    "AG02": _("opération invalide"),
    "AM04": _("provision insuffisante"),
    "AM05": _("prélèvement en double"),
    "BE05": _("créancier non reconnu"),
    "CNOR": _("banque du créancier non joignable"),
    "DNOR": _("banque du débiteur non joignable"),
    "FF01": _("fichier invalide"),
    "MD01": _("pas de mandat"),
    "MD02": _("mandat incomplet"),
    "MD06": _("remboursement demandé par le débiteur"),
    "MD07": _("titulaire du compte décédé"),
    "MS02": _("refus du débiteur"),
    "MS03": _("refus de la banque"),
    "RC01": _("code BIC erroné"),
    "RR01": _("identité du débiteur manquante"),
    "RR02": _("nom ou adresse du débiteur manquant"),
    "RR03": _("nom ou adresse du créancier manquant"),
    "RR04": _("raison réglementaire"),
    "SL01": _("service de la banque du débiteur"),
}
# Returns after which the mandate cannot be used again: the customer gives another account or another method.
RETURN_ENDS_MANDATE = {"AC01": MandateStatus.ACCOUNT_CLOSED, "AC04": MandateStatus.ACCOUNT_CLOSED,
                       "AC06": MandateStatus.ACCOUNT_CLOSED, "AG01": MandateStatus.ACCOUNT_CLOSED,
                       "MD01": MandateStatus.REVOKED, "MD07": MandateStatus.ACCOUNT_CLOSED}


def return_reason_label(code: str) -> str:
    """The French words for a reason code (an unknown code is named, never shown bare)."""
    label = RETURN_REASONS.get(code)
    return str(label) if label else _("motif bancaire %(code)s") % {"code": code or "?"}
