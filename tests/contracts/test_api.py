"""Contract changes through the API: quote, simulations, amendment with step-up, termination; Bob gets 404."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from abri.accounts.models import ApiToken
from abri.accounts.tokens import token_issue
from abri.contracts.models import Amendment, TerminationRequest
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db
CHOICES = {"formula": "integrale", "options": [], "deductible": "0", "contents_capital": "",
           "valuables_capital": "0", "payment_frequency": "annual"}


@pytest.fixture
def contract(alice):
    return make_contract(customer=alice, start_date=timezone.localdate() - timedelta(days=500),
                         main_due_date=timezone.localdate() + timedelta(days=90), payment_frequency="annual")


def client_for(customer, fresh=False):
    raw = token_issue(user=customer.user)
    if fresh:
        ApiToken.objects.filter(user=customer.user).update(step_up_at=timezone.now())
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_quote_and_simulations(alice, contract):
    api = client_for(alice)
    quote = post(api, f"/api/v1/contracts/{contract.number}/quote", CHOICES)
    assert quote.status_code == 200 and "legal" in quote.json()["gained"]
    assert float(quote.json()["prorata"]) > 0
    adjustments = [line for line in quote.json()["schedule"] if line["kind"] == "adjustment"]
    assert [line["amount"] for line in adjustments] == [quote.json()["prorata"]]  # charged once, shown before
    bad = post(api, f"/api/v1/contracts/{contract.number}/quote", {**CHOICES, "formula": "essentielle",
                                                                   "options": ["new_for_old"]})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    created = post(api, f"/api/v1/contracts/{contract.number}/simulations", {**CHOICES, "name": "Intégrale"})
    assert created.status_code == 201
    listing = api.get(f"/api/v1/contracts/{contract.number}/simulations").json()
    assert listing[0]["name"] == "Intégrale" and listing[0]["stale"] == ""
    assert api.delete(f"/api/v1/contracts/{contract.number}/simulations/{listing[0]['id']}").status_code == 204


def test_amendment_requires_step_up_and_is_idempotent(alice, contract):
    body = {"choices": CHOICES, "version": contract.version, "idempotency_key": "key-12345678"}
    refused = post(client_for(alice), f"/api/v1/contracts/{contract.number}/amendments", body)
    assert refused.status_code == 403 and refused.json()["step_up_url"] == "/api/v1/auth/step-up"
    api = client_for(alice, fresh=True)
    first = post(api, f"/api/v1/contracts/{contract.number}/amendments", body)
    again = post(api, f"/api/v1/contracts/{contract.number}/amendments", body)
    assert first.status_code == again.status_code == 201
    assert first.json()["number"] == again.json()["number"]
    assert Amendment.objects.count() == 1
    stale = post(api, f"/api/v1/contracts/{contract.number}/amendments",
                 {**body, "choices": {**CHOICES, "deductible": "500"}, "idempotency_key": "key-87654321"})
    assert stale.status_code == 409  # the version seen is no longer current


def test_termination_through_the_api(alice, contract):
    api = client_for(alice, fresh=True)
    preview = post(api, f"/api/v1/contracts/{contract.number}/termination/preview", {"reason": "hamon"})
    assert preview.status_code == 200 and preview.json()["rule"].startswith("Loi Hamon")
    missing = post(api, f"/api/v1/contracts/{contract.number}/termination", {"reason": "other",
                                                                             "idempotency_key": "term-0001"})
    assert missing.status_code == 422 and "reason_text" in missing.json()["fields"]
    tenant_alone = post(api, f"/api/v1/contracts/{contract.number}/termination", {"reason": "hamon",
                                                                                  "idempotency_key": "term-0001"})
    assert tenant_alone.status_code == 409 and "nouvel assureur" in tenant_alone.json()["detail"]
    done = post(api, f"/api/v1/contracts/{contract.number}/termination", {
        "reason": "hamon", "idempotency_key": "term-0002", "new_insurer": "Mutuelle du Rhône",
        "new_policy_number": "MR-778812"})
    assert done.status_code == 201 and done.json()["basis"] == "hamon"
    assert TerminationRequest.objects.get(contract=contract).number == done.json()["number"]


def test_bob_gets_404(contract, bob, bob_contract):
    api = client_for(bob, fresh=True)
    assert post(api, f"/api/v1/contracts/{contract.number}/quote", CHOICES).status_code == 404
    assert api.get(f"/api/v1/contracts/{contract.number}/simulations").status_code == 404
    assert post(api, f"/api/v1/contracts/{contract.number}/amendments",
                {"choices": CHOICES, "version": 1, "idempotency_key": "bob-12345678"}).status_code == 404
    assert post(api, f"/api/v1/contracts/{contract.number}/termination",
                {"reason": "hamon", "idempotency_key": "bob-12345678"}).status_code == 404
