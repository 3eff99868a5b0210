"""The yearly premium statement (PDF, signed, filed) and « Payer maintenant » (IBAN + RF reference)."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from stdnum import iso11649

from abri.documents.models import Document
from tests.billing.conftest import add_item


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.django_db
def test_yearly_statement_lists_premiums_paid_per_contract_with_the_tax_mention(alice_client, history):
    response = alice_client.get("/paiements/attestation/2026.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(_pdf_text(response.content).split())
    number = history["next"].contract.number
    # 2026: 529.35 + 12.30 paid, 8.00 refunded (the rejected, overdue and cancelled lines are not paid)
    assert "Contrat Détail Payé Remboursé Net" in text  # one row per contract, then the total
    assert f"{number} 2 échéances payées 541,65 € 8,00 € 533,65 €" in text
    assert "Total 2026 541,65 € 8,00 € 533,65 €" in text
    assert "exonérées de TVA (article 261 C 2° du Code général des impôts)" in text
    assert "taxe spéciale sur les conventions d'assurance" in text
    assert "999,99" not in text  # Bob's premium
    assert b"/ByteRange" in response.content  # signed (PAdES)
    document = Document.objects.get(customer=history["next"].customer, title="Attestation annuelle de cotisations 2026")
    assert str(document.amount) == "533.65"


@pytest.mark.django_db
def test_yearly_statement_asked_twice_is_filed_once(alice_client, history):
    alice_client.get("/paiements/attestation/2025.pdf")
    alice_client.get("/paiements/attestation/2025.pdf")
    assert Document.objects.filter(title="Attestation annuelle de cotisations 2025").count() == 1
    text = " ".join(_pdf_text(alice_client.get("/paiements/attestation/2025.pdf").content).split())
    assert "1 234,56 €" in text


@pytest.mark.django_db
def test_yearly_statement_of_a_future_year_is_a_404(alice_client, history):
    assert alice_client.get("/paiements/attestation/2031.pdf").status_code == 404


@pytest.mark.django_db
def test_pay_now_gives_the_insurers_iban_and_a_valid_rf_reference(alice_client, history):
    html = alice_client.get(f"/paiements/payer/{history['overdue'].pk}/").content.decode()
    assert "Payer par carte 45,00\u00a0€" in html and "Par virement" in html
    assert "FR76 3000 6000 0112 3456 7890 189" in html
    assert "45,00" in html and "En retard" in html
    rf = html.split("<strong>RF", 1)[1].split("</strong>", 1)[0]
    assert iso11649.is_valid("RF" + rf)
    other = alice_client.get(f"/paiements/payer/{history['next'].pk}/").content.decode()
    assert "RF" + rf not in other  # one reference per amount due


@pytest.mark.django_db
def test_pay_now_on_bobs_or_a_paid_line_is_a_404(alice_client, history):
    assert alice_client.get(f"/paiements/payer/{history['bob_next'].pk}/").status_code == 404
    assert alice_client.get(f"/paiements/payer/{history['premium_jan'].pk}/").status_code == 404


@pytest.mark.django_db
def test_history_offers_pay_now_on_overdue_rejected_and_upcoming_lines_only(alice_client, history):
    html = alice_client.get("/paiements/").content.decode()
    for key in ("overdue", "rejected", "next"):
        assert f"/paiements/payer/{history[key].pk}/" in html
    assert f"/paiements/payer/{history['premium_jan'].pk}/" not in html


@pytest.mark.django_db
def test_an_upcoming_direct_debit_offers_no_pay_now_so_it_is_never_paid_twice(alice_client, alice_contract, history):
    """The bank collects a direct debit on its due date: paying it by transfer as well would charge twice."""
    debit = add_item(alice_contract, dt.date(2026, 7, 20), "12.00")  # method: direct debit
    html = alice_client.get("/paiements/").content.decode()
    assert f"/paiements/payer/{debit.pk}/" not in html
    assert alice_client.get(f"/paiements/payer/{debit.pk}/").status_code == 404
