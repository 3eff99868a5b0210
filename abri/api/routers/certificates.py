"""Certificates in the API: request one (customer), download it, list them; verify a number (public).

Registered in abri/api/main.py with:
    from abri.api.routers.certificates import router as certificates_router
    api.add_router("/certificates", certificates_router, throttle=api_throttles)
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

try:
    from ninja import Status
except ImportError:  # django-ninja < 1.7 takes a (status, body) tuple
    def Status(status_code, value):  # noqa: N802
        return status_code, value

from abri.api.problems import problem
from abri.api.security import request_customer
from abri.certificates.choices import CertificateKind
from abri.certificates.rendering import verification_url
from abri.certificates.rules import certificate_kind_refusal
from abri.certificates.selectors import certificate_get, certificates_for_customer, contracts_certifiable
from abri.certificates.services import certificate_issue
from abri.certificates.verification import certificate_verify, verification_rate_limit
from abri.core.downloads import download_response
from abri.core.middleware import client_ip
from abri.core.services import audit_record

router = Router(tags=["attestations"])


class CertificateIn(Schema):
    kind: CertificateKind = Field(..., description="tenant, lender, temporary ou school.")
    contract_number: str | None = Field(
        None, max_length=20, description="Numéro de contrat ; par défaut le premier contrat en cours."
    )
    valid_from: date | None = Field(None, description="Temporaire : début de validité.")
    valid_until: date | None = Field(None, description="Temporaire : fin de validité (30 jours au plus).")
    child_first_name: str = Field("", max_length=80, description="Scolaire : prénom de l'enfant.")
    child_last_name: str = Field("", max_length=80, description="Scolaire : nom de l'enfant.")
    school_year: str = Field("", max_length=9, description="Scolaire : année scolaire, ex. 2026-2027.")


class CertificateOut(Schema):
    number: str
    kind: str
    kind_label: str
    contract_number: str
    valid_from: date
    valid_until: date
    issued_at: datetime
    status: str
    pdf_url: str
    verification_url: str

    @staticmethod
    def from_certificate(certificate) -> CertificateOut:
        return CertificateOut(
            number=certificate.number, kind=certificate.kind, kind_label=str(certificate.get_kind_display()),
            contract_number=certificate.contract.number, valid_from=certificate.valid_from,
            valid_until=certificate.valid_until, issued_at=certificate.issued_at,
            status=certificate.status_on(timezone.localdate()),
            pdf_url=reverse("api:certificate_pdf", kwargs={"number": certificate.number}),
            verification_url=verification_url(certificate.number),
        )


class VerificationOut(Schema):
    number: str
    outcome: str = Field(..., description="valid, not_yet_valid, expired, revoked, unknown ou malformed.")
    outcome_label: str
    kind_label: str = ""
    insured_initials: str = ""
    city: str = ""
    valid_from: date | None = None
    valid_until: date | None = None


class VerifyQuery(Schema):
    numero: str = Field(..., max_length=40, description="Numéro d'attestation, ex. ATT-2026-7KQ4M2XD.")


@router.post("", response={201: CertificateOut}, summary="Demander une attestation")
def certificate_request(request, payload: CertificateIn):
    """Issue a signed certificate now (same service as the page); field errors answer 422 problem+json."""
    customer = request_customer(request)
    contracts = contracts_certifiable(customer=customer)
    if payload.contract_number:
        contract = contracts.filter(number=payload.contract_number.strip()).first()
        if contract is None:
            return problem(422, _("Requête invalide"), _("Aucun contrat en cours ne porte ce numéro."),
                           errors=[{"loc": ["body", "contract_number"], "msg": _("Contrat inconnu ou terminé."),
                                    "type": "value_error"}])
    else:
        # By default the first contract in force for which this kind applies (the service refuses the others).
        candidates = list(contracts)
        contract = next((c for c in candidates if not certificate_kind_refusal(contract=c, kind=payload.kind)),
                        candidates[0] if candidates else None)
        if contract is None:
            return problem(422, _("Requête invalide"), _("Vous n'avez aucun contrat en cours."))
    try:
        certificate = certificate_issue(
            customer=customer, contract=contract, kind=payload.kind, valid_from=payload.valid_from,
            valid_until=payload.valid_until, child_first_name=payload.child_first_name,
            child_last_name=payload.child_last_name, school_year=payload.school_year, actor=request.auth,
            channel="api",
        )
    except ValidationError as exc:
        errors = [{"loc": ["body", field], "msg": message, "type": "value_error"}
                  for field, messages in exc.message_dict.items() for message in messages]
        return problem(422, _("Requête invalide"), errors[0]["msg"] if errors else "", errors=errors)
    return Status(201, CertificateOut.from_certificate(certificate))


@router.get("", response=list[CertificateOut], summary="Mes attestations")
def certificate_list(request):
    """The customer's certificates, newest first (at most 100)."""
    return [CertificateOut.from_certificate(c) for c in certificates_for_customer(customer=request_customer(request))[:100]]


@router.get("/verify", auth=None, response={200: VerificationOut}, summary="Vérifier une attestation (public)")
def certificate_verify_api(request, query: Query[VerifyQuery]):
    """Public: the outcome and the minimum a third party may see; rate-limited per address like the page."""
    ip = client_ip(request)
    retry_after = verification_rate_limit(ip=ip)
    if retry_after is not None:
        response = problem(429, _("Trop de requêtes"),
                           _("Trop de vérifications : réessayez dans %(seconds)s secondes.") % {"seconds": retry_after})
        response["Retry-After"] = str(retry_after)
        return response
    result = certificate_verify(raw_number=query.numero, ip=ip, channel="api")
    return VerificationOut(
        number=result.number, outcome=result.outcome, outcome_label=result.outcome_label,
        kind_label=result.kind_label, insured_initials=result.insured_initials, city=result.city,
        valid_from=result.valid_from, valid_until=result.valid_until,
    )


@router.get(
    "/{number}/pdf", url_name="certificate_pdf", response={200: None}, summary="Télécharger une attestation",
    openapi_extra={"responses": {200: {"description": "Le PDF signé.",
                                       "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}},
)
def certificate_pdf(request, number: str):
    """The signed PDF of one of the customer's certificates; another customer's answers 404."""
    certificate = certificate_get(customer=request_customer(request), number=number[:20])
    if certificate.document is None or not certificate.document.file:
        raise Http404
    try:
        handle = certificate.document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    audit_record(actor=request.auth, action="document.download", target=certificate.document,
                 data={"certificate": certificate.number, "channel": "api"})
    return download_response(file=handle, filename=f"attestation-{certificate.number}.pdf",
                             content_type="application/pdf")
