"""Contract rules from the Code des assurances: end dates, renewals and unused premium (pure functions).

Convention for every end date in Abri (contracts, terminations, certificates): the date is the **last day
covered**, and cover ends **at 24:00 on that day**. A termination that « takes effect » at 0:00 on a day
therefore has the day before as its end date: a Hamon request received on 10/02/2026 takes effect on
11/03/2026 at 0:00, so its end date is 10/03/2026 (cover until 24:00).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from abri.core.formats import day as day_in_words

ONE_DAY = timedelta(days=1)
CENT = Decimal("0.01")

#: Months covered by one instalment, per payment frequency.
FREQUENCY_MONTHS = {"annual": 12, "half_yearly": 6, "quarterly": 3, "monthly": 1}

#: L113-12: the insured may terminate at the main due date by giving at least two months' notice.
LEGAL_DUE_DATE_NOTICE_MONTHS = 2
#: Abri's general conditions shorten that notice to one month: a contractual improvement in the customer's
#: favour (the law sets a maximum notice for the insured, not a minimum). Never above the legal notice.
CONTRACTUAL_DUE_DATE_NOTICE_MONTHS = 1
#: L113-15-1 (loi Chatel): the renewal notice must reach the insured at least 15 days before the deadline to
#: terminate; when it is late, the insured has 20 days from its sending to refuse the renewal.
CHATEL_NOTICE_LEAD_DAYS = 15
CHATEL_LATE_WINDOW_DAYS = 20
#: L113-15-2 and L113-16: the insurer refunds the unused premium within 30 days of the termination.
REFUND_WITHIN_DAYS = 30


def add_months(day: date, months: int) -> date:
    """Same day N months later (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


MOVING_WINDOW_MONTHS = 3  # L113-16: termination for a change of situation within 3 months of the event


def moving_window_end(event: date) -> date:
    """The last day to terminate for a move (L113-16): three months after the event, not 60 days."""
    return add_months(event, MOVING_WINDOW_MONTHS)


def _fr(value: date) -> str:
    """A date in words in the active language, for the explanations people read (« 1er mars 2027 »)."""
    return day_in_words(value)


def next_main_due_date(main_due_date: date, today: date) -> date:
    """The next main due date after today (a due date that has come is already renewed)."""
    due = main_due_date
    while due <= today:
        due = add_months(due, 12)
    return due


def due_date_end(*, today: date, main_due_date: date,
                 notice_months: int = CONTRACTUAL_DUE_DATE_NOTICE_MONTHS) -> date:
    """Last day covered when terminating at the main due date (L113-12): the day before the first due date
    that is at least `notice_months` away."""
    due = next_main_due_date(main_due_date, today)
    while add_months(due, -notice_months) < today:
        due = add_months(due, 12)
    return due - ONE_DAY


def hamon_available_from(first_subscription: date) -> date:
    """L113-15-2: termination at any time once the contract has run for one year."""
    return add_months(first_subscription, 12)


def one_month_after(received: date) -> date:
    """Last day covered for a termination effective one month after receipt (L113-15-2, L113-16): the
    month expires at 24:00 on the same day of the following month."""
    return add_months(received, 1)


@dataclass(frozen=True)
class RenewalNotice:
    """A renewal on `due_date` and the day its notice (avis d'échéance) was sent: None when none was."""

    due_date: date
    sent_on: date | None


def chatel_end(*, today: date, notices: Iterable[RenewalNotice],
               notice_months: int = CONTRACTUAL_DUE_DATE_NOTICE_MONTHS) -> tuple[date, str] | None:
    """The end date that loi Chatel (L113-15-1) gives, with its reason, or None when it does not apply.

    - A renewal done without any notice: termination at any time, effective the day after the request
      (cover until 24:00 today).
    - A notice sent less than 15 days before the deadline to terminate (or after it): 20 days from its
      sending to refuse the renewal; the contract then ends at that due date (or today if it has passed).
    """
    best: tuple[date, str] | None = None
    notices = list(notices)
    past = [n for n in notices if n.due_date <= today]
    latest_renewal = max(past, key=lambda n: n.due_date) if past else None
    for notice in notices:
        deadline = add_months(notice.due_date, -notice_months)
        if notice.sent_on is None:
            if notice is not latest_renewal:
                continue  # a renewal still to come: its notice can still be sent
            candidate = (today, "absent")
        elif notice.sent_on > deadline - timedelta(days=CHATEL_NOTICE_LEAD_DAYS) and \
                today <= notice.sent_on + timedelta(days=CHATEL_LATE_WINDOW_DAYS):
            candidate = (max(notice.due_date - ONE_DAY, today), "late")
        else:
            continue
        if best is None or candidate[0] < best[0]:
            best = candidate
    return best


@dataclass(frozen=True)
class TerminationBasis:
    """One legal basis to end the contract, with its end date (last day covered, until 24:00)."""

    code: str
    end: date
    rule: str


BASIS_LABELS = {
    "hamon": gettext_lazy("Loi Hamon, après un an de contrat"),
    "chatel": gettext_lazy("Loi Chatel, avis d'échéance tardif ou absent"),
    "due_date": gettext_lazy("À l'échéance annuelle"),
    "moving": gettext_lazy("Déménagement"),
    "sale": gettext_lazy("Vente du logement"),
}


def termination_bases(*, reason: str, today: date, start_date: date, main_due_date: date,
                      requested_date: date | None = None, notices: Iterable[RenewalNotice] = (),
                      notice_months: int = CONTRACTUAL_DUE_DATE_NOTICE_MONTHS) -> list[TerminationBasis]:
    """Every basis that applies to this request, earliest end first (ties: the order of the law's list).

    `start_date` is the first subscription date (the Hamon clock). Whatever reason the customer gives, the
    bases open to everyone (due date, Hamon, Chatel) apply too: the customer is always offered the earliest.
    """
    bases: list[TerminationBasis] = []
    if reason == "moving" and requested_date is not None:
        end = max(one_month_after(today), requested_date)
        bases.append(TerminationBasis("moving", end, _(
            "Déménagement (L113-16) : un mois après la réception de votre demande, ou à la date que vous "
            "indiquez si elle est plus tardive.")))
    if reason == "sale" and requested_date is not None:
        end = max(requested_date, today)
        bases.append(TerminationBasis("sale", end, _(
            "Vente du logement (L121-10) : le contrat prend fin le jour de la vente, à 24 h.")))
    if hamon_available_from(start_date) <= today:
        bases.append(TerminationBasis("hamon", one_month_after(today), _(
            "Loi Hamon (L113-15-2) : un mois après la réception de votre demande, quelle que soit "
            "l'échéance.")))
    chatel = chatel_end(today=today, notices=notices, notice_months=notice_months)
    if chatel is not None:
        end, why = chatel
        rule = (_("Loi Chatel (L113-15-1) : votre contrat a été reconduit sans avis d'échéance, vous pouvez le "
                  "résilier à tout moment ; la résiliation prend effet le lendemain de votre demande.")
                if why == "absent" else
                _("Loi Chatel (L113-15-1) : votre avis d'échéance vous a été envoyé tardivement, vous disposez de "
                  "%(days)s jours après son envoi pour refuser la reconduction.") % {"days": CHATEL_LATE_WINDOW_DAYS})
        bases.append(TerminationBasis("chatel", end, rule))
    due_end = due_date_end(today=today, main_due_date=main_due_date, notice_months=notice_months)
    bases.append(TerminationBasis("due_date", due_end, _(
        "À l'échéance annuelle du %(day)s (L113-12 : préavis légal de deux mois, ramené à "
        "un mois par vos conditions générales).") % {"day": _fr(due_end + ONE_DAY)}))
    order = ["moving", "sale", "hamon", "chatel", "due_date"]
    return sorted(bases, key=lambda b: (b.end, order.index(b.code)))


def default_basis(bases: list[TerminationBasis], *, wanted_until: date | None = None) -> TerminationBasis:
    """The basis offered first: the earliest end, but not before the day the customer wants cover until
    (the day of the move or of the sale) when one ends that late."""
    if wanted_until is not None:
        late_enough = [b for b in bases if b.end >= wanted_until]
        if late_enough:
            return late_enough[0]
    return bases[0]


@dataclass(frozen=True)
class TerminationDate:
    """When a termination takes effect (last day covered), the rule that says so, and every basis."""

    effective: date | None
    rule: str
    refused: str = ""
    basis: str = ""
    bases: tuple[TerminationBasis, ...] = field(default_factory=tuple)


def hamon_refusal(start_date: date) -> str:
    return _("La résiliation à tout moment (loi Hamon) est possible après un an de contrat, à partir du "
             "%(day)s. Vous pouvez résilier à l'échéance.") % {"day": _fr(hamon_available_from(start_date))}


def termination_date(*, reason: str, today: date, start_date: date, main_due_date: date,
                     requested_date: date | None = None, notices: Iterable[RenewalNotice] = (),
                     basis: str | None = None) -> TerminationDate:
    """The end date of a request: the basis asked for, else the default (earliest) one among all that apply."""
    notices = tuple(notices)
    if reason == "moving" and requested_date is not None and moving_window_end(requested_date) < today:
        return TerminationDate(None, "", refused=_(
            "La résiliation pour déménagement (L113-16) doit être demandée dans les trois mois qui suivent le "
            "déménagement, soit au plus tard le %(day)s. "
            "Vous pouvez résilier à l'échéance ou, après un an de contrat, à tout moment (loi Hamon).") % {
            "day": _fr(moving_window_end(requested_date))})
    bases = termination_bases(reason=reason, today=today, start_date=start_date, main_due_date=main_due_date,
                              requested_date=requested_date, notices=notices)
    if reason == "hamon" and not any(b.code in {"hamon", "chatel"} for b in bases):
        return TerminationDate(None, "", refused=hamon_refusal(start_date), bases=tuple(bases))
    if basis:
        chosen = next((b for b in bases if b.code == basis), None)
        if chosen is None:
            return TerminationDate(None, "", refused=_("Ce motif de fin ne s'applique pas à votre contrat."),
                                   bases=tuple(bases))
    else:
        chosen = default_basis(bases, wanted_until=requested_date if reason in {"moving", "sale"} else None)
    return TerminationDate(chosen.end, chosen.rule, basis=chosen.code, bases=tuple(bases))


# --- Premium ---------------------------------------------------------------------------------
def instalment_period(due_date: date, frequency: str) -> tuple[date, date]:
    """The days an instalment pays for: from its due date to the day before the next one (inclusive)."""
    return due_date, add_months(due_date, FREQUENCY_MONTHS[frequency]) - ONE_DAY


@dataclass(frozen=True)
class PaidPeriod:
    """An amount paid for the days from `start` to `end` inclusive."""

    start: date
    end: date
    amount: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def days_after(period: PaidPeriod, end: date) -> int:
    """Days of the period after the last covered day `end`."""
    return max(0, (period.end - max(end, period.start - ONE_DAY)).days)


def refund_to_the_day(*, end: date, paid: Iterable[PaidPeriod]) -> Decimal:
    """Unused premium (L113-15-2, L113-16): for every period paid, the share of its days after the end date,
    to the day and to the cent, up to the end of the last period paid. Never negative, never more than was
    paid for those days."""
    total = Decimal("0.00")
    for period in paid:
        unused = days_after(period, end)
        if unused and period.amount > 0:
            share = period.amount * Decimal(unused) / Decimal(period.days)
            total += share.quantize(CENT, rounding=ROUND_HALF_UP)
    return total


def covered_share(*, period: PaidPeriod, end: date) -> Decimal:
    """What remains due on an unpaid instalment whose period runs past the end date: its covered days only."""
    used = period.days - days_after(period, end)
    if used <= 0:
        return Decimal("0.00")
    return (period.amount * Decimal(used) / Decimal(period.days)).quantize(CENT, rounding=ROUND_HALF_UP)


def refund_due_by(end: date) -> date:
    """The refund is paid at the latest 30 days after the termination takes effect."""
    return end + timedelta(days=REFUND_WITHIN_DAYS)


def unused_premium(*, annual_total: Decimal, effective: date, paid_until: date) -> Decimal:
    """Annual premium × days from `effective` to `paid_until` / 365 (kept for the moving-house journey)."""
    days = (paid_until - effective).days
    if days <= 0:
        return Decimal("0.00")
    return (annual_total * Decimal(days) / Decimal(365)).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Renewal ---------------------------------------------------------------------------------
def renewal_schedule(*, due_date: date, frequency: str, instalments: Iterable[Decimal]) -> list[tuple[date, Decimal]]:
    """The instalments of the year that starts on `due_date`: one per period of the frequency."""
    months = FREQUENCY_MONTHS[frequency]
    return [(add_months(due_date, index * months), amount) for index, amount in enumerate(instalments)]
