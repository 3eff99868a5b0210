"""Quote requests for the pricing tests: the DOMAIN.md reference risk, with overrides."""

from datetime import date
from decimal import Decimal

from abri.pricing import QuoteRequest

EFFECTIVE = date(2026, 3, 1)


def make_request(**overrides) -> QuoteRequest:
    """Tenant, apartment on the 2nd floor, 2 rooms / 40 m², zone 3, Confort, default deductible (150 €), annual."""
    values = dict(kind="apartment", occupant_status="tenant", rooms=2, surface_m2=40, risk_zone=3,
                  formula="confort", effective_date=EFFECTIVE, floor=2)
    values.update(overrides)
    return QuoteRequest(**values)


def euros(text: str) -> Decimal:
    return Decimal(text)
