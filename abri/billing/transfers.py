"""Services for bank transfers: a camt.053 statement of the insurer's account reconciled with the amounts due.

Each credit carries (when the payer copied it) the ISO 11649 creditor reference « RF… » shown on the pay page,
unique to one schedule item. Exact amount: paid. Less: partially paid, the rest still due under the same
reference. More: paid, and the excess recorded as a credit owed to the customer. No usable reference, or an
invalid amount: queued for the back-office. The bank's entry reference is unique, so importing the same
statement twice credits nothing twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abri.billing.choices import PaymentKind, PaymentMethod, ScheduleStatus, TransferStatus
from abri.billing.models import BankTransaction, ScheduleItem
from abri.billing.sepa import SepaError, StatementCredit, amount_parse, statement_read
from abri.billing.services import creditor_reference
from abri.core.formats import day as day_in_words
from abri.core.money import format_eur
from abri.core.services import audit_record
from abri.notifications.services import notification_create

PARIS = ZoneInfo("Europe/Paris")
ZERO = Decimal("0.00")
_RF = re.compile(r"^RF\d{2}(?P<customer>[0-9A-Z]+?)(?P<pk>\d{10})$")


@dataclass
class StatementResult:
    counts: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    problems: list[str] = field(default_factory=list)


def schedule_item_for_reference(reference: str) -> ScheduleItem | None:
    """The schedule item an RF reference was made for (the reference is recomputed: a forged one finds nothing)."""
    match = _RF.match(reference or "")
    if not match:
        return None
    item = (ScheduleItem.objects.select_for_update().select_related("customer", "contract")
            .filter(pk=int(match["pk"]), customer__customer_number=match["customer"]).first())
    if item is None or creditor_reference(item=item) != reference:
        return None
    return item


def bank_statement_import(*, data: bytes, actor=None) -> StatementResult:
    """Import a camt.053 statement: every booked credit once, reconciled or queued."""
    result = StatementResult()
    for credit in statement_read(data):
        if BankTransaction.objects.filter(entry_reference=credit.entry_reference).exists():
            result.duplicates += 1
            continue
        try:
            transaction_ = transfer_reconcile(credit=credit, actor=actor)
        except IntegrityError:
            result.duplicates += 1  # the same entry imported at the same moment by another process
            continue
        result.counts[transaction_.status] = result.counts.get(transaction_.status, 0) + 1
        if transaction_.status == TransferStatus.INVALID:
            result.problems.append(f"{credit.entry_reference}: {transaction_.remittance}")
    return result


@transaction.atomic
def transfer_reconcile(*, credit: StatementCredit, actor=None) -> BankTransaction:
    """Record one credit of the statement and apply it to the amount due its RF reference names."""
    row = BankTransaction(entry_reference=credit.entry_reference, statement_id=credit.statement_id,
                          booking_date=credit.booking_date, amount_text=credit.amount_text[:32],
                          reference=credit.reference, remittance=credit.remittance, debtor_name=credit.debtor_name,
                          amount=ZERO)
    try:
        row.amount = amount_parse(credit.amount_text)
        if credit.currency and credit.currency != "EUR":
            raise SepaError(_("Devise %(currency)s : seuls les euros sont rapprochés.") % {"currency": credit.currency})
    except SepaError as exc:
        row.status = TransferStatus.INVALID
        row.remittance = str(exc)[:140]
        row.save()
        audit_record(actor=actor, action="billing.transfer_invalid", target=row, actor_label="" if actor else "bank",
                     data={"entry": row.entry_reference, "amount": row.amount_text})
        return row
    item = schedule_item_for_reference(credit.reference)
    if item is None or item.amount <= 0 or item.status in {ScheduleStatus.CANCELLED, ScheduleStatus.REFUNDED}:
        row.status = TransferStatus.UNMATCHED
        row.save()
        audit_record(actor=actor, action="billing.transfer_unmatched", target=row, actor_label="" if actor else "bank",
                     data={"entry": row.entry_reference, "amount": str(row.amount)})
        return row
    due = ZERO if item.status == ScheduleStatus.PAID else item.amount - item.amount_received
    received_on = datetime.combine(credit.booking_date, time(12), PARIS)
    row.item = item
    if row.amount < due:
        row.status = TransferStatus.PARTIAL
        item.amount_received += row.amount
        item.save(update_fields=["amount_received"])
    else:
        row.status = TransferStatus.PAID if row.amount == due else TransferStatus.OVERPAID
        if due > 0:
            item.status = ScheduleStatus.PAID
            item.paid_at = received_on
            item.method = PaymentMethod.TRANSFER
            item.amount_received = item.amount
            item.save(update_fields=["status", "paid_at", "method", "amount_received"])
    row.save()
    excess = row.amount - max(due, ZERO)
    if excess > 0:
        # Over-payment (or an instalment paid twice): the excess is owed to the customer, visible in the history.
        row.credit = ScheduleItem.objects.create(
            customer=item.customer, contract=item.contract, due_date=credit.booking_date, amount=-excess,
            status=ScheduleStatus.UPCOMING, method=PaymentMethod.TRANSFER, kind=PaymentKind.REGULARISATION,
            reference=f"TP-{row.pk}"[:35],
            label=_("Trop-perçu sur votre virement du %(day)s") % {"day": day_in_words(credit.booking_date)})
        row.save(update_fields=["credit"])
    audit_record(actor=actor, action="billing.transfer_reconciled", target=item, customer=item.customer,
                 actor_label="" if actor else "bank",
                 data={"entry": row.entry_reference, "amount": str(row.amount), "status": row.status,
                       "excess": str(excess) if excess > 0 else "0"})
    words = {"amount": format_eur(row.amount), "day": day_in_words(item.due_date)}
    if row.status == TransferStatus.PARTIAL:
        words["rest"] = format_eur(item.amount - item.amount_received)
        title = _("Virement reçu : paiement partiel")
        body = _("Nous avons reçu votre virement de %(amount)s pour l'échéance du %(day)s. Il reste %(rest)s à "
                 "régler avec la même référence.") % words
    else:
        title = _("Virement reçu")
        body = _("Nous avons reçu votre virement de %(amount)s : l'échéance du %(day)s est payée.") % words
        if excess > 0:
            body += " " + _("Le trop-perçu de %(excess)s vous sera remboursé.") % {"excess": format_eur(excess)}
    notification_create(customer=item.customer, title=title, body=body, url="/paiements/", category="payment",
                        email=True)
    return row


@transaction.atomic
def bank_transaction_resolve(*, transaction_id: int, actor) -> BankTransaction:
    """The back-office took care of a queued transfer (refunded, or applied by hand): out of the queue."""
    row = BankTransaction.objects.select_for_update().get(pk=transaction_id)
    if row.resolved_at is None:
        row.resolved_at = timezone.now()
        row.save(update_fields=["resolved_at"])
        audit_record(actor=actor, action="billing.transfer_resolved", target=row,
                     data={"entry": row.entry_reference, "amount": row.amount_text})
    return row
