"""Alice and Bob: Bob never reaches or lists Alice's contracts, claims or documents through the API."""

import pytest

from tests.api.conftest import assert_problem, bearer_client
from tests.claims.factories import make_claim
from tests.documents.factories import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_objects(alice, alice_contract):
    claim = make_claim(contract=alice_contract)
    document = make_document(customer=alice, contract=alice_contract, title="Attestation d'Alice")
    return {
        "contract": f"/api/v1/contracts/{alice_contract.number}",
        "claim": f"/api/v1/claims/{claim.number}",
        "document": f"/api/v1/documents/{document.pk}/download",
    }


@pytest.mark.parametrize("kind", ["contract", "claim", "document"])
def test_bob_gets_404_on_each_of_alice_objects_with_a_token(alice_objects, alice_api, bob_api, kind):
    url = alice_objects[kind]
    assert alice_api.get(url).status_code == 200
    body = assert_problem(bob_api.get(url), 404)
    assert "Alice" not in str(body)


@pytest.mark.parametrize("kind", ["contract", "claim", "document"])
def test_bob_gets_404_on_each_of_alice_objects_with_a_session(alice_objects, bob_client, kind):
    assert_problem(bob_client.get(alice_objects[kind]), 404)


def test_bob_lists_never_contain_alice_objects(alice, alice_objects, alice_contract, bob, bob_contract, bob_api):
    bob_claim = make_claim(contract=bob_contract)
    make_document(customer=bob, title="Attestation de Bob")
    contracts = bob_api.get("/api/v1/contracts").json()
    claims = bob_api.get("/api/v1/claims").json()
    documents = bob_api.get("/api/v1/documents").json()
    assert [c["number"] for c in contracts] == [bob_contract.number]
    assert [c["number"] for c in claims] == [bob_claim.number]
    assert [d["title"] for d in documents["items"]] == ["Attestation de Bob"] and documents["count"] == 1
    everything = str(contracts) + str(claims) + str(documents) + bob_api.get("/api/v1/me").content.decode()
    assert alice_contract.number not in everything
    assert alice.customer_number not in everything and "Alice" not in everything


def test_a_token_only_ever_speaks_for_its_owner(alice, bob, alice_contract):
    # The same process serving two tokens in turn must not mix them up (no per-process state).
    alice_api, bob_api = bearer_client(alice), bearer_client(bob)
    for _ in range(3):
        assert alice_api.get("/api/v1/me").json()["customer_number"] == alice.customer_number
        assert bob_api.get("/api/v1/me").json()["customer_number"] == bob.customer_number
        assert bob_api.get("/api/v1/contracts").json() == []
