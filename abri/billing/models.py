"""The premium schedule (each instalment due, and how it was paid) and the calendar feed's secret links."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abri.billing.choices import PaymentKind, PaymentMethod, ScheduleStatus
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
