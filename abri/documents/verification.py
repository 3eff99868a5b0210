"""Public verification of certificates (/verifier/): a landlord, a bank or a school checks a number."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from abri.core.downloads import download_response
from abri.core.middleware import client_ip
from abri.documents.certificate_forms import VerificationForm
from abri.documents.certificates import certificate_verify, verification_rate_limit
from abri.documents.signing import certificate_fingerprint, signing_material


def _throttled(request, retry_after: int) -> HttpResponse:
    response = render(
        request, "documents/verify/throttled.html", {"retry_after": retry_after, "minutes": max(1, -(-retry_after // 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


@require_GET
def verify_page(request):
    """« Numéro d'attestation » → valide / expirée / révoquée / inconnue, with the minimum shown."""
    result = None
    if "numero" in request.GET:
        form = VerificationForm(request.GET)
        raw = request.GET.get("numero", "")
        if raw.strip():
            ip = client_ip(request)
            retry_after = verification_rate_limit(ip=ip)
            if retry_after is not None:
                return _throttled(request, retry_after)
            outcome = certificate_verify(raw_number=raw, ip=ip, channel="web")
            if form.is_valid():
                result = outcome
        else:
            form.is_valid()
    else:
        form = VerificationForm()
    response = render(
        request, "documents/verify/page.html",
        {"form": form, "result": result, "fingerprint": certificate_pem_fingerprint()},
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
