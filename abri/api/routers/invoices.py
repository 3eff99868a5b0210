"""GET /api/v1/invoices and /api/v1/invoices/{id}/pdf: avis d'échéance, quittances, notes de remboursement.

The same invoices as the links of /paiements/ (abri.billing.invoices): Factur-X PDF/A-3, PAdES-signed, issued
once on first download, each download audited.
"""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate

from abri.api.pagination import PageNumber
from abri.api.problems import problem
from abri.api.security import request_customer
from abri.api.types import Money
from abri.billing.invoices import invoice_for_customer, invoices_available
from abri.core.downloads import download_response
from abri.documents.services import document_download_record

router = Router(tags=["paiements"])

INVOICE_ID_PATTERN = r"^(notice|receipt|refund)-[0-9]{1,12}$"


class InvoiceOut(Schema):
    id: str = Field(description="Identifiant stable : notice-<n> (avis d'échéance), receipt-<n> (quittance) "
                                "ou refund-<n> (note de remboursement), <n> étant l'échéance.")
    kind: str = Field(description="notice, receipt ou refund.")
    kind_label: str
    number: str | None = Field(description="Numéro de facture (vérifiable sur /verifier/) ; null avant le premier "
                                           "téléchargement, qui l'émet.")
    contract_number: str
    due_date: dt.date
    amount: Money = Field(description="Montant toutes taxes comprises (positif).")
    pdf_url: str

    @staticmethod
    def resolve_pdf_url(obj) -> str:
        return reverse("api:invoice_pdf", kwargs={"invoice_id": obj.id})


class InvoicePath(Schema):
    invoice_id: str = Field(pattern=INVOICE_ID_PATTERN, max_length=20)


@router.get("", response=list[InvoiceOut], summary="Mes factures, avis d'échéance et quittances")
@paginate(PageNumber)
def invoice_list(request):
    """Each paid premium's receipt, each upcoming one's notice, each refund's note; newest due date first."""
    return invoices_available(customer=request_customer(request))


@router.get("/{invoice_id}/pdf", url_name="invoice_pdf", summary="Télécharger une facture (PDF Factur-X signé)",
            openapi_extra={"responses": {200: {"description": "Le PDF/A-3", "content": {"application/pdf": {}}}}})
def invoice_pdf(request, path: Path[InvoicePath]):
    """The PDF/A-3 with its Factur-X XML, signed; another customer's: 404."""
    kind, item_id = path.invoice_id.split("-")
    invoice = invoice_for_customer(customer=request_customer(request), item_id=int(item_id), kind=kind,
                                   actor=request.user)
    document = invoice.document
    document.refresh_from_db(fields=["file", "size_bytes"])
    if document.is_pending:
        response = problem(503, _("Facture en préparation"),
                           _("La facture est en cours de signature : réessayez dans quelques instants."))
        response["Retry-After"] = "5"
        return response
    document_download_record(actor=request.user, document=document, preview=False, channel="api")
    return download_response(file=document.file.open("rb"), filename=f"{invoice.number}.pdf",
                             content_type="application/pdf")
