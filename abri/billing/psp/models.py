"""Card payments through a payment-service provider: Abri's side (CardPayment and its timeline, refunds,
webhook events received) and the sandbox PSP's own records (SandboxIntent).

Defined here, registered in the billing app (abri.billing.models imports this module).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from abri.billing.psp.choices import CardPaymentStatus, RefundStatus, SandboxStatus
from abri.core.querysets import CustomerOwnedQuerySet

OPEN_STATUSES = (CardPaymentStatus.CREATED, CardPaymentStatus.REQUIRES_ACTION)


class CardPaymentQuerySet(CustomerOwnedQuerySet):
    """Card payments, scoped to their customer."""


class CardPayment(models.Model):
    """One attempt to pay an amount due (ScheduleItem) by card at the PSP; its status mirrors the PSP's.

    Abri keeps only what the PSP reports back: never a card number, at most its last 4 digits and brand.
    """

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="card_payments")
    item = models.ForeignKey("billing.ScheduleItem", on_delete=models.PROTECT, related_name="card_payments")
    provider = models.CharField(max_length=20)
    provider_id = models.CharField(max_length=255, blank=True)
    redirect_url = models.URLField(max_length=1000, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=16, choices=CardPaymentStatus.choices, default=CardPaymentStatus.CREATED)
    refunded_amount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    card_last4 = models.CharField(max_length=4, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CardPaymentQuerySet.as_manager()

    class Meta:
        verbose_name = "paiement par carte"
        constraints = [
            # Two tabs paying the same instalment share one open payment at the PSP: never two charges.
            models.UniqueConstraint(fields=["item"], condition=Q(status__in=["created", "requires_action"]),
                                    name="card_payment_one_open_per_item"),
            models.UniqueConstraint(fields=["provider", "provider_id"], condition=~Q(provider_id=""),
                                    name="card_payment_unique_provider_id"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="card_payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"card payment {self.pk} {self.amount} € {self.status}"


class CardPaymentStep(models.Model):
    """The timeline of a card payment: one row per status change, with what caused it."""

    payment = models.ForeignKey(CardPayment, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=16, choices=CardPaymentStatus.choices)
    to_status = models.CharField(max_length=16, choices=CardPaymentStatus.choices)
    source = models.CharField(max_length=40, help_text="webhook:<event id>, return, refund…")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "étape de paiement par carte"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.from_status} → {self.to_status}"


class CardRefund(models.Model):
    """A partial or total refund of a succeeded card payment, asked of the PSP with its own idempotency key."""

    payment = models.ForeignKey(CardPayment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    idempotency_key = models.CharField(max_length=64, unique=True)
    provider_refund_id = models.CharField(max_length=255, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "remboursement par carte"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="card_refund_amount_positive")]

    def __str__(self) -> str:
        return f"refund {self.pk} {self.amount} € of payment {self.payment_id}"


class PaymentWebhookEvent(models.Model):
    """A PSP event received (its id is unique per provider: a duplicated delivery is a no-op)."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    payment = models.ForeignKey(CardPayment, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="webhook_events")
    outcome = models.CharField(max_length=40, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "événement de prestataire de paiement"
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="psp_event_unique")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id} {self.event_type}"


class SandboxIntent(models.Model):
    """The sandbox PSP's own record of a payment (what a real PSP keeps on its side, not Abri's data).

    It holds the last 4 digits and brand of the test card, never the full number nor the CVC.
    """

    token = models.CharField(max_length=64, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    amount_cents = models.PositiveIntegerField()
    description = models.CharField(max_length=200)
    return_url = models.URLField(max_length=1000)
    status = models.CharField(max_length=24, choices=SandboxStatus.choices,
                              default=SandboxStatus.REQUIRES_PAYMENT_METHOD)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    failure_code = models.CharField(max_length=40, blank=True)
    refunded_cents = models.PositiveIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "paiement du bac à sable"

    def __str__(self) -> str:
        return f"sandbox {self.token} {self.status}"
