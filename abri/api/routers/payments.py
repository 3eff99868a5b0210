"""GET /api/v1/payments (paginated) and /api/v1/payments/export: the same history and exports as /paiements/."""

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from abri.api.pagination import PageNumber
from abri.api.security import request_customer
from abri.api.types import NUMBER_PATTERN, Money
from abri.billing import exports
from abri.billing.choices import HistoryStatus, PaymentKind
from abri.billing.selectors import payment_history
from abri.core.downloads import download_response

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
    status: str = Field(description="upcoming, overdue, paid, received, failed, refunded, cancelled.")
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
