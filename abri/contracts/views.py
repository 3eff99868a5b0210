"""Contract pages."""

from django.shortcuts import render

from abri.contracts.selectors import contract_get, contracts_for_customer, properties_for_customer
from abri.core.decorators import customer_required


@customer_required
def contract_list(request):
    """Mes contrats: every contract and home."""
    return render(
        request,
        "contracts/list.html",
        {
            "contracts": contracts_for_customer(customer=request.customer),
            "properties": properties_for_customer(customer=request.customer),
            "active_menu": "contracts",
        },
    )


@customer_required
def contract_detail(request, number: str):
    """One contract: home, guarantees, ceilings, deductibles."""
    contract = contract_get(customer=request.customer, number=number)
    return render(request, "contracts/detail.html", {"contract": contract, "active_menu": "contracts"})
