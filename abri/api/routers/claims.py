"""GET /api/v1/claims and /api/v1/claims/{number}: the same selectors as the « Mes sinistres » pages."""


from datetime import date, datetime

from ninja import Field, Path, Router, Schema

from abri.api.security import request_customer
from abri.api.types import NUMBER_PATTERN, Money
from abri.claims.choices import OPEN_STATUSES
from abri.claims.selectors import claim_get, claims_for_customer

router = Router(tags=["sinistres"])


class ClaimStepOut(Schema):
    status: str
    status_label: str
    at: datetime = Field(description="Date et heure de l'étape (ISO 8601, avec fuseau).")
    note: str

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_at(obj) -> datetime:
        return obj.created_at


class ClaimSummaryOut(Schema):
    number: str
    contract_number: str
    event_type: str
    event_label: str
    status: str
    status_label: str
    is_open: bool
    occurred_at: datetime
    learned_on: date | None = Field(None, description="Jour où l'assuré a découvert le sinistre (point de départ du délai de déclaration).")
    declared_at: datetime
    declaration_deadline: date | None = Field(None, description="Date limite de déclaration (article L113-2 du Code des assurances).")
    estimated_amount: Money
    settled_amount: Money | None = Field(description="Indemnité versée ; null tant qu'elle ne l'est pas.")

    @staticmethod
    def resolve_contract_number(obj) -> str:
        return obj.contract.number

    @staticmethod
    def resolve_event_label(obj) -> str:
        return obj.get_event_type_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_is_open(obj) -> bool:
        return obj.status in OPEN_STATUSES


class ClaimOut(ClaimSummaryOut):
    description: str
    timeline: list[ClaimStepOut] = Field(description="Étapes du dossier, de la plus ancienne à la plus récente.")

    @staticmethod
    def resolve_timeline(obj):
        return list(obj.steps.all())


@router.get("", response=list[ClaimSummaryOut], summary="Mes sinistres")
def claim_list(request):
    """The customer's claims, newest first."""
    return claims_for_customer(customer=request_customer(request))


@router.get("/{number}", response=ClaimOut, summary="Un sinistre et ses étapes")
def claim_detail(request, number: str = Path(..., pattern=NUMBER_PATTERN)):
    """One claim with its timeline; another customer's claim is a 404."""
    return claim_get(customer=request_customer(request), number=number)
