"""Writes for card payments: start a payment at the PSP, move it through its states, refund it, take webhooks.

Every status change goes through `card_payment_transition` (row lock, allowed-transitions table, conditional
update, timeline row, audit). A succeeded payment marks its ScheduleItem paid with a conditional update, so
it is marked once; a payment that succeeds for an item already paid otherwise (a transfer, another tab) is
refunded in full automatically: nothing is charged twice.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from abri.billing.choices import PaymentMethod, ScheduleStatus
from abri.billing.models import ScheduleItem
from abri.billing.psp import adapter_for, current_adapter
from abri.billing.psp.base import PSPError, WebhookError
from abri.billing.psp.choices import CardPaymentStatus, RefundStatus
from abri.billing.psp.models import (
    OPEN_STATUSES,
    CardPayment,
    CardPaymentStep,
    CardRefund,
    PaymentWebhookEvent,
)
from abri.core.formats import day as day_in_words
from abri.core.money import format_eur
from abri.core.services import audit_record

logger = logging.getLogger(__name__)

S = CardPaymentStatus
TRANSITIONS: dict[str, set[str]] = {
    S.CREATED: {S.REQUIRES_ACTION, S.SUCCEEDED, S.FAILED, S.CANCELLED},
    S.REQUIRES_ACTION: {S.SUCCEEDED, S.FAILED, S.CANCELLED},
    S.SUCCEEDED: {S.REFUNDED},
    S.FAILED: set(),
    S.CANCELLED: set(),
    S.REFUNDED: set(),
}
DUPLICATE_REASON = "duplicate"


def date_long(day) -> str:
    """« 3 juin 2026 »."""
    return day_in_words(day)


class CardPaymentError(Exception):
    """A card payment that cannot be done; the message is French, for the customer."""


class UnknownProvider(Exception):
    """A webhook for a provider that is not configured (answered 404)."""


def _payable(item: ScheduleItem) -> bool:
    return (item.amount > 0 and item.status in {ScheduleStatus.UPCOMING, ScheduleStatus.FAILED}
            and not item.collected_by_the_bank)


def card_payment_start(*, customer, item_id: int, return_url, actor=None) -> CardPayment:
    """Start (or resume) paying an amount due by card: returns the payment, whose redirect_url is the PSP's page.

    `return_url(payment)` gives the absolute URL the PSP sends the customer back to. Two tabs starting the
    same instalment get the same open payment at the PSP (one partial unique constraint), which the PSP
    charges at most once; an instalment already paid is refused.
    """
    try:
        adapter = current_adapter()
    except RuntimeError as exc:
        logger.error("card payment unavailable: %s", exc)
        raise CardPaymentError(_("Le paiement par carte n'est pas disponible pour le moment. Vous pouvez payer "
                                 "par virement.")) from exc
    with transaction.atomic():
        item = ScheduleItem.objects.select_for_update().get_for_customer(customer, pk=item_id)
        if item.status == ScheduleStatus.PAID:
            day = date_long(timezone.localtime(item.paid_at).date()) if item.paid_at else ""
            raise CardPaymentError(
                _("Cette échéance est déjà payée (le %(day)s). Rien n'a été débité une seconde fois.") % {"day": day}
                if day else _("Cette échéance est déjà payée. Rien n'a été débité une seconde fois."))
        if not _payable(item):
            raise CardPaymentError(_("Cette échéance ne peut pas être payée par carte."))
        payment = CardPayment.objects.filter(item=item, status__in=OPEN_STATUSES).first()
        if payment is None:
            payment = CardPayment.objects.create(customer=customer, item=item, provider=adapter.name,
                                                 idempotency_key=uuid.uuid4().hex, amount=item.amount)
            audit_record(actor=actor or customer.user, action="billing.card_payment_started", target=payment,
                         customer=customer, data={"item": item.pk, "amount": str(item.amount),
                                                  "provider": adapter.name})
    if payment.provider_id:
        return payment
    # Outside the transaction: the PSP call is slow I/O. The idempotency key makes a retry return the same
    # PSP payment (a crash between the call and the update below cannot create a second one).
    try:
        remote = adapter.create_payment(
            payment_id=payment.pk, amount=payment.amount, return_url=return_url(payment),
            description=_("Échéance du %(day)s, contrat %(number)s") % {
                "day": date_long(item.due_date), "number": item.contract.number},
            idempotency_key=payment.idempotency_key)
    except PSPError as exc:
        logger.warning("PSP refused payment %s: %s", payment.pk, exc)
        raise CardPaymentError(_("Le prestataire de paiement ne répond pas. Réessayez dans quelques minutes ; "
                                 "rien n'a été débité.")) from exc
    CardPayment.objects.filter(pk=payment.pk, provider_id="").update(
        provider_id=remote.provider_id, redirect_url=remote.redirect_url, updated_at=timezone.now())
    payment.refresh_from_db()
    return payment


@transaction.atomic
def card_payment_transition(*, payment_id: int, to_status: str, source: str, card_last4: str = "",
                            card_brand: str = "", failure_reason: str = "") -> tuple[CardPayment, bool]:
    """Move a card payment to the status the PSP reports: (payment, changed).

    The same status reported twice (webhook and return page) is a no-op; a transition the table does not
    allow (a late « failed » after « succeeded ») is ignored and audited, never applied.
    """
    payment = CardPayment.objects.select_for_update().select_related("customer").get(pk=payment_id)
    previous = payment.status
    details = {"card_last4": card_last4 or payment.card_last4, "card_brand": card_brand or payment.card_brand}
    if previous == to_status:
        if details["card_last4"] != payment.card_last4 or details["card_brand"] != payment.card_brand:
            CardPayment.objects.filter(pk=payment.pk).update(**details)
        return payment, False
    if to_status not in TRANSITIONS.get(previous, set()):
        audit_record(action="billing.card_payment_transition_ignored", target=payment, customer=payment.customer,
                     actor_label="psp", data={"from": previous, "to": to_status, "source": source})
        return payment, False
    updated = CardPayment.objects.filter(pk=payment.pk, status=previous).update(
        status=to_status, failure_reason=failure_reason[:200], updated_at=timezone.now(), **details)
    if not updated:  # unreachable under the row lock; kept so that a missing lock cannot double-apply
        return payment, False
    payment.refresh_from_db()
    CardPaymentStep.objects.create(payment=payment, from_status=previous, to_status=to_status, source=source[:40])
    audit_record(action="billing.card_payment_transition", target=payment, customer=payment.customer,
                 actor_label="psp", data={"from": previous, "to": to_status, "source": source})
    if to_status == S.SUCCEEDED:
        _settle_item(payment)
    return payment, True


def _settle_item(payment: CardPayment) -> None:
    """Mark the instalment paid, once; if it was paid otherwise meanwhile, refund this charge in full."""
    marked = ScheduleItem.objects.filter(
        pk=payment.item_id, status__in=[ScheduleStatus.UPCOMING, ScheduleStatus.FAILED],
    ).update(status=ScheduleStatus.PAID, paid_at=timezone.now(), method=PaymentMethod.CARD)
    if marked:
        audit_record(action="billing.item_paid_by_card", target=payment, customer=payment.customer,
                     actor_label="psp", data={"item": payment.item_id, "amount": str(payment.amount)})
        return
    audit_record(action="billing.card_payment_duplicate", target=payment, customer=payment.customer,
                 actor_label="psp", data={"item": payment.item_id})
    payment_id, amount = payment.pk, payment.amount
    transaction.on_commit(lambda: card_payment_refund(payment_id=payment_id, amount=amount,
                                                      reason=DUPLICATE_REASON))


def _refund_amount(amount) -> Decimal:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError) as exc:
        raise CardPaymentError(_("Montant invalide.")) from exc
    if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -2:
        raise CardPaymentError(_("Montant invalide : un montant positif, avec deux décimales au plus."))
    return value.quantize(Decimal("0.01"))


def card_payment_refund(*, payment_id: int, amount, reason: str = "", actor=None) -> CardRefund:
    """Refund part or all of a succeeded card payment at the PSP; a total refund moves it to « Remboursé »."""
    value = _refund_amount(amount)
    with transaction.atomic():
        payment = CardPayment.objects.select_for_update().select_related("customer").get(pk=payment_id)
        if payment.status != S.SUCCEEDED:
            raise CardPaymentError(_("Seul un paiement accepté peut être remboursé."))
        pending = payment.refunds.filter(status=RefundStatus.PENDING).aggregate(s=Sum("amount"))["s"] or 0
        remaining = payment.amount - payment.refunded_amount - pending
        if value > remaining:
            raise CardPaymentError(_("Le remboursement dépasse le montant restant à rembourser (%(left)s).")
                                   % {"left": format_eur(remaining)})
        refund = CardRefund.objects.create(payment=payment, amount=value, idempotency_key=uuid.uuid4().hex,
                                           reason=reason[:200])
        audit_record(actor=actor, action="billing.card_refund_requested", target=payment, customer=payment.customer,
                     actor_label="" if actor else "system", data={"amount": str(value), "reason": reason})
    adapter = adapter_for(payment.provider)
    try:
        if adapter is None:
            raise PSPError("provider not configured")
        provider_refund_id = adapter.refund(provider_id=payment.provider_id, amount=value,
                                            idempotency_key=refund.idempotency_key)
    except PSPError as exc:
        CardRefund.objects.filter(pk=refund.pk).update(status=RefundStatus.FAILED)
        raise CardPaymentError(_("Le prestataire de paiement a refusé le remboursement.")) from exc
    with transaction.atomic():
        CardRefund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
            status=RefundStatus.SUCCEEDED, provider_refund_id=provider_refund_id)
        CardPayment.objects.filter(pk=payment.pk).update(refunded_amount=F("refunded_amount") + value)
        payment.refresh_from_db()
        if payment.refunded_amount >= payment.amount:
            card_payment_transition(payment_id=payment.pk, to_status=S.REFUNDED, source=f"refund:{refund.pk}")
            if reason != DUPLICATE_REASON:
                ScheduleItem.objects.filter(pk=payment.item_id, status=ScheduleStatus.PAID).update(
                    status=ScheduleStatus.REFUNDED)
    refund.refresh_from_db()
    return refund


def card_payment_sync(*, payment: CardPayment) -> CardPayment:
    """Back from the PSP's page: ask the PSP for the status (the webhook may come later) and apply it."""
    if payment.status not in OPEN_STATUSES or not payment.provider_id:
        return payment
    adapter = adapter_for(payment.provider)
    if adapter is None:
        return payment
    try:
        remote = adapter.get_status(provider_id=payment.provider_id)
    except PSPError:
        return payment  # the webhook will tell
    payment, _changed = card_payment_transition(
        payment_id=payment.pk, to_status=remote.status, source="return", card_last4=remote.card_last4,
        card_brand=remote.card_brand, failure_reason=remote.failure_reason)
    return payment


def card_webhook_receive(*, provider: str, body: bytes, headers) -> str:
    """Verify, record and apply one PSP event; returns the outcome ("applied", "duplicate", "ignored"…).

    Raises UnknownProvider (404) or WebhookError (400: forged, replayed, malformed), audited either way.
    A duplicated delivery hits the unique (provider, event id) and changes nothing.
    """
    adapter = adapter_for(provider)
    if adapter is None:
        raise UnknownProvider(provider)
    try:
        event = adapter.parse_webhook(body=body, headers=headers)
    except WebhookError as exc:
        with transaction.atomic():
            audit_record(action="billing.psp_webhook_refused", actor_label="psp",
                         data={"provider": provider, "reason": str(exc)[:200]})
        raise
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = PaymentWebhookEvent.objects.create(provider=provider, event_id=event.event_id[:255],
                                                            event_type=event.event_type[:100])
        except IntegrityError:
            audit_record(action="billing.psp_webhook_duplicate", actor_label="psp",
                         data={"provider": provider, "event": event.event_id[:255]})
            return "duplicate"
        payment = None
        if event.provider_id:
            payment = CardPayment.objects.filter(provider=provider, provider_id=event.provider_id).first()
        if payment is None and event.abri_payment_id is not None:
            payment = CardPayment.objects.filter(provider=provider, pk=event.abri_payment_id).first()
        if payment is None:
            outcome = "unknown_payment"
        elif event.status is None:
            outcome = "ignored"
        else:
            _payment, changed = card_payment_transition(
                payment_id=payment.pk, to_status=event.status, source=f"webhook:{event.event_id}",
                card_last4=event.card_last4, card_brand=event.card_brand, failure_reason=event.failure_reason)
            outcome = "applied" if changed else "no_change"
        PaymentWebhookEvent.objects.filter(pk=record.pk).update(payment=payment, outcome=outcome)
        audit_record(action="billing.psp_webhook", target=payment, customer=payment.customer if payment else None,
                     actor_label="psp", data={"provider": provider, "event": event.event_id[:255],
                                              "type": event.event_type[:100], "outcome": outcome})
    return outcome
