"""Reads for the unpaid-premium procedure (L113-3): what the customer sees on /paiements/ and the dashboard —
what is unpaid, what will happen and when, what to do. Dates from abri.dunning.rules only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from abri.billing.choices import BillingNoticeKind, ScheduleStatus
from abri.billing.models import BillingNotice, ScheduleItem
from abri.contracts.choices import ContractStatus
from abri.contracts.models import Contract
from abri.core.formats import day as day_in_words
from abri.core.money import format_eur
from abri.dunning import rules as rules

UNPAID = (ScheduleStatus.UPCOMING, ScheduleStatus.FAILED)


def _day(value: date) -> str:
    return day_in_words(value)


@dataclass(frozen=True)
class DunningAlert:
    """One sentence for the customer about an unpaid premium or a suspended cover; `item_id` can be paid now."""

    message: str
    contract_number: str
    item_id: int | None = None
    suspended: bool = False


def resumption_at_for(contract) -> datetime | None:
    """When a suspended cover resumes (aware, Europe/Paris), or None while a dunned premium is unpaid: noon the
    day after the last of them was paid (L113-3 al. 4)."""
    dunned = list(ScheduleItem.objects.filter(contract=contract, notices__kind=BillingNoticeKind.FORMAL_NOTICE)
                  .distinct().only("status", "paid_at"))
    if not dunned or any(i.status in UNPAID for i in dunned):
        return None
    paid = [i.paid_at for i in dunned if i.paid_at]
    if not paid:
        return None  # cancelled rather than paid: the staff decides
    return timezone.make_aware(rules.resumption_at(timezone.localdate(max(paid))))


def unpaid_items(*, customer, today: date, limit: int = 5) -> list[ScheduleItem]:
    """The customer's premiums past their due date or rejected, on contracts not ended, oldest first."""
    return list(
        ScheduleItem.objects.for_customer(customer).filter(amount__gt=0)
        .filter(Q(status=ScheduleStatus.FAILED) | Q(status=ScheduleStatus.UPCOMING, due_date__lt=today))
        .exclude(contract__status=ContractStatus.TERMINATED).exclude(reference__startswith="REMB-")
        .select_related("contract").only("due_date", "amount", "status", "contract__number", "contract__status")
        .order_by("due_date", "id")[:limit])


def dunning_alerts(*, customer, today: date | None = None) -> list[DunningAlert]:
    """What the customer must know and do about unpaid premiums, in French, in a constant number of queries
    (three, plus one per suspended contract whose premiums are all paid)."""
    today = today or timezone.localdate()
    items = unpaid_items(customer=customer, today=today)
    notices = BillingNotice.objects.filter(
        Q(schedule_item__in=[i.pk for i in items], kind=BillingNoticeKind.FORMAL_NOTICE)
        | Q(contract__in={i.contract_id for i in items}, kind=BillingNoticeKind.SUSPENSION)
    ).only("kind", "schedule_item_id", "contract_id", "sent_on").order_by("created_at", "pk") if items else []
    sent_on = {n.schedule_item_id: n.sent_on for n in notices if n.kind == BillingNoticeKind.FORMAL_NOTICE}
    suspended_since = {n.contract_id: n.sent_on for n in notices if n.kind == BillingNoticeKind.SUSPENSION}
    alerts: list[DunningAlert] = []
    for item in items:
        contract = item.contract
        owed = {"amount": format_eur(item.amount), "due": _day(item.due_date)}
        if contract.status == ContractStatus.SUSPENDED:
            since = suspended_since.get(contract.pk) or today
            message = _("Garanties suspendues depuis le %(since)s (contrat %(number)s) : votre cotisation de "
                        "%(amount)s due le %(due)s est impayée. Dès son paiement, vos garanties reprendront le "
                        "lendemain à midi.") % {**owed, "since": _day(since), "number": contract.number}
            alerts.append(DunningAlert(message, contract.number, item.pk, suspended=True))
        elif contract.status == ContractStatus.ACTIVE:
            notice_day = sent_on.get(item.pk) or max(rules.formal_notice_date(item.due_date), today)
            message = _("Votre cotisation de %(amount)s due le %(due)s est impayée. Sans paiement, vos garanties "
                        "seront suspendues le %(day)s.") % {**owed, "day": _day(rules.suspension_date(notice_day))}
            alerts.append(DunningAlert(message, contract.number, item.pk))
        else:
            message = _("Votre cotisation de %(amount)s due le %(due)s est impayée.") % owed
            alerts.append(DunningAlert(message, contract.number, item.pk))
    seen = {a.contract_number for a in alerts if a.suspended}
    for contract in Contract.objects.for_customer(customer).filter(status=ContractStatus.SUSPENDED).only("number"):
        if contract.number in seen:
            continue
        at = resumption_at_for(contract)
        if at is not None:
            alerts.append(DunningAlert(_("Paiement reçu : les garanties de votre contrat %(number)s reprendront le "
                                         "%(day)s à midi.") % {"number": contract.number,
                                                               "day": _day(timezone.localdate(at))},
                                       contract.number, suspended=True))
    return alerts
