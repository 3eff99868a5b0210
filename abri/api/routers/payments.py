"""GET /api/v1/payments (paginated) and /api/v1/payments/export: the same history and exports as /paiements/;
/api/v1/payments/mandates: the SEPA direct-debit mandate, signed or revoked after a step-up;
POST /api/v1/payments/{id}/card: start paying an amount due by card (step-up), answered with the PSP's page."""

import datetime as dt
from typing import Literal

from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

try:
    from ninja import Status
except ImportError:  # django-ninja < 1.7 takes a (status, body) tuple
    def Status(status_code, value):  # noqa: N802
        return status_code, value

from abri.accounts.stepup import api_step_up_required
from abri.api.pagination import PageNumber
from abri.api.problems import problem
from abri.api.security import request_customer
from abri.api.types import NUMBER_PATTERN, Money
from abri.billing import direct_debit, exports
from abri.billing.choices import HistoryStatus, PaymentKind
from abri.billing.forms import MandateForm
from abri.billing.psp import services as card_services
from abri.billing.selectors import mandates_for_customer, payment_history
from abri.billing.sepa import SepaError
from abri.core.downloads import download_response
from abri.core.middleware import client_ip

router = Router(tags=["paiements"])


class PaymentOut(Schema):
    id: str = Field(description="Identifiant stable de la ligne (schedule-<n> ou indemnity-<n>).")
    date: dt.date = Field(description="Date du paiement effectué, sinon date d'échéance.")
    due_date: dt.date
    contract_number: str
    kind: str = Field(description="premium, adjustment, adjustment_refund, termination_refund, indemnity, regularisation.")
    kind_label: str
    label: str
    amount: Money = Field(description="Vu du client : < 0 payé par le client, > 0 reçu par le client.")
    status: str = Field(description="upcoming, overdue, partial, paid, received, failed, refunded, cancelled.")
    status_label: str
    method: str
    method_label: str
    reference: str
    balance: Money | None = Field(description="Solde cumulé des opérations effectuées (null si non effectuée).")

    @staticmethod
    def resolve_id(obj) -> str:
        return obj.uid


class PaymentFilter(Schema):
    contract: str | None = Field(None, pattern=NUMBER_PATTERN, description="Numéro de contrat.")
    year: int | None = Field(None, ge=2000, le=2100, description="Année de la date.")
    kind: PaymentKind | None = Field(None, description="Type de ligne.")
    status: HistoryStatus | None = Field(None, description="Statut.")


class ExportFilter(PaymentFilter):
    format: Literal["csv", "ofx", "qif", "ics"] = Field(description="csv, ofx, qif ou ics (échéances à venir).")


def _history(request, filters: PaymentFilter):
    return payment_history(customer=request_customer(request), contract=filters.contract, year=filters.year,
                           kind=filters.kind, status=filters.status)


@router.get("", response=list[PaymentOut], summary="Mes paiements")
@paginate(PageNumber)
def payment_list(request, filters: Query[PaymentFilter]):
    """Every euro between the customer and the insurer, newest first, with the running balance."""
    return _history(request, filters)


@router.get("/export", summary="Exporter mes paiements (CSV, OFX, QIF, iCalendar)",
            openapi_extra={"responses": {200: {"description": "Le fichier", "content": {
                "text/csv": {}, "application/x-ofx": {}, "application/qif": {}, "text/calendar": {}}}}})
def payment_export(request, filters: Query[ExportFilter]):
    """The same lines as GET /payments, as a file for the customer's accounts or calendar."""
    customer = request_customer(request)
    content, content_type, filename = exports.export(_history(request, filters), fmt=filters.format, customer=customer)
    return download_response(content=content, filename=filename, content_type=content_type)


class MandateOut(Schema):
    id: int
    reference: str = Field(description="Référence unique du mandat (RUM).")
    creditor_id: str = Field(description="Identifiant créancier SEPA (ICS).")
    status: str = Field(description="active, replaced, revoked, lapsed, account_closed.")
    status_label: str
    iban_masked: str = Field(description="IBAN masqué (« FR76 •••• •••• 0189 ») : l'IBAN complet n'est jamais renvoyé.")
    bic: str
    holder: str
    signed_at: dt.datetime
    document_id: int | None = Field(description="Le mandat signé (PDF) dans GET /documents/{id}.")

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_creditor_id(obj) -> str:
        return direct_debit.creditor_id()


class MandateIn(Schema):
    holder: str = Field(max_length=70, description="Titulaire du compte.")
    iban: str = Field(max_length=42, description="IBAN du compte à prélever (zone SEPA).")
    bic: str = Field("", max_length=14, description="BIC, facultatif.")
    consent: bool = Field(description="Autorisation expresse du prélèvement : true obligatoire.")


@router.get("/mandates", response=list[MandateOut], summary="Mes mandats de prélèvement SEPA")
def mandate_list(request):
    """The customer's mandates, the active one first."""
    return mandates_for_customer(customer=request_customer(request))


@router.post("/mandates", response={201: MandateOut}, summary="Signer un mandat de prélèvement SEPA (step-up)")
def mandate_sign(request, payload: MandateIn):
    """Sign an e-mandate (replaces the active one); a fresh step-up is required (403 step-up-required)."""
    customer = request_customer(request)
    if (refused := api_step_up_required(request)) is not None:
        return refused
    form = MandateForm(data={"holder": payload.holder, "iban": payload.iban, "bic": payload.bic,
                             "consent": "on" if payload.consent else ""})
    if not form.is_valid():
        return problem(422, "Données invalides", "Certaines informations sont à corriger.",
                       fields={name: [str(e) for e in errors] for name, errors in form.errors.items()})
    data = form.cleaned_data
    try:
        mandate = direct_debit.mandate_sign(customer=customer, holder=data["holder"], iban=data["iban"],
                                            bic=data.get("bic", ""), consent=data["consent"], actor=request.user,
                                            ip_address=client_ip(request) or None)
    except SepaError as exc:
        return problem(422, "Données invalides", str(exc), fields={"iban": [str(exc)]})
    return Status(201, mandate)


@router.post("/mandates/{mandate_id}/revoke", response=MandateOut, summary="Arrêter le prélèvement (step-up)")
def mandate_revoke(request, mandate_id: int):
    """Revoke a mandate: the upcoming debits become transfers to pay. Another customer's mandate is a 404."""
    customer = request_customer(request)
    if (refused := api_step_up_required(request)) is not None:
        return refused
    return direct_debit.mandate_revoke(customer=customer, mandate_id=mandate_id, actor=request.user)


class CardPaymentOut(Schema):
    payment_id: int = Field(description="Identifiant du paiement par carte.")
    status: str = Field(description="created, requires_action, succeeded, failed, cancelled, refunded.")
    status_label: str
    amount: Money
    redirect_url: str = Field(description="Page de paiement du prestataire où envoyer le client (la carte y est "
                                          "saisie, jamais dans Abri).")


@router.post("/{payment_id}/card", response={201: CardPaymentOut}, summary="Payer une échéance par carte")
def card_payment_start(request, payment_id: str = Path(..., pattern=r"^(schedule-)?[0-9]{1,12}$",
                                                       description="schedule-<n> (l'id de GET /payments) ou <n>.")):
    """Needs a fresh second factor. Starts (or resumes: never two charges) the card payment of an amount due
    and answers the PSP's hosted page; the outcome arrives by webhook and shows in GET /payments."""
    if (refused := api_step_up_required(request)) is not None:
        return refused
    try:
        payment = card_services.card_payment_start(
            customer=request_customer(request), item_id=int(payment_id.removeprefix("schedule-")),
            actor=request.auth,
            return_url=lambda p: request.build_absolute_uri(reverse("billing:card_return", args=[p.pk])))
    except card_services.CardPaymentError as exc:
        return problem(409, "Paiement impossible", str(exc))
    return 201, {"payment_id": payment.pk, "status": payment.status, "status_label": payment.get_status_display(),
                 "amount": payment.amount, "redirect_url": request.build_absolute_uri(payment.redirect_url)}
