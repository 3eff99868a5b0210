"""Issue 15 point 6: evidence listed once in a claim, the place of the loss shown, the first certificate
download in the download history."""

import re

import pytest

from abri.claims.models import Claim
from abri.documents.models import Document
from tests.claims.test_declaration import fill_until_evidence, photo, start
from tests.core.journey_text import visible_text

pytestmark = pytest.mark.django_db


def _declare_with_one_photo(client, django_capture_on_commit_callbacks):
    draft, _location = start(client)
    fill_until_evidence(client, draft)
    base = f"/sinistres/declarer/{draft.key}"
    client.post(f"{base}/evidence/", {"kind": "photo", "files": [photo("salon.jpg")], "upload": "1"})
    summary = visible_text(client.get(f"{base}/summary/").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}/envoyer/")
    return Claim.objects.latest("declared_at"), summary


def test_a_photo_is_listed_once_on_the_claim_page(alice_client, alice_contract, django_capture_on_commit_callbacks):
    claim, _summary = _declare_with_one_photo(alice_client, django_capture_on_commit_callbacks)
    # The photo is also filed in the customer's documents (same file): the claim page lists it once.
    assert Document.objects.filter(claim=claim, title__contains="salon.jpg").exists()
    html = alice_client.get(f"/sinistres/{claim.number}/").content.decode()
    documents_section = html[html.index('id="documents"'):html.index("</ul>", html.index('id="documents"'))]
    assert len(re.findall(r"<li class=\"evidence-item\"", documents_section)) == 2  # the photo, the acknowledgement
    assert "Photo — sinistre" not in documents_section
    assert documents_section.count("/sinistres/fichiers/") == 2  # its thumbnail and its link, nothing else
    assert "Accusé de réception du sinistre" in documents_section


def test_the_place_of_the_loss_is_in_the_summary_and_on_the_claim(alice_client, alice_contract,
                                                                  django_capture_on_commit_callbacks):
    claim, summary = _declare_with_one_photo(alice_client, django_capture_on_commit_callbacks)
    address = alice_contract.property.full_address
    assert f"Lieu du sinistre {address} (le logement assuré)" in summary
    page = visible_text(alice_client.get(f"/sinistres/{claim.number}/").content.decode())
    assert f"Lieu du sinistre {claim.location_address}" in page and claim.location_address == address


def test_the_first_download_of_a_certificate_is_in_the_history(alice_client, alice_contract):
    response = alice_client.post("/documents/attestations/", {"contract": alice_contract.number, "kind": "tenant"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    title = Document.objects.get(customer=alice_contract.customer, kind="certificate").title
    history = visible_text(alice_client.get("/documents/historique/").content.decode())
    assert history.count(title) == 1, history
