"""What billing reads from apps that sit beside it and already import it, filled in at start-up (ADR 0010).

Billing is the ledger: contracts write the amounts due into its schedule, so billing may not import contracts
(nor claims, which import contracts) back. The payment history still shows the indemnities paid on claims:
`ClaimsConfig.ready()` registers where they come from. Frequency labels come from `abri.core.labels`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Indemnity:
    """One indemnity paid to the customer on a claim, as the payment history shows it."""

    pk: int
    amount: Decimal
    paid_at: datetime
    reference: str
    claim_number: str
    contract_id: int
    contract_number: str


class IndemnitySource(Protocol):
    """Reads the indemnities paid to a customer (implemented by the claims app)."""

    def indemnities(self, *, customer, contract_number: str | None = None) -> Iterable[Indemnity]:
        """The customer's indemnities, on one contract when `contract_number` is given (one query)."""
        ...

    def indemnity_years(self, *, customer) -> set[int]:
        """The years in which the customer was paid an indemnity."""
        ...


_indemnity_source: IndemnitySource | None = None


def register_indemnity_source(source: IndemnitySource) -> None:
    """Register (or replace) the source of the indemnities shown in the payment history."""
    global _indemnity_source
    _indemnity_source = source


def indemnity_source() -> IndemnitySource:
    """The registered source of indemnities (the claims app's)."""
    if _indemnity_source is None:
        raise ImproperlyConfigured("No indemnity source registered: is abri.claims in INSTALLED_APPS? (ADR 0010)")
    return _indemnity_source


# --- Unpaid premiums (L113-3): what the payments page tells the customer (implemented by abri.dunning) -----------
_dunning_alerts: Callable[..., list] | None = None


def register_dunning_alerts(reader: Callable[..., list]) -> None:
    """Register `reader(customer=…)`: the unpaid-premium alerts shown on /paiements/ (abri.dunning's ready())."""
    global _dunning_alerts
    _dunning_alerts = reader


def dunning_alerts(*, customer) -> list:
    """The customer's unpaid-premium alerts (none when the dunning app is not installed)."""
    return _dunning_alerts(customer=customer) if _dunning_alerts is not None else []


# The tariff's split of a contract's annual premium, for the invoices' lines (abri.billing.invoices):
# {"net_premium", "instalment_surcharge", "catnat_surcharge", "insurance_tax", "terrorism_contribution"} → Decimal,
# or None when the tariff cannot price the contract. Registered by `ContractsConfig.ready()`.
PremiumBreakdown = Callable[[object], "dict[str, Decimal] | None"]
_premium_breakdown: PremiumBreakdown | None = None


def register_premium_breakdown(source: PremiumBreakdown) -> None:
    """Register `source(contract) -> {component: annual amount}` (the contracts app's tariff quote)."""
    global _premium_breakdown
    _premium_breakdown = source


def premium_breakdown_source() -> PremiumBreakdown | None:
    """The registered premium breakdown, or None (then an invoice has one line, taxes included)."""
    return _premium_breakdown
