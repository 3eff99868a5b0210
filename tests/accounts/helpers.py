"""Helpers for identity tests: read codes from the outbox, log in through the real pages."""

from __future__ import annotations

import re

from abri.notifications.models import OutboxMessage

CODE_RE = re.compile(r"\b(\d{6})\b")


def last_message(*, to: str, channel: str = "sms") -> OutboxMessage:
    return OutboxMessage.objects.filter(to=to, channel=channel).order_by("-created_at", "-id").first()


def last_code(*, to: str, channel: str = "sms") -> str:
    """The 6-digit code of the newest SMS (or e-mail) sent to this address."""
    message = last_message(to=to, channel=channel)
    assert message is not None, f"no {channel} sent to {to}"
    match = CODE_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def login_with_sms(client, customer, pin: str = "246813", *, trust: bool = False):
    """Log in through /connexion/ and the SMS second factor; returns the final response."""
    response = client.post("/connexion/", {"customer_number": customer.customer_number, "pin": pin})
    assert response.status_code == 302, response.content[:500]
    if response["Location"] != "/connexion/verification/":
        return response
    data = {"code": last_code(to=customer.phone)}
    if trust:
        data["trust_device"] = "on"
    return client.post("/connexion/verification/", data)
