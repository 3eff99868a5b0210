"""Back-office pages for payments: the queue of transfers the bank statement could not reconcile.

One module per feature in the back-office (ADR 0007): views and URLs, mounted at /backoffice/paiements/.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abri.backoffice.decorators import staff_required
from abri.billing.selectors import unmatched_transfers
from abri.billing.transfers import bank_transaction_resolve

VIEW = "billing.view_banktransaction"
CHANGE = "billing.change_banktransaction"


@staff_required(VIEW)
def unmatched(request):
    """Transfers with no usable RF reference or an invalid amount, oldest first, until someone deals with them."""
    page = Paginator(unmatched_transfers(), 50).get_page(request.GET.get("page"))
    return render(request, "billing/staff/unmatched.html", {"page": page, "active_menu": "payments"})


@require_POST
@staff_required(CHANGE)
def resolve(request, pk: int):
    """Take a transfer out of the queue once it is refunded or applied by hand (audited)."""
    row = bank_transaction_resolve(transaction_id=pk, actor=request.user)
    messages.success(request, _("Le virement %(ref)s est sorti de la file.") % {"ref": row.entry_reference})
    return redirect("backoffice_payments:unmatched")


app_name = "backoffice_payments"
urlpatterns = [
    path("virements-a-traiter/", unmatched, name="unmatched"),
    path("virements-a-traiter/<int:pk>/traite/", resolve, name="resolve"),
]
