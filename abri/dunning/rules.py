"""Dates of the dunning and renewal-notice rules of the Code des assurances (pure functions, dates only).

- L113-3 (unpaid premium): the insurer may send a formal notice (mise en demeure, registered letter) once
  the premium is 10 days overdue; the cover is suspended 30 days after that notice is sent; the insurer may
  terminate the contract 10 days after the suspension starts; once the premium is paid, the cover resumes
  at noon the day after the payment.
- L113-15-1 (loi Chatel): the renewal notice (avis d'échéance) must reach the insured at least 15 days
  before the deadline to refuse the renewal; the deadline itself and the consequences of a late or missing
  notice are computed once, in `abri.contracts.rules` (`chatel_end`), and only re-used here.

Every date is a calendar date in Europe/Paris; days are calendar days (the article counts days, not
working days). Month ends and leap years follow `abri.contracts.rules.add_months`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from abri.contracts.rules import (
    CHATEL_LATE_WINDOW_DAYS,
    CHATEL_NOTICE_LEAD_DAYS,
    CONTRACTUAL_DUE_DATE_NOTICE_MONTHS,
    add_months,
)

#: L113-3 al. 2: the formal notice can only be sent once the premium is 10 days overdue.
FORMAL_NOTICE_AFTER_DAYS = 10
#: L113-3 al. 2: the cover is suspended 30 days after the formal notice is sent.
SUSPENSION_AFTER_NOTICE_DAYS = 30
#: L113-3 al. 3: the insurer may terminate 10 days after the end of the 30 days.
TERMINATION_AFTER_SUSPENSION_DAYS = 10
#: L113-3 al. 4: a suspended cover resumes at noon the day after the premium (and costs) are paid.
RESUMPTION_TIME = time(12, 0)
#: Card and transfer payers are reminded this many days before a due date (direct debits have the
#: SEPA pre-notification instead).
REMINDER_DAYS_BEFORE = 7
#: The renewal notice is sent from this many days before the latest day the law allows (so that a
#: stopped worker still has a month to catch up before the notice would be late).
RENEWAL_NOTICE_ADVANCE_DAYS = 30


def formal_notice_date(due_date: date) -> date:
    """L113-3: the first day the formal notice (mise en demeure) may be sent for a premium due on `due_date`."""
    return due_date + timedelta(days=FORMAL_NOTICE_AFTER_DAYS)


def suspension_date(notice_sent_on: date) -> date:
    """L113-3: the day the cover is suspended, 30 days after the formal notice was sent."""
    return notice_sent_on + timedelta(days=SUSPENSION_AFTER_NOTICE_DAYS)


def termination_possible_date(notice_sent_on: date) -> date:
    """L113-3: the first day the insurer may terminate, 10 days after the suspension (notice + 40 days)."""
    return suspension_date(notice_sent_on) + timedelta(days=TERMINATION_AFTER_SUSPENSION_DAYS)


def resumption_at(paid_on: date) -> datetime:
    """L113-3: when a suspended cover resumes after payment on `paid_on` — noon the next day (naive, Paris time)."""
    return datetime.combine(paid_on + timedelta(days=1), RESUMPTION_TIME)


def reminder_date(due_date: date) -> date:
    """The day a card or transfer payer is reminded of a due date (Abri's practice, not a legal rule)."""
    return due_date - timedelta(days=REMINDER_DAYS_BEFORE)


@dataclass(frozen=True)
class Dunning:
    """The L113-3 calendar of one unpaid premium; the later dates exist once the formal notice is sent."""

    due_date: date
    notice_from: date
    notice_sent_on: date | None = None

    @property
    def suspension_on(self) -> date:
        """The day the cover is suspended; before the notice is sent, the earliest it could be."""
        return suspension_date(self.notice_sent_on or self.notice_from)

    @property
    def termination_from(self) -> date:
        return termination_possible_date(self.notice_sent_on or self.notice_from)


def dunning_calendar(*, due_date: date, notice_sent_on: date | None = None) -> Dunning:
    """L113-3: every date of the procedure for a premium due on `due_date` (notice sent or not yet)."""
    return Dunning(due_date=due_date, notice_from=formal_notice_date(due_date), notice_sent_on=notice_sent_on)


# --- L113-15-1 (loi Chatel) ---------------------------------------------------------------------------------
def termination_deadline(main_due_date: date, *, notice_months: int = CONTRACTUAL_DUE_DATE_NOTICE_MONTHS) -> date:
    """L113-12 / L113-15-1: the last day to refuse the renewal at `main_due_date` (the same notice as
    `abri.contracts.rules.chatel_end` and `due_date_end` use: one month by Abri's conditions, two by law)."""
    return add_months(main_due_date, -notice_months)


def renewal_notice_latest(main_due_date: date, *, notice_months: int = CONTRACTUAL_DUE_DATE_NOTICE_MONTHS) -> date:
    """L113-15-1: the last day the renewal notice can be sent in time — 15 days before the deadline to refuse."""
    return termination_deadline(main_due_date, notice_months=notice_months) - timedelta(days=CHATEL_NOTICE_LEAD_DAYS)


def renewal_notice_from(main_due_date: date, *, notice_months: int = CONTRACTUAL_DUE_DATE_NOTICE_MONTHS) -> date:
    """The first day the worker sends the renewal notice (a month before the latest day the law allows)."""
    return renewal_notice_latest(main_due_date, notice_months=notice_months) - timedelta(
        days=RENEWAL_NOTICE_ADVANCE_DAYS)


def renewal_notice_in_time(*, main_due_date: date, sent_on: date,
                           notice_months: int = CONTRACTUAL_DUE_DATE_NOTICE_MONTHS) -> bool:
    """L113-15-1: was a notice sent on `sent_on` sent at least 15 days before the deadline to refuse?"""
    return sent_on <= renewal_notice_latest(main_due_date, notice_months=notice_months)


def refusal_deadline(*, main_due_date: date, sent_on: date,
                     notice_months: int = CONTRACTUAL_DUE_DATE_NOTICE_MONTHS) -> date:
    """L113-15-1: the last day the customer can refuse the renewal, as the notice must state it: the usual
    deadline when the notice is in time, else 20 days after its sending (the rule `chatel_end` applies)."""
    if renewal_notice_in_time(main_due_date=main_due_date, sent_on=sent_on, notice_months=notice_months):
        return termination_deadline(main_due_date, notice_months=notice_months)
    return sent_on + timedelta(days=CHATEL_LATE_WINDOW_DAYS)
