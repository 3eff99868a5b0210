"""SMS backends: an interface and console/file/memory implementations (a provider adapter plugs in here)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

from django.conf import settings
from django.utils.module_loading import import_string

from abri.notifications.private_files import private_append_handle

sent_messages: list[dict] = []  # used by MemorySmsBackend (tests)


class SmsBackend:
    """Sends one SMS; raise on failure so the outbox retries."""

    def send(self, *, to: str, body: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Writes SMS to standard output (development)."""

    def send(self, *, to: str, body: str) -> None:
        sys.stdout.write(f"SMS to {to}: {body}\n")


class FileSmsBackend(SmsBackend):
    """Appends SMS as JSON lines to ABRI_SMS_FILE (local runs and demo), readable only by the portal's user."""

    def send(self, *, to: str, body: str) -> None:
        line = json.dumps({"to": to, "body": body, "sent_at": datetime.now(UTC).isoformat()})
        with private_append_handle(settings.ABRI_SMS_FILE) as handle:
            handle.write(line + "\n")


class MemorySmsBackend(SmsBackend):
    """Keeps SMS in memory (tests)."""

    def send(self, *, to: str, body: str) -> None:
        sent_messages.append({"to": to, "body": body})


def get_sms_backend() -> SmsBackend:
    """The configured SMS backend."""
    return import_string(settings.ABRI_SMS_BACKEND)()
