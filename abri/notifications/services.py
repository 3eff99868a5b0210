"""Writes for notifications: in-app messages and the e-mail/SMS outbox, delivered by the worker.

Delivery is **at least once**, not exactly once: a message is claimed with a conditional update, sent,
then marked sent. A worker killed between the send and the mark leaves the claim behind; after
`CLAIM_TIMEOUT` the sweep claims it again and sends it again. Every attempt carries the message's
`idempotency_key` (e-mail: `Message-ID` and `X-Idempotency-Key` headers; SMS: the backend's
`idempotency_key` argument), so a provider that deduplicates on it delivers the message once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from abri.notifications.choices import Channel
from abri.notifications.models import Notification, OutboxMessage
from abri.notifications.sms import get_sms_backend

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
CLAIM_TIMEOUT = timedelta(minutes=5)  # a claim older than this is taken as a dead worker's


def _schedule_delivery(message_id: int) -> None:
    from abri.notifications.tasks import deliver_outbox_message

    try:
        deliver_outbox_message.enqueue(message_id)
    except Exception:  # noqa: BLE001 - the worker's sweep delivers it anyway
        logger.warning("could not enqueue outbox message %s; the sweep will deliver it", message_id)


def outbox_enqueue(
    *, channel: str, to: str, body: str, subject: str = "", html_body: str = "", customer=None
) -> OutboxMessage | None:
    """Write one e-mail/SMS in the current transaction; it is delivered after commit."""
    if not to:
        return None
    message = OutboxMessage.objects.create(
        channel=channel, to=to, subject=subject[:250], body=body, html_body=html_body, customer=customer
    )
    transaction.on_commit(lambda: _schedule_delivery(message.pk))
    return message


def notification_create(
    *,
    customer,
    title: str,
    body: str = "",
    url: str = "",
    category: str = "info",
    email: bool = False,
    sms: bool = False,
    sms_body: str = "",
) -> Notification:
    """Notify a customer in the app, and by e-mail and/or SMS when asked."""
    notification = Notification.objects.create(
        customer=customer, title=title, body=body, url=url, category=category
    )
    if email and customer.email:
        from abri.notifications.emails import (
            notification_email,  # same app: emails.py builds on outbox_enqueue
        )

        notification_email(customer=customer, title=title, body=body, url=url)
    if sms and customer.phone:
        outbox_enqueue(channel=Channel.SMS, to=customer.phone, body=sms_body or title, customer=customer)
    return notification


def notification_mark_read(*, customer, notification_id: int) -> int:
    """Mark one of the customer's notifications as read."""
    return (
        Notification.objects.for_customer(customer)
        .filter(pk=notification_id, read_at__isnull=True)
        .update(read_at=timezone.now())
    )


def outbox_email_headers(message: OutboxMessage) -> dict[str, str]:
    """Headers derived from the message's idempotency key: the same on every attempt."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "abri.invalid"
    key = str(message.idempotency_key)
    return {"Message-ID": f"<{key}@{domain}>", "X-Idempotency-Key": key}


def _outbox_send(message: OutboxMessage) -> None:
    """Hand one message to its provider, with its idempotency key; raises on failure."""
    if message.channel == Channel.EMAIL:
        email = EmailMultiAlternatives(
            message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to],
            headers=outbox_email_headers(message),
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        email.send()
    else:
        get_sms_backend().send(to=message.to, body=message.body, idempotency_key=str(message.idempotency_key))


def _outbox_mark_sent(message: OutboxMessage) -> None:
    """Record the delivery (a crash before this line means the message is sent again: at least once)."""
    OutboxMessage.objects.filter(pk=message.pk).update(sent_at=timezone.now(), attempts=message.attempts + 1)


def outbox_deliver(*, message_id: int) -> bool:
    """Deliver one outbox message at least once: claim it with a conditional update, send, mark sent.

    Two live workers never send the same message at the same time (the claim), but a worker that dies
    after the send and before the mark leaves a claim that expires after CLAIM_TIMEOUT: the message is
    then sent again, with the same idempotency key, for the provider to deduplicate."""
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .update(claimed_at=now)
    )
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _outbox_send(message)
    except Exception as exc:  # noqa: BLE001 - any provider failure is retried later
        OutboxMessage.objects.filter(pk=message_id).update(
            claimed_at=None, attempts=message.attempts + 1, last_error=type(exc).__name__[:300]
        )
        logger.warning("outbox message %s failed (%s)", message_id, type(exc).__name__)
        return False
    _outbox_mark_sent(message)
    return True


def outbox_sweep(*, older_than_seconds: int = 30, limit: int = 100) -> int:
    """Deliver messages whose task was lost (enqueue failed) or whose worker died mid-delivery (once its
    claim is older than CLAIM_TIMEOUT: such a message may be sent a second time, same idempotency key)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        OutboxMessage.objects.filter(sent_at__isnull=True, created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if outbox_deliver(message_id=pk))
