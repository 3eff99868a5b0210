"""The vault page, preview and download (owner only, audited), download history, missing files."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from abri.core.models import AuditLog
from abri.documents.models import Document
from tests.contracts.factories import make_contract
from tests.documents import test_search
from tests.documents.test_search import vault_document

# Shared fixtures of the API tests (test_search.py holds the fallback mount of the router).
alice_bearer = test_search.alice_bearer
bob_bearer = test_search.bob_bearer
document_api = test_search.document_api


def photo_document(customer) -> Document:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="JPEG")
    doc = Document(customer=customer, title="Photo du plafond", kind="photo", mime_type="image/jpeg",
                   size_bytes=buffer.tell(), guarantee_category="water")
    doc.file.save("photo.jpg", ContentFile(buffer.getvalue()), save=False)
    doc.save()
    return doc


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_vault_lists_documents_with_metadata(alice, alice_client):
    contract = make_contract(customer=alice)
    vault_document(alice, title="Avis d'échéance 2025", kind="due_notice", contract=contract,
                   amount=Decimal("180.00"), issued_on=date(2025, 1, 15), category="general")
    html = alice_client.get("/documents/").content.decode()
    for expected in ["Avis d&#x27;échéance 2025", "Avis d&#x27;échéance", "datetime=\"2025-01-15\"", contract.number,
                     contract.property.city, "180,00", "Général", "?apercu=1", "Historique de mes téléchargements"]:
        assert expected in html, expected


def test_download_is_an_attachment_recorded_in_the_audit_log(alice, alice_client):
    doc = vault_document(alice, title="Conditions particulières")
    before = timezone.now()
    response = alice_client.get(f"/documents/{doc.pk}/telecharger/")
    after = timezone.now()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response).startswith(b"%PDF")
    entry = AuditLog.objects.get(action="document.download")
    assert entry.customer == alice and entry.actor == alice.user
    assert entry.target_id == str(doc.pk) and entry.data["preview"] is False
    assert before <= entry.created_at <= after  # a precise, timezone-aware timestamp (microseconds kept)


def test_pdf_preview_is_inline(alice, alice_client):
    doc = vault_document(alice, title="Attestation")
    response = alice_client.get(f"/documents/{doc.pk}/telecharger/", {"apercu": "1"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditLog.objects.get(action="document.download").data["preview"] is True


def test_photo_preview_is_an_inline_image(alice, alice_client):
    doc = photo_document(alice)
    response = alice_client.get(f"/documents/{doc.pk}/telecharger/", {"apercu": "1"})
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert body(response)[:2] == b"\xff\xd8"


@pytest.mark.parametrize("suffix", ["", "?apercu=1"])
def test_bob_gets_404_on_alices_document(alice, bob_client, suffix):
    doc = vault_document(alice, title="Secret")
    response = bob_client.get(f"/documents/{doc.pk}/telecharger/{suffix}")
    assert response.status_code == 404
    assert not AuditLog.objects.filter(action="document.download").exists()


def test_anonymous_visitor_is_sent_to_login(alice, client):
    doc = vault_document(alice, title="Secret")
    response = client.get(f"/documents/{doc.pk}/telecharger/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_missing_file_gives_a_clear_french_page(alice, alice_client):
    doc = vault_document(alice, title="Rapport d'expertise")
    doc.file.storage.delete(doc.file.name)
    response = alice_client.get(f"/documents/{doc.pk}/telecharger/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Ce fichier est indisponible" in html and "Rapport d&#x27;expertise" in html
    assert not AuditLog.objects.filter(action="document.download").exists()


def test_document_without_file_yet_is_in_preparation(alice, alice_client):
    """Filed by `document_file`, its PDF not yet rendered and signed by the task: said so, no error."""
    doc = Document.objects.create(customer=alice, title="Sans fichier", kind="other")
    for query in ({"apercu": "1"}, {}):
        response = alice_client.get(f"/documents/{doc.pk}/telecharger/", query)
        assert response.status_code == 200
        assert "Le document « Sans fichier » est en cours de création et de signature." in response.content.decode()


def test_download_history_lists_my_downloads_to_the_second(alice, bob, alice_client, bob_client):
    doc = vault_document(alice, title="Quittance de mars")
    alice_client.get(f"/documents/{doc.pk}/telecharger/")
    alice_client.get(f"/documents/{doc.pk}/telecharger/", {"apercu": "1"})
    bob_doc = vault_document(bob, title="Document de Bob")
    bob_client.get(f"/documents/{bob_doc.pk}/telecharger/")
    response = alice_client.get("/documents/historique/")
    html = response.content.decode()
    entries = list(response.context["page"])
    assert [e.document for e in entries] == [doc, doc]
    assert "Quittance de mars" in html and "Document de Bob" not in html
    assert "Aperçu" in html and "Téléchargement" in html
    assert re.search(r"\d{1,2}(?:er)? \w+ \d{4} à \d{2} h \d{2} min \d{2} s", html)  # to the second, in words


def test_history_is_empty_at_first(alice_client):
    assert "avez encore téléchargé aucun document." in alice_client.get("/documents/historique/").content.decode()


def _vault_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/documents/", params or {}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [None, {"q": "facture"}, {"q": "facture", "kind": "invoice", "amount_min": "1"}])
def test_vault_page_query_count_is_constant_as_documents_grow(alice, alice_client, params):
    contract = make_contract(customer=alice)
    vault_document(alice, title="Facture 0", kind="invoice", contract=contract, amount=Decimal(10))
    few = _vault_queries(alice_client, params)
    for i in range(1, 30):
        vault_document(alice, title=f"Facture {i}", kind="invoice", contract=make_contract(customer=alice),
                       amount=Decimal(10 + i))
    assert _vault_queries(alice_client, params) == few


def test_history_query_count_is_constant(alice, alice_client):
    doc = vault_document(alice, title="A")
    alice_client.get(f"/documents/{doc.pk}/telecharger/")
    with CaptureQueriesContext(connection) as ctx:
        alice_client.get("/documents/historique/")
    few = len(ctx.captured_queries)
    for i in range(10):
        other = vault_document(alice, title=f"B{i}")
        alice_client.get(f"/documents/{other.pk}/telecharger/")
    with CaptureQueriesContext(connection) as ctx:
        alice_client.get("/documents/historique/")
    assert len(ctx.captured_queries) == few


# --- API: GET /api/v1/documents/{id}/download -----------------------------------------------


def test_api_download_is_audited_and_owner_only(alice, alice_bearer, bob_bearer, document_api):
    doc = vault_document(alice, title="Avenant")
    response = alice_bearer.get(f"{document_api}/{doc.pk}/download")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response).startswith(b"%PDF")
    preview = alice_bearer.get(f"{document_api}/{doc.pk}/download", {"apercu": "true"})
    assert preview["Content-Disposition"].startswith("inline;")
    entries = list(AuditLog.objects.filter(action="document.download").order_by("created_at"))
    assert [(e.data["channel"], e.data["preview"]) for e in entries] == [("api", False), ("api", True)]
    assert bob_bearer.get(f"{document_api}/{doc.pk}/download").status_code == 404
    assert AuditLog.objects.filter(action="document.download").count() == 2


def test_api_download_of_a_missing_file_is_a_clear_problem(alice, alice_bearer, document_api):
    doc = vault_document(alice, title="Perdu")
    doc.file.storage.delete(doc.file.name)
    response = alice_bearer.get(f"{document_api}/{doc.pk}/download")
    assert response.status_code == 404
    assert "introuvable" in response.json()["detail"]


def test_a_type_that_is_not_previewable_is_always_downloaded(alice, alice_client):
    doc = Document(customer=alice, title="Page", kind="other", mime_type="text/html")
    doc.file.save("page.html", ContentFile(b"<script>alert(1)</script>"), save=False)
    doc.save()
    response = alice_client.get(f"/documents/{doc.pk}/telecharger/", {"apercu": "1"})
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
