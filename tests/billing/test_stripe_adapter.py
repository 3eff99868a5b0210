"""The Stripe adapter, with Stripe's own SDK and no network: Checkout Session creation with an idempotency key
(the SDK's HTTP client replaced by a recorder), webhooks verified by stripe.Webhook.construct_event."""

import hashlib
import hmac
import json
import time
from urllib.parse import unquote

import pytest
import stripe
from django.test import Client
from stripe._http_client import HTTPClient

from abri.billing.psp import services
from abri.billing.psp.models import CardPayment, PaymentWebhookEvent
from abri.billing.psp.stripe_adapter import StripeAdapter

pytestmark = pytest.mark.django_db
SECRET = "whsec_test_abri"  # noqa: S105 - a test value
URL = "/api/v1/webhooks/stripe"


class RecordingHTTPClient(HTTPClient):
    """Stands for the network: records what the SDK sends, answers like Stripe's API."""

    name = "recording"

    def __init__(self, answers):
        super().__init__()
        self.answers, self.calls = list(answers), []

    def request(self, method, url, headers, post_data=None):
        self.calls.append({"method": method, "url": url, "headers": dict(headers),
                           "body": unquote(post_data or "")})
        return json.dumps(self.answers.pop(0)), 200, {}

    def close(self):
        pass


SESSION = {"id": "cs_test_a1", "object": "checkout.session", "status": "open", "payment_status": "unpaid",
           "url": "https://checkout.stripe.com/c/pay/cs_test_a1", "payment_intent": None}


@pytest.fixture
def stripe_on(settings, monkeypatch):
    settings.ABRI_PSP, settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "stripe", "sk_test_x", SECRET
    http = RecordingHTTPClient([SESSION])
    original = StripeAdapter.__init__

    def init(self, client=None):
        original(self, client or stripe.StripeClient("sk_test_x", http_client=http))

    monkeypatch.setattr(StripeAdapter, "__init__", init)
    return http


def test_payment_creation_sends_amount_metadata_and_the_idempotency_key(alice, history, stripe_on):
    payment = services.card_payment_start(customer=alice, item_id=history["overdue"].pk,
                                          return_url=lambda p: f"https://abri.test/paiements/carte/{p.pk}/retour/")
    (call,) = stripe_on.calls
    assert call["method"] == "post" and call["url"] == "https://api.stripe.com/v1/checkout/sessions"
    assert call["headers"]["Idempotency-Key"] == payment.idempotency_key
    assert "line_items[0][price_data][unit_amount]=4500" in call["body"]
    assert "line_items[0][price_data][currency]=eur" in call["body"]
    assert f"payment_intent_data[metadata][abri_payment]={payment.pk}" in call["body"]
    assert f"success_url=https://abri.test/paiements/carte/{payment.pk}/retour/" in call["body"]
    assert (payment.provider, payment.provider_id) == ("stripe", "cs_test_a1")
    assert payment.redirect_url == "https://checkout.stripe.com/c/pay/cs_test_a1"


def _event(payment, event_type="payment_intent.succeeded", event_id="evt_1"):
    return json.dumps({
        "id": event_id, "object": "event", "type": event_type, "api_version": "2024-06-20", "created": 1,
        "data": {"object": {"id": "pi_1", "object": "payment_intent", "status": "succeeded",
                            "amount": 4500, "currency": "eur", "metadata": {"abri_payment": str(payment.pk)}}},
    })


def _documented_signature(payload: str, secret: str, timestamp: int) -> str:
    """Stripe's documented scheme, computed by hand: v1 = HMAC-SHA256(secret, "<t>.<payload>")."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


@pytest.fixture
def stripe_payment(alice, history, stripe_on):
    return services.card_payment_start(customer=alice, item_id=history["overdue"].pk,
                                       return_url=lambda p: "https://abri.test/r")


def test_webhook_signed_with_the_sdk_pays_the_instalment_once(stripe_payment):
    payload = _event(stripe_payment)
    header = stripe.WebhookSignature.generate_signature_header(payload, SECRET)
    assert header == _documented_signature(payload, SECRET, int(header.split(",")[0][2:]))
    client = Client(enforce_csrf_checks=True)
    first = client.post(URL, payload, content_type="application/json", headers={"Stripe-Signature": header})
    assert first.status_code == 200 and first.json() == {"outcome": "applied"}
    stripe_payment.refresh_from_db()
    assert stripe_payment.status == "succeeded"
    stripe_payment.item.refresh_from_db()
    assert stripe_payment.item.status == "paid" and stripe_payment.item.method == "card"
    again = client.post(URL, payload, content_type="application/json", headers={"Stripe-Signature": header})
    assert again.json() == {"outcome": "duplicate"} and PaymentWebhookEvent.objects.count() == 1


def test_webhook_with_a_hand_computed_signature_and_3ds_then_failure(stripe_payment):
    for number, event_type in enumerate(("payment_intent.requires_action", "payment_intent.payment_failed")):
        payload = _event(stripe_payment, event_type, event_id=f"evt_{number}")
        header = _documented_signature(payload, SECRET, int(time.time()))
        response = Client().post(URL, payload, content_type="application/json", headers={"Stripe-Signature": header})
        assert response.status_code == 200
    assert [s.to_status for s in CardPayment.objects.get().steps.all()] == ["requires_action", "failed"]


def test_forged_or_replayed_stripe_webhooks_are_refused(stripe_payment):
    payload = _event(stripe_payment)
    forged = stripe.WebhookSignature.generate_signature_header(payload, "whsec_someone_else")
    replayed = _documented_signature(payload, SECRET, int(time.time()) - 301)
    for header in (forged, replayed, "t=1,v0=abc", ""):
        response = Client().post(URL, payload, content_type="application/json", headers={"Stripe-Signature": header})
        assert response.status_code == 400, header
    stripe_payment.refresh_from_db()
    assert stripe_payment.status == "created" and not PaymentWebhookEvent.objects.exists()


def test_stripe_webhooks_are_a_404_when_stripe_is_not_configured(settings, stripe_payment):
    settings.ABRI_PSP = "sandbox"
    payload = _event(stripe_payment)
    header = stripe.WebhookSignature.generate_signature_header(payload, SECRET)
    assert Client().post(URL, payload, content_type="application/json",
                         headers={"Stripe-Signature": header}).status_code == 404
