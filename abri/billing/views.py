"""Payment pages."""

from django.core.paginator import Paginator
from django.shortcuts import render

from abri.billing.selectors import indemnities_for_customer, schedule_for_customer
from abri.core.decorators import customer_required


@customer_required
def payment_list(request):
    """Paiements: every instalment, paginated."""
    page = Paginator(schedule_for_customer(customer=request.customer), 24).get_page(request.GET.get("page"))
    indemnities = indemnities_for_customer(customer=request.customer)[:50]
    return render(request, "billing/list.html", {"page": page, "indemnities": indemnities, "active_menu": "payments"})
