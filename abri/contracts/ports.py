"""What contracts reads from an app that sits beside it and already imports it, filled in at start-up (ADR 0010).

Claims import contracts (a claim is made on a contract), so contracts may not import claims back: the pricing
engine's claims history arrives through this port instead. `ClaimsConfig.ready()` registers the provider.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from abri.contracts.models import Contract

IndemnifiedClaimsCounter = Callable[["Contract", datetime], int]

_indemnified_claims: IndemnifiedClaimsCounter | None = None


def register_indemnified_claims(counter: IndemnifiedClaimsCounter) -> None:
    """Register (or replace) the function counting a contract's indemnified claims declared since a moment."""
    global _indemnified_claims
    _indemnified_claims = counter


def indemnified_claims_since(contract: Contract, since: datetime) -> int:
    """Indemnified claims on this contract declared since `since`, as counted by the claims app."""
    if _indemnified_claims is None:
        raise ImproperlyConfigured("No claims history registered: is abri.claims in INSTALLED_APPS? (ADR 0010)")
    return _indemnified_claims(contract, since)
