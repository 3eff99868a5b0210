"""GET /api/v1/contracts and /api/v1/contracts/{number}: the same selectors as the « Mes contrats » pages."""


from datetime import date

from ninja import Field, Path, Router, Schema

from abri.api.security import request_customer
from abri.api.types import NUMBER_PATTERN, Money
from abri.contracts.selectors import contract_get, contracts_for_customer

router = Router(tags=["contrats"])


class PropertyOut(Schema):
    kind: str
    kind_label: str
    occupant_status: str
    occupant_status_label: str
    residence: str
    address: str = Field(description="Adresse complète du logement assuré.")
    postcode: str
    city: str
    rooms: int
    surface_m2: int

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_occupant_status_label(obj) -> str:
        return obj.get_occupant_status_display()

    @staticmethod
    def resolve_address(obj) -> str:
        return obj.full_address


class GuaranteeOut(Schema):
    code: str
    label: str
    ceiling: Money | None = Field(description="Plafond en euros ; null : selon conditions générales.")
    deductible: Money
    is_option: bool

    @staticmethod
    def resolve_label(obj) -> str:
        return obj.get_code_display()


class ContractSummaryOut(Schema):
    number: str
    formula: str
    formula_label: str
    status: str
    status_label: str
    annual_premium: Money = Field(description="Cotisation annuelle TTC en euros.")
    payment_frequency: str
    start_date: date
    main_due_date: date = Field(description="Prochaine échéance principale.")
    end_date: date | None
    property: PropertyOut

    @staticmethod
    def resolve_formula_label(obj) -> str:
        return obj.get_formula_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class ContractOut(ContractSummaryOut):
    deductible: Money = Field(description="Franchise générale en euros.")
    contents_capital: Money
    valuables_capital: Money
    options: list[str]
    guarantees: list[GuaranteeOut]

    @staticmethod
    def resolve_guarantees(obj):
        return list(obj.guarantees.all())


@router.get("", response=list[ContractSummaryOut], summary="Mes contrats")
def contract_list(request):
    """Every contract of the customer with its home."""
    return contracts_for_customer(customer=request_customer(request))


@router.get("/{number}", response=ContractOut, summary="Un contrat et ses garanties")
def contract_detail(request, number: str = Path(..., pattern=NUMBER_PATTERN)):
    """One contract with its guarantees, ceilings and deductibles; another customer's contract is a 404."""
    return contract_get(customer=request_customer(request), number=number)
