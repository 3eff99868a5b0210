"""The customer endpoints: profile, contracts, claims with timeline, paginated documents with download."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from abri.claims.models import ClaimStep
from abri.core.models import AuditLog
from tests.api.conftest import assert_problem
from tests.claims.factories import make_claim
from tests.contracts.factories import make_contract
from tests.documents.factories import make_document

pytestmark = pytest.mark.django_db
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def test_me_gives_number_names_and_masked_contacts(alice, alice_api):
    body = alice_api.get("/api/v1/me").json()
    assert body["customer_number"] == alice.customer_number
    assert (body["first_name"], body["last_name"], body["full_name"]) == ("Alice", "Durand", "Alice Durand")
    assert body["masked_email"] == alice.masked_email and alice.email not in str(body)
    assert body["masked_phone"].endswith("00 01") and alice.phone not in str(body)


def test_contract_list_gives_money_as_euro_strings_and_iso_dates(alice, alice_api, alice_contract):
    body = alice_api.get("/api/v1/contracts").json()
    assert [c["number"] for c in body] == [alice_contract.number]
    contract = body[0]
    assert contract["annual_premium"] == "180.00"
    assert ISO_DATE.match(contract["start_date"]) and ISO_DATE.match(contract["main_due_date"])
    assert contract["main_due_date"] == alice_contract.main_due_date.isoformat()
    assert contract["status"] == "active" and contract["status_label"]
    assert contract["property"]["city"] == "Lyon"


def test_contract_detail_lists_guarantees_with_ceilings_and_deductibles(alice_api, alice_contract):
    body = alice_api.get(f"/api/v1/contracts/{alice_contract.number}").json()
    codes = [g["code"] for g in body["guarantees"]]
    assert codes == list(alice_contract.guarantees.order_by("id").values_list("code", flat=True))
    assert codes, "a contract made through the service has the guarantees of its formula"
    for guarantee in body["guarantees"]:
        assert guarantee["ceiling"] is None or re.match(r"^\d+\.\d{2}$", guarantee["ceiling"])
        assert re.match(r"^\d+\.\d{2}$", guarantee["deductible"])
    assert body["deductible"] == f"{alice_contract.deductible:.2f}"


def test_unknown_contract_number_is_404_problem(alice_api, alice_contract):
    assert_problem(alice_api.get("/api/v1/contracts/MRH-NOPE"), 404)


def test_claim_detail_gives_its_timeline_in_order(alice_api, alice_contract):
    claim = make_claim(contract=alice_contract, estimated_amount=Decimal("1234.5"))
    ClaimStep.objects.create(
        claim=claim, status="under_review", note="Expert contacté", created_at=timezone.now() + timezone.timedelta(hours=1)
    )
    body = alice_api.get(f"/api/v1/claims/{claim.number}").json()
    assert body["number"] == claim.number and body["contract_number"] == alice_contract.number
    assert body["estimated_amount"] == "1234.50" and body["settled_amount"] is None
    assert [step["status"] for step in body["timeline"]] == ["received", "under_review"]
    assert body["timeline"][1]["note"] == "Expert contacté"
    assert all(ISO_DATETIME.match(step["at"]) for step in body["timeline"])
    assert ISO_DATETIME.match(body["occurred_at"]) and body["is_open"] is True


def test_claim_list_is_newest_first(alice_api, alice_contract):
    older = make_claim(contract=alice_contract, declared_at=timezone.now() - timezone.timedelta(days=5))
    newer = make_claim(contract=alice_contract, status="closed")
    body = alice_api.get("/api/v1/claims").json()
    assert [c["number"] for c in body] == [newer.number, older.number]
    assert body[0]["is_open"] is False


def test_documents_are_paginated(alice, alice_api):
    for index in range(5):
        make_document(customer=alice, title=f"Avis {index}", kind="due_notice")
    page = alice_api.get("/api/v1/documents?page=2&page_size=2").json()
    assert (page["count"], page["page"], page["page_size"], page["pages"]) == (5, 2, 2, 3)
    assert len(page["items"]) == 2
    last = alice_api.get("/api/v1/documents?page=3&page_size=2").json()
    assert len(last["items"]) == 1
    beyond = alice_api.get("/api/v1/documents?page=9&page_size=2").json()
    assert beyond["items"] == [] and beyond["count"] == 5


def test_documents_filter_by_kind(alice, alice_api):
    make_document(customer=alice, title="Attestation", kind="certificate")
    make_document(customer=alice, title="Facture", kind="invoice", amount=Decimal("15"))
    items = alice_api.get("/api/v1/documents?kind=invoice").json()["items"]
    assert [(d["title"], d["amount"]) for d in items] == [("Facture", "15.00")]


def test_document_download_url_gives_the_pdf_and_is_audited(alice, alice_api):
    document = make_document(customer=alice, title="Attestation habitation")
    item = alice_api.get("/api/v1/documents").json()["items"][0]
    assert item["download_url"] == f"/api/v1/documents/{document.pk}/download"
    response = alice_api.get(item["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    assert AuditLog.objects.filter(action="document.download", target_id=str(document.pk)).count() == 1


def test_document_download_works_with_the_session_too(alice, alice_client):
    document = make_document(customer=alice)
    response = alice_client.get(f"/api/v1/documents/{document.pk}/download")
    assert response.status_code == 200
    response.close()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/api/v1/contracts", "/api/v1/claims", "/api/v1/documents"])
def test_list_query_count_does_not_grow_with_data(alice, alice_api, url):
    contract = make_contract(customer=alice)
    make_claim(contract=contract)
    make_document(customer=alice, contract=contract)
    alice_api.get(url)  # the first use of a token records last_used_at: not part of the page's cost
    few = _queries(alice_api, url)
    for _ in range(4):
        extra = make_contract(customer=alice)
        make_claim(contract=extra)
        make_document(customer=alice, contract=extra)
    assert _queries(alice_api, url) == few


def test_personal_answers_are_never_cached_and_vary_on_the_token(alice_api):
    response = alice_api.get("/api/v1/me")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Authorization" in response["Vary"]
