"""The customer shell's pages: the dashboard and, in demo mode only, the outbox of sent messages."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from abri.core.decorators import customer_required
from abri.notifications.selectors import outbox_recent
from abri.portal.dashboard import dashboard_for_customer


@customer_required
def dashboard(request):
    """The customer's dashboard."""
    data = dashboard_for_customer(customer=request.customer)
    return render(request, "core/dashboard.html", {"dashboard": data, "active_menu": "dashboard"})


def _require_demo():
    if not settings.ABRI_DEMO:
        raise Http404


@require_GET
def demo_outbox(request):
    """Demo mode only: the e-mails and SMS the portal sent, to read codes and links."""
    _require_demo()
    return render(request, "core/demo_outbox.html", {"messages_sent": outbox_recent(limit=100)})


@require_GET
def demo_outbox_json(request):
    """Demo mode only: the same, as JSON, newest first."""
    _require_demo()
    data = [
        {
            "channel": m.channel,
            "to": m.to,
            "subject": m.subject,
            "body": m.body,
            "sent_at": (m.sent_at or m.created_at).isoformat(),
        }
        for m in outbox_recent(limit=100)
    ]
    return JsonResponse(data, safe=False)
