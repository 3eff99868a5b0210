"""Certificate pages: the customer's (/documents/attestations/: request, download, list with status) and the
public verification (/verifier/: a landlord, a bank or a school checks a number; no account needed)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import reswap, trigger_client_event

from abri.certificates.forms import KIND_FIELDS, CertificateRequestForm, VerificationForm
from abri.certificates.selectors import certificate_get, certificates_for_customer, contracts_certifiable
from abri.certificates.services import certificate_issue
from abri.certificates.verification import (
    certificate_verify,
    verification_log_document,
    verification_rate_limit,
)
from abri.core.decorators import customer_required
from abri.core.downloads import download_response
from abri.core.htmx import is_htmx
from abri.core.middleware import client_ip
from abri.documents.services import document_download_record
from abri.documents.signing import certificate_fingerprint, signing_material
from abri.documents.verification import document_verify


def _pdf_response(certificate, handle) -> HttpResponse:
    return download_response(file=handle, filename=f"attestation-{certificate.number}.pdf",
                             content_type="application/pdf")


def _issued(customer) -> list:
    today = timezone.localdate()
    return [(c, c.status_on(today)) for c in certificates_for_customer(customer=customer)[:50]]


@customer_required
@require_http_methods(["GET", "POST"])
def certificate_page(request):
    """Choose a contract and a kind, generate: the signed PDF downloads at once; below, those already issued.

    With htmx (ADR 0009) the same URL answers the form's POST with HTML: once issued, the list below out of
    band, « Attestation … délivrée » into the status region and an `HX-Trigger` (« certificate-issued ») with
    the download link, which certificates.js follows; refused, the form section with its errors (422).
    """
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
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                certificate.document.refresh_from_db(fields=["file"])
                ready = bool(certificate.document.file)
                if is_htmx(request):
                    response = render(request, "certificates/partials/issued_update.html", {
                        "certificates": _issued(customer), "issued": certificate if ready else None,
                        "preparing": None if ready else certificate,
                    })
                    reswap(response, "none")  # the form stays as it is, with the focus on its button
                    if ready:
                        trigger_client_event(response, "certificate-issued",
                                             {"url": reverse("certificates:download", args=[certificate.number])})
                    return response
                if ready:
                    # The PDF downloads at once: the first download, in « Historique de mes téléchargements ».
                    document_download_record(actor=request.user, document=certificate.document, preview=False)
                    return _pdf_response(certificate, certificate.document.file.open("rb"))
                # Still being signed by the task queue: the list below shows it « en préparation ».
                messages.info(request, _("Votre attestation %(number)s est en préparation : elle apparaît dans la "
                                         "liste ci-dessous dès qu'elle est signée, en général en quelques "
                                         "secondes.") % {"number": certificate.number})
                return redirect("certificates:page")
        status = 400
    context = {"form": form, "contracts": contracts, "kind_fields": KIND_FIELDS, "active_menu": "documents"}
    if is_htmx(request) and request.method == "POST":
        # A refusal: the form section again, with its errors (htmx swaps a 422, not a 400: ADR 0009).
        return render(request, "certificates/partials/request.html", context, status=422)
    return render(request, "certificates/page.html", {**context, "certificates": _issued(customer)}, status=status)


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


def _throttled(request, retry_after: int) -> HttpResponse:
    response = render(
        request, "certificates/verify/throttled.html", {"retry_after": retry_after, "minutes": max(1, -(-retry_after // 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


@require_GET
def verify_page(request):
    """« Numéro d'attestation » → valide / expirée / révoquée / inconnue, with the minimum shown."""
    result = document_check = None
    if "numero" in request.GET:
        form = VerificationForm(request.GET)
        raw = request.GET.get("numero", "")
        if raw.strip():
            ip = client_ip(request)
            retry_after = verification_rate_limit(ip=ip)
            if retry_after is not None:
                return _throttled(request, retry_after)
            document_check = document_verify(raw)
            if document_check is not None:  # an invoice's number (registered by its app), not a certificate's
                verification_log_document(check=document_check, raw_number=raw, ip=ip, channel="web")
                form = VerificationForm(initial={"numero": raw})
            else:
                outcome = certificate_verify(raw_number=raw, ip=ip, channel="web")
                if form.is_valid():
                    result = outcome
        else:
            form.is_valid()
    else:
        form = VerificationForm()
    response = render(
        request, "certificates/verify/page.html",
        {"form": form, "result": result, "document_check": document_check,
         "fingerprint": certificate_pem_fingerprint()},
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def verify_certificate_pem(request):
    """The 2D-Doc signing certificate (PEM), to verify barcodes offline."""
    return download_response(content=signing_material().twoddoc_cert_pem, filename="certificat.pem",
                             content_type="application/x-pem-file", inline=True, cache_control=None)


@require_GET
@cache_control(public=True, max_age=3600)
def verify_ca_pem(request):
    """The certification authority chain of the PDF signatures (PEM), when one is configured."""
    pem = signing_material().trust_roots_pem
    if not pem:
        raise Http404
    return download_response(content=pem, filename="ac.pem", content_type="application/x-pem-file", inline=True,
                             cache_control=None)


def certificate_pem_fingerprint() -> str:
    """SHA-256 fingerprint of the published 2D-Doc certificate (shown on the page)."""
    return certificate_fingerprint(signing_material().twoddoc_cert_pem)
