"""SMS backends: an interface and console/file/memory implementations (a provider adapter plugs in here).

The outbox delivers at least once: a message may reach `send` twice (worker killed after the provider
accepted it, before it was marked sent). Both calls carry the same `idempotency_key`; a provider adapter
passes it to the provider's deduplication field (often called idempotency key, client reference or
`client_ref`) so that the customer gets one SMS.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

from django.conf import settings
from django.utils.module_loading import import_string

from abri.notifications.private_files import private_append_handle

sent_messages: list[dict] = []  # used by MemorySmsBackend (tests)


class SmsBackend:
    """Sends one SMS; raise on failure so the outbox retries. `idempotency_key` is the same on every attempt
    for the same message: pass it to the provider so that it deduplicates."""

    def send(self, *, to: str, body: str, idempotency_key: str = "") -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Writes SMS to standard output (development)."""

    def send(self, *, to: str, body: str, idempotency_key: str = "") -> None:
        sys.stdout.write(f"SMS to {to}: {body}\n")


class FileSmsBackend(SmsBackend):
    """Appends SMS as JSON lines to ABRI_SMS_FILE (local runs and demo), readable only by the portal's user."""

    def send(self, *, to: str, body: str, idempotency_key: str = "") -> None:
        line = json.dumps({"to": to, "body": body, "idempotency_key": idempotency_key, "sent_at": datetime.now(UTC).isoformat()})
        with private_append_handle(settings.ABRI_SMS_FILE) as handle:
            handle.write(line + "\n")


class MemorySmsBackend(SmsBackend):
    """Keeps SMS in memory (tests)."""

    def send(self, *, to: str, body: str, idempotency_key: str = "") -> None:
        sent_messages.append({"to": to, "body": body, "idempotency_key": idempotency_key})


def get_sms_backend() -> SmsBackend:
    """The configured SMS backend."""
    return import_string(settings.ABRI_SMS_BACKEND)()
