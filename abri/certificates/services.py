"""Writes for certificates (attestations): issue, revoke, and the sweep that revokes what became untrue.

A certificate is filed in the customer's vault through `abri.documents.services.document_file`: the
Document row (with the certified text), the Certificate row, the audit row and the sweep are written in
one transaction; the PDF (2D-Doc, QR code, PAdES signature) is rendered by the vault's task
(`abri.certificates.rendering.certificate_pdf`), never in the request.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from abri.certificates.choices import CertificateKind
from abri.certificates.models import Certificate
from abri.certificates.rendering import certified_text
from abri.certificates.rules import (
    certificate_kind_refusal,
    certificate_number_generate,
    certificate_validity,
    fr_date,
    school_year_parse,
)
from abri.contracts.models import Contract
from abri.core.errors import ensure_owner
from abri.core.services import audit_record
from abri.documents.choices import DocumentKind, GuaranteeCategory
from abri.documents.services import document_file, document_render_and_store
from abri.notifications.services import notification_create

logger = logging.getLogger(__name__)

RENDERER = "certificates.certificate"


def _initials(first_name: str, last_name: str) -> str:
    return "".join(f"{part[:1].upper()}." for part in (first_name, last_name) if part)


@transaction.atomic
def certificate_issue(
    *,
    customer,
    contract: Contract,
    kind: str,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    child_first_name: str = "",
    child_last_name: str = "",
    school_year: str = "",
    actor=None,
    channel: str = "web",
) -> Certificate:
    """Issue a signed certificate for one of the customer's active contracts (raises ValidationError).

    The contract's certificates that no longer state the truth are revoked first, in the same
    transaction (`certificates_sweep`): a new certificate is never issued beside a stale one. The PDF
    is rendered and signed by the vault's task; until then the certificate shows « en préparation ».
    """
    ensure_owner(contract, customer)
    if kind not in CertificateKind.values:
        raise ValidationError({"kind": [_("Choisissez un type d'attestation.")]})
    # The contract row is locked: an amendment or termination of this contract waits for the issue, or the
    # issue waits for it and then sees (and sweeps) the new facts.
    contract = Contract.objects.select_for_update(of=("self",)).select_related("property").get(pk=contract.pk)
    certificates_sweep(contract=contract, reason=_("Contrat modifié"), actor=actor)
    if not contract.is_active:
        raise ValidationError({"contract": [_("Ce contrat n'est pas en cours : aucune attestation ne peut être délivrée.")]})
    with override("fr"):
        refusal = certificate_kind_refusal(contract=contract, kind=kind)
    if refusal:
        raise ValidationError({"kind": [refusal]})
    child_first_name, child_last_name = (child_first_name or "").strip(), (child_last_name or "").strip()
    if kind == CertificateKind.SCHOOL:
        errors = {}
        if not child_first_name:
            errors["child_first_name"] = [_("Indiquez le prénom de l'enfant.")]
        if not child_last_name:
            errors["child_last_name"] = [_("Indiquez le nom de l'enfant.")]
        if errors:
            raise ValidationError(errors)
    now = timezone.now()
    today = timezone.localdate(now)
    start, end = certificate_validity(
        contract=contract, kind=kind, today=today, valid_from=valid_from, valid_until=valid_until,
        school_year=school_year,
    )
    years = school_year_parse(school_year) if kind == CertificateKind.SCHOOL else None
    certificate = Certificate(
        number=certificate_number_generate(year=today.year),
        customer=customer,
        contract=contract,
        kind=kind,
        valid_from=start,
        valid_until=end,
        issued_at=now,
        child_first_name=child_first_name[:80] if kind == CertificateKind.SCHOOL else "",
        child_last_name=child_last_name[:80] if kind == CertificateKind.SCHOOL else "",
        school_year=f"{years[0]}-{years[1]}" if years else "",
        insured_initials=_initials(customer.first_name, customer.last_name),
        city=contract.property.city,
    )
    return _file(certificate=certificate, contract=contract, actor=actor, channel=channel)


def _render_options(*, certificate: Certificate, title: str, blocks: list) -> dict:
    return {
        "renderer": RENDERER, "filename": "attestation.pdf", "sign": True,
        "renderer_args": {"certificate_id": certificate.pk, "title": title,
                          "blocks": [[block.style, block.text] for block in blocks]},
        "sign_reason": f"{title} {certificate.number}",
    }


def certificate_render_now(*, certificate: Certificate) -> bool:
    """Render and sign a pending certificate's PDF in this process (the command line waits for its file).

    Idempotent with the queued task: whichever runs first stores the file, the other stores nothing.
    """
    if certificate.document is None or certificate.document.file:
        return False
    title, blocks, _text = certified_text(certificate=certificate, contract=certificate.contract,
                                          guarantees=list(certificate.contract.guarantees.all()),
                                          issued_at=certificate.issued_at)
    stored = document_render_and_store(document_id=certificate.document.pk,
                                       **_render_options(certificate=certificate, title=title, blocks=blocks))
    certificate.document.refresh_from_db()
    return stored


def _file(*, certificate: Certificate, contract: Contract, actor, channel: str) -> Certificate:
    """Write the Certificate, its Document (through the vault's front door) and the audit row."""
    guarantees = list(contract.guarantees.all())
    title, blocks, text = certified_text(certificate=certificate, contract=contract, guarantees=guarantees,
                                         issued_at=certificate.issued_at)
    with transaction.atomic():
        certificate.save()
        document = document_file(
            customer=certificate.customer, contract=contract, property=contract.property, kind=DocumentKind.CERTIFICATE,
            title=f"{title} {certificate.number}", issued_on=timezone.localdate(certificate.issued_at), text=text,
            guarantee_category=(GuaranteeCategory.LIABILITY if certificate.kind == CertificateKind.SCHOOL
                                else GuaranteeCategory.GENERAL),
            actor=actor, audit_data={"certificate": certificate.number},
            **_render_options(certificate=certificate, title=title, blocks=blocks),
        )
        certificate.document = document
        certificate.save(update_fields=["document"])
        certificate.refresh_from_db(fields=["twoddoc_payload"])  # signed by the task (at once when immediate)
        audit_record(
            actor=actor, action="certificate.issued", target=certificate, customer=certificate.customer,
            data={"number": certificate.number, "kind": certificate.kind, "contract": contract.number,
                  "channel": channel},
        )
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, actor=None) -> Certificate:
    """Revoke one certificate (verification then answers « révoquée »); idempotent, the first reason stays."""
    _revoke_if_valid(certificate_id=certificate.pk, reason=reason, actor=actor)
    locked = Certificate.objects.get(pk=certificate.pk)
    certificate.revoked_at, certificate.revocation_reason = locked.revoked_at, locked.revocation_reason
    return locked


def _revoke_if_valid(*, certificate_id: int, reason: str, actor) -> bool:
    """The conditional write: only a certificate not yet revoked is revoked (and audited), once."""
    now = timezone.now()
    reason = (reason or "")[:200]
    if not Certificate.objects.filter(pk=certificate_id, revoked_at__isnull=True).update(
            revoked_at=now, revocation_reason=reason):
        return False  # already revoked (by another sweep, by staff): nothing to write, nothing to audit
    certificate = Certificate.objects.select_related("customer").get(pk=certificate_id)
    audit_record(
        actor=actor, action="certificate.revoked", target=certificate, customer=certificate.customer,
        data={"number": certificate.number, "reason": reason}, actor_label="" if actor else "system",
    )
    return True


def certificate_states_the_truth(*, certificate: Certificate, contract: Contract | None = None,
                                 guarantees: list | None = None) -> bool:
    """Whether what the certificate states (its stored text) is still what the contract would state now."""
    contract = contract or certificate.contract
    if certificate.document is None:
        return False
    guarantees = guarantees if guarantees is not None else list(contract.guarantees.all())
    _title, _blocks, text = certified_text(certificate=certificate, contract=contract, guarantees=guarantees,
                                           issued_at=certificate.issued_at)
    return text == certificate.document.text


@transaction.atomic
def certificates_sweep(*, contract: Contract, reason: str, actor=None) -> list[Certificate]:
    """Revoke every certificate of the contract whose stated facts no longer hold; returns those revoked.

    A certificate no longer holds when its contract is no longer in force (ended, cancelled), or when
    what it states (its stored text) differs from what the contract states now (an amendment changed
    the guarantees, a ceiling, a deductible printed on it, the address…); a change it does not state
    (a payment frequency) revokes nothing. Idempotent and safe to run concurrently: each revocation is
    a conditional UPDATE … WHERE revoked_at IS NULL, so a certificate is revoked and audited once.
    Runs in the caller's transaction: before any new certificate of the contract (certificate_issue),
    and with every status change or amendment of the contract (the `contract_changed` signal, ADR 0008).
    """
    contract = Contract.objects.select_related("property", "customer").get(pk=contract.pk)
    in_force = contract.is_active  # in force: active or termination requested (CONTRACT_IN_FORCE)
    guarantees = list(contract.guarantees.all())
    revoked = []
    for certificate in (Certificate.objects.filter(contract=contract, revoked_at__isnull=True)
                        .select_related("document", "customer").order_by("issued_at", "id")):
        if in_force and certificate_states_the_truth(certificate=certificate, contract=contract,
                                                     guarantees=guarantees):
            continue
        if _revoke_if_valid(certificate_id=certificate.pk, reason=reason, actor=actor):
            certificate.refresh_from_db(fields=["revoked_at", "revocation_reason"])
            revoked.append(certificate)
    return revoked


@transaction.atomic
def certificates_refresh_for_contract(*, contract: Contract, reason: str, actor=None) -> list[tuple]:
    """After an amendment: sweep, then reissue each revoked certificate at once and tell the customer.

    Only the certificates the change made untrue are revoked (`certificates_sweep`). A replaced certificate
    gets the number of its successor in its revocation reason; when its kind no longer applies (e.g. no
    tenant's liability any more), the notification says why. Returns [(old certificate, new or None)].
    """
    contract = Contract.objects.select_related("property", "customer").get(pk=contract.pk)
    today = timezone.localdate()
    results = []
    for old in certificates_sweep(contract=contract, reason=reason, actor=actor):
        if old.valid_until < today:
            continue  # expired already: revoked, nothing to replace, nothing to tell
        with override("fr"):
            refusal = certificate_kind_refusal(contract=contract, kind=old.kind)
        new = None
        if not refusal and contract.is_active:
            new = _reissue(old=old, contract=contract, today=today, actor=actor)
            why = _("%(reason)s : remplacée par l'attestation %(number)s") % {"reason": reason, "number": new.number}
            Certificate.objects.filter(pk=old.pk).update(revocation_reason=why[:200])
            old.revocation_reason = why[:200]
            body = _("Votre contrat %(contract)s a changé : l'attestation %(old)s ne correspond plus à vos "
                     "garanties et a été révoquée. La nouvelle attestation %(new)s, valable du %(start)s au "
                     "%(end)s, est dans vos documents : transmettez-la à la place de l'ancienne.") % {
                "contract": contract.number, "old": old.number, "new": new.number,
                "start": fr_date(new.valid_from, language="fr"), "end": fr_date(new.valid_until, language="fr")}
            title = _("Attestation %(number)s remplacée") % {"number": old.number}
        else:
            body = _("Votre contrat %(contract)s a changé : l'attestation %(old)s ne correspond plus à vos "
                     "garanties et a été révoquée. %(refusal)s") % {
                "contract": contract.number, "old": old.number, "refusal": refusal}
            title = _("Attestation %(number)s révoquée") % {"number": old.number}
        notification_create(customer=contract.customer, title=title, body=body, url="/documents/attestations/",
                            category="contract", email=True)
        results.append((old, new))
    return results


def _reissue(*, old: Certificate, contract: Contract, today: dt.date, actor) -> Certificate:
    """A new certificate of the same kind (same child and school year) stating the contract as it is now."""
    now = timezone.now()
    valid_until = min(old.valid_until, contract.end_date) if contract.end_date else old.valid_until
    certificate = Certificate(
        number=certificate_number_generate(year=today.year), customer=old.customer, contract=contract,
        kind=old.kind, valid_from=max(old.valid_from, today, contract.start_date),
        valid_until=max(valid_until, today), issued_at=now, child_first_name=old.child_first_name,
        child_last_name=old.child_last_name, school_year=old.school_year,
        insured_initials=_initials(old.customer.first_name, old.customer.last_name), city=contract.property.city,
    )
    return _file(certificate=certificate, contract=contract, actor=actor, channel="reissue")


def certificates_on_contract_changed(sender, *, contract: Contract, change: str, reason: str = "", actor=None,
                                     **kwargs) -> None:
    """Receiver of `abri.contracts.signals.contract_changed` (ADR 0008), in the contract's transaction.

    An amendment replaces the certificates it made untrue; a status change (termination, end, move)
    revokes those whose contract is no longer in force. Both are sweeps: running twice changes nothing.
    """
    if change == "amended":
        certificates_refresh_for_contract(contract=contract, reason=reason or _("Contrat modifié"), actor=actor)
    else:
        certificates_sweep(contract=contract, reason=reason or _("Contrat résilié"), actor=actor)
