"""The dashboard selector: a constant number of queries whatever the customer's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import get_language

from abri.billing.choices import PaymentMethod, ScheduleStatus
from abri.billing.models import ScheduleItem
from abri.claims.choices import ClaimEvent, ClaimStatus
from abri.claims.models import Claim
from abri.contracts.choices import Formula, GuaranteeCode
from abri.contracts.models import Contract, ContractGuarantee
from abri.documents.choices import DocumentKind
from abri.documents.models import Document
from abri.dunning.selectors import dunning_alerts
from abri.notifications.models import Notification

DEFAULT_WIDGETS = ["guarantees", "payments", "claims", "documents", "messages"]


@dataclass
class Dashboard:
    """What the dashboard shows."""

    contracts: list = field(default_factory=list)
    next_payments: list = field(default_factory=list)
    overdue_payments: list = field(default_factory=list)
    cover_alerts: list = field(default_factory=list)
    open_claims: list = field(default_factory=list)
    latest_documents: list = field(default_factory=list)
    latest_messages: list = field(default_factory=list)
    unread_count: int = 0
    widgets: list = field(default_factory=lambda: list(DEFAULT_WIDGETS))

    @property
    def claims_to_answer(self) -> list:
        """Open claims waiting for the customer: an indemnity offer to accept or discuss."""
        return [c for c in self.open_claims if c.status == ClaimStatus.OFFER_MADE]

    @property
    def has_todo(self) -> bool:
        """Something needs the customer's action (shown first, « À faire »): read from the rows above, no query."""
        return bool(self.cover_alerts or self.overdue_payments or self.claims_to_answer or self.unread_count)


@lru_cache(maxsize=128)
def _labels(choices, language: str | None) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _label(objects, attribute: str, choices, target: str) -> None:
    """Set each object's translated choice label once per request.

    Django's get_FOO_display() rebuilds and translates the field's whole choice list on every
    call: with ~70 labels on the page that was a third of the dashboard's rendering time.
    """
    labels = _labels(choices, get_language())
    for obj in objects:
        value = getattr(obj, attribute)
        setattr(obj, target, labels.get(value, value))


def dashboard_for_customer(*, customer) -> Dashboard:
    """Everything the dashboard needs, in a constant number of queries (ten, plus one per suspended contract)."""
    today = timezone.localdate()
    # Each query selects only the columns the page shows: building the SQL of wide rows was a good
    # part of the page's cost. A field the template starts using must be added here (the query-count
    # test of the dashboard fails otherwise, since a deferred field costs one query per row).
    contracts = list(
        Contract.objects.for_customer(customer)
        .in_force()
        .select_related("property")
        .only("number", "formula", "start_date", "property__city", "property__address_line")
        .prefetch_related(
            Prefetch("guarantees", queryset=ContractGuarantee.objects.only("contract_id", "code").order_by("id"))
        )
        .order_by("start_date", "id")
    )
    next_payments = list(
        ScheduleItem.objects.for_customer(customer)
        .filter(status=ScheduleStatus.UPCOMING, due_date__gte=today)
        .select_related("contract")
        .only("due_date", "amount", "method", "contract__number")
        .order_by("due_date", "id")[:3]
    )
    # Anything the customer owes and has not paid: a rejected debit, or a due date passed (L113-3 clock).
    overdue_payments = list(
        ScheduleItem.objects.for_customer(customer)
        .filter(amount__gt=0)
        .filter(Q(status=ScheduleStatus.FAILED) | Q(status=ScheduleStatus.UPCOMING, due_date__lt=today))
        .select_related("contract")
        .only("due_date", "amount", "status", "contract__number")
        .order_by("due_date", "id")[:5]
    )
    open_claims = list(
        Claim.objects.for_customer(customer).open()
        .only("number", "event_type", "status", "declared_at")
        .order_by("-declared_at")[:5]
    )
    latest_documents = list(
        Document.objects.for_customer(customer).only("title", "kind", "issued_on").order_by("-issued_on", "-id")[:5]
    )
    messages = list(
        Notification.objects.for_customer(customer)
        .only("title", "url", "created_at", "read_at")
        .order_by("-created_at", "-id")[:5]
    )
    _label(contracts, "formula", Formula, "formula_label")
    _label([g for c in contracts for g in c.guarantees.all()], "code", GuaranteeCode, "code_label")
    _label(next_payments, "method", PaymentMethod, "method_label")
    # What happens to each overdue premium and when (L113-3); a cover suspended, or resuming once paid.
    alerts = dunning_alerts(customer=customer, today=today)
    messages_by_item = {a.item_id: a.message for a in alerts if a.item_id}
    for item in overdue_payments:
        item.dunning_message = messages_by_item.get(item.pk, "")
    cover_alerts = [a for a in alerts if a.item_id is None]
    _label(open_claims, "event_type", ClaimEvent, "event_label")
    _label(open_claims, "status", ClaimStatus, "status_label")
    _label(latest_documents, "kind", DocumentKind, "kind_label")
    layout = [w for w in (customer.dashboard_layout or []) if w in DEFAULT_WIDGETS]
    widgets = layout + [w for w in DEFAULT_WIDGETS if w not in layout]
    return Dashboard(
        contracts=contracts,
        next_payments=next_payments,
        overdue_payments=overdue_payments,
        cover_alerts=cover_alerts,
        open_claims=open_claims,
        latest_documents=latest_documents,
        latest_messages=messages,
        unread_count=sum(1 for m in messages if m.read_at is None),
        widgets=widgets,
    )
