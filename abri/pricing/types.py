"""The engine's input (QuoteRequest) and outputs (Quote with its QuoteLine breakdown, or Referral)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    """Everything that rates a home: the home, the chosen cover, the customer's history, the payment.

    Codes are those of abri.contracts.choices: kind apartment/house; occupant_status tenant/owner/pno;
    formula essentielle/confort/integrale; payment_frequency annual/half_yearly/quarterly/monthly.
    floor is required for an apartment (0 = ground floor). contents_capital None means "at the ceiling";
    deductible None means the formula's default deductible. Amounts in euros (Decimal or int, at most
    two decimal places). Options (codes of the tariff file): valuables (needs valuables_capital),
    new_for_old, garden (needs has_garden), pool (needs has_pool), outbuildings (needs outbuildings_m2
    above 50), legal, assistance, alarm (monitored alarm: a discount).
    """

    kind: str
    occupant_status: str
    rooms: int
    surface_m2: int | Decimal
    risk_zone: int
    formula: str
    effective_date: date
    floor: int | None = None
    options: frozenset[str] = frozenset()
    contents_capital: Decimal | int | None = None
    valuables_capital: Decimal | int = Decimal(0)
    deductible: Decimal | int | None = None
    claims_36_months: int = 0
    payment_frequency: str = "annual"
    has_garden: bool = False
    has_pool: bool = False
    outbuildings_m2: int | Decimal = 0
    # Owners, co-owners and non-occupying owners: building capital at rebuild value; None = computed from
    # the surface with the tariff's rebuild value per m². Tenants leave it None.
    building_capital: Decimal | int | None = None

    def __post_init__(self) -> None:
        # Options may be given as any iterable of codes; a frozenset keeps the request hashable and the
        # result independent of the order in which they were ticked.
        if not isinstance(self.options, frozenset) and isinstance(self.options, Iterable) \
                and not isinstance(self.options, str | bytes):
            object.__setattr__(self, "options", frozenset(self.options))


class QuoteLine(NamedTuple):
    """One guarantee's part of the quote, in euros rounded to the cent (columns sum to the quote's totals)."""

    code: str
    label: str
    net_premium: Decimal
    catnat_surcharge: Decimal
    insurance_tax: Decimal
    instalment_surcharge: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class Quote:
    """A priced request. Every amount is a Decimal rounded to the cent, and

    total_annual = net_premium + catnat_surcharge + insurance_tax + terrorism_contribution + instalment_surcharge
    (insurance_tax is computed on net_premium + instalment_surcharge; terrorism_contribution is the FGTI's)
    = sum(line.total for line in lines) + terrorism_contribution
    = first_instalment_amount + (instalment_count - 1) * instalment_amount.
    """

    tariff_version: str
    effective_date: date
    formula: str
    payment_frequency: str
    deductible: Decimal
    net_premium: Decimal
    catnat_surcharge: Decimal
    insurance_tax: Decimal
    terrorism_contribution: Decimal
    instalment_surcharge: Decimal
    total_annual: Decimal
    instalment_count: int
    instalment_amount: Decimal
    first_instalment_amount: Decimal
    lines: tuple[QuoteLine, ...]
    covered: tuple[str, ...]
    factors: tuple[tuple[str, Decimal], ...]
    building_capital: Decimal | None = None  # owners: the building capital priced (rebuild value); else None

    @property
    def taxes(self) -> Decimal:
        """Cat Nat surcharge + insurance tax + terrorism contribution."""
        return self.catnat_surcharge + self.insurance_tax + self.terrorism_contribution

    @property
    def instalments(self) -> tuple[Decimal, ...]:
        """Each instalment of the year, in order (the first carries the rounding cents)."""
        return (self.first_instalment_amount,) + (self.instalment_amount,) * (self.instalment_count - 1)


@dataclass(frozen=True, slots=True)
class Referral:
    """No price online: the request must be studied by an advisor (« à étudier par un conseiller »)."""

    code: str
    reason: str
    tariff_version: str
