"""The payment-service-provider adapter interface: what Abri asks of any PSP, and what a PSP tells back.

Abri never handles a card number: an adapter creates a payment at the PSP and returns the URL of the PSP's
hosted page; the customer types the card there; the PSP reports the outcome by a signed webhook (and on the
return redirect, Abri asks for the status).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from abri.billing.psp.choices import CardPaymentStatus


class PSPError(Exception):
    """The PSP refused or could not be reached; the message is safe to show (French)."""


class WebhookError(Exception):
    """A webhook whose signature, timestamp or body is not acceptable (answered 400)."""


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the PSP describes it."""

    provider_id: str
    status: str  # a CardPaymentStatus value
    redirect_url: str = ""
    card_last4: str = ""
    card_brand: str = ""
    failure_reason: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    """A verified PSP event, reduced to what Abri needs."""

    event_id: str
    event_type: str
    provider_id: str = ""  # the PSP's payment id
    abri_payment_id: int | None = None  # our CardPayment id when the PSP echoes it (metadata)
    status: str | None = None  # a CardPaymentStatus value, None when the event does not change the status
    card_last4: str = ""
    card_brand: str = ""
    failure_reason: str = ""


class PaymentAdapter(Protocol):
    """One PSP. Amounts are Decimal euros; idempotency keys make every create/refund safe to retry."""

    name: str

    def create_payment(self, *, payment_id: int, amount: Decimal, description: str, return_url: str,
                       idempotency_key: str) -> ProviderPayment: ...

    def get_status(self, *, provider_id: str) -> ProviderPayment: ...

    def refund(self, *, provider_id: str, amount: Decimal, idempotency_key: str) -> str: ...

    def parse_webhook(self, *, body: bytes, headers) -> WebhookEvent: ...


def to_cents(amount: Decimal) -> int:
    """Euros (2 places) to integer cents, as PSPs count."""
    return int((amount * 100).to_integral_value())


FINAL_STATUSES = {CardPaymentStatus.SUCCEEDED, CardPaymentStatus.FAILED, CardPaymentStatus.CANCELLED,
                  CardPaymentStatus.REFUNDED}
