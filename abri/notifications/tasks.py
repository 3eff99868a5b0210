"""Background tasks for notifications."""

from django_tasks import task

from abri.notifications.services import outbox_deliver


@task()
def deliver_outbox_message(message_id: int) -> bool:
    """Deliver one outbox message (at least once; a message already sent is skipped)."""
    return outbox_deliver(message_id=message_id)
