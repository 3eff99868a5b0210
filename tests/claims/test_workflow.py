"""The claims handler's workflow through the back-office, and what the customer sees at each step."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from abri.accounts.roles import ensure_staff_groups
from abri.claims import services
from abri.claims.models import Claim, ClaimPayment, ClaimStep
from abri.core.models import AuditLog
from abri.documents.rendering import render_text_pdf
from abri.notifications.models import Notification
from tests.backoffice.conftest import make_staff, staff_client
from tests.claims.factories import make_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(db):
    return make_staff(ensure_staff_groups(), "claims_handler", first_name="Julien", last_name="Garnier")


@pytest.fixture
def handler_client(handler):
    return staff_client(handler)


def test_handler_moves_claim_through_every_step_and_customer_sees_each(
    alice, alice_client, alice_contract, handler, handler_client
):
    claim = make_claim(contract=alice_contract, status="received", estimated_amount=Decimal("2400"))
    claim.items = [{"label": "Parquet", "category": "building", "amount": "2000", "age_years": "5"}]
    claim.iban_last4 = "2606"
    claim.save()
    base = f"/backoffice/sinistres/{claim.number}"
    assert handler_client.get("/backoffice/sinistres/").status_code == 200
    assert claim.number in handler_client.get("/backoffice/sinistres/").content.decode()
    assert handler_client.post(f"{base}/attribuer/", {"handler": handler.pk}).status_code == 302
    claim.refresh_from_db()
    assert claim.status == "under_review" and claim.handler == handler
    handler_client.post(f"{base}/expert/", {"expert_name": "Cabinet Expertises Rhône"})
    visit = (timezone.localdate() + timedelta(days=10)).isoformat()
    handler_client.post(f"{base}/visite/", {"visit_date": visit, "slot": "morning"})
    report = SimpleUploadedFile("rapport.pdf", render_text_pdf(title="Rapport", lines=["Dégâts constatés"]))
    handler_client.post(f"{base}/rapport/", {"report": report})
    claim.refresh_from_db()
    assert claim.status == "report_received"
    settle = {"s-TOTAL_FORMS": "1", "s-INITIAL_FORMS": "0", "s-0-label": "Parquet", "s-0-category": "building",
              "s-0-replacement_value": "2000", "s-0-age_years": "5"}
    preview = handler_client.post(f"{base}/indemnisation/", {**settle, "preview": "1"})
    assert "1 550,00" in preview.content.decode().replace("\u202f", " ").replace("\xa0", " ")
    handler_client.post(f"{base}/indemnisation/", {**settle, "send": "1"})
    claim.refresh_from_db()
    assert claim.status == "offer_made" and claim.offer_amount == Decimal("1550.00")  # 2000 - 15 % wear - 150
    page = alice_client.get(f"/sinistres/{claim.number}/").content.decode()
    assert "Proposition d&#x27;indemnisation" in page and "Vétusté" in page
    alice_client.post(f"/sinistres/{claim.number}/accepter/")
    alice_client.post(f"/sinistres/{claim.number}/accepter/")  # double click harmless
    handler_client.post(f"{base}/paiement/")
    handler_client.post(f"{base}/etape/", {"to": "closed"})
    claim.refresh_from_db()
    assert claim.status == "closed"
    assert ClaimPayment.objects.get(claim=claim).amount == Decimal("1550.00")
    statuses = list(ClaimStep.objects.filter(claim=claim).values_list("status", flat=True))
    assert statuses == ["received", "under_review", "expert_appointed", "visit_planned", "report_received",
                        "offer_made", "accepted", "paid", "closed"]
    timeline = alice_client.get(f"/sinistres/{claim.number}/", HTTP_HX_REQUEST="true").content.decode()
    for label in ["Expert missionné", "Visite planifiée", "Rapport d&#x27;expertise reçu", "Indemnité versée",
                  "Dossier clos"]:
        assert label in timeline
    assert Notification.objects.filter(customer=alice, title__contains=claim.number).count() >= 8
    assert claim.documents.filter(kind="expert_report").exists()
    assert AuditLog.objects.filter(target_id=str(claim.pk), action="claim.transition").count() == 8
    payments_page = alice_client.get("/paiements/").content.decode()
    assert "IND-" + claim.number in payments_page


def test_invalid_transition_and_refusal_needs_a_reason(alice_contract, handler, handler_client, alice_client):
    claim = make_claim(contract=alice_contract, status="received")
    with pytest.raises(services.ClaimError):
        services.claim_transition(claim=claim, to_status="paid", actor=handler)
    response = handler_client.post(f"/backoffice/sinistres/{claim.number}/refus/", {"reason": "non"})
    assert response.status_code == 422
    claim.refresh_from_db()
    assert claim.status == "received"
    handler_client.post(f"/backoffice/sinistres/{claim.number}/refus/",
                        {"reason": "Le bien endommagé n'est pas situé au domicile assuré."})
    claim.refresh_from_db()
    assert claim.status == "refused"
    page = alice_client.get(f"/sinistres/{claim.number}/").content.decode()
    assert "Médiation de l&#x27;Assurance" in page


def test_advisor_can_view_but_not_change_claims(alice_contract):
    advisor = make_staff(ensure_staff_groups(), "advisor")
    client = staff_client(advisor)
    claim = make_claim(contract=alice_contract)
    assert client.get(f"/backoffice/sinistres/{claim.number}/").status_code == 200
    assert client.post(f"/backoffice/sinistres/{claim.number}/expert/", {"expert_name": "X"}).status_code == 403


def test_customer_cannot_reach_the_claims_back_office(alice_client, alice_contract):
    claim = make_claim(contract=alice_contract)
    response = alice_client.get(f"/backoffice/sinistres/{claim.number}/")
    assert response.status_code == 302 and "/backoffice/connexion/" in response["Location"]


def test_queue_filters(alice_contract, handler_client):
    water = make_claim(contract=alice_contract, event_type="water", estimated_amount=Decimal("300"))
    theft = make_claim(contract=alice_contract, event_type="theft", estimated_amount=Decimal("5000"))
    Claim.objects.filter(pk=theft.pk).update(declared_at=timezone.now() - timedelta(days=40))
    html = handler_client.get("/backoffice/sinistres/?event=water").content.decode()
    assert water.number in html and theft.number not in html
    html = handler_client.get("/backoffice/sinistres/?min_amount=1000").content.decode()
    assert theft.number in html and water.number not in html
    html = handler_client.get("/backoffice/sinistres/?deadline_risk=on").content.decode()
    assert theft.number in html and water.number not in html
    html = handler_client.get("/backoffice/sinistres/?age=30").content.decode()
    assert theft.number in html and water.number not in html


def _invoice():
    return render_text_pdf(title="Facture vitrier", lines=["Remplacement double vitrage : 420 euros"])


def _photo():
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_fast_track_glass_claim_gets_an_automatic_offer(alice, alice_contract, settings):
    claim = make_claim(contract=alice_contract, event_type="glass", estimated_amount=Decimal("420"))
    claim.items = [{"label": "Double vitrage", "category": "building", "amount": "420", "age_years": "0"}]
    claim.save()
    Claim.objects.filter(pk=claim.pk).update(risk_flags=[])
    alice_contract.start_date = timezone.localdate() - timedelta(days=400)
    alice_contract.save()
    claim.refresh_from_db()
    assert services.fast_track_evaluate(claim=claim) is False  # no invoice yet: waits for a human
    services.evidence_add(customer=alice, data=_invoice(), filename="facture.pdf", kind="invoice", claim=claim)
    assert services.fast_track_evaluate(claim=claim) is True
    claim.refresh_from_db()
    assert claim.status == "offer_made" and claim.fast_track
    assert claim.offer_amount == Decimal("270.00")  # 420 - 150 deductible (Confort glass)


def test_fast_track_never_refuses_and_skips_risky_claims(alice, alice_contract):
    big = make_claim(contract=alice_contract, event_type="glass", estimated_amount=Decimal("5000"))
    big.items = [{"label": "Baie vitrée", "category": "building", "amount": "5000", "age_years": "0"}]
    big.save()
    services.evidence_add(customer=alice, data=_invoice(), filename="facture.pdf", kind="invoice", claim=big)
    assert services.fast_track_evaluate(claim=big) is False
    big.refresh_from_db()
    assert big.status == "received"
    water = make_claim(contract=alice_contract, event_type="water")
    assert services.fast_track_evaluate(claim=water) is False
    water.refresh_from_db()
    assert water.status == "received"
