"""The premium schedule (each instalment due, and how it was paid), the calendar feed's secret links, and the
reminders, renewal notices and unpaid-premium steps sent (each once)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abri.billing.choices import (
    BillingNoticeKind,
    CollectionStatus,
    MandateStatus,
    PaymentKind,
    PaymentMethod,
    ScheduleStatus,
    SequenceType,
    TransferStatus,
)
from abri.core.querysets import CustomerOwnedQuerySet


class ScheduleQuerySet(CustomerOwnedQuerySet):
    """Amounts due, scoped to their customer."""


class ScheduleItem(models.Model):
    """One amount due by the customer (amount > 0) or to the customer (amount < 0) on a contract.

    Premium instalments, amendment pro-rata charges and refunds (reference PRO-…), termination refunds
    (REMB-…) and regularisations. A blank kind is classified from the reference and the sign by
    abri.billing.history, so rows written by other apps need not know the billing vocabulary.
    """

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="schedule_items")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="schedule_items")
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=10, choices=ScheduleStatus.choices, default=ScheduleStatus.UPCOMING)
    method = models.CharField(max_length=14, choices=PaymentMethod.choices, default=PaymentMethod.DIRECT_DEBIT)
    paid_at = models.DateTimeField(null=True, blank=True)
    reference = models.CharField(max_length=35, blank=True)
    kind = models.CharField(max_length=20, choices=PaymentKind.choices, blank=True,
                            help_text="Blank: derived from the reference and the sign.")
    label = models.CharField(max_length=120, blank=True, help_text="Blank: a label derived from the kind.")
    # Received so far by transfer while the item is not fully paid (a partial transfer leaves the rest due).
    amount_received = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    # SEPA reason code of the last returned debit (AM04…), shown in French on /paiements/.
    rejection_reason = models.CharField(max_length=4, blank=True)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("échéance")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["customer", "status", "due_date"]),
            models.Index(fields=["contract", "due_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.due_date} {self.amount} €"

    @property
    def collected_by_the_bank(self) -> bool:
        """An upcoming direct debit: the bank collects it, so « Payer maintenant » would charge twice."""
        return (self.status == ScheduleStatus.UPCOMING and self.method == PaymentMethod.DIRECT_DEBIT
                and self.due_date >= timezone.localdate())


class CalendarFeedQuerySet(CustomerOwnedQuerySet):
    """Calendar links, scoped to their customer."""


class CalendarFeed(models.Model):
    """A secret, revocable link to the customer's upcoming due dates as iCalendar (only its SHA-256 is kept)."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lien d'agenda des échéances")

    def __str__(self) -> str:
        return f"calendar feed {self.pk} ({'revoked' if self.revoked_at else 'active'})"


class BillingNoticeQuerySet(CustomerOwnedQuerySet):
    """Reminders and dunning steps, scoped to their customer."""


class BillingNotice(models.Model):
    """One reminder, renewal notice or unpaid-premium step (L113-3), done once: `key` is unique, so a second
    run or a second worker that tries the same step fails on the insert and does nothing.

    For the formal notice, `sent_on` is the day the registered letter was handed to the provider (the L113-3
    clock runs from it) and `proof_id` the provider's proof of sending; both stay empty until it is sent.
    """

    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=BillingNoticeKind.choices)
    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="billing_notices")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="billing_notices")
    schedule_item = models.ForeignKey(ScheduleItem, on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="notices")
    due_date = models.DateField(help_text="The due date concerned (an instalment's, or the main due date).")
    document = models.ForeignKey("documents.Document", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_on = models.DateField(null=True, blank=True)
    provider = models.CharField(max_length=40, blank=True)
    proof_id = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    objects = BillingNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("relance ou avis")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["kind", "sent_on"]), models.Index(fields=["contract", "kind"])]

    def __str__(self) -> str:
        return self.key


class SepaMandateQuerySet(CustomerOwnedQuerySet):
    """Mandates, scoped to their customer."""


class SepaMandate(models.Model):
    """A SEPA Core direct-debit e-mandate signed by the customer: the account debited for all their contracts.

    The IBAN is kept encrypted (abri.core.crypto) with its first and last 4 characters for display; the
    fingerprint (keyed hash) recognises an account the bank reported closed without decrypting anything.
    """

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="sepa_mandates")
    reference = models.CharField("RUM", max_length=35, unique=True)
    holder = models.CharField(max_length=70)
    iban_encrypted = models.TextField()
    iban_first4 = models.CharField(max_length=4)
    iban_last4 = models.CharField(max_length=4)
    iban_fingerprint = models.CharField(max_length=64, db_index=True)
    bic = models.CharField(max_length=11, blank=True)
    status = models.CharField(max_length=16, choices=MandateStatus.choices, default=MandateStatus.ACTIVE)
    signed_at = models.DateTimeField()
    consent_text = models.TextField()
    signed_ip = models.GenericIPAddressField(null=True, blank=True)
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    last_collected_on = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = SepaMandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandat de prélèvement SEPA")
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=models.Q(status="active"),
                                    name="billing_one_active_mandate_per_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"

    @property
    def iban_masked(self) -> str:
        """« FR76 •••• •••• 0189 »: the only form of the IBAN ever displayed or logged."""
        return f"{self.iban_first4} •••• •••• {self.iban_last4}"


class CollectionRun(models.Model):
    """One pain.008 file for one due date: built once, so the same due date is never collected twice."""

    due_date = models.DateField(unique=True)
    message_id = models.CharField(max_length=35)
    schema = models.CharField(max_length=20)
    xml = models.TextField()
    count = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("remise de prélèvements")

    def __str__(self) -> str:
        return f"collection {self.due_date} ({self.count})"


class Collection(models.Model):
    """One debit in a collection run: a schedule item, the mandate, its sequence type and its return if any."""

    run = models.ForeignKey(CollectionRun, on_delete=models.CASCADE, related_name="collections")
    item = models.OneToOneField(ScheduleItem, on_delete=models.CASCADE, related_name="collection")
    mandate = models.ForeignKey(SepaMandate, on_delete=models.PROTECT, related_name="collections")
    sequence = models.CharField(max_length=4, choices=SequenceType.choices)
    end_to_end_id = models.CharField(max_length=35, unique=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=10, choices=CollectionStatus.choices, default=CollectionStatus.SENT)
    return_reason = models.CharField(max_length=4, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("prélèvement")

    def __str__(self) -> str:
        return self.end_to_end_id


class BankTransaction(models.Model):
    """A credit line of the insurer's bank statement (camt.053), imported once and reconciled by its RF reference.

    The bank's entry reference is unique: importing the same statement twice credits nothing twice.
    """

    entry_reference = models.CharField(max_length=64, unique=True)
    statement_id = models.CharField(max_length=64, blank=True)
    booking_date = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount_text = models.CharField(max_length=32, help_text="The amount as written in the file.")
    reference = models.CharField(max_length=64, blank=True)
    remittance = models.CharField(max_length=140, blank=True)
    debtor_name = models.CharField(max_length=140, blank=True)
    status = models.CharField(max_length=10, choices=TransferStatus.choices)
    item = models.ForeignKey(ScheduleItem, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="bank_transactions")
    credit = models.OneToOneField(ScheduleItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("virement reçu")
        indexes = [models.Index(fields=["status", "booking_date"])]

    def __str__(self) -> str:
        return f"{self.entry_reference} {self.amount} € ({self.status})"


from abri.billing.psp.models import (  # noqa: E402,F401 - card payment models, registered in this app
    CardPayment,
    CardPaymentStep,
    CardRefund,
    PaymentWebhookEvent,
    SandboxIntent,
)


class InvoiceQuerySet(CustomerOwnedQuerySet):
    """Invoices, receipts and refund notes, scoped to their customer."""


class Invoice(models.Model):
    """A Factur-X invoice document for one amount of the schedule (abri.billing.invoices): an « avis
    d'échéance » before it is paid, a « quittance » once paid, a « note de remboursement » for a refund.

    Its number is printed on the PDF and answers on the public /verifier/ page: sequential (the pk, so the
    numbering is chronological and continuous) with a random suffix that makes numbers unguessable.
    """

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Avis d'échéance")
        RECEIPT = "receipt", _("Quittance de cotisation")
        REFUND = "refund", _("Note de remboursement")

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="invoices")
    schedule_item = models.ForeignKey(ScheduleItem, on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    number = models.CharField(max_length=24, unique=True, null=True, blank=True)
    issued_on = models.DateField(default=timezone.localdate)
    total = models.DecimalField(max_digits=10, decimal_places=2, help_text="Toutes taxes comprises, positive.")
    lines = models.JSONField(default=list, help_text="[{label, amount}] as strings; they add up to the total.")
    document = models.ForeignKey("documents.Document", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("facture")
        ordering = ["-issued_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["schedule_item", "kind"], name="billing_invoice_one_per_kind")]

    def __str__(self) -> str:
        return self.number or f"invoice {self.pk}"
