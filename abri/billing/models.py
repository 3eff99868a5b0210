"""The premium schedule (each instalment due, and how it was paid), the calendar feed's secret links, and the
reminders, renewal notices and unpaid-premium steps sent (each once)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abri.billing.choices import BillingNoticeKind, PaymentKind, PaymentMethod, ScheduleStatus
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
        verbose_name = "relance ou avis"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["kind", "sent_on"]), models.Index(fields=["contract", "kind"])]

    def __str__(self) -> str:
        return self.key
