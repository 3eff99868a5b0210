import pytest
from django.core import mail
from django.db import transaction

from abri.notifications import sms
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
