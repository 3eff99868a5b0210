"""Claims for the mobile app: declarations with drafts, evidence uploads, submission, messages, acceptance.

The same forms (abri.claims.wizard) and services as the pages: a step sent here is validated exactly as
on the website and the French messages come back per field in a 422 problem document.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import QueryDict
from django.utils.translation import gettext as _
from ninja import Body, Field, File, Path, Router, Schema, UploadedFile
from ninja.errors import HttpError

from abri.accounts.stepup import api_step_up_required
from abri.api.problems import problem
from abri.api.security import request_customer
from abri.api.types import NUMBER_PATTERN
from abri.claims import services
from abri.claims.selectors import claim_get, draft_get, drafts_for_customer
from abri.claims.uploads import MAX_BYTES, UploadRejected
from abri.claims.wizard import STEP_NAMES, step_form, step_next, step_values
from abri.contracts.models import Contract

declarations = Router(tags=["déclaration de sinistre"])
claim_space = Router(tags=["sinistres"])
FORM_STEPS = [s for s in STEP_NAMES if s not in {"evidence", "summary"}]


class DraftOut(Schema):
    key: UUID
    step: str
    data: dict = Field(description="Ce qui est enregistré, étape par étape (l'IBAN n'y figure jamais en clair).")
    created_at: datetime
    updated_at: datetime
    evidence: list[dict]

    @staticmethod
    def resolve_data(obj) -> dict:
        return {step: {k: v for k, v in values.items() if k != "iban_encrypted"} if isinstance(values, dict) else values
                for step, values in obj.data.items()}

    @staticmethod
    def resolve_evidence(obj) -> list[dict]:
        return [{"key": str(e.key), "kind": e.kind, "name": e.original_name, "received_at": e.received_at.isoformat()}
                for e in obj.evidence.all()]


class EvidenceOut(Schema):
    key: UUID
    kind: str
    name: str
    content_type: str
    received_at: datetime
    message: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.original_name

    @staticmethod
    def resolve_message(obj) -> str:
        return f"Reçu : « {obj.original_name[:80]} »"


class SubmittedOut(Schema):
    number: str
    status: str
    url: str


class MessageIn(Schema):
    body: str = Field(..., max_length=5000)


class MessageOut(Schema):
    body: str
    from_customer: bool
    created_at: datetime


def _as_form_data(step: str, payload: dict) -> QueryDict:
    """JSON for one step → the form data the page would post (formsets get their management fields)."""
    data = QueryDict(mutable=True)
    if step in {"items", "third_parties"}:
        prefix, key = ("items", "items") if step == "items" else ("parties", "parties")
        rows = payload.get(key) or []
        if not isinstance(rows, list):
            raise HttpError(422, f"« {key} » doit être une liste.")
        data[f"{prefix}-TOTAL_FORMS"] = str(min(len(rows), 50))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for index, row in enumerate(rows[:50]):
            if isinstance(row, dict):
                for name, value in row.items():
                    data[f"{prefix}-{index}-{name}"] = "" if value is None else str(value)
        return data
    for name, value in payload.items():
        if isinstance(value, bool):
            data[name] = "yes" if value and name in {"neighbour_involved", "break_in", "fire_brigade"} else (
                "no" if name in {"neighbour_involved", "break_in", "fire_brigade"} else ("on" if value else ""))
        elif value is not None:
            data[name] = str(value)
    return data


def _form_errors(form) -> dict:
    if hasattr(form, "forms"):
        errors = {}
        for index, sub in enumerate(form.forms):
            for field, messages in sub.errors.items():
                errors[f"{index}.{field}"] = [str(m) for m in messages]
        return errors
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def _upload(request, customer, file, kind: str, *, draft=None, claim=None):
    """One file for a draft or a claim; the same `X-Upload-Token` on a retry stores it once."""
    if file.size > MAX_BYTES:
        return problem(413, "Fichier trop volumineux", "Ce fichier dépasse 20 Mo.")
    try:
        evidence = services.evidence_add(customer=customer, data=file.read(), filename=file.name or "", kind=kind,
                                         draft=draft, claim=claim,
                                         client_token=request.headers.get("X-Upload-Token", "")[:64])
    except services.UploadRateLimited as exc:
        response = problem(429, _("Trop de fichiers envoyés"), str(exc))
        response["Retry-After"] = "3600"
        return response
    except UploadRejected as exc:
        return problem(422, "Fichier refusé", str(exc))
    return 201, evidence


@declarations.post("", response={201: DraftOut}, summary="Commencer une déclaration")
def draft_create(request):
    """A new draft; with a single active contract the home step is filled in already."""
    customer = request_customer(request)
    try:
        draft = services.draft_start(customer=customer)
    except services.DraftRateLimited as exc:
        response = problem(429, _("Trop de déclarations commencées"), str(exc))
        response["Retry-After"] = "3600"
        return response
    contracts = list(Contract.objects.for_customer(customer).in_force())
    if len(contracts) == 1:
        draft = services.draft_save_step(customer=customer, draft=draft, step="home",
                                         values={"contract": contracts[0].number}, next_step="event")
    return 201, draft


@declarations.get("", response=list[DraftOut], summary="Mes déclarations en cours")
def draft_list(request):
    return list(drafts_for_customer(customer=request_customer(request)).prefetch_related("evidence"))


@declarations.get("/{key}", response=DraftOut, summary="Une déclaration en cours")
def draft_detail(request, key: UUID):
    return draft_get(customer=request_customer(request), key=key)


@declarations.put("/{key}/steps/{step}", response=DraftOut, summary="Enregistrer une étape")
def draft_step(request, key: UUID, step: str, payload: dict = Body(...)):  # noqa: B008
    """Validate and save one step (home, event, when, details, items, third_parties, bank)."""
    customer = request_customer(request)
    if step not in FORM_STEPS:
        return problem(404, "Étape inconnue", f"Étapes : {', '.join(FORM_STEPS)}.")
    draft = draft_get(customer=customer, key=key)
    if draft.submitted_at:
        return problem(409, "Déjà envoyée", "Cette déclaration a déjà été envoyée.")
    contracts = list(Contract.objects.for_customer(customer).in_force()
                     .select_related("property").prefetch_related("guarantees"))
    form = step_form(step, draft, contracts, _as_form_data(step, payload))
    if not form.is_valid():
        return problem(422, "Données invalides", "Certaines informations sont à corriger.", fields=_form_errors(form))
    if step == "bank" and form.cleaned_data.get("iban"):
        # Bank details: the same step-up as any other bank-details change (403 step-up-required).
        if (refused := api_step_up_required(request)) is not None:
            return refused
        return services.draft_bank_details_set(customer=customer, draft=draft, values=step_values(step, form),
                                               next_step=step_next(step))
    return services.draft_save_step(customer=customer, draft=draft, step=step, values=step_values(step, form),
                                    next_step=step_next(step))


@declarations.post("/{key}/evidence", response={201: EvidenceOut}, summary="Envoyer une photo ou un document")
def draft_evidence(request, key: UUID, file: UploadedFile = File(...), kind: str = "photo"):  # noqa: B008
    """One file per request; send the same `X-Upload-Token` header when retrying: it is stored once."""
    customer = request_customer(request)
    return _upload(request, customer, file, kind, draft=draft_get(customer=customer, key=key))


@declarations.post("/{key}/submit", response={201: SubmittedOut}, summary="Envoyer la déclaration")
def draft_submit(request, key: UUID):
    """Idempotent: submitting twice returns the same claim number."""
    customer = request_customer(request)
    draft = draft_get(customer=customer, key=key)
    try:
        claim = services.draft_submit(customer=customer, draft=draft)
    except services.ClaimError as exc:
        return problem(422, "Déclaration incomplète", str(exc))
    return 201, {"number": claim.number, "status": claim.status, "url": f"/sinistres/{claim.number}/"}


@claim_space.get("/{number}/messages", response=list[MessageOut], summary="Échanges du dossier")
def message_list(request, number: str = Path(..., pattern=NUMBER_PATTERN)):
    return list(claim_get(customer=request_customer(request), number=number).messages.all())


@claim_space.post("/{number}/messages", response={201: MessageOut}, summary="Écrire au gestionnaire")
def message_post(request, payload: MessageIn, number: str = Path(..., pattern=NUMBER_PATTERN)):
    claim = claim_get(customer=request_customer(request), number=number)
    try:
        message = services.claim_message_post(claim=claim, author=request.auth, body=payload.body, from_customer=True)
    except services.ClaimError as exc:
        return problem(422, "Message invalide", str(exc))
    return 201, message


@claim_space.post("/{number}/evidence", response={201: EvidenceOut}, summary="Ajouter un document au dossier")
def claim_evidence(request, number: str = Path(..., pattern=NUMBER_PATTERN), file: UploadedFile = File(...),  # noqa: B008
                   kind: str = "photo"):
    customer = request_customer(request)
    claim = claim_get(customer=customer, number=number)
    answer = _upload(request, customer, file, kind, claim=claim)
    services.fast_track_evaluate(claim=claim)  # an invoice may complete a simple claim
    return answer


@claim_space.post("/{number}/accept", response=SubmittedOut, summary="Accepter la proposition d'indemnisation")
def claim_accept(request, number: str = Path(..., pattern=NUMBER_PATTERN)):
    customer = request_customer(request)
    claim = claim_get(customer=customer, number=number)
    try:
        claim = services.claim_accept_offer(customer=customer, claim=claim)
    except services.ClaimError as exc:
        return problem(409, "Action impossible", str(exc))
    return {"number": claim.number, "status": claim.status, "url": f"/sinistres/{claim.number}/"}
