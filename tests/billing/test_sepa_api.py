"""/api/v1/payments/mandates: list, sign and revoke a SEPA mandate, with step-up, never a full IBAN, Bob 404."""

import pytest
from django.utils import timezone

from abri.accounts.models import ApiToken
from abri.billing.models import SepaMandate
from tests.api.conftest import assert_problem, bearer_client
from tests.billing.sepa_helpers import ALICE_IBAN, make_mandate

BODY = {"holder": "Alice Durand", "iban": "FR76 3000 6000 0112 3456 7890 189", "bic": "", "consent": True}


def _stepped_up(customer):
    api = bearer_client(customer)
    ApiToken.objects.filter(user=customer.user).update(step_up_at=timezone.now())
    return api


@pytest.mark.django_db
def test_signing_through_the_api_needs_a_step_up_and_consent(alice, frozen):
    api = bearer_client(alice)
    body = assert_problem(api.post("/api/v1/payments/mandates", BODY, content_type="application/json"), 403)
    assert body["step_up_url"] == "/api/v1/auth/step-up"
    api = _stepped_up(alice)
    body = assert_problem(api.post("/api/v1/payments/mandates", {**BODY, "consent": False},
                                   content_type="application/json"), 422)
    assert "Cochez la case d'autorisation" in body["fields"]["consent"][0]
    body = assert_problem(api.post("/api/v1/payments/mandates", {**BODY, "iban": "FR7630006000011234567890188"},
                                   content_type="application/json"), 422)
    assert "la clé de contrôle ne correspond pas" in body["fields"]["iban"][0]
    assert not SepaMandate.objects.exists()
    response = api.post("/api/v1/payments/mandates", BODY, content_type="application/json")
    assert response.status_code == 201, response.content
    mandate = response.json()
    assert mandate["iban_masked"] == "FR76 •••• •••• 0189" and mandate["status_label"] == "Actif"
    assert mandate["creditor_id"] == "FR72ZZZ123456" and mandate["reference"].startswith("ABRI-")
    listed = api.get("/api/v1/payments/mandates")
    assert ALICE_IBAN not in listed.content.decode() and listed.json()[0]["id"] == mandate["id"]


@pytest.mark.django_db
def test_bob_cannot_list_or_revoke_alices_mandate_through_the_api(alice, bob, frozen):
    mandate = make_mandate(alice)
    api = _stepped_up(bob)
    assert api.get("/api/v1/payments/mandates").json() == []
    assert_problem(api.post(f"/api/v1/payments/mandates/{mandate.pk}/revoke"), 404)
    assert_problem(bearer_client(alice).post(f"/api/v1/payments/mandates/{mandate.pk}/revoke"), 403)
    mandate.refresh_from_db()
    assert mandate.status == "active"
    assert _stepped_up(alice).post(f"/api/v1/payments/mandates/{mandate.pk}/revoke").json()["status"] == "revoked"
