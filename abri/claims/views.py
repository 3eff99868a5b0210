"""Claim pages."""

from django.shortcuts import render

from abri.claims.selectors import claim_get, claims_for_customer
from abri.core.decorators import customer_required


@customer_required
def claim_list(request):
    """Sinistres: open and past claims."""
    return render(request, "claims/list.html", {"claims": claims_for_customer(customer=request.customer),
                                                 "active_menu": "claims"})


@customer_required
def claim_detail(request, number: str):
    """One claim and its timeline."""
    claim = claim_get(customer=request.customer, number=number)
    return render(request, "claims/detail.html", {"claim": claim, "active_menu": "claims"})
