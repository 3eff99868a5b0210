"""The claims API for the mobile app: drafts, evidence, submission, messages, acceptance; Bob sees nothing."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from abri.accounts.models import ApiToken
from abri.accounts.tokens import token_issue
from abri.claims.models import Claim

pytestmark = pytest.mark.django_db


def api(customer) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_issue(user=customer.user)}")


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (1, 2, 3)).save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


def put(client, url, data):
    return client.put(url, data, content_type="application/json")


def test_declare_through_the_api(alice, alice_contract):
    client = api(alice)
    created = client.post("/api/v1/declarations")
    assert created.status_code == 201
    key = created.json()["key"]
    assert created.json()["step"] == "event"  # one home: chosen already
    base = f"/api/v1/declarations/{key}"
    assert put(client, f"{base}/steps/event", {"event": "water"}).status_code == 200
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert put(client, f"{base}/steps/when", {"occurred_date": yesterday, "location_mode": "position",
                                        "lat": "45.76", "lon": "4.83"}).status_code == 200
    bad = put(client, f"{base}/steps/details", {"description": ""})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert "Décrivez" in bad.json()["fields"]["description"][0]
    assert put(client, f"{base}/steps/details", {"description": "Fuite", "neighbour_involved": True}).status_code == 200
    items = put(client, f"{base}/steps/items", {"items": [{"label": "Parquet", "category": "building", "amount": "-5"}]})
    assert items.status_code == 422 and "positif" in items.json()["fields"]["0.amount"][0]
    assert put(client, f"{base}/steps/items", {"items": [{"label": "Parquet", "category": "building",
                                                    "amount": "800"}]}).status_code == 200
    bank = put(client, f"{base}/steps/bank", {"iban": "FR1420041010050500013M02606", "holder": "Alice"})
    assert bank.status_code == 403 and bank.json()["step_up_url"] == "/api/v1/auth/step-up"
    ApiToken.objects.filter(user=alice.user).update(step_up_at=timezone.now())
    bank = put(client, f"{base}/steps/bank", {"iban": "FR1420041010050500013M02606", "holder": "Alice"})
    assert bank.status_code == 200 and "iban_encrypted" not in bank.json()["data"]["bank"]
    first = client.post(f"{base}/evidence", {"file": jpeg()}, HTTP_X_UPLOAD_TOKEN="tok-1")
    again = client.post(f"{base}/evidence", {"file": jpeg()}, HTTP_X_UPLOAD_TOKEN="tok-1")
    assert first.status_code == again.status_code == 201 and first.json()["key"] == again.json()["key"]
    refused = client.post(f"{base}/evidence", {"file": SimpleUploadedFile("x.jpg", b"not an image")})
    assert refused.status_code == 422
    submitted = client.post(f"{base}/submit")
    resubmitted = client.post(f"{base}/submit")
    assert submitted.status_code == resubmitted.status_code == 201
    number = submitted.json()["number"]
    assert resubmitted.json()["number"] == number
    claim = Claim.objects.get(number=number)
    assert str(claim.latitude) == "45.760000" and claim.evidence.count() == 1
    assert client.post(f"/api/v1/claims/{number}/messages", {"body": "Le plafond goutte encore"},
                       content_type="application/json").status_code == 201
    assert client.get(f"/api/v1/claims/{number}/messages").json()[0]["body"] == "Le plafond goutte encore"
    detail = client.get(f"/api/v1/claims/{number}")
    assert detail.status_code == 200 and detail.json()["timeline"][0]["status"] == "received"
    assert client.post(f"/api/v1/claims/{number}/accept").status_code == 409  # no offer yet


def test_bob_cannot_touch_alice_draft_or_claim(alice, alice_contract, bob, bob_contract):
    alice_api, bob_api = api(alice), api(bob)
    key = alice_api.post("/api/v1/declarations").json()["key"]
    assert bob_api.get(f"/api/v1/declarations/{key}").status_code == 404
    assert put(bob_api, f"/api/v1/declarations/{key}/steps/event", {"event": "fire"}).status_code == 404
    assert bob_api.post(f"/api/v1/declarations/{key}/evidence", {"file": jpeg()}).status_code == 404
    assert bob_api.post(f"/api/v1/declarations/{key}/submit").status_code == 404
    assert bob_api.get("/api/v1/declarations").json() == []
    from tests.claims.factories import make_claim

    claim = make_claim(contract=alice_contract)
    assert bob_api.get(f"/api/v1/claims/{claim.number}/messages").status_code == 404
    assert bob_api.post(f"/api/v1/claims/{claim.number}/accept").status_code == 404


def test_unknown_step_and_anonymous(alice, alice_contract):
    client = api(alice)
    key = client.post("/api/v1/declarations").json()["key"]
    assert put(client, f"/api/v1/declarations/{key}/steps/nope", {}).status_code == 404
    assert Client().post("/api/v1/declarations").status_code == 401
