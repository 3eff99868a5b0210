"""In-app notifications and the outbox of e-mails and SMS to deliver.

The outbox delivers **at least once** (see abri.notifications.services.outbox_deliver): each message carries
an idempotency key, given to the sender on every attempt, so that a provider which deduplicates on it
delivers a message retried after a crash only once.
"""

import uuid

from django.db import models
from django.utils import timezone

from abri.core.querysets import CustomerOwnedQuerySet
from abri.notifications.choices import Channel


class NotificationQuerySet(CustomerOwnedQuerySet):
    """Notifications, scoped to their customer."""


class Notification(models.Model):
    """A message shown in the customer's notification centre."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    category = models.CharField(max_length=30, default="info")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class OutboxMessage(models.Model):
    """An e-mail or SMS written in the business transaction, delivered by the worker."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    customer = models.ForeignKey(
        "accounts.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox_messages"
    )
    to = models.CharField(max_length=254)
    # Same value on every delivery attempt: e-mail Message-ID / X-Idempotency-Key, SMS provider key.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.CharField(max_length=250, blank=True)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.to}: {self.subject}"
