"""Reads for contracts, always scoped to a customer."""

from django.db.models import Prefetch

from abri.contracts.models import Contract, ContractGuarantee, Property


def contracts_for_customer(*, customer):
    """The customer's contracts with their home and guarantees."""
    return (
        Contract.objects.for_customer(customer)
        .select_related("property")
        .prefetch_related(Prefetch("guarantees", queryset=ContractGuarantee.objects.order_by("id")))
        .order_by("-status", "start_date", "id")
    )


def contract_get(*, customer, number: str) -> Contract:
    """One of the customer's contracts by number; another customer's answers 404."""
    return contracts_for_customer(customer=customer).get_for_customer(customer, number=number)


def properties_for_customer(*, customer):
    """The customer's homes."""
    return Property.objects.for_customer(customer).order_by("id")


def contract_for_pricing(*, customer, number: str) -> Contract:
    """One of the customer's contracts with its home only (what repricing needs, one query)."""
    return Contract.objects.select_related("property").get_for_customer(customer, number=number)
