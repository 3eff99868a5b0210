"""Billing actions of the finance team (« comptabilité ») on the customer's behalf, each audited.

A payment received outside the bank statement (a cheque, a transfer without its reference) recorded on a
schedule item; an instalment's payment method changed for a customer who phoned. The back-office pages
(abri.backoffice.billing) call these; the permission is checked there.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from abri.billing.choices import PaymentMethod, ScheduleStatus
from abri.billing.models import ScheduleItem
from abri.core.money import format_eur
from abri.core.services import audit_record

PARIS = ZoneInfo("Europe/Paris")
OPEN = (ScheduleStatus.UPCOMING, ScheduleStatus.FAILED)
MANUAL_METHODS = (PaymentMethod.CHEQUE, PaymentMethod.TRANSFER)
# Methods a staff member may set on an upcoming instalment (direct debit needs the customer's own mandate).
SWITCHABLE_METHODS = (PaymentMethod.TRANSFER, PaymentMethod.CARD, PaymentMethod.CHEQUE)


class StaffBillingError(ValueError):
    """A French message for the field `field` of the form."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.field = field


def amount_parse(text) -> Decimal:
    """« 45,50 » or « 45.50 » → Decimal; more than 2 decimals, zero or negative → StaffBillingError."""
    raw = str(text or "").strip().replace("\u00a0", "").replace(" ", "").replace("€", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except (InvalidOperation, ValueError):
        raise StaffBillingError(_("Saisissez un montant en euros, par exemple 45,50."), "amount") from None
    if not value.is_finite():
        raise StaffBillingError(_("Saisissez un montant en euros, par exemple 45,50."), "amount")
    if value.as_tuple().exponent < -2:
        raise StaffBillingError(_("Deux décimales au plus : les centimes d'euro."), "amount")
    if value <= 0:
        raise StaffBillingError(_("Le montant doit être positif."), "amount")
    return value.quantize(Decimal("0.01"))


def manual_payment_record(*, item_id: int, amount, received_on: date, method: str, reference: str,
                          expected_received: Decimal, actor) -> ScheduleItem:
    """Record a payment received outside the statement: the item is paid (or partially paid) once.

    `expected_received` is what the staff member saw as already received: the update is conditional on it,
    so a form submitted twice (double click, two tabs) records the money once and the second is refused.
    """
    value = amount_parse(amount)
    if method not in MANUAL_METHODS:
        raise StaffBillingError(_("Choisissez le mode de paiement reçu."), "method")
    reference = " ".join((reference or "").split())[:35]
    if not reference:
        raise StaffBillingError(_("Indiquez la référence (numéro de chèque, référence du virement)."), "reference")
    if received_on > timezone.localdate():
        raise StaffBillingError(_("La date de réception ne peut pas être dans le futur."), "received_on")
    with transaction.atomic():
        item = ScheduleItem.objects.select_for_update().select_related("customer").get(pk=item_id)
        if item.status not in OPEN or item.amount <= 0:
            raise StaffBillingError(_("Cette échéance n'est plus à payer : rien n'a été enregistré."))
        if item.amount_received != expected_received:
            raise StaffBillingError(_("Un paiement vient d'être enregistré sur cette échéance : rechargez la page "
                                      "avant d'en saisir un autre. Rien n'a été enregistré deux fois."))
        remaining = item.amount - item.amount_received
        if value > remaining:
            raise StaffBillingError(_("Le montant dépasse le reste à payer (%(left)s).")
                                    % {"left": format_eur(remaining)}, "amount")
        full = value == remaining
        changes = {"amount_received": F("amount_received") + value, "method": method}
        if full:
            changes.update(status=ScheduleStatus.PAID, rejection_reason="",
                           paid_at=datetime.combine(received_on, time(12), PARIS))
        updated = ScheduleItem.objects.filter(pk=item.pk, status=item.status,
                                              amount_received=expected_received).update(**changes)
        if not updated:  # unreachable under the row lock; kept so that a missing lock cannot double-record
            raise StaffBillingError(_("Un paiement vient d'être enregistré sur cette échéance : rechargez la page."))
        audit_record(actor=actor, action="billing.manual_payment_recorded", target=item, customer=item.customer,
                     data={"amount": str(value), "method": method, "reference": reference,
                           "received_on": received_on.isoformat(), "fully_paid": full})
    item.refresh_from_db()
    return item


def item_method_change(*, item_id: int, method: str, actor) -> ScheduleItem:
    """Switch an upcoming instalment to another method (e.g. transfer for a customer who phoned); audited.

    An instalment already in a collection file stays a direct debit: the bank collects it anyway.
    """
    if method not in SWITCHABLE_METHODS:
        raise StaffBillingError(_("Choisissez virement, carte bancaire ou chèque."), "method")
    with transaction.atomic():
        item = ScheduleItem.objects.select_for_update().select_related("customer").get(pk=item_id)
        if item.status not in OPEN or item.amount <= 0:
            raise StaffBillingError(_("Cette échéance n'est plus à payer : son mode de paiement ne change plus."))
        if hasattr(item, "collection"):
            raise StaffBillingError(_("Cette échéance est déjà dans une remise de prélèvements transmise à la "
                                      "banque : son mode de paiement ne peut plus changer."))
        previous = item.method
        if previous == method:
            return item
        ScheduleItem.objects.filter(pk=item.pk).update(method=method)
        audit_record(actor=actor, action="billing.item_method_changed", target=item, customer=item.customer,
                     data={"from": previous, "to": method})
    item.refresh_from_db()
    return item
