"""The sandbox PSP (offline, the default): it behaves like a real PSP behind the same adapter interface.

Its hosted payment page (abri.billing.psp.sandbox_views, under /paiements/sandbox/) stands in for the PSP's
own site: it is the only code that receives a card number, checks it against the test cards, keeps the last
4 digits and the brand, and reports the outcome to Abri exactly as a PSP does: a redirect back to Abri and a
webhook signed with HMAC-SHA256 (header `Abri-Sandbox-Signature: t=<unix time>,v1=<hex>` over "<t>.<body>",
secret ABRI_PSP_SANDBOX_WEBHOOK_SECRET), accepted within ABRI_PSP_WEBHOOK_TOLERANCE seconds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from abri.billing.psp.base import ProviderPayment, PSPError, WebhookError, WebhookEvent, to_cents
from abri.billing.psp.choices import CardPaymentStatus, SandboxStatus
from abri.billing.psp.models import SandboxIntent

SIGNATURE_HEADER = "Abri-Sandbox-Signature"

# Test cards, as PSPs publish them: number → (outcome, brand).
TEST_CARDS = {
    "4242424242424242": ("succeeded", "Visa"),
    "4000002760003184": ("requires_action", "Visa"),
    "4000000000000002": ("declined", "Visa"),
}

_STATUS = {
    SandboxStatus.REQUIRES_PAYMENT_METHOD: CardPaymentStatus.CREATED,
    SandboxStatus.REQUIRES_ACTION: CardPaymentStatus.REQUIRES_ACTION,
    SandboxStatus.SUCCEEDED: CardPaymentStatus.SUCCEEDED,
    SandboxStatus.FAILED: CardPaymentStatus.FAILED,
    SandboxStatus.CANCELLED: CardPaymentStatus.CANCELLED,
}
EVENT_STATUS = {
    "payment.requires_action": CardPaymentStatus.REQUIRES_ACTION,
    "payment.succeeded": CardPaymentStatus.SUCCEEDED,
    "payment.failed": CardPaymentStatus.FAILED,
    "payment.cancelled": CardPaymentStatus.CANCELLED,
}


def sign(body: bytes, *, secret: str, timestamp: int | None = None) -> str:
    """The signature header of a webhook body: `t=<unix time>,v1=<HMAC-SHA256 hex of "<t>.<body>">`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(body: bytes, header: str | None, *, secret: str, tolerance: int) -> None:
    """Raise WebhookError unless the header signs this body with the secret, within the replay window."""
    if not header or not secret:
        raise WebhookError("missing signature")
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (ValueError, KeyError) as exc:
        raise WebhookError("malformed signature header") from exc
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):
        raise WebhookError("signature mismatch")
    if abs(time.time() - timestamp) > tolerance:
        raise WebhookError("timestamp outside the replay window")


def _as_provider_payment(intent: SandboxIntent) -> ProviderPayment:
    return ProviderPayment(
        provider_id=intent.token, status=_STATUS[SandboxStatus(intent.status)],
        redirect_url=reverse("billing:sandbox_pay", kwargs={"token": intent.token}),
        card_last4=intent.card_last4, card_brand=intent.card_brand, failure_reason=intent.failure_code)


class SandboxAdapter:
    """The offline PSP: payments are SandboxIntent rows, the hosted page is served by Abri itself."""

    name = "sandbox"

    def create_payment(self, *, payment_id: int, amount: Decimal, description: str, return_url: str,
                       idempotency_key: str) -> ProviderPayment:
        existing = SandboxIntent.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            try:
                with transaction.atomic():
                    existing = SandboxIntent.objects.create(
                        token=f"sbx_{secrets.token_urlsafe(24)}", idempotency_key=idempotency_key,
                        amount_cents=to_cents(amount), description=description[:200], return_url=return_url,
                        metadata={"abri_payment": payment_id})
            except IntegrityError:  # the same key created concurrently: the PSP answers the first one
                existing = SandboxIntent.objects.get(idempotency_key=idempotency_key)
        return _as_provider_payment(existing)

    def get_status(self, *, provider_id: str) -> ProviderPayment:
        intent = SandboxIntent.objects.filter(token=provider_id).first()
        if intent is None:
            raise PSPError("Paiement inconnu du prestataire.")
        return _as_provider_payment(intent)

    def refund(self, *, provider_id: str, amount: Decimal, idempotency_key: str) -> str:
        cents = to_cents(amount)
        with transaction.atomic():
            intent = SandboxIntent.objects.select_for_update().filter(token=provider_id).first()
            if intent is None or intent.status != SandboxStatus.SUCCEEDED:
                raise PSPError("Ce paiement ne peut pas être remboursé.")
            if intent.refunded_cents + cents > intent.amount_cents:
                raise PSPError("Le remboursement dépasse le montant payé.")
            intent.refunded_cents += cents
            intent.save(update_fields=["refunded_cents"])
        return f"re_sbx_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]}"

    def parse_webhook(self, *, body: bytes, headers) -> WebhookEvent:
        verify(body, headers.get(SIGNATURE_HEADER), secret=settings.ABRI_PSP_SANDBOX_WEBHOOK_SECRET,
               tolerance=settings.ABRI_PSP_WEBHOOK_TOLERANCE)
        try:
            data = json.loads(body)
            obj = data["data"]["object"]
            event_id, event_type = str(data["id"]), str(data["type"])
            abri_payment = obj.get("metadata", {}).get("abri_payment")
            return WebhookEvent(
                event_id=event_id, event_type=event_type, provider_id=str(obj["id"]),
                abri_payment_id=int(abri_payment) if abri_payment is not None else None,
                status=EVENT_STATUS.get(event_type), card_last4=str(obj.get("card_last4", ""))[:4],
                card_brand=str(obj.get("card_brand", ""))[:20], failure_reason=str(obj.get("failure_code", ""))[:200])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise WebhookError("malformed event") from exc


def event_body(intent: SandboxIntent, event_type: str) -> bytes:
    """The JSON body of a sandbox event about an intent (a fresh event id each time)."""
    return json.dumps({
        "id": f"evt_sbx_{secrets.token_hex(12)}", "type": event_type, "created": int(time.time()),
        "data": {"object": {"id": intent.token, "status": intent.status, "amount": intent.amount_cents,
                            "currency": "eur", "card_last4": intent.card_last4, "card_brand": intent.card_brand,
                            "failure_code": intent.failure_code, "metadata": intent.metadata}},
    }).encode()


def deliver_event(intent: SandboxIntent, event_type: str) -> None:
    """Send a signed event to Abri's webhook handler, as the PSP would POST it to /api/v1/webhooks/sandbox.

    Delivered in-process through the very function the endpoint calls (signature checked there too), so
    the sandbox needs no network nor a second server; tests POST the same bodies to the endpoint.
    """
    from abri.billing.psp.services import card_webhook_receive

    body = event_body(intent, event_type)
    header = sign(body, secret=settings.ABRI_PSP_SANDBOX_WEBHOOK_SECRET)
    card_webhook_receive(provider="sandbox", body=body, headers={SIGNATURE_HEADER: header})
