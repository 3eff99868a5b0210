"""Claims and their timeline."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from abri.claims.choices import (
    OPEN_STATUSES,
    ClaimEvent,
    ClaimStatus,
    EvidenceKind,
    RequestStatus,
    ScanStatus,
    VisitSlot,
)
from abri.core.querysets import CustomerOwnedQuerySet


class ClaimQuerySet(CustomerOwnedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Claim(models.Model):
    """A loss declared by a customer on one contract."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="claims")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="claims")
    number = models.CharField(max_length=20, unique=True)
    event_type = models.CharField(max_length=12, choices=ClaimEvent.choices)
    occurred_at = models.DateTimeField()
    # L113-2 4°: the declaration deadline runs from the day the insured learned of the loss.
    learned_on = models.DateField(null=True, blank=True)
    declared_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.RECEIVED)
    description = models.TextField(blank=True)
    estimated_amount = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    settled_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="handled_claims"
    )
    is_late = models.BooleanField(default=False)
    declaration_deadline = models.DateField(null=True, blank=True)
    property = models.ForeignKey(
        "contracts.Property", null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    location_address = models.CharField(max_length=250, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    circumstances = models.JSONField(default=dict, blank=True)
    items = models.JSONField(default=list, blank=True)
    third_parties = models.JSONField(default=list, blank=True)
    iban_last4 = models.CharField(max_length=4, blank=True)
    iban_encrypted = models.TextField(blank=True)
    expert_name = models.CharField(max_length=150, blank=True)
    visit_date = models.DateField(null=True, blank=True)
    visit_slot = models.CharField(max_length=10, choices=VisitSlot.choices, blank=True)
    settlement = models.JSONField(default=dict, blank=True)
    offer_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    fast_track = models.BooleanField(default=False)
    risk_flags = models.JSONField(default=list, blank=True)
    source_draft = models.OneToOneField(
        "ClaimDraft", null=True, blank=True, on_delete=models.SET_NULL, related_name="submitted_claim"
    )
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


class ClaimDraft(models.Model):
    """A declaration in progress, saved at each step so nothing typed is ever lost."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="claim_drafts")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    data = models.JSONField(default=dict, blank=True)
    step = models.CharField(max_length=20, default="home")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["customer", "submitted_at"])]

    def __str__(self) -> str:
        return f"draft {self.key}"


def evidence_upload_to(instance, filename: str) -> str:
    """Opaque storage names: never the name the customer's phone sent."""
    return f"claims/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{filename[filename.rfind('.'):][:6]}"


class Evidence(models.Model):
    """A photo or document attached to a claim (or a draft), stored re-encoded."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="claim_evidence")
    draft = models.ForeignKey(ClaimDraft, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client_token = models.CharField(max_length=64, blank=True, help_text="Idempotency key sent by the client")
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices, default=EvidenceKind.PHOTO)
    file = models.FileField(upload_to=evidence_upload_to)
    thumbnail = models.FileField(upload_to=evidence_upload_to, blank=True)
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=150, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True, help_text="EXIF capture time, kept as evidence")
    gps_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    gps_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    scan_status = models.CharField(max_length=12, choices=ScanStatus.choices, default=ScanStatus.NOT_SCANNED)
    uploaded_by_staff = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", help_text="The customer's or the claims handler's login")
    received_at = models.DateTimeField(default=timezone.now)

    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "client_token"], condition=~models.Q(client_token=""),
                                    name="evidence_unique_client_token"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"


class ClaimMessage(models.Model):
    """A message in the claim space, between the customer and the claims handler."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    from_customer = models.BooleanField(default=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"message {self.pk} on {self.claim_id}"


class ClaimRequest(models.Model):
    """« Ce dont nous avons besoin » : an item the customer must provide, with its status."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="requests")
    label = models.CharField(max_length=200)
    evidence_kind = models.CharField(max_length=16, choices=EvidenceKind.choices, blank=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.label


class ClaimPayment(models.Model):
    """An indemnity paid to the customer (shown in the claim and in the payments history)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="payments")
    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="claim_payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    paid_at = models.DateTimeField(default=timezone.now)
    reference = models.CharField(max_length=35)
    iban_last4 = models.CharField(max_length=4, blank=True)

    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_at"]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} €"
