"""The dashboard selector: a constant number of queries whatever the customer's history."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from abri.billing.choices import ScheduleStatus
from abri.billing.models import ScheduleItem
from abri.claims.models import Claim
from abri.contracts.models import Contract, ContractGuarantee
from abri.documents.models import Document
from abri.notifications.models import Notification

DEFAULT_WIDGETS = ["guarantees", "payments", "claims", "documents", "messages"]


@dataclass
class Dashboard:
    """What the dashboard shows."""

    contracts: list = field(default_factory=list)
    next_payments: list = field(default_factory=list)
    open_claims: list = field(default_factory=list)
    latest_documents: list = field(default_factory=list)
    latest_messages: list = field(default_factory=list)
    unread_count: int = 0
    widgets: list = field(default_factory=lambda: list(DEFAULT_WIDGETS))


def dashboard_for_customer(*, customer) -> Dashboard:
    """Everything the dashboard needs, in six queries."""
    today = timezone.localdate()
    contracts = list(
        Contract.objects.for_customer(customer)
        .filter(status__in=["active", "termination_requested"])
        .select_related("property")
        .prefetch_related(Prefetch("guarantees", queryset=ContractGuarantee.objects.order_by("id")))
        .order_by("start_date", "id")
    )
    next_payments = list(
        ScheduleItem.objects.for_customer(customer)
        .filter(status=ScheduleStatus.UPCOMING, due_date__gte=today)
        .select_related("contract")
        .order_by("due_date", "id")[:3]
    )
    open_claims = list(
        Claim.objects.for_customer(customer).open().select_related("contract").order_by("-declared_at")[:5]
    )
    latest_documents = list(Document.objects.for_customer(customer).order_by("-issued_on", "-id")[:5])
    messages = list(Notification.objects.for_customer(customer).order_by("-created_at", "-id")[:5])
    layout = [w for w in (customer.dashboard_layout or []) if w in DEFAULT_WIDGETS]
    widgets = layout + [w for w in DEFAULT_WIDGETS if w not in layout]
    return Dashboard(
        contracts=contracts,
        next_payments=next_payments,
        open_claims=open_claims,
        latest_documents=latest_documents,
        latest_messages=messages,
        unread_count=sum(1 for m in messages if m.read_at is None),
        widgets=widgets,
    )
