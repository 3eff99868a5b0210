"""Customer certificate pages (/documents/attestations/): request, download at once, list with status."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from abri.core.decorators import customer_required
from abri.core.downloads import download_response
from abri.documents.certificate_forms import KIND_FIELDS, CertificateRequestForm
from abri.documents.certificates import (
    certificate_get,
    certificate_issue,
    certificates_for_customer,
    contracts_certifiable,
)
from abri.documents.services import document_download_record


def _pdf_response(certificate, handle) -> HttpResponse:
    return download_response(file=handle, filename=f"attestation-{certificate.number}.pdf",
                             content_type="application/pdf")


@customer_required
@require_http_methods(["GET", "POST"])
def certificate_page(request):
    """Choose a contract and a kind, generate: the signed PDF downloads at once; below, those already issued."""
    customer = request.customer
    contracts = list(contracts_certifiable(customer=customer))
    form = CertificateRequestForm(request.POST or None, contracts=contracts)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                certificate = certificate_issue(
                    customer=customer, contract=form.selected_contract, kind=data["kind"],
                    valid_from=data.get("valid_from"), valid_until=data.get("valid_until"),
                    child_first_name=data.get("child_first_name", ""), child_last_name=data.get("child_last_name", ""),
                    school_year=data.get("school_year", ""), actor=request.user,
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                # The PDF downloads at once: that is the first download, in « Historique de mes téléchargements ».
                document_download_record(actor=request.user, document=certificate.document, preview=False)
                return _pdf_response(certificate, certificate.document.file.open("rb"))
        status = 400
    today = timezone.localdate()
    certificates = [(c, c.status_on(today)) for c in certificates_for_customer(customer=customer)[:50]]
    return render(
        request, "documents/certificates/page.html",
        {"form": form, "contracts": contracts, "certificates": certificates, "kind_fields": KIND_FIELDS,
         "active_menu": "documents"},
        status=status,
    )


@customer_required
def certificate_download(request, number: str):
    """Download one of the customer's certificates again (another customer's answers 404)."""
    certificate = certificate_get(customer=request.customer, number=number)
    if certificate.document is None or not certificate.document.file:
        raise Http404
    try:
        handle = certificate.document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    document_download_record(actor=request.user, document=certificate.document, preview=False)
    return _pdf_response(certificate, handle)
