"""Invoices that cannot be forged: Factur-X (EN 16931) inside a PDF/A-3, PAdES-signed, verifiable (issue 11.4)."""

import io
import re
import secrets
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from facturx import get_xml_from_pdf, xml_check_xsd
from lxml import etree
from pypdf import PdfReader

from abri.billing.invoices import invoice_for_customer, invoice_issue, invoice_lines
from abri.billing.models import Invoice
from abri.core.models import AuditLog
from abri.documents.services import pdf_text

NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}

pytestmark = pytest.mark.django_db


def pdf_of(invoice: Invoice) -> bytes:
    invoice.document.refresh_from_db()
    with invoice.document.file.open("rb") as handle:
        return handle.read()


def _xml(data: bytes):
    filename, xml = get_xml_from_pdf(data, check_xsd=False)
    assert filename == "factur-x.xml"
    return xml, etree.fromstring(xml)


def _french(amount: str) -> str:
    return amount.replace(".", ",")


def test_receipt_embeds_an_en16931_facturx_xml_whose_amounts_match_the_pdf_and_the_schedule(history):
    item = history["premium_jan"]  # 529.35 paid
    invoice = invoice_issue(item=item, kind=Invoice.Kind.RECEIPT)
    data = pdf_of(invoice)
    xml, tree = _xml(data)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert tree.findtext(".//rsm:ExchangedDocumentContext//ram:ID", namespaces=NS) == "urn:cen.eu:en16931:2017"
    assert tree.findtext("rsm:ExchangedDocument/ram:ID", namespaces=NS) == invoice.number
    assert tree.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "380"
    summation = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    assert tree.findtext(summation + "GrandTotalAmount", namespaces=NS) == "529.35"
    assert tree.findtext(summation + "TaxTotalAmount", namespaces=NS) == "0.00"
    assert tree.findtext(summation + "DuePayableAmount", namespaces=NS) == "0.00"  # a receipt: paid
    header_tax = tree.find(".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NS)
    assert header_tax.findtext("ram:CategoryCode", namespaces=NS) == "E"
    assert "261 C 2°" in header_tax.findtext("ram:ExemptionReason", namespaces=NS)
    line_totals = [Decimal(t) for t in tree.xpath("//ram:LineTotalAmount/text()", namespaces=NS)[:-1]]
    assert sum(line_totals) == item.amount
    names = tree.xpath("//ram:SpecifiedTradeProduct/ram:Name/text()", namespaces=NS)
    assert names[0] == "Cotisation hors taxes"
    assert any("TSCA" in name for name in names) and any("FGTI" in name for name in names)

    text = pdf_text(data)
    assert "Quittance de cotisation" in text and invoice.number in text
    assert "529,35" in text and "exonération, catégorie E" in text and "261 C 2°" in text
    xml_lines = dict(zip(names, tree.xpath("//ram:SpecifiedLineTradeSettlement//ram:LineTotalAmount/text()",
                                          namespaces=NS), strict=True))
    assert xml_lines == {line["label"]: line["amount"] for line in invoice.lines}
    flat = re.sub(r"\s+", " ", text)  # pypdf reads the no-break spaces as spaces
    for label, amount in xml_lines.items():  # each line of the XML is printed on the PDF, amount in French
        assert f"{label} {_french(amount)} €" in flat, (label, amount)
    assert "Total toutes taxes comprises 529,35 €" in flat
    assert PdfReader(io.BytesIO(data)).xmp_metadata is not None  # PDF/A-3 metadata


def test_lines_follow_the_tariff_and_add_up_to_the_amount(history):
    lines = invoice_lines(history["premium_jan"])
    assert [label for label, _ in lines][0] == "Cotisation hors taxes"
    assert len(lines) >= 4
    assert sum(amount for _, amount in lines) == Decimal("529.35")
    assert all(amount > 0 for _, amount in lines)


def test_invoice_pdf_is_pades_signed_and_tampering_breaks_it(history):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    data = pdf_of(invoice_issue(item=history["next"], kind=Invoice.Kind.NOTICE))
    ca = load_cert_from_pemder(str(Path(settings.VAR_DIR) / "pki" / "demo-ca.pem"))

    def status(pdf):
        (signature,) = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        return validate_pdf_signature(signature, ValidationContext(trust_roots=[ca]))

    good = status(data)
    assert good.intact and good.valid and good.trusted
    tampered = data.replace(b"/Helvetica-Bold", b"/Helvetica-Bolx", 1)
    assert tampered != data
    assert not status(tampered).intact


def test_refund_note_is_a_credit_note_with_positive_amounts(history):
    invoice = invoice_issue(item=history["prorata_refund"], kind=Invoice.Kind.REFUND)
    xml, tree = _xml(pdf_of(invoice))
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert tree.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "381"
    assert tree.findtext(".//ram:GrandTotalAmount", namespaces=NS) == "8.00"
    assert "Note de remboursement" in pdf_text(pdf_of(invoice))


def test_notice_is_issued_once_and_filed_in_the_vault_with_an_audit_row(history, alice):
    item = history["next"]
    first = invoice_issue(item=item, kind=Invoice.Kind.NOTICE)
    again = invoice_issue(item=item, kind=Invoice.Kind.NOTICE)
    assert first.pk == again.pk and first.number == again.number
    assert first.number.startswith(f"FA-{first.issued_on.year}-")
    assert first.document.customer == alice and first.document.amount == Decimal("45.00")
    assert AuditLog.objects.filter(action="document.filed", customer=alice,
                                   data__invoice=first.number).count() == 1
    text = pdf_text(pdf_of(first))
    assert "Avis d'échéance" in text and "15 juillet 2026" in text and "45,00" in text


def test_another_customers_item_is_a_404(history, alice):
    from django.http import Http404

    with pytest.raises(Http404):
        invoice_for_customer(customer=alice, item_id=history["bob"].pk, kind=Invoice.Kind.RECEIPT)
    with pytest.raises(Http404):  # a receipt for an unpaid amount does not exist
        invoice_for_customer(customer=alice, item_id=history["next"].pk, kind=Invoice.Kind.RECEIPT)


# --- /paiements/: the links and the downloads ------------------------------------------------------------------


def test_payments_page_offers_a_receipt_a_notice_and_a_refund_note(history, alice_client):
    html = alice_client.get("/paiements/").content.decode()
    assert f'href="/paiements/quittance/{history["premium_jan"].pk}.pdf"' in html
    assert f'href="/paiements/avis-echeance/{history["next"].pk}.pdf"' in html
    assert f'href="/paiements/avoir/{history["prorata_refund"].pk}.pdf"' in html
    assert "Quittance (PDF)" in html and "Avis d&#x27;échéance (PDF)" in html and "Note de remboursement (PDF)" in html
    assert f'/paiements/quittance/{history["next"].pk}.pdf' not in html  # not paid: no receipt
    assert f'{history["cancelled"].pk}.pdf' not in html


def test_receipt_download_is_a_signed_facturx_pdf_and_is_audited(history, alice, alice_client):
    item = history["premium_jan"]
    response = alice_client.get(f"/paiements/quittance/{item.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content) if response.streaming else response.content
    xml, tree = _xml(data)
    assert tree.findtext(".//ram:GrandTotalAmount", namespaces=NS) == "529.35"
    invoice = Invoice.objects.get(schedule_item=item, kind=Invoice.Kind.RECEIPT)
    assert AuditLog.objects.filter(action="document.download", customer=alice,
                                   target_id=str(invoice.document.pk)).count() == 1


def test_another_customers_invoice_is_a_404_and_nothing_is_issued(history, alice_client, bob_client):
    assert alice_client.get(f"/paiements/quittance/{history['bob'].pk}.pdf").status_code == 404
    assert alice_client.get(f"/paiements/avis-echeance/{history['bob_next'].pk}.pdf").status_code == 404
    assert alice_client.get(f"/paiements/quittance/{history['next'].pk}.pdf").status_code == 404  # unpaid
    assert not Invoice.objects.exists()
    assert bob_client.get(f"/paiements/quittance/{history['bob'].pk}.pdf").status_code == 200


# --- /verifier/: a real number, a forged one, the rate limit --------------------------------------------------


def _verify(client, number, ip="192.0.2.10"):
    return client.get("/verifier/", {"numero": number}, REMOTE_ADDR=ip)


def test_verifier_says_an_issued_invoice_is_authentic_with_its_amount_and_date_only(history, client, settings):
    settings.ABRI_VERIFY_RATE_LIMIT = 100_000
    invoice = invoice_issue(item=history["premium_jan"], kind=Invoice.Kind.RECEIPT)
    response = _verify(client, f"  {invoice.number.lower()} ")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Facture authentique : {invoice.number}" in html
    assert "Quittance de cotisation" in html and "529,35\u00a0€" in html and "15 janvier 2026" in html
    assert "Durand" not in html and "Alice" not in html and history["premium_jan"].reference not in html
    assert "errorlist" not in html and "pas la bonne forme" not in html


def test_verifier_rejects_a_forged_invoice_number(history, client, settings):
    settings.ABRI_VERIFY_RATE_LIMIT = 100_000
    invoice = invoice_issue(item=history["premium_jan"], kind=Invoice.Kind.RECEIPT)
    forged = invoice.number[:-4] + ("ZZZZ" if not invoice.number.endswith("ZZZZ") else "YYYY")
    for number in (forged, "FA-2026-9999999-ABCD", "FA-n'importe quoi"):
        html = _verify(client, number).content.decode()
        assert "Facture authentique" not in html
        assert "Aucune facture ne porte le numéro" in html and "peut-être un faux" in html


def test_invoice_verifications_are_rate_limited_like_certificates(history, client, settings):
    settings.ABRI_VERIFY_RATE_LIMIT = 2
    invoice = invoice_issue(item=history["next"], kind=Invoice.Kind.NOTICE)
    ip = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"  # the shared cache counts every run's
    assert _verify(client, invoice.number, ip).status_code == 200
    assert _verify(client, invoice.number, ip).status_code == 200
    response = _verify(client, invoice.number, ip)
    assert response.status_code == 429 and "Trop de vérifications" in response.content.decode()


# --- API -------------------------------------------------------------------------------------------------------


def test_api_lists_the_invoices_and_downloads_a_signed_facturx_pdf(history, alice):
    from tests.api.conftest import bearer_client

    api = bearer_client(alice)
    body = api.get("/api/v1/invoices?page_size=50").json()
    by_id = {item["id"]: item for item in body["items"]}
    receipt = by_id[f"receipt-{history['premium_jan'].pk}"]
    assert receipt["amount"] == "529.35" and receipt["kind_label"] == "Quittance de cotisation"
    assert receipt["number"] is None  # issued on first download
    assert f"notice-{history['next'].pk}" in by_id and f"refund-{history['prorata_refund'].pk}" in by_id
    assert not any(item["contract_number"] == history["bob"].contract.number for item in body["items"])

    response = api.get(receipt["pdf_url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content) if response.streaming else response.content
    _xml_text, tree = _xml(data)
    assert tree.findtext(".//ram:GrandTotalAmount", namespaces=NS) == "529.35"
    invoice = Invoice.objects.get(schedule_item=history["premium_jan"], kind=Invoice.Kind.RECEIPT)
    assert {i["number"] for i in api.get("/api/v1/invoices?page_size=50").json()["items"]} >= {invoice.number}
    assert AuditLog.objects.filter(action="document.download", target_id=str(invoice.document.pk),
                                   data__channel="api").count() == 1


def test_api_answers_404_for_another_customers_invoice_and_422_for_a_bad_id(history, alice):
    from tests.api.conftest import bearer_client

    api = bearer_client(alice)
    response = api.get(f"/api/v1/invoices/receipt-{history['bob'].pk}/pdf")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/problem+json")
    assert api.get(f"/api/v1/invoices/receipt-{history['next'].pk}/pdf").status_code == 404  # not paid
    assert api.get("/api/v1/invoices/facture-1/pdf").status_code == 422
    assert not Invoice.objects.exists()
