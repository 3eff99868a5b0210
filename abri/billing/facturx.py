"""Factur-X (EN 16931 profile) for Abri's invoices: the CII XML, and the PDF/A-3 that embeds it.

Insurance premiums are exempt from VAT (article 261 C 2° du CGI): every line is VAT category « E » at 0 %
with the exemption reason, and the VAT total is 0. The insurance taxes and contributions the tariff adds
(Cat Nat surcharge, TSCA, FGTI) are lines of their own, so that the lines add up to the amount paid.
Built with lxml and checked against the Factur-X XSD by the `factur-x` library, which also turns the letter
into a PDF/A-3 with the XML attached (`factur-x.xml`, AFRelationship Data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy
from facturx import generate_from_binary
from lxml import etree

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931 = "urn:cen.eu:en16931:2017"
FLAVOR, LEVEL = "factur-x", "en16931"

# In the language active when the XML is built (the invoices build it in French, whatever the request's).
VAT_EXEMPTION_REASON = gettext_lazy("Exonération de TVA, article 261 C 2° du CGI (opérations d'assurance)")
TYPE_INVOICE, TYPE_CREDIT_NOTE = "380", "381"
# UNTDID 4461 payment means: SEPA direct debit, SEPA credit transfer, bank card
PAYMENT_MEANS = {"direct_debit": "59", "transfer": "58", "card": "48"}


@dataclass(frozen=True)
class Party:
    name: str
    line: str
    postcode: str
    city: str
    country: str = "FR"
    siren: str = ""
    vat_id: str = ""
    email: str = ""


@dataclass(frozen=True)
class InvoiceData:
    """What the XML says: amounts are positive Decimals (a refund is a credit note, not negative amounts)."""

    number: str
    type_code: str
    issued_on: dt.date
    seller: Party
    buyer: Party
    lines: list[tuple[str, Decimal]]
    due_date: dt.date | None
    paid: Decimal
    contract_number: str
    payment_means: str
    note: str = ""
    payment_reference: str = ""

    @property
    def total(self) -> Decimal:
        return sum((amount for _label, amount in self.lines), Decimal("0.00"))


def _sub(parent, tag: str, text: str | None = None, **attrs):
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", **attrs)
    if text is not None:
        node.text = text
    return node


def _amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _date(parent, tag: str, day: dt.date) -> None:
    _sub(_sub(parent, tag), "udt:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _party(parent, tag: str, party: Party) -> None:
    node = _sub(parent, tag)
    _sub(node, "ram:Name", party.name)
    if party.siren:
        _sub(_sub(node, "ram:SpecifiedLegalOrganization"), "ram:ID", party.siren, schemeID="0002")
    address = _sub(node, "ram:PostalTradeAddress")
    if party.postcode:
        _sub(address, "ram:PostcodeCode", party.postcode)
    if party.line:
        _sub(address, "ram:LineOne", party.line)
    if party.city:
        _sub(address, "ram:CityName", party.city)
    _sub(address, "ram:CountryID", party.country)
    if party.email:
        _sub(_sub(node, "ram:URIUniversalCommunication"), "ram:URIID", party.email, schemeID="EM")
    if party.vat_id:
        _sub(_sub(node, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_id, schemeID="VA")


def _exempt_tax(parent, *, basis: Decimal | None = None) -> None:
    tax = _sub(parent, "ram:ApplicableTradeTax")
    if basis is not None:
        _sub(tax, "ram:CalculatedAmount", "0.00")
    _sub(tax, "ram:TypeCode", "VAT")
    if basis is not None:
        _sub(tax, "ram:ExemptionReason", str(VAT_EXEMPTION_REASON))
        _sub(tax, "ram:BasisAmount", _amount(basis))
    _sub(tax, "ram:CategoryCode", "E")
    _sub(tax, "ram:RateApplicablePercent", "0")


def invoice_xml(data: InvoiceData) -> bytes:
    """The Cross Industry Invoice (Factur-X EN 16931) for `data`."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _sub(root, "rsm:ExchangedDocumentContext")
    _sub(_sub(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)
    document = _sub(root, "rsm:ExchangedDocument")
    _sub(document, "ram:ID", data.number)
    _sub(document, "ram:TypeCode", data.type_code)
    _date(document, "ram:IssueDateTime", data.issued_on)
    for note in (data.note, str(VAT_EXEMPTION_REASON)):
        if note:
            _sub(_sub(document, "ram:IncludedNote"), "ram:Content", note)

    transaction = _sub(root, "rsm:SupplyChainTradeTransaction")
    for index, (label, amount) in enumerate(data.lines, start=1):
        item = _sub(transaction, "ram:IncludedSupplyChainTradeLineItem")
        _sub(_sub(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
        _sub(_sub(item, "ram:SpecifiedTradeProduct"), "ram:Name", label)
        agreement = _sub(item, "ram:SpecifiedLineTradeAgreement")
        _sub(_sub(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", _amount(amount))
        _sub(_sub(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", "1", unitCode="C62")
        settlement = _sub(item, "ram:SpecifiedLineTradeSettlement")
        _exempt_tax(settlement)
        summation = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _sub(summation, "ram:LineTotalAmount", _amount(amount))

    agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    _sub(agreement, "ram:BuyerReference", data.contract_number)
    _party(agreement, "ram:SellerTradeParty", data.seller)
    _party(agreement, "ram:BuyerTradeParty", data.buyer)
    _sub(_sub(agreement, "ram:ContractReferencedDocument"), "ram:IssuerAssignedID", data.contract_number)
    _sub(transaction, "ram:ApplicableHeaderTradeDelivery")

    settlement = _sub(transaction, "ram:ApplicableHeaderTradeSettlement")
    if data.payment_reference:
        _sub(settlement, "ram:PaymentReference", data.payment_reference)
    _sub(settlement, "ram:InvoiceCurrencyCode", "EUR")
    _sub(_sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans"), "ram:TypeCode", data.payment_means)
    total = data.total
    _exempt_tax(settlement, basis=total)
    if data.due_date:
        _date(_sub(settlement, "ram:SpecifiedTradePaymentTerms"), "ram:DueDateDateTime", data.due_date)
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", _amount(total))
    _sub(summation, "ram:TaxBasisTotalAmount", _amount(total))
    _sub(summation, "ram:TaxTotalAmount", "0.00", currencyID="EUR")
    _sub(summation, "ram:GrandTotalAmount", _amount(total))
    _sub(summation, "ram:TotalPrepaidAmount", _amount(data.paid))
    _sub(summation, "ram:DuePayableAmount", _amount(total - data.paid))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def insurer_party() -> Party:
    """The seller: the insurer, from the ABRI_INSURER_* settings (« 12 rue de la Paix, 75002 Paris »)."""
    line, _, rest = settings.ABRI_INSURER_ADDRESS.partition(",")
    rest = rest.strip()
    postcode, _, city = rest.partition(" ")
    if not postcode.isdigit():
        postcode, city = "", rest
    return Party(name=settings.ABRI_INSURER_NAME, line=line.strip(), postcode=postcode, city=city.strip(),
                 siren=settings.ABRI_INSURER_SIREN, vat_id=settings.ABRI_INSURER_VAT_ID)


def facturx_pdf(pdf: bytes, xml: bytes, *, title: str, subject: str, keywords: str) -> bytes:
    """The letter as a PDF/A-3 with its Factur-X XML embedded (checked against the XSD on the way)."""
    return generate_from_binary(
        pdf, xml, flavor=FLAVOR, level=LEVEL, check_xsd=True, lang="fr-FR",
        pdf_metadata={"author": settings.ABRI_INSURER_NAME, "keywords": keywords, "title": title,
                      "subject": subject},
    )
