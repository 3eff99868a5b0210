"""Reads for notifications, always scoped to a customer."""

from abri.notifications.models import Notification, OutboxMessage


def notifications_for_customer(*, customer, limit: int | None = None):
    """The customer's notifications, newest first."""
    qs = Notification.objects.for_customer(customer).order_by("-created_at", "-id")
    return qs[:limit] if limit else qs


def outbox_recent(*, limit: int = 100):
    """Most recent outbox messages (demo outbox only)."""
    return OutboxMessage.objects.order_by("-created_at", "-id")[:limit]
