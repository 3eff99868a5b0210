"""Reads for billing, always scoped to a customer.

The payment history is one list built from its two sources of truth: the schedule (premiums, amendment
pro-rata charges and refunds, termination refunds, regularisations) and the indemnities paid on claims.
Nothing is copied: a claim payment stays in claims, a refund written by contracts stays a schedule row.
A customer's history is small (10 years of monthly premiums are 120 rows), so both sources are read in
two queries and merged, filtered and balanced in Python (bench/bench_payments.py measures it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from abri.billing.choices import HistoryStatus, PaymentKind, PaymentMethod, ScheduleStatus
from abri.billing.models import CalendarFeed, ScheduleItem

ZERO = Decimal("0.00")


@dataclass
class PaymentEntry:
    """One line of the payment history. `amount` is seen from the customer: < 0 paid out, > 0 received."""

    source: str  # "schedule" or "indemnity"
    pk: int
    date: date
    due_date: date
    contract_number: str
    contract_id: int | None
    kind: str
    kind_label: str
    label: str
    amount: Decimal
    status: str
    status_label: str
    method: str
    method_label: str
    reference: str
    balance: Decimal | None = None  # running balance of settled lines, None on unsettled lines

    @property
    def settled(self) -> bool:
        return self.status in {HistoryStatus.PAID, HistoryStatus.RECEIVED, HistoryStatus.REFUNDED}

    @property
    def balance_effect(self) -> Decimal:
        # A premium paid then refunded (status refunded on a positive schedule row) nets to zero.
        if self.status == HistoryStatus.REFUNDED and self.amount < 0:
            return ZERO
        return self.amount if self.settled else ZERO

    @property
    def payable(self) -> bool:
        """Due by the customer and not paid yet (the « Payer maintenant » button)."""
        return self.source == "schedule" and self.amount < 0 and self.status in {
            HistoryStatus.UPCOMING, HistoryStatus.OVERDUE, HistoryStatus.FAILED}

    @property
    def uid(self) -> str:
        return f"{self.source}-{self.pk}"


def schedule_for_customer(*, customer):
    """The customer's instalments, most recent due date first."""
    return ScheduleItem.objects.for_customer(customer).select_related("contract").order_by("-due_date", "-id")


def indemnities_for_customer(*, customer):
    """Indemnities paid to the customer on their claims, newest first."""
    from abri.claims.models import ClaimPayment

    return ClaimPayment.objects.filter(customer=customer).select_related("claim").order_by("-paid_at")


def schedule_item_kind(item: ScheduleItem) -> str:
    """The kind of a schedule row: explicit, else from the reference written by contracts (PRO-, REMB-) and the sign."""
    if item.kind:
        return item.kind
    if item.reference.startswith("PRO-"):
        return PaymentKind.ADJUSTMENT if item.amount > 0 else PaymentKind.ADJUSTMENT_REFUND
    if item.reference.startswith("REMB-"):
        return PaymentKind.TERMINATION_REFUND
    return PaymentKind.PREMIUM if item.amount > 0 else PaymentKind.REGULARISATION


def _schedule_status(item: ScheduleItem, today: date) -> str:
    if item.status == ScheduleStatus.PAID:
        return HistoryStatus.REFUNDED if item.amount < 0 else HistoryStatus.PAID
    if item.status == ScheduleStatus.UPCOMING:
        return HistoryStatus.OVERDUE if item.amount > 0 and item.due_date < today else HistoryStatus.UPCOMING
    return {ScheduleStatus.FAILED: HistoryStatus.FAILED, ScheduleStatus.REFUNDED: HistoryStatus.REFUNDED,
            ScheduleStatus.CANCELLED: HistoryStatus.CANCELLED}.get(item.status, item.status)


def _schedule_label(item: ScheduleItem, kind: str, frequencies: dict) -> str:
    if item.label:
        return item.label
    if kind == PaymentKind.PREMIUM:
        frequency = frequencies.get(item.contract.payment_frequency, "")
        return _("Cotisation %(frequency)s — échéance du %(day)s") % {
            "frequency": frequency.lower(), "day": f"{item.due_date:%d/%m/%Y}"}
    if kind in {PaymentKind.ADJUSTMENT, PaymentKind.ADJUSTMENT_REFUND}:
        what = _("Ajustement de l'avenant %(number)s (prorata)") if kind == PaymentKind.ADJUSTMENT else _(
            "Remboursement de l'avenant %(number)s (prorata)")
        return what % {"number": item.reference.removeprefix("PRO-")}
    if kind == PaymentKind.TERMINATION_REFUND:
        return _("Remboursement de la cotisation non utilisée (résiliation %(number)s)") % {
            "number": item.reference.removeprefix("REMB-")}
    return str(PaymentKind(kind).label) if kind in PaymentKind.values else kind


def payment_history(*, customer, contract: str | None = None, year: int | None = None, kind: str | None = None,
                    status: str | None = None) -> list[PaymentEntry]:
    """Every euro between the customer and the insurer, newest first, with a running balance of settled lines.

    Filters are optional; the running balance is that of the filtered lines (a contract's own balance).
    """
    from abri.claims.models import ClaimPayment
    from abri.contracts.choices import PaymentFrequency

    today = timezone.localdate()
    kinds = dict((value, str(label)) for value, label in PaymentKind.choices)
    statuses = dict((value, str(label)) for value, label in HistoryStatus.choices)
    methods = dict((value, str(label)) for value, label in PaymentMethod.choices)
    frequencies = dict((value, str(label)) for value, label in PaymentFrequency.choices)
    items = ScheduleItem.objects.for_customer(customer).select_related("contract").only(
        "due_date", "amount", "status", "method", "paid_at", "reference", "kind", "label",
        "contract__number", "contract__payment_frequency")
    payments = ClaimPayment.objects.filter(customer=customer).select_related("claim__contract").only(
        "amount", "paid_at", "reference", "claim__number", "claim__contract__number")
    if contract:
        items = items.filter(contract__number=contract)
        payments = payments.filter(claim__contract__number=contract)
    entries: list[PaymentEntry] = []
    for item in items:
        item_kind = schedule_item_kind(item)
        item_status = _schedule_status(item, today)
        day = timezone.localdate(item.paid_at) if item.paid_at and item.status == ScheduleStatus.PAID else item.due_date
        entries.append(PaymentEntry(
            source="schedule", pk=item.pk, date=day, due_date=item.due_date, contract_number=item.contract.number,
            contract_id=item.contract_id, kind=item_kind, kind_label=kinds.get(item_kind, item_kind),
            label=_schedule_label(item, item_kind, frequencies), amount=-item.amount, status=item_status,
            status_label=statuses.get(item_status, item_status), method=item.method,
            method_label=methods.get(item.method, item.method), reference=item.reference))
    for payment in payments:
        day = timezone.localdate(payment.paid_at)
        entries.append(PaymentEntry(
            source="indemnity", pk=payment.pk, date=day, due_date=day, contract_number=payment.claim.contract.number,
            contract_id=payment.claim.contract_id, kind=PaymentKind.INDEMNITY,
            kind_label=kinds[PaymentKind.INDEMNITY],
            label=_("Indemnité du sinistre %(number)s") % {"number": payment.claim.number}, amount=payment.amount,
            status=HistoryStatus.RECEIVED, status_label=statuses[HistoryStatus.RECEIVED],
            method=PaymentMethod.TRANSFER, method_label=methods[PaymentMethod.TRANSFER], reference=payment.reference))
    if year:
        entries = [e for e in entries if e.date.year == year]
    if kind:
        entries = [e for e in entries if e.kind == kind]
    if status:
        entries = [e for e in entries if e.status == status]
    entries.sort(key=lambda e: (e.date, e.source, e.pk))
    balance = ZERO
    for entry in entries:
        if entry.settled:
            balance += entry.balance_effect
            entry.balance = balance
    entries.reverse()
    return entries


def payment_years(*, customer) -> list[int]:
    """The years the customer has schedule lines or indemnities in, newest first (for the year filter)."""
    from abri.claims.models import ClaimPayment

    years = {d.year for d in ScheduleItem.objects.for_customer(customer).dates("due_date", "year")}
    years |= {d.year for d in ClaimPayment.objects.filter(customer=customer).dates("paid_at", "year")}
    return sorted(years, reverse=True)


def payable_item_get(*, customer, item_id: int) -> ScheduleItem:
    """An unpaid amount due by this customer (another customer's, or one not payable, is a 404)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        ScheduleItem.objects.for_customer(customer).select_related("contract")
        .filter(amount__gt=0, status__in=[ScheduleStatus.UPCOMING, ScheduleStatus.FAILED]), pk=item_id)


def calendar_feed_active(*, customer) -> CalendarFeed | None:
    """The customer's current calendar link (its token is never readable again)."""
    return CalendarFeed.objects.for_customer(customer).filter(revoked_at=None).order_by("-created_at").first()


def calendar_feed_by_token(*, token: str) -> CalendarFeed | None:
    """The active feed for a secret token, or None (unknown or revoked)."""
    from abri.billing.services import calendar_token_hash

    return CalendarFeed.objects.select_related("customer").filter(
        token_hash=calendar_token_hash(token), revoked_at=None).first()


def yearly_premiums(*, customer, year: int) -> list[dict]:
    """Premiums paid in a year per contract (taxes included), net of premium refunds paid in that year."""
    by_contract: dict[str, dict] = {}
    for entry in payment_history(customer=customer, year=year):
        if entry.kind == PaymentKind.INDEMNITY or not entry.settled:
            continue
        row = by_contract.setdefault(entry.contract_number, {"contract": entry.contract_number, "paid": ZERO,
                                                             "refunded": ZERO, "count": 0})
        if entry.amount < 0 and entry.status == HistoryStatus.PAID:
            row["paid"] += -entry.amount
            row["count"] += 1
        elif entry.amount > 0 and entry.status == HistoryStatus.REFUNDED:
            row["refunded"] += entry.amount
    for row in by_contract.values():
        row["net"] = row["paid"] - row["refunded"]
    return sorted(by_contract.values(), key=lambda r: r["contract"])
