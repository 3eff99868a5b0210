"""Uploads a customer cannot abuse: the kind of a document, who sent it, and how many drafts and files an hour."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abri.accounts.roles import ensure_staff_groups
from abri.claims import services
from abri.claims.models import ClaimDraft, Evidence
from abri.documents.rendering import render_text_pdf
from tests.backoffice.conftest import make_staff, staff_client
from tests.claims.factories import make_claim
from tests.claims.test_api import api, jpeg
from tests.claims.test_declaration import photo

pytestmark = pytest.mark.django_db


# --- Point 7: the kind of a document --------------------------------------------------------
def test_customer_cannot_file_an_expert_report_through_the_api(alice, alice_contract):
    client = api(alice)
    key = client.post("/api/v1/declarations").json()["key"]
    response = client.post(f"/api/v1/declarations/{key}/evidence?kind=expert_report", {"file": jpeg()})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Choisissez le type de document dans la liste."
    assert not Evidence.objects.exists()


def test_customer_cannot_file_an_expert_report_on_a_submitted_claim(alice, alice_contract):
    claim = make_claim(contract=alice_contract)
    response = api(alice).post(f"/api/v1/claims/{claim.number}/evidence?kind=expert_report", {"file": jpeg()})
    assert response.status_code == 422
    assert not Evidence.objects.filter(claim=claim).exists()


def test_an_80_character_kind_is_a_422_not_a_database_error(alice, alice_contract):
    client = api(alice)
    key = client.post("/api/v1/declarations").json()["key"]
    response = client.post(f"/api/v1/declarations/{key}/evidence?kind={'x' * 80}", {"file": jpeg()})
    assert response.status_code == 422  # refused before the 16-character column (PostgreSQL would raise)
    assert not Evidence.objects.exists()


def test_forged_kind_on_the_page_upload_is_refused_with_a_french_message(alice, alice_client, alice_contract):
    alice_client.post("/sinistres/declarer/")
    draft = ClaimDraft.objects.get(customer=alice)
    response = alice_client.post(f"/sinistres/declarer/{draft.key}/fichiers/",
                                 {"file": photo(), "kind": "expert_report"})
    assert response.status_code == 422
    assert response.content.decode().strip() == "degats.jpg : Choisissez le type de document dans la liste."
    page = alice_client.post(f"/sinistres/declarer/{draft.key}/evidence/",
                             {"kind": "expert_report", "files": [photo("cuisine.jpg")], "upload": "1"})
    assert "« cuisine.jpg » : Choisissez le type de document dans la liste." in page.content.decode()
    assert not Evidence.objects.exists()


def test_customer_may_choose_every_kind_of_the_customer_list(alice, alice_contract):
    claim = make_claim(contract=alice_contract)
    for kind in ("photo", "invoice", "police_report", "joint_report", "estimate", "other"):
        services.evidence_add(customer=alice, data=jpeg().read(), kind=kind, claim=claim)
    assert Evidence.objects.filter(claim=claim).count() == 6


def test_staff_see_who_sent_each_file(alice, alice_contract):
    handler = make_staff(ensure_staff_groups(), "claims_handler", first_name="Julien", last_name="Garnier")
    claim = make_claim(contract=alice_contract, status="visit_planned", expert_name="Cabinet Rhône")
    api(alice).post(f"/api/v1/claims/{claim.number}/evidence?kind=invoice", {"file": jpeg()})
    services.claim_add_report(claim=claim, data=render_text_pdf(title="Rapport", lines=["Constat"]),
                              filename="rapport.pdf", actor=handler)
    customer_file = Evidence.objects.get(claim=claim, kind="invoice")
    report = Evidence.objects.get(claim=claim, kind="expert_report")
    assert customer_file.uploaded_by == alice.user and not customer_file.uploaded_by_staff
    assert report.uploaded_by == handler and report.uploaded_by_staff
    page = staff_client(handler).get(f"/backoffice/sinistres/{claim.number}/").content.decode()
    assert "Envoyé par : Alice Durand (client)" in page
    assert "Envoyé par : Julien Garnier (gestionnaire)" in page


# --- Point 8: drafts and files per customer and per hour -------------------------------------
def test_eleventh_draft_in_an_hour_is_refused_with_429(alice, alice_client, alice_contract):
    client = api(alice)
    for _ in range(services.DRAFTS_PER_HOUR):
        assert client.post("/api/v1/declarations").status_code == 201
    response = client.post("/api/v1/declarations")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "3600"
    assert "plus de 10 déclarations en une heure" in response.json()["detail"]
    page = alice_client.post("/sinistres/declarer/")
    assert page.status_code == 429
    assert "Vous avez commencé plus de 10 déclarations en une heure" in page.content.decode()
    assert ClaimDraft.objects.filter(customer=alice).count() == services.DRAFTS_PER_HOUR


def test_files_beyond_the_hourly_cap_are_refused_with_429(alice, bob, alice_contract, monkeypatch):
    monkeypatch.setattr(services, "UPLOADS_PER_HOUR", 3)
    client = api(alice)
    claim = make_claim(contract=alice_contract)
    for _ in range(3):
        assert client.post(f"/api/v1/claims/{claim.number}/evidence", {"file": jpeg()}).status_code == 201
    response = client.post(f"/api/v1/claims/{claim.number}/evidence", {"file": jpeg()})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Vous avez envoyé plus de 3 fichiers en une heure : réessayez dans une heure."
    assert Evidence.objects.filter(claim=claim).count() == 3
    # Bob's own uploads are not counted against Alice's.
    bob_key = api(bob).post("/api/v1/declarations").json()["key"]
    assert api(bob).post(f"/api/v1/declarations/{bob_key}/evidence", {"file": jpeg()}).status_code == 201


def test_a_retry_of_a_stored_file_is_not_counted(alice, alice_contract, monkeypatch):
    monkeypatch.setattr(services, "UPLOADS_PER_HOUR", 1)
    client = api(alice)
    key = client.post("/api/v1/declarations").json()["key"]
    for _ in range(3):
        response = client.post(f"/api/v1/declarations/{key}/evidence", {"file": jpeg()}, HTTP_X_UPLOAD_TOKEN="t-1")
        assert response.status_code == 201


def test_staff_uploads_are_not_capped(alice_contract, monkeypatch):
    monkeypatch.setattr(services, "UPLOADS_PER_HOUR", 0)
    handler = make_staff(ensure_staff_groups(), "claims_handler")
    claim = make_claim(contract=alice_contract, status="visit_planned", expert_name="Cabinet Rhône")
    client = staff_client(handler)
    report = SimpleUploadedFile("rapport.pdf", render_text_pdf(title="Rapport", lines=["Constat"]))
    client.post(f"/backoffice/sinistres/{claim.number}/rapport/", {"report": report})
    assert Evidence.objects.filter(claim=claim, kind="expert_report").exists()
