"""Give every outbox message its own idempotency key (existing rows too: one UUID each)."""

import uuid

from django.db import migrations, models


def fill_keys(apps, schema_editor):
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    for pk in OutboxMessage.objects.values_list("pk", flat=True):
        OutboxMessage.objects.filter(pk=pk).update(idempotency_key=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="outboxmessage", name="idempotency_key", field=models.UUIDField(null=True, editable=False)
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outboxmessage",
            name="idempotency_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
