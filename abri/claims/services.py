"""Writes for claims: the declaration (drafts, evidence, idempotent submission) and the handler's workflow.

Every state change goes through `claim_transition`: it checks the current state, writes the timeline
row, the audit row and the customer's notification in one transaction.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, override

from abri.accounts.codes import rate_limit_hit
from abri.claims.choices import (
    CUSTOMER_EVIDENCE_KINDS,
    OPEN_STATUSES,
    ClaimStatus,
    EvidenceKind,
    RequestStatus,
    ScanStatus,
)
from abri.claims.letters import claim_acknowledgement_pdf
from abri.claims.models import (
    Claim,
    ClaimDraft,
    ClaimMessage,
    ClaimPayment,
    ClaimRequest,
    ClaimStep,
    Evidence,
)
from abri.claims.rules import (
    EVENT_GUARANTEE,
    NEXT_STEP_DELAY,
    TRANSITIONS,
    SettlementItem,
    compute_settlement,
    declaration_deadline,
    event_deductible,
)
from abri.claims.uploads import MAX_FILES, UploadRejected, process_upload, scan_for_malware
from abri.contracts.guarantees import tariff_for
from abri.contracts.models import Contract
from abri.core.crypto import encrypt_text
from abri.core.errors import ensure_owner
from abri.core.formats import day
from abri.core.money import format_eur
from abri.core.services import audit_record
from abri.documents.choices import DocumentKind
from abri.documents.models import Document
from abri.documents.services import document_file
from abri.notifications.services import notification_create

PARIS = ZoneInfo("Europe/Paris")
IBAN_PURPOSE = "claim-iban"


# Per customer and per hour. A real declaration is one draft and up to MAX_FILES files (plus a few
# files added later); these leave room for three complete declarations in an hour, and stop a script
# from filling the disk or keeping the image decoder busy.
DRAFTS_PER_HOUR = 10
UPLOADS_PER_HOUR = 100


class ClaimError(Exception):
    """A workflow rule was broken; the message is French and can be shown as is."""


class DraftRateLimited(ClaimError):
    """Too many declarations started in the last hour (answered 429)."""


class UploadRateLimited(UploadRejected):
    """Too many files sent in the last hour (answered 429)."""


# --- Drafts ---------------------------------------------------------------------------------
def draft_start(*, customer) -> ClaimDraft:
    """Start a new declaration draft (at most DRAFTS_PER_HOUR an hour)."""
    if rate_limit_hit(f"claims:drafts:{customer.pk}", limit=DRAFTS_PER_HOUR, window_seconds=3600):
        raise DraftRateLimited(_("Vous avez commencé plus de %(limit)s déclarations en une heure : reprenez une "
                                 "déclaration en cours, ou réessayez dans une heure.") % {"limit": DRAFTS_PER_HOUR})
    draft = ClaimDraft.objects.create(customer=customer)
    audit_record(action="claim.draft_started", target=draft, customer=customer)
    return draft


@transaction.atomic
def draft_save_step(*, customer, draft: ClaimDraft, step: str, values: dict, next_step: str) -> ClaimDraft:
    """Merge one validated step into the draft (the server keeps everything typed)."""
    if step == "bank" and values.get("iban_encrypted"):
        raise ValueError("an IBAN is saved by draft_bank_details_set, after a step-up")
    draft = ClaimDraft.objects.select_for_update().get_for_customer(customer, pk=draft.pk)
    if draft.submitted_at:
        raise ClaimError(_("Cette déclaration a déjà été envoyée."))
    data = dict(draft.data)
    data[step] = values
    if step == "bank":
        data.pop(BANK_PENDING, None)  # « plus tard »: an IBAN waiting for its step-up is dropped
    draft.data = data
    draft.step = next_step
    draft.save(update_fields=["data", "step", "updated_at"])
    return draft


BANK_PENDING = "bank_pending"


@transaction.atomic
def draft_bank_details_hold(*, customer, draft: ClaimDraft, values: dict) -> ClaimDraft:
    """Keep an IBAN typed in the wizard (encrypted) while the customer passes the step-up; not used yet."""
    draft = ClaimDraft.objects.select_for_update().get_for_customer(customer, pk=draft.pk)
    if draft.submitted_at:
        raise ClaimError(_("Cette déclaration a déjà été envoyée."))
    draft.data = {**draft.data, BANK_PENDING: {k: values[k] for k in ("iban_last4", "iban_encrypted", "holder")}}
    draft.save(update_fields=["data", "updated_at"])
    return draft


@transaction.atomic
def draft_bank_details_set(*, customer, draft: ClaimDraft, values: dict, next_step: str) -> ClaimDraft:
    """Record the IBAN for the indemnity (the caller checked a fresh step-up), and tell the customer.

    Bank details follow the portal's rule for every bank-details change: second factor, then an alert by
    e-mail and SMS that shows only the last 4 characters.
    """
    draft = ClaimDraft.objects.select_for_update().get_for_customer(customer, pk=draft.pk)
    if draft.submitted_at:
        raise ClaimError(_("Cette déclaration a déjà été envoyée."))
    bank = {"iban_last4": values["iban_last4"], "iban_encrypted": values["iban_encrypted"],
            "holder": values.get("holder", ""), "later": False}
    data = {k: v for k, v in draft.data.items() if k != BANK_PENDING}
    data["bank"] = bank
    draft.data = data
    draft.step = next_step
    draft.save(update_fields=["data", "step", "updated_at"])
    audit_record(action="claim.bank_details_set", target=draft, customer=customer,
                 data={"iban_last4": bank["iban_last4"]})
    last4 = {"last4": bank["iban_last4"]}
    title = _("Vos coordonnées bancaires ont été enregistrées")
    body = _("Le compte se terminant par %(last4)s recevra l'indemnité de votre déclaration de sinistre. "
             "Si vous n'êtes pas à l'origine de ce changement, appelez-nous immédiatement.") % last4
    sms_body = _("%(insurer)s : vos coordonnées bancaires ont été enregistrées (compte se terminant par "
                 "%(last4)s). Si ce n'est pas vous, appelez-nous.") % {"insurer": settings.ABRI_INSURER_NAME, **last4}
    notification_create(customer=customer, title=title, body=body, url="/securite/", category="security",
                        email=True, sms=True, sms_body=sms_body)
    return draft


def iban_protect(iban: str) -> dict:
    """What a draft or a claim keeps of an IBAN: the last 4 characters and the encrypted value."""
    compact = iban.replace(" ", "").upper()
    return {"iban_last4": compact[-4:], "iban_encrypted": encrypt_text(compact, purpose=IBAN_PURPOSE)}


# --- Evidence -------------------------------------------------------------------------------
def evidence_add(
    *,
    customer,
    data: bytes,
    filename: str = "",
    kind: str = EvidenceKind.PHOTO,
    draft: ClaimDraft | None = None,
    claim: Claim | None = None,
    client_token: str = "",
    by_staff: bool = False,
    staff_user=None,
) -> Evidence:
    """Verify, re-encode and store one file; idempotent on the client's token (retries are safe).

    A customer chooses the kind among CUSTOMER_EVIDENCE_KINDS and sends at most UPLOADS_PER_HOUR files
    an hour; a claims handler (by_staff, staff_user) may file any kind, and is recorded as the sender.
    """
    if (draft is None) == (claim is None):
        raise ValueError("evidence belongs to exactly one draft or claim")
    ensure_owner(draft or claim, customer)
    if kind not in (EvidenceKind.values if by_staff else CUSTOMER_EVIDENCE_KINDS):
        raise UploadRejected(_("Choisissez le type de document dans la liste."))
    client_token = (client_token or "")[:64]
    if client_token:
        existing = Evidence.objects.for_customer(customer).filter(client_token=client_token).first()
        if existing is not None:
            return existing
    count = Evidence.objects.filter(draft=draft).count() if draft else Evidence.objects.filter(claim=claim).count()
    if count >= MAX_FILES:
        raise UploadRejected(ngettext("Vous avez déjà envoyé %(count)s fichier, le maximum pour une déclaration.",
                                      "Vous avez déjà envoyé %(count)s fichiers, le maximum pour une déclaration.",
                                      MAX_FILES) % {"count": MAX_FILES})
    if not by_staff and rate_limit_hit(f"claims:uploads:{customer.pk}", limit=UPLOADS_PER_HOUR, window_seconds=3600):
        raise UploadRateLimited(_("Vous avez envoyé plus de %(limit)s fichiers en une heure : réessayez dans une "
                                  "heure.") % {"limit": UPLOADS_PER_HOUR})
    # Slow work (decode, re-encode, scan) happens before any transaction.
    processed = process_upload(data)
    scan = scan_for_malware(data)
    if scan == "infected":
        raise UploadRejected(_("Ce fichier a été refusé par l'analyse antivirus."))
    if processed.content_type == "application/pdf" and kind == EvidenceKind.PHOTO:
        kind = EvidenceKind.OTHER
    evidence = Evidence(
        customer=customer, draft=draft, claim=claim, client_token=client_token, kind=kind,
        content_type=processed.content_type, original_name=(filename or "")[-150:],
        size_bytes=len(processed.content), sha256=processed.sha256, width=processed.width,
        height=processed.height, taken_at=processed.taken_at, gps_latitude=processed.gps_latitude,
        gps_longitude=processed.gps_longitude, scan_status=ScanStatus.CLEAN if scan == "clean" else ScanStatus.NOT_SCANNED,
        uploaded_by_staff=by_staff, uploaded_by_id=(staff_user.pk if staff_user else None) if by_staff else customer.user_id,
    )
    evidence.file.save(f"evidence{processed.extension}", ContentFile(processed.content), save=False)
    if processed.thumbnail:
        evidence.thumbnail.save("thumb.jpg", ContentFile(processed.thumbnail), save=False)
    with transaction.atomic():
        evidence.save()
        if claim is not None:
            evidence_file_in_vault(evidence=evidence, claim=claim)
            _fulfil_requests(claim=claim, kind=kind)
            audit_record(action="claim.evidence_added", target=claim, customer=customer,
                         data={"evidence": str(evidence.key), "kind": kind})
    return evidence


EVIDENCE_DOCUMENT_KIND: dict[str, str] = {
    EvidenceKind.PHOTO: "photo", EvidenceKind.INVOICE: "invoice", EvidenceKind.EXPERT_REPORT: "expert_report",
}
EVENT_CATEGORY = {"water": "water", "theft": "theft", "vandalism": "theft", "fire": "fire", "glass": "glass",
                  "liability": "liability", "storm": "natural_events", "natcat": "natural_events"}


def _vault_title(message, **values) -> str:
    """A document's title in the site's language whatever the request's (stored, and the key of idempotency)."""
    with override(settings.LANGUAGE_CODE):
        return str(message) % values


def evidence_file_in_vault(*, evidence: Evidence, claim: Claim):
    """What the customer sent for a claim also appears in their documents (same stored, re-encoded file)."""
    if evidence.kind == EvidenceKind.EXPERT_REPORT:
        return None  # filed by claim_add_report with its own title
    name = evidence.original_name or evidence.get_kind_display()
    return document_file(
        customer=claim.customer, contract=claim.contract, property=claim.property, claim=claim,
        kind=EVIDENCE_DOCUMENT_KIND.get(evidence.kind, "other"),
        title=_vault_title(_("%(kind)s — sinistre %(number)s (%(name)s)"), kind=evidence.get_kind_display(),
                           number=claim.number, name=name),
        guarantee_category=EVENT_CATEGORY.get(claim.event_type, "general"), mime_type=evidence.content_type,
        size_bytes=evidence.size_bytes,
        text=_vault_title(_("%(kind)s %(name)s sinistre %(number)s"), kind=evidence.get_kind_display(), name=name,
                          number=claim.number),
        stored_name=evidence.file.name, actor=evidence.uploaded_by or claim.customer.user,
    )


def evidence_remove(*, customer, draft: ClaimDraft, evidence_key) -> int:
    """Remove a file from a draft (not from a submitted claim: evidence is kept)."""
    deleted, _details = Evidence.objects.for_customer(customer).filter(draft=draft, claim__isnull=True, key=evidence_key).delete()
    return deleted


def _fulfil_requests(*, claim: Claim, kind: str) -> None:
    ClaimRequest.objects.filter(claim=claim, status=RequestStatus.PENDING, evidence_kind=kind).update(
        status=RequestStatus.RECEIVED, fulfilled_at=timezone.now()
    )


# --- Cover ----------------------------------------------------------------------------------
def coverage_for_event(*, contract: Contract, event: str):
    """The contract's guarantee that answers this event, or None (shown before submitting)."""
    code = EVENT_GUARANTEE.get(event)
    if code is None:
        return None
    guarantees = {g.code: g for g in contract.guarantees.all()}
    if code == "liability" and "liability" not in guarantees:
        code = "tenant_liability"
    return guarantees.get(code)


# --- Submission -----------------------------------------------------------------------------
def _claim_number() -> str:
    return f"SIN-{timezone.localdate().year}-{secrets.randbelow(10**6):06d}"


def _required_items(event: str, circumstances: dict) -> list[tuple[str, str]]:
    needs: list[tuple[str, str]] = [(_("Photos des dommages"), EvidenceKind.PHOTO)]
    if event in {"theft", "vandalism"}:
        needs.append((_("Récépissé du dépôt de plainte"), EvidenceKind.POLICE_REPORT))
        needs.append((_("Factures ou preuves d'achat des biens volés"), EvidenceKind.INVOICE))
    if event == "water" and circumstances.get("neighbour_involved"):
        needs.append((_("Constat amiable dégât des eaux signé"), EvidenceKind.JOINT_REPORT))
    if event in {"glass", "electrical"}:
        needs.append((_("Facture ou devis de réparation"), EvidenceKind.INVOICE))
    return needs


def draft_learned_on(*, data: dict) -> date | None:
    """The day the customer learned of the loss (the day it occurred unless they said otherwise)."""
    when = data.get("when", {})
    value = when.get("learned_date") or when.get("occurred_date")
    return date.fromisoformat(value) if value else None


def draft_deadline(*, data: dict):
    """The declaration deadline of a draft, once its event and dates are known (L113-2 4°), else None."""
    event = data.get("event", {}).get("event")
    learned_on = draft_learned_on(data=data)
    if not event or learned_on is None:
        return None
    decree = data.get("details", {}).get("decree_date")
    return declaration_deadline(event=event, learned_on=learned_on,
                                natcat_decree_on=date.fromisoformat(decree) if decree else None)


def draft_submit(*, customer, draft: ClaimDraft) -> Claim:
    """Turn a complete draft into a claim, exactly once (double clicks and retries return the same claim)."""
    with transaction.atomic():
        draft = ClaimDraft.objects.select_for_update().get_for_customer(customer, pk=draft.pk)
        existing = Claim.objects.filter(source_draft=draft).first()
        if existing is not None:
            return existing
        data = draft.data
        missing = [s for s in ("home", "event", "when", "details") if s not in data]
        if missing:
            raise ClaimError(_("Votre déclaration n'est pas complète : reprenez les étapes manquantes."))
        contract = Contract.objects.select_related("property").get_for_customer(customer, number=data["home"]["contract"])
        event = data["event"]["event"]
        when = data["when"]
        occurred_on = date.fromisoformat(when["occurred_date"])
        occurred_time = time.fromisoformat(when.get("occurred_time") or "12:00")
        details = data.get("details", {})
        deadline = draft_deadline(data=data)
        today = timezone.localdate()
        items = data.get("items", {}).get("items", [])
        estimated = sum((Decimal(i["amount"]) for i in items), Decimal("0"))
        bank = data.get("bank", {})
        location = when.get("location", {})
        claim = Claim(
            customer=customer, contract=contract, property=contract.property, number=_claim_number(),
            event_type=event, occurred_at=datetime.combine(occurred_on, occurred_time, tzinfo=PARIS),
            learned_on=draft_learned_on(data=data),
            description=details.get("description", ""), estimated_amount=estimated,
            is_late=bool(deadline.due and today > deadline.due), declaration_deadline=deadline.due,
            location_address=location.get("address", "") or contract.property.full_address,
            latitude=Decimal(location["lat"]) if location.get("lat") else contract.property.latitude,
            longitude=Decimal(location["lon"]) if location.get("lon") else contract.property.longitude,
            circumstances=details, items=items, third_parties=data.get("third_parties", {}).get("parties", []),
            iban_last4=bank.get("iban_last4", ""), iban_encrypted=bank.get("iban_encrypted", ""),
            source_draft=draft,
        )
        while Claim.objects.filter(number=claim.number).exists():
            claim.number = _claim_number()
        claim.risk_flags = _risk_flags(claim=claim, contract=contract, today=today)
        claim.save()
        Evidence.objects.filter(draft=draft, customer=customer).update(claim=claim)
        for evidence in Evidence.objects.filter(claim=claim):
            evidence_file_in_vault(evidence=evidence, claim=claim)
        ClaimStep.objects.create(claim=claim, status=ClaimStatus.RECEIVED,
                                 note=_("Déclaration tardive, acceptée et signalée au gestionnaire.") if claim.is_late else "")
        received_kinds = set(Evidence.objects.filter(claim=claim).values_list("kind", flat=True))
        ClaimRequest.objects.bulk_create(
            ClaimRequest(claim=claim, label=label, evidence_kind=kind,
                         status=RequestStatus.RECEIVED if kind in received_kinds else RequestStatus.PENDING,
                         fulfilled_at=timezone.now() if kind in received_kinds else None)
            for label, kind in _required_items(event, details)
        )
        draft.submitted_at = timezone.now()
        draft.step = "done"
        draft.save(update_fields=["submitted_at", "step", "updated_at"])
        audit_record(action="claim.submitted", target=claim, customer=customer,
                     data={"event": event, "late": claim.is_late})
        notification_create(
            customer=customer, title=_("Déclaration reçue : sinistre %(number)s") % {"number": claim.number},
            body=_("Nous avons bien reçu votre déclaration (%(event)s). Vous pouvez suivre chaque étape dans votre "
                   "espace.") % {"event": claim.get_event_type_display()},
            url=f"/sinistres/{claim.number}/", category="claim", email=True, sms=True,
            sms_body=_("Abri : déclaration reçue, dossier %(number)s. Suivi dans votre espace client.") % {
                "number": claim.number},
        )
    transaction.on_commit(lambda: _after_submit(claim.pk))
    return claim


RISK_FLAG_LABELS = {
    "late_declaration": gettext_lazy("déclaration tardive"),
    "recent_contract": gettext_lazy("contrat récent (moins de 60 jours)"),
    "frequent_claims": gettext_lazy("sinistres fréquents"),
    "high_amount": gettext_lazy("montant élevé (plus de 20 000 €)"),
}


def _risk_flags(*, claim: Claim, contract: Contract, today: date) -> list[str]:
    flags = []
    if claim.is_late:
        flags.append("late_declaration")
    if (today - contract.start_date).days < 60:
        flags.append("recent_contract")
    recent = Claim.objects.filter(contract=contract, declared_at__gte=timezone.now() - timedelta(days=365))
    if recent.count() >= 2:
        flags.append("frequent_claims")
    if claim.estimated_amount > Decimal("20000"):
        flags.append("high_amount")
    return flags


def _after_submit(claim_id: int) -> None:
    """After commit: acknowledgement PDF in the vault, then the fast-track check."""
    claim = Claim.objects.select_related("contract", "customer", "contract__property").get(pk=claim_id)
    acknowledgement_issue(claim=claim)
    fast_track_evaluate(claim=claim)


def acknowledgement_issue(*, claim: Claim):
    """The acknowledgement of receipt as a PDF in the customer's documents (idempotent).

    Filed through the vault's front door; the PDF is rendered by the vault's task.
    """
    title = _vault_title(_("Accusé de réception du sinistre %(number)s"), number=claim.number)
    if Document.objects.filter(claim=claim, title=title).exists():
        return None
    return document_file(
        customer=claim.customer, contract=claim.contract, property=claim.contract.property, claim=claim,
        kind=DocumentKind.CLAIM_LETTER, title=title, guarantee_category=EVENT_CATEGORY.get(claim.event_type, "general"),
        renderer=ACKNOWLEDGEMENT_RENDERER, renderer_args={"claim_id": claim.pk},
        filename="accuse-reception.pdf", audit_data={"claim": claim.number},
    )


ACKNOWLEDGEMENT_RENDERER = "claims.acknowledgement"


def acknowledgement_render(*, claim_id: int) -> bytes:
    """The vault's renderer for the acknowledgement of receipt (`document_file`): the letter of the claim."""
    return claim_acknowledgement_pdf(claim=Claim.objects.select_related("contract__property", "customer").get(pk=claim_id))


# --- Fast track -----------------------------------------------------------------------------
def fast_track_evaluate(*, claim: Claim) -> bool:
    """Glass or small electrical damage, covered, invoice attached, no risk flag → automatic offer.

    Never an automatic refusal: anything else simply waits for a human.
    """
    limit = Decimal(str(settings.ABRI_FAST_TRACK_MAX))
    if claim.event_type not in {"glass", "electrical"} or claim.status != ClaimStatus.RECEIVED:
        return False
    if claim.risk_flags or not claim.items or claim.estimated_amount > limit:
        return False
    guarantee = coverage_for_event(contract=claim.contract, event=claim.event_type)
    if guarantee is None:
        return False
    if not Evidence.objects.filter(claim=claim, kind=EvidenceKind.INVOICE).exists():
        return False
    settlement = compute_settlement(
        items=[SettlementItem(i["label"], i.get("category", "other"), Decimal(i["amount"]),
                              Decimal(str(i.get("age_years", 0)))) for i in claim.items],
        deductible=guarantee.deductible, ceiling=guarantee.ceiling,
        new_for_old_covered=False, event=claim.event_type,
    )
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != ClaimStatus.RECEIVED:
            return False
        claim.fast_track = True
        claim.settlement = settlement.as_dict()
        claim.offer_amount = settlement.indemnity
        claim.save(update_fields=["fast_track", "settlement", "offer_amount", "updated_at"])
        claim_transition(claim=claim, to_status=ClaimStatus.UNDER_REVIEW, actor=None,
                         note=_("Analyse automatique : sinistre simple, facture reçue."))
        claim_transition(claim=claim, to_status=ClaimStatus.OFFER_MADE, actor=None,
                         note=_("Proposition automatique (traitement rapide) : %(amount)s.") % {
                             "amount": format_eur(settlement.indemnity, language="fr")})
    return True


# --- Workflow -------------------------------------------------------------------------------
STEP_MESSAGES = {
    ClaimStatus.UNDER_REVIEW: gettext_lazy("Votre dossier est en cours d'analyse."),
    ClaimStatus.EXPERT_APPOINTED: gettext_lazy("Un expert a été missionné pour votre sinistre."),
    ClaimStatus.VISIT_PLANNED: gettext_lazy("La visite de l'expert est planifiée."),
    ClaimStatus.REPORT_RECEIVED: gettext_lazy("Nous avons reçu le rapport d'expertise."),
    ClaimStatus.OFFER_MADE: gettext_lazy("Une proposition d'indemnisation vous attend."),
    ClaimStatus.ACCEPTED: gettext_lazy("Vous avez accepté la proposition d'indemnisation."),
    ClaimStatus.PAID: gettext_lazy("Votre indemnité a été versée."),
    ClaimStatus.CLOSED: gettext_lazy("Votre dossier est clos."),
    ClaimStatus.REFUSED: gettext_lazy("Nous ne pouvons pas prendre en charge votre sinistre."),
}
SMS_STEPS = {ClaimStatus.VISIT_PLANNED, ClaimStatus.OFFER_MADE, ClaimStatus.PAID, ClaimStatus.REFUSED}


@transaction.atomic
def claim_transition(*, claim: Claim, to_status: str, actor, note: str = "") -> Claim:
    """Move a claim to its next step: check the rule, write the timeline, audit and notify."""
    claim = Claim.objects.select_for_update().select_related("customer").get(pk=claim.pk)
    if to_status not in TRANSITIONS.get(claim.status, set()):
        raise ClaimError(
            _("Passage impossible de « %(current)s » à « %(next)s ».") % {
                "current": claim.get_status_display(), "next": ClaimStatus(to_status).label}
        )
    previous = claim.status
    claim.status = to_status
    claim.save(update_fields=["status", "updated_at"])
    ClaimStep.objects.create(claim=claim, status=to_status, note=note, actor=actor)
    audit_record(actor=actor, action="claim.transition", target=claim, customer=claim.customer,
                 data={"from": previous, "to": to_status}, actor_label="" if actor else "system")
    message = STEP_MESSAGES.get(ClaimStatus(to_status), "")
    notification_create(
        customer=claim.customer, title=_("Sinistre %(number)s : %(status)s") % {
            "number": claim.number, "status": ClaimStatus(to_status).label},
        body=f"{message} {note}".strip(), url=f"/sinistres/{claim.number}/", category="claim", email=True,
        sms=to_status in SMS_STEPS,
        sms_body=_("Abri : dossier %(number)s — %(status)s. Détails dans votre espace client.") % {
            "number": claim.number, "status": ClaimStatus(to_status).label},
    )
    return claim


def _staff_check(actor, claim: Claim) -> None:
    if actor is None or not actor.is_staff:
        raise ClaimError(_("Action réservée aux gestionnaires."))
    if not actor.has_perm("claims.change_claim"):
        raise ClaimError(_("Vous n'avez pas le droit de modifier les sinistres."))


@transaction.atomic
def claim_assign(*, claim: Claim, handler, actor) -> Claim:
    """Assign a claims handler (shown to the customer)."""
    _staff_check(actor, claim)
    Claim.objects.filter(pk=claim.pk).update(handler=handler, updated_at=timezone.now())
    audit_record(actor=actor, action="claim.assigned", target=claim, customer=claim.customer,
                 data={"handler": handler.pk if handler else None})
    claim.refresh_from_db()
    if claim.status == ClaimStatus.RECEIVED:
        claim = claim_transition(claim=claim, to_status=ClaimStatus.UNDER_REVIEW, actor=actor,
                                 note=_("Gestionnaire : %(name)s.") % {"name": handler.get_full_name() or handler.email}
                                 if handler else "")
    return claim


@transaction.atomic
def claim_appoint_expert(*, claim: Claim, expert_name: str, actor) -> Claim:
    """Appoint an expert."""
    _staff_check(actor, claim)
    expert_name = expert_name.strip()[:150]
    if not expert_name:
        raise ClaimError(_("Indiquez le nom de l'expert ou du cabinet."))
    Claim.objects.filter(pk=claim.pk).update(expert_name=expert_name)
    return claim_transition(claim=claim, to_status=ClaimStatus.EXPERT_APPOINTED, actor=actor,
                            note=_("Expert : %(name)s.") % {"name": expert_name})


@transaction.atomic
def claim_plan_visit(*, claim: Claim, visit_date: date, slot: str, actor) -> Claim:
    """Plan the expert's visit (date and time slot)."""
    _staff_check(actor, claim)
    if visit_date < timezone.localdate():
        raise ClaimError(_("La date de visite ne peut pas être dans le passé."))
    Claim.objects.filter(pk=claim.pk).update(visit_date=visit_date, visit_slot=slot)
    claim.refresh_from_db()
    return claim_transition(claim=claim, to_status=ClaimStatus.VISIT_PLANNED, actor=actor,
                            note=_("Visite le %(day)s, %(slot)s, par %(expert)s.") % {
                                "day": day(visit_date), "slot": claim.get_visit_slot_display().lower(),
                                "expert": claim.expert_name or _("l’expert")})


def claim_add_report(*, claim: Claim, data: bytes, filename: str, actor) -> Claim:
    """Upload the expert's report: stored as evidence and in the customer's documents."""
    _staff_check(actor, claim)
    evidence = evidence_add(customer=claim.customer, data=data, filename=filename,
                            kind=EvidenceKind.EXPERT_REPORT, claim=claim, by_staff=True, staff_user=actor)
    with transaction.atomic():
        document_file(customer=claim.customer, contract=claim.contract, property=claim.property, claim=claim,
                      kind=DocumentKind.EXPERT_REPORT,
                      title=_vault_title(_("Rapport d'expertise — sinistre %(number)s"), number=claim.number),
                      mime_type=evidence.content_type, size_bytes=evidence.size_bytes,
                      stored_name=evidence.file.name, actor=actor)
        return claim_transition(claim=claim, to_status=ClaimStatus.REPORT_RECEIVED, actor=actor)


def deductible_for_event(*, contract: Contract, event: str, guarantee=None) -> Decimal:
    """The deductible of a claim: fixed by law for Cat Nat (380 €; 1 520 € for subsidence, A125-1 annex I) and
    technological catastrophes (none, L128-2), as the tariff file states; else the contract guarantee's."""
    guarantee = guarantee if guarantee is not None else coverage_for_event(contract=contract, event=event)
    if guarantee is None:
        return contract.deductible
    data = tariff_for(contract.tariff_version).guarantees.get(guarantee.code)
    return event_deductible(event=event, guarantee_deductible=guarantee.deductible,
                            legal_deductible=data.deductible if data is not None else None,
                            event_deductibles=data.event_deductibles if data is not None else None)


def several_insurers_involved(claim: Claim) -> bool:
    """Whether the loss concerns a building with several insurers (IRSI): a flat in a co-owned building, a let
    home (the occupant's and the owner's insurers), or a neighbour or third party involved."""
    home = claim.contract.property
    return (home.kind == "apartment" or home.occupant_status in {"tenant", "pno"}
            or bool((claim.circumstances or {}).get("neighbour_involved")) or bool(claim.third_parties))


def claim_settlement_preview(*, claim: Claim, items: list[SettlementItem], declared_capital: Decimal | None = None,
                             required_capital: Decimal | None = None,
                             building_required_capital: Decimal | None = None):
    """Compute the settlement with the contract's guarantee for this event (nothing saved).

    Building damage is reduced by the rule of L121-5 when the contract's building capital is below the rebuild
    value the expert found (building_required_capital)."""
    contract = claim.contract
    guarantee = coverage_for_event(contract=contract, event=claim.event_type)
    new_for_old = contract.guarantees.filter(code="new_for_old").exists()
    return compute_settlement(
        items=items, deductible=deductible_for_event(contract=contract, event=claim.event_type, guarantee=guarantee),
        ceiling=guarantee.ceiling if guarantee else None, new_for_old_covered=new_for_old,
        declared_capital=declared_capital, required_capital=required_capital, event=claim.event_type,
        building_declared_capital=contract.building_capital if contract.building_capital else None,
        building_required_capital=building_required_capital if contract.building_capital else None,
        several_insurers=several_insurers_involved(claim),
    )


@transaction.atomic
def claim_make_offer(*, claim: Claim, items: list[SettlementItem], actor, declared_capital: Decimal | None = None,
                     required_capital: Decimal | None = None,
                     building_required_capital: Decimal | None = None) -> Claim:
    """Compute and send the indemnity offer with its breakdown."""
    _staff_check(actor, claim)
    if not items:
        raise ClaimError(_("Ajoutez au moins un bien endommagé pour calculer l'indemnité."))
    settlement = claim_settlement_preview(claim=claim, items=items, declared_capital=declared_capital,
                                          required_capital=required_capital,
                                          building_required_capital=building_required_capital)
    Claim.objects.filter(pk=claim.pk).update(settlement=settlement.as_dict(), offer_amount=settlement.indemnity)
    return claim_transition(claim=claim, to_status=ClaimStatus.OFFER_MADE, actor=actor,
                            note=_("Proposition : %(amount)s.") % {"amount": format_eur(settlement.indemnity, language="fr")})


def claim_accept_offer(*, customer, claim: Claim) -> Claim:
    """The customer accepts the offer (idempotent: a second click changes nothing)."""
    ensure_owner(claim, customer)
    if claim.status == ClaimStatus.ACCEPTED:
        return claim
    if claim.status != ClaimStatus.OFFER_MADE:
        raise ClaimError(_("Aucune proposition n'est en attente sur ce dossier."))
    return claim_transition(claim=claim, to_status=ClaimStatus.ACCEPTED, actor=customer.user,
                            note=_("Proposition de %(amount)s acceptée.") % {
                                "amount": format_eur(claim.offer_amount, language="fr")})


@transaction.atomic
def claim_record_payment(*, claim: Claim, actor, amount: Decimal | None = None) -> ClaimPayment:
    """Record the indemnity payment (reaches the customer's payments history)."""
    _staff_check(actor, claim)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != ClaimStatus.ACCEPTED:
        raise ClaimError(_("Le paiement suit l'acceptation de la proposition."))
    amount = amount if amount is not None else claim.offer_amount
    if amount is None or amount <= 0:
        raise ClaimError(_("Montant du paiement invalide."))
    payment = ClaimPayment.objects.create(claim=claim, customer=claim.customer, amount=amount,
                                          reference=f"IND-{claim.number}", iban_last4=claim.iban_last4)
    Claim.objects.filter(pk=claim.pk).update(settled_amount=(claim.settled_amount or Decimal("0")) + amount)
    claim_transition(claim=claim, to_status=ClaimStatus.PAID, actor=actor,
                     note=_("Virement de %(amount)s sur le compte se terminant par %(last4)s.") % {
                         "amount": format_eur(amount, language="fr"), "last4": claim.iban_last4 or "—"})
    return payment


@transaction.atomic
def claim_refuse(*, claim: Claim, reason: str, actor) -> Claim:
    """Refuse cover: a reason is mandatory, and the customer is told how to reach the mediator."""
    _staff_check(actor, claim)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ClaimError(_("Un refus doit être motivé (10 caractères au moins)."))
    Claim.objects.filter(pk=claim.pk).update(refusal_reason=reason)
    return claim_transition(claim=claim, to_status=ClaimStatus.REFUSED, actor=actor,
                            note=_("Motif : %(reason)s En cas de désaccord : %(mediator)s.") % {
                                "reason": reason, "mediator": settings.ABRI_MEDIATOR_ADDRESS})


def claim_close(*, claim: Claim, actor) -> Claim:
    """Close a paid or refused claim."""
    _staff_check(actor, claim)
    return claim_transition(claim=claim, to_status=ClaimStatus.CLOSED, actor=actor)


@transaction.atomic
def claim_message_post(*, claim: Claim, author, body: str, from_customer: bool) -> ClaimMessage:
    """A message in the claim space; the other side is notified."""
    body = (body or "").strip()
    if not body:
        raise ClaimError(_("Écrivez votre message."))
    if len(body) > 5000:
        raise ClaimError(_("Votre message dépasse 5 000 caractères."))
    message = ClaimMessage.objects.create(claim=claim, author=author, body=body, from_customer=from_customer)
    audit_record(actor=author, action="claim.message", target=claim, customer=claim.customer)
    if not from_customer:
        notification_create(customer=claim.customer,
                            title=_("Nouveau message sur le sinistre %(number)s") % {"number": claim.number},
                            body=body[:300], url=f"/sinistres/{claim.number}/#messages", category="claim", email=True)
    return message


def next_step_for(claim: Claim) -> tuple[str, int] | None:
    """The next expected step and its usual delay in days, for the timeline."""
    if claim.status not in OPEN_STATUSES:
        return None
    entry = NEXT_STEP_DELAY.get(claim.status)
    if entry is None:
        return None
    status, days = entry
    return str(ClaimStatus(status).label), days
