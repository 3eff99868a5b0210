import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from abri.notifications import services, sms
from abri.notifications.models import OutboxMessage
from abri.notifications.services import notification_create, outbox_deliver, outbox_sweep


@pytest.mark.django_db(transaction=True)
def test_notification_writes_outbox_and_worker_delivers_once(alice):
    with transaction.atomic():
        notification_create(customer=alice, title="Votre code", body="Bonjour", email=True, sms=True)
    assert OutboxMessage.objects.filter(sent_at__isnull=False).count() == 2
    assert len(mail.outbox) == 1
    assert len(sms.sent_messages) == 1
    for message in OutboxMessage.objects.all():
        assert outbox_deliver(message_id=message.pk) is False  # never sent twice
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_rolled_back_business_change_sends_nothing(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_create(customer=alice, title="x", email=True)
        raise RuntimeError
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_sweep_delivers_lost_messages(alice, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    notification_create(customer=alice, title="t", sms=True)
    assert sms.sent_messages == []
    assert outbox_sweep(older_than_seconds=-1) == 1
    assert len(sms.sent_messages) == 1


@pytest.mark.django_db
def test_demo_outbox_json(client, alice):
    notification_create(customer=alice, title="Code", sms=True, sms_body="Votre code : 123456")
    data = client.get("/demo/outbox.json").json()
    assert data[0]["channel"] == "sms"
    assert data[0]["body"] == "Votre code : 123456"
    assert set(data[0]) == {"channel", "to", "subject", "body", "sent_at"}


def _worker_killed_after_send(message):
    """The provider accepted the message; the process dies before `sent_at` is written."""
    raise SystemExit("worker killed between send and mark")


@pytest.mark.django_db
def test_worker_killed_between_send_and_mark_redelivers_with_the_same_idempotency_key(alice, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    notification_create(customer=alice, title="Votre attestation est prête", body="Bonjour", email=True, sms=True)
    messages = list(OutboxMessage.objects.order_by("pk"))
    assert len(messages) == 2
    with monkeypatch.context() as patched:
        patched.setattr(services, "_outbox_mark_sent", _worker_killed_after_send)
        for message in messages:
            with pytest.raises(SystemExit):
                outbox_deliver(message_id=message.pk)
    # First delivery happened (the customer may already have it), but nothing recorded it.
    assert len(mail.outbox) == 1 and len(sms.sent_messages) == 1
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 2
    # While the dead worker's claim is fresh, the sweep leaves the messages alone (no double send by a live worker).
    assert outbox_sweep(older_than_seconds=-1) == 0
    # Once the claim is older than CLAIM_TIMEOUT, the sweep delivers again: at least once, nothing lost.
    OutboxMessage.objects.update(claimed_at=timezone.now() - services.CLAIM_TIMEOUT - timezone.timedelta(seconds=1))
    assert outbox_sweep(older_than_seconds=-1) == 2
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0
    assert len(mail.outbox) == 2 and len(sms.sent_messages) == 2
    # Both attempts carry the same key, derived from the message: a deduplicating provider delivers once.
    email_message = next(m for m in messages if m.channel == "email")
    sms_message = next(m for m in messages if m.channel == "sms")
    first_mail, second_mail = mail.outbox
    assert first_mail.extra_headers["X-Idempotency-Key"] == second_mail.extra_headers["X-Idempotency-Key"]
    assert first_mail.extra_headers["X-Idempotency-Key"] == str(email_message.idempotency_key)
    assert first_mail.message()["Message-ID"] == second_mail.message()["Message-ID"]
    assert first_mail.message()["Message-ID"] == f"<{email_message.idempotency_key}@abri.example>"
    assert [s["idempotency_key"] for s in sms.sent_messages] == [str(sms_message.idempotency_key)] * 2
    deduplicated = {m.extra_headers["X-Idempotency-Key"] for m in mail.outbox} | {
        s["idempotency_key"] for s in sms.sent_messages
    }
    assert len(deduplicated) == 2  # one e-mail and one SMS reach the customer


@pytest.mark.django_db
def test_each_outbox_message_has_its_own_idempotency_key(alice):
    notification_create(customer=alice, title="Un", email=True, sms=True)
    notification_create(customer=alice, title="Deux", email=True, sms=True)
    keys = list(OutboxMessage.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == 4 and len(set(keys)) == 4
