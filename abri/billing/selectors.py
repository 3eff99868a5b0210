"""Reads for billing, always scoped to a customer.

The payment history is one list built from its two sources of truth: the schedule (premiums, amendment
pro-rata charges and refunds, termination refunds, regularisations) and the indemnities paid on claims.
Nothing is copied: a claim payment stays in claims, a refund written by contracts stays a schedule row.
A customer's history is small (10 years of monthly premiums are 120 rows), so both sources are read in
two queries and merged, filtered and balanced in Python (bench/bench_payments.py measures it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from abri.billing.choices import (
    HistoryStatus,
    MandateStatus,
    PaymentKind,
    PaymentMethod,
    ScheduleStatus,
    TransferStatus,
    return_reason_label,
)
from abri.billing.models import BankTransaction, CalendarFeed, ScheduleItem, SepaMandate
from abri.billing.ports import indemnity_source
from abri.core.formats import day as day_in_words
from abri.core.labels import labels_of
from abri.core.money import format_eur

ZERO = Decimal("0.00")


@dataclass
class PaymentEntry:
    """One line of the payment history. `amount` is seen from the customer: < 0 paid out, > 0 received."""

    source: str  # "schedule" or "indemnity"
    pk: int
    date: date
    due_date: dt.date  # not `date`: inside the class body that name is the field above
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
        """Due by the customer and not paid yet (the « Payer maintenant » button). An upcoming direct debit
        is not: the bank will collect it, and paying it too would charge the customer twice."""
        if self.source != "schedule" or self.amount >= 0:
            return False
        if self.status == HistoryStatus.UPCOMING:
            return self.method != PaymentMethod.DIRECT_DEBIT
        return self.status in {HistoryStatus.OVERDUE, HistoryStatus.FAILED, HistoryStatus.PARTIAL}

    @property
    def uid(self) -> str:
        return f"{self.source}-{self.pk}"


def schedule_for_customer(*, customer):
    """The customer's instalments, most recent due date first."""
    return ScheduleItem.objects.for_customer(customer).select_related("contract").order_by("-due_date", "-id")


def _kind(kind: str, reference: str, amount: Decimal) -> str:
    if kind:
        return kind
    if reference.startswith("PRO-"):
        return PaymentKind.ADJUSTMENT if amount > 0 else PaymentKind.ADJUSTMENT_REFUND
    if reference.startswith("REMB-"):
        return PaymentKind.TERMINATION_REFUND
    return PaymentKind.PREMIUM if amount > 0 else PaymentKind.REGULARISATION


_STATUS_OF_SCHEDULE: dict[str, str] = {ScheduleStatus.FAILED: HistoryStatus.FAILED, ScheduleStatus.REFUNDED: HistoryStatus.REFUNDED,
                       ScheduleStatus.CANCELLED: HistoryStatus.CANCELLED}


def _schedule_status(status: str, amount: Decimal, due_date: date, today: date, received: Decimal = ZERO) -> str:
    if status == ScheduleStatus.UPCOMING and received > 0:
        return HistoryStatus.PARTIAL
    if status == ScheduleStatus.PAID:
        return HistoryStatus.REFUNDED if amount < 0 else HistoryStatus.PAID
    if status == ScheduleStatus.UPCOMING:
        return HistoryStatus.OVERDUE if amount > 0 and due_date < today else HistoryStatus.UPCOMING
    return _STATUS_OF_SCHEDULE.get(status, status)


class _Labels:
    """The translated labels, looked up once per call (gettext per row was most of the history's cost)."""

    def __init__(self):
        self.kinds = {value: str(label) for value, label in PaymentKind.choices}
        self.statuses = {value: str(label) for value, label in HistoryStatus.choices}
        self.methods = {value: str(label) for value, label in PaymentMethod.choices}
        self.premium = {value: _("Cotisation %(frequency)s — échéance du %(day)s") % {
            "frequency": str(label).lower(), "day": "{day}"} for value, label in labels_of("payment_frequency").items()}
        self.adjustment = _("Ajustement de l'avenant %(number)s (prorata)") % {"number": "{number}"}
        self.adjustment_refund = _("Remboursement de l'avenant %(number)s (prorata)") % {"number": "{number}"}
        self.termination_refund = _("Remboursement de la cotisation non utilisée (résiliation %(number)s)") % {
            "number": "{number}"}
        self.indemnity = _("Indemnité du sinistre %(number)s") % {"number": "{number}"}
        self.rest = _("Partiellement payé — reste %(rest)s") % {"rest": "{rest}"}

    def schedule(self, label: str, kind: str, reference: str, due_date: date, frequency: str) -> str:
        if label:
            return label
        if kind == PaymentKind.PREMIUM:
            template = self.premium.get(frequency) or self.kinds[kind]
            return template.replace("{day}", day_in_words(due_date))
        if kind == PaymentKind.ADJUSTMENT:
            return self.adjustment.replace("{number}", reference.removeprefix("PRO-"))
        if kind == PaymentKind.ADJUSTMENT_REFUND:
            return self.adjustment_refund.replace("{number}", reference.removeprefix("PRO-"))
        if kind == PaymentKind.TERMINATION_REFUND:
            return self.termination_refund.replace("{number}", reference.removeprefix("REMB-"))
        return self.kinds.get(kind, kind)


def payment_history(*, customer, contract: str | None = None, year: int | None = None, kind: str | None = None,
                    status: str | None = None) -> list[PaymentEntry]:
    """Every euro between the customer and the insurer, newest first, with a running balance of settled lines.

    Filters are optional; the running balance is that of the filtered lines (a contract's own balance).
    Rows are read as tuples, not model instances: 120 rows as models cost more than the rest of the page.
    """
    today = timezone.localdate()
    labels = _Labels()
    items = ScheduleItem.objects.for_customer(customer)
    if contract:
        items = items.filter(contract__number=contract)
    entries: list[PaymentEntry] = []
    paid = ScheduleStatus.PAID
    for (pk, due_date, amount, item_status, method, paid_at, reference, item_kind, label, contract_id, number,
         frequency, received, rejection) in items.values_list(
            "pk", "due_date", "amount", "status", "method", "paid_at", "reference", "kind", "label", "contract_id",
            "contract__number", "contract__payment_frequency", "amount_received", "rejection_reason"):
        line_kind = _kind(item_kind, reference, amount)
        line_status = _schedule_status(item_status, amount, due_date, today, received)
        status_label = labels.statuses.get(line_status, line_status)
        if line_status == HistoryStatus.FAILED and rejection:
            # « Rejeté — provision insuffisante »: the bank's reason, in words.
            status_label = f"{status_label} — {return_reason_label(rejection)}"
        elif line_status == HistoryStatus.PARTIAL:
            status_label = labels.rest.replace("{rest}", format_eur(amount - received))
        day = timezone.localdate(paid_at) if paid_at and item_status == paid else due_date
        entries.append(PaymentEntry(
            source="schedule", pk=pk, date=day, due_date=due_date, contract_number=number, contract_id=contract_id,
            kind=line_kind, kind_label=labels.kinds.get(line_kind, line_kind),
            label=labels.schedule(label, line_kind, reference, due_date, frequency), amount=-amount,
            status=line_status, status_label=status_label, method=method,
            method_label=labels.methods.get(method, method), reference=reference))
    for indemnity in indemnity_source().indemnities(customer=customer, contract_number=contract):
        day = timezone.localdate(indemnity.paid_at)
        entries.append(PaymentEntry(
            source="indemnity", pk=indemnity.pk, date=day, due_date=day, contract_number=indemnity.contract_number,
            contract_id=indemnity.contract_id, kind=PaymentKind.INDEMNITY, kind_label=labels.kinds[PaymentKind.INDEMNITY],
            label=labels.indemnity.replace("{number}", indemnity.claim_number), amount=indemnity.amount,
            status=HistoryStatus.RECEIVED, status_label=labels.statuses[HistoryStatus.RECEIVED],
            method=PaymentMethod.TRANSFER, method_label=labels.methods[PaymentMethod.TRANSFER],
            reference=indemnity.reference))
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
    years = {d.year for d in ScheduleItem.objects.for_customer(customer).dates("due_date", "year")}
    years |= indemnity_source().indemnity_years(customer=customer)
    return sorted(years, reverse=True)


def mandates_for_customer(*, customer) -> list[SepaMandate]:
    """The customer's mandates, the active one first, then the older ones newest first."""
    return sorted(SepaMandate.objects.for_customer(customer).select_related("document").order_by("-signed_at"),
                  key=lambda m: m.status != MandateStatus.ACTIVE)


def mandate_get(*, customer, mandate_id: int) -> SepaMandate:
    """One of the customer's mandates (another customer's is a 404)."""
    return SepaMandate.objects.select_related("document").get_for_customer(customer, pk=mandate_id)


def upcoming_debits(*, customer, limit: int = 6) -> list[ScheduleItem]:
    """The next direct debits with their date and amount: the pre-notification shown on /paiements/."""
    return list(ScheduleItem.objects.for_customer(customer).select_related("contract").filter(
        status=ScheduleStatus.UPCOMING, method=PaymentMethod.DIRECT_DEBIT, amount__gt=0,
        due_date__gte=timezone.localdate()).order_by("due_date", "id")[:limit])


def unmatched_transfers():
    """The back-office queue: transfers with no usable reference or an invalid amount, not dealt with yet."""
    return BankTransaction.objects.filter(
        status__in=[TransferStatus.UNMATCHED, TransferStatus.INVALID], resolved_at=None,
    ).order_by("booking_date", "id")


def payable_item_get(*, customer, item_id: int) -> ScheduleItem:
    """An unpaid amount due by this customer (another customer's, or one not payable, is a 404)."""
    return ScheduleItem.objects.select_related("contract").filter(
        amount__gt=0, status__in=[ScheduleStatus.UPCOMING, ScheduleStatus.FAILED],
    ).exclude(status=ScheduleStatus.UPCOMING, method=PaymentMethod.DIRECT_DEBIT,
              due_date__gte=timezone.localdate()).get_for_customer(customer, pk=item_id)


def card_payment_get(*, customer, payment_id: int):
    """One of this customer's card payments (another customer's is a 404)."""
    from abri.billing.psp.models import CardPayment

    return CardPayment.objects.select_related("item").get_for_customer(customer, pk=payment_id)


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
