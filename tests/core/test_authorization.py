"""Bob never sees Alice's data: every one of her objects answers 404 to him."""

import pytest

from tests.claims.factories import make_claim
from tests.documents.factories import make_document


@pytest.mark.django_db
def test_bob_gets_404_on_alice_objects(alice, alice_contract, bob_client, alice_client):
    claim = make_claim(contract=alice_contract)
    doc = make_document(customer=alice)
    urls = [
        f"/contrats/{alice_contract.number}/",
        f"/sinistres/{claim.number}/",
        f"/documents/{doc.pk}/telecharger/",
    ]
    for url in urls:
        assert alice_client.get(url).status_code == 200, url
        assert bob_client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_bob_lists_do_not_contain_alice_data(alice, alice_contract, bob_client, bob_contract):
    claim = make_claim(contract=alice_contract)
    make_document(customer=alice, title="Document secret d'Alice")
    for url in ["/tableau-de-bord/", "/contrats/", "/sinistres/", "/documents/", "/paiements/"]:
        html = bob_client.get(url).content.decode()
        assert alice_contract.number not in html
        assert claim.number not in html
        assert "Document secret d" not in html
