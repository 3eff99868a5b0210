"""Notification centre."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from abri.core.decorators import customer_required
from abri.notifications.selectors import notifications_for_customer
from abri.notifications.services import notification_mark_read


@customer_required
def notification_list(request):
    """Notifications: the customer's messages."""
    items = notifications_for_customer(customer=request.customer, limit=100)
    return render(request, "notifications/list.html", {"items": items, "active_menu": "notifications"})


@customer_required
@require_POST
def notification_read(request, pk: int):
    """Mark one message as read."""
    notification_mark_read(customer=request.customer, notification_id=pk)
    return redirect("notifications:list")
