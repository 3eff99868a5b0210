"""Reads for claims, always scoped to a customer."""

from django.shortcuts import get_object_or_404

from abri.claims.models import Claim


def claims_for_customer(*, customer):
    """The customer's claims, newest first."""
    return Claim.objects.for_customer(customer).select_related("contract", "contract__property").order_by("-declared_at")


def claim_get(*, customer, number: str) -> Claim:
    """One of the customer's claims with its timeline; another customer's answers 404."""
    return get_object_or_404(claims_for_customer(customer=customer).prefetch_related("steps"), number=number)
