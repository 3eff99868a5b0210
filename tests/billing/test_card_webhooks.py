"""POST /api/v1/webhooks/<provider>: signed, outside customer auth, idempotent on the event id; forged,
replayed and malformed events refused (400) and audited; the API's card payment start (step-up, 404, 409)."""

import json
import time

import pytest
from django.test import Client
from django.utils import timezone

from abri.accounts.models import ApiToken
from abri.billing.psp import services
from abri.billing.psp.models import CardPayment, PaymentWebhookEvent, SandboxIntent
from abri.billing.psp.sandbox import SIGNATURE_HEADER, event_body, sign
from abri.core.models import AuditLog
from tests.api.conftest import bearer_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/webhooks/sandbox"


@pytest.fixture
def payment(alice, history):
    return services.card_payment_start(customer=alice, item_id=history["overdue"].pk,
                                       return_url=lambda p: "https://abri.test/retour")


def _succeeded_body(payment) -> bytes:
    intent = SandboxIntent.objects.get(token=payment.provider_id)
    intent.status, intent.card_last4, intent.card_brand = "succeeded", "4242", "Visa"
    return event_body(intent, "payment.succeeded")


def _post(body: bytes, header: str | None, client=None):
    headers = {SIGNATURE_HEADER: header} if header else {}
    # enforce_csrf_checks: the webhook must work without any CSRF token
    return (client or Client(enforce_csrf_checks=True)).post(URL, body, content_type="application/json",
                                                              headers=headers)


def test_signed_webhook_pays_the_instalment_and_a_duplicate_is_a_no_op(settings, payment):
    body = _succeeded_body(payment)
    header = sign(body, secret=settings.ABRI_PSP_SANDBOX_WEBHOOK_SECRET)
    first = _post(body, header)
    assert first.status_code == 200 and first.json() == {"outcome": "applied"}
    payment.refresh_from_db()
    assert payment.status == "succeeded" and payment.card_last4 == "4242"
    payment.item.refresh_from_db()
    assert payment.item.status == "paid"
    again = _post(body, header)
    assert again.status_code == 200 and again.json() == {"outcome": "duplicate"}
    assert PaymentWebhookEvent.objects.count() == 1 and payment.steps.count() == 1
    assert AuditLog.objects.filter(action="billing.psp_webhook_duplicate").count() == 1


def test_forged_webhooks_are_refused_and_audited(settings, payment):
    body = _succeeded_body(payment)
    wrong_secret = sign(body, secret="not-the-secret")
    tampered = sign(body, secret=settings.ABRI_PSP_SANDBOX_WEBHOOK_SECRET)
    for header, sent in ((None, body), ("garbage", body), (wrong_secret, body),
                         (tampered, body.replace(b"succeeded", b"succeedeD"))):
        response = _post(sent, header)
        assert response.status_code == 400, header
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["title"] == "Événement refusé"
    payment.refresh_from_db()
    assert payment.status == "created" and not PaymentWebhookEvent.objects.exists()
    assert AuditLog.objects.filter(action="billing.psp_webhook_refused").count() == 4


def test_a_replayed_webhook_outside_the_window_is_refused(settings, payment):
    body = _succeeded_body(payment)
    old = sign(body, secret=settings.ABRI_PSP_SANDBOX_WEBHOOK_SECRET,
               timestamp=int(time.time()) - settings.ABRI_PSP_WEBHOOK_TOLERANCE - 1)
    assert _post(body, old).status_code == 400
    payment.refresh_from_db()
    assert payment.status == "created"


def test_malformed_body_unknown_payment_and_unknown_provider(settings, payment):
    secret = settings.ABRI_PSP_SANDBOX_WEBHOOK_SECRET
    assert _post(b"not json", sign(b"not json", secret=secret)).status_code == 400
    body = json.dumps({"id": "evt_x", "type": "payment.succeeded",
                       "data": {"object": {"id": "sbx_unknown", "metadata": {}}}}).encode()
    response = _post(body, sign(body, secret=secret))
    assert response.status_code == 200 and response.json() == {"outcome": "unknown_payment"}
    assert Client().post("/api/v1/webhooks/paypal", b"{}", content_type="application/json").status_code == 404
    settings.ABRI_PSP = "stripe"
    assert _post(body, sign(body, secret=secret)).status_code == 404  # the sandbox is off in production


def _fresh(customer):
    client = bearer_client(customer)
    ApiToken.objects.filter(user=customer.user).update(step_up_at=timezone.now())
    return client


def test_api_card_start_needs_step_up_and_returns_the_hosted_page(alice, history):
    item = history["overdue"]
    refused = bearer_client(alice).post(f"/api/v1/payments/schedule-{item.pk}/card")
    assert refused.status_code == 403 and refused.json()["step_up_url"] == "/api/v1/auth/step-up"
    api = _fresh(alice)
    body = api.post(f"/api/v1/payments/schedule-{item.pk}/card").json()
    payment = CardPayment.objects.get(item=item)
    assert body["payment_id"] == payment.pk and body["amount"] == "45.00" and body["status"] == "created"
    assert body["redirect_url"] == f"http://testserver/paiements/sandbox/{payment.provider_id}/"
    assert api.post(f"/api/v1/payments/{item.pk}/card").json()["payment_id"] == payment.pk  # resumed, not twice


def test_api_card_start_refuses_a_paid_instalment_and_another_customers(alice, bob, history):
    api = _fresh(alice)
    paid = api.post(f"/api/v1/payments/schedule-{history['premium_jan'].pk}/card")
    assert paid.status_code == 409
    assert paid.json()["detail"].startswith("Cette échéance est déjà payée (le 15 janvier 2026)")
    assert api.post(f"/api/v1/payments/schedule-{history['bob_next'].pk}/card").status_code == 404
    assert _fresh(bob).post(f"/api/v1/payments/schedule-{history['overdue'].pk}/card").status_code == 404
    assert api.post("/api/v1/payments/indemnity-1/card").status_code == 422
    assert not CardPayment.objects.exists()
