"""Factories for claims."""

from decimal import Decimal

from django.utils import timezone

from abri.claims.models import Claim, ClaimStep

_counter = {"n": 0}


def make_claim(*, contract, status="received", event_type="water", **kwargs) -> Claim:
    """A claim on a contract with a first timeline step."""
    _counter["n"] += 1
    claim = Claim.objects.create(
        customer=contract.customer, contract=contract, number=f"SIN-T-{_counter['n']:06d}-{contract.pk}",
        event_type=event_type, occurred_at=timezone.now() - timezone.timedelta(days=3), status=status,
        description="Fuite sous l'évier", estimated_amount=kwargs.pop("estimated_amount", Decimal("900")), **kwargs,
    )
    ClaimStep.objects.create(claim=claim, status=status)
    return claim
