"""Claims and their timeline."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from abri.claims.choices import OPEN_STATUSES, ClaimEvent, ClaimStatus


class ClaimQuerySet(models.QuerySet):
    def for_customer(self, customer):
        return self.filter(customer=customer)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Claim(models.Model):
    """A loss declared by a customer on one contract."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="claims")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="claims")
    number = models.CharField(max_length=20, unique=True)
    event_type = models.CharField(max_length=12, choices=ClaimEvent.choices)
    occurred_at = models.DateTimeField()
    declared_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.RECEIVED)
    description = models.TextField(blank=True)
    estimated_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    settled_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="handled_claims"
    )
    is_late = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = "sinistre"
        ordering = ["-declared_at"]
        indexes = [models.Index(fields=["customer", "status"]), models.Index(fields=["status", "declared_at"])]

    def __str__(self) -> str:
        return f"{self.number} — {self.get_event_type_display()}"


class ClaimStep(models.Model):
    """One transition of a claim: the timeline shown to the customer and the handler."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(max_length=20, choices=ClaimStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.claim.number}: {self.get_status_display()}"
