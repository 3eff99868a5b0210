"""Stripe, through its official Python SDK (`stripe`): Checkout hosted page, PaymentIntents, refunds, webhooks.

The customer pays on Stripe's hosted Checkout page (card number and 3-D Secure at Stripe; Abri never sees
them). The Checkout Session is created with an idempotency key and creates the PaymentIntent; both carry
`abri_payment` (our CardPayment id) in their metadata, which maps every webhook back to our payment.
Webhooks are verified with `stripe.Webhook.construct_event` (Stripe-Signature, STRIPE_WEBHOOK_SECRET,
tolerance ABRI_PSP_WEBHOOK_TOLERANCE).
"""

from __future__ import annotations

from decimal import Decimal

import stripe
from django.conf import settings

from abri.billing.psp.base import ProviderPayment, PSPError, WebhookError, WebhookEvent, to_cents
from abri.billing.psp.choices import CardPaymentStatus

S = CardPaymentStatus
PAYMENT_INTENT_STATUS = {
    "requires_payment_method": S.CREATED,
    "requires_confirmation": S.CREATED,
    "requires_action": S.REQUIRES_ACTION,
    "processing": S.CREATED,
    "requires_capture": S.CREATED,
    "succeeded": S.SUCCEEDED,
    "canceled": S.CANCELLED,
}
EVENT_STATUS = {
    "payment_intent.requires_action": S.REQUIRES_ACTION,
    "payment_intent.succeeded": S.SUCCEEDED,
    "payment_intent.payment_failed": S.FAILED,
    "payment_intent.canceled": S.CANCELLED,
    "checkout.session.expired": S.CANCELLED,
}


def _value(obj, key, default=None):
    try:
        return obj[key]
    except (KeyError, TypeError):
        return default


class StripeAdapter:
    """Stripe Checkout + PaymentIntents (test or live, by the key)."""

    name = "stripe"

    def __init__(self, client: stripe.StripeClient | None = None):
        self.client = client or stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2)

    def create_payment(self, *, payment_id: int, amount: Decimal, description: str, return_url: str,
                       idempotency_key: str) -> ProviderPayment:
        metadata = {"abri_payment": str(payment_id)}
        try:
            session = self.client.v1.checkout.sessions.create(
                params={
                    "mode": "payment",
                    "payment_method_types": ["card"],
                    "line_items": [{"quantity": 1, "price_data": {
                        "currency": "eur", "unit_amount": to_cents(amount),
                        "product_data": {"name": description}}}],
                    "payment_intent_data": {"metadata": metadata, "description": description},
                    "metadata": metadata,
                    "client_reference_id": str(payment_id),
                    "success_url": return_url,
                    "cancel_url": return_url,
                    "locale": "fr",
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as exc:
            raise PSPError(str(exc)) from exc
        return ProviderPayment(provider_id=session.id, status=S.CREATED, redirect_url=session.url or "")

    def get_status(self, *, provider_id: str) -> ProviderPayment:
        try:
            session = self.client.v1.checkout.sessions.retrieve(provider_id, params={"expand": ["payment_intent"]})
        except stripe.StripeError as exc:
            raise PSPError(str(exc)) from exc
        intent = _value(session, "payment_intent")
        if _value(session, "status") == "expired":
            status = S.CANCELLED
        elif _value(session, "payment_status") == "paid":
            status = S.SUCCEEDED
        elif intent is not None and not isinstance(intent, str):
            status = PAYMENT_INTENT_STATUS.get(_value(intent, "status"), S.CREATED)
            if _value(intent, "last_payment_error") and status == S.CREATED:
                status = S.FAILED
        else:
            status = S.CREATED
        return ProviderPayment(provider_id=provider_id, status=status, redirect_url=_value(session, "url") or "")

    def refund(self, *, provider_id: str, amount: Decimal, idempotency_key: str) -> str:
        try:
            session = self.client.v1.checkout.sessions.retrieve(provider_id)
            refund = self.client.v1.refunds.create(
                params={"payment_intent": _value(session, "payment_intent"), "amount": to_cents(amount)},
                options={"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise PSPError(str(exc)) from exc
        return refund.id

    def parse_webhook(self, *, body: bytes, headers) -> WebhookEvent:
        try:
            event = stripe.Webhook.construct_event(
                body, headers.get("Stripe-Signature"), settings.STRIPE_WEBHOOK_SECRET,
                tolerance=settings.ABRI_PSP_WEBHOOK_TOLERANCE)
        except (stripe.SignatureVerificationError, ValueError) as exc:
            raise WebhookError(str(exc)[:200]) from exc
        obj = event["data"]["object"]
        metadata = _value(obj, "metadata") or {}
        raw_id = _value(metadata, "abri_payment")
        try:
            abri_payment = int(raw_id) if raw_id is not None else None
        except (TypeError, ValueError):
            abri_payment = None
        event_type = event["type"]
        status = EVENT_STATUS.get(event_type)
        if event_type == "checkout.session.completed" and _value(obj, "payment_status") == "paid":
            status = S.SUCCEEDED
        # Checkout events name the session (our provider_id); PaymentIntent events are found by metadata.
        provider_id = _value(obj, "id", "") if _value(obj, "object") == "checkout.session" else ""
        error = _value(obj, "last_payment_error") or {}
        # A failed PaymentIntent names the card tried; a succeeded one only names its payment method id.
        card = _value(_value(error, "payment_method") or {}, "card") or {}
        return WebhookEvent(
            event_id=event["id"], event_type=event_type, provider_id=provider_id or "",
            abri_payment_id=abri_payment, status=status, card_last4=str(_value(card, "last4", "") or "")[:4],
            card_brand=str(_value(card, "brand", "") or "")[:20],
            failure_reason=str(_value(error, "code", "") or "")[:200])
