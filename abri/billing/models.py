"""The premium schedule (each instalment due, and how it was paid) and the calendar feed's secret links."""

from django.db import models
from django.utils import timezone

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
        verbose_name = "échéance"
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
        verbose_name = "lien d'agenda des échéances"

    def __str__(self) -> str:
        return f"calendar feed {self.pk} ({'revoked' if self.revoked_at else 'active'})"


from abri.billing.psp.models import (  # noqa: E402,F401 - card payment models, registered in this app
    CardPayment,
    CardPaymentStep,
    CardRefund,
    PaymentWebhookEvent,
    SandboxIntent,
)
