"""The dates of the unpaid-premium procedure (L113-3) and of the renewal notice (L113-15-1), pure functions."""

from datetime import date, datetime, timedelta

import pytest

from abri.contracts.rules import RenewalNotice, chatel_end
from abri.dunning import rules as r


def test_formal_notice_ten_days_after_the_due_date():
    """L113-3: the mise en demeure may be sent once the premium is 10 days overdue."""
    assert r.formal_notice_date(date(2026, 11, 5)) == date(2026, 11, 15)


def test_the_brief_example_suspension_on_15_december():
    """L113-3: due 5 November 2026, notice 15 November, cover suspended 15 December, termination 25 December."""
    cal = r.dunning_calendar(due_date=date(2026, 11, 5))
    assert cal.notice_from == date(2026, 11, 15)
    assert cal.suspension_on == date(2026, 12, 15)
    assert cal.termination_from == date(2026, 12, 25)


def test_suspension_counts_from_the_day_the_notice_was_really_sent():
    """L113-3: a notice sent late moves the suspension and the termination with it (30 then 10 days)."""
    cal = r.dunning_calendar(due_date=date(2026, 11, 5), notice_sent_on=date(2026, 11, 20))
    assert cal.suspension_on == date(2026, 12, 20)
    assert cal.termination_from == date(2026, 12, 30)
    assert r.termination_possible_date(date(2026, 11, 20)) - date(2026, 11, 20) == timedelta(days=40)


@pytest.mark.parametrize(("due", "notice", "suspension"), [
    (date(2026, 1, 31), date(2026, 2, 10), date(2026, 3, 12)),   # January's end, 28-day February
    (date(2028, 2, 20), date(2028, 3, 1), date(2028, 3, 31)),    # leap year: 29 February counts
    (date(2027, 2, 20), date(2027, 3, 2), date(2027, 4, 1)),     # not a leap year
    (date(2026, 12, 28), date(2027, 1, 7), date(2027, 2, 6)),    # across the new year
])
def test_month_ends_and_leap_years(due, notice, suspension):
    """L113-3: calendar days, whatever the month's length (29 February 2028 is one of the 10 and 30 days)."""
    assert r.formal_notice_date(due) == notice
    assert r.suspension_date(notice) == suspension


def test_cover_resumes_at_noon_the_day_after_payment():
    """L113-3 al. 4: paid on 31 December, the cover resumes on 1 January at 12:00 (Paris time)."""
    assert r.resumption_at(date(2026, 12, 31)) == datetime(2027, 1, 1, 12, 0)
    assert r.resumption_at(date(2028, 2, 28)) == datetime(2028, 2, 29, 12, 0)


def test_reminder_seven_days_before_the_due_date():
    assert r.reminder_date(date(2026, 3, 3)) == date(2026, 2, 24)


def test_renewal_notice_latest_day_is_15_days_before_the_deadline_to_refuse():
    """L113-15-1: main due date 1 April, deadline 1 March (one month, our conditions), latest notice 14 February."""
    assert r.termination_deadline(date(2027, 4, 1)) == date(2027, 3, 1)
    assert r.renewal_notice_latest(date(2027, 4, 1)) == date(2027, 2, 14)
    assert r.renewal_notice_in_time(main_due_date=date(2027, 4, 1), sent_on=date(2027, 2, 14))
    assert not r.renewal_notice_in_time(main_due_date=date(2027, 4, 1), sent_on=date(2027, 2, 15))


def test_renewal_notice_with_the_legal_two_months_and_a_month_end_in_a_leap_year():
    """L113-15-1 with L113-12's two months: due 30 April 2028 → deadline 29 February 2028 → latest 14 February."""
    assert r.termination_deadline(date(2028, 4, 30), notice_months=2) == date(2028, 2, 29)
    assert r.renewal_notice_latest(date(2028, 4, 30), notice_months=2) == date(2028, 2, 14)
    assert r.termination_deadline(date(2027, 3, 31)) == date(2027, 2, 28)


def test_late_notice_gives_20_days_from_its_sending_as_chatel_end_does():
    """L113-15-1: a late notice states 20 days from its sending; the contracts' Chatel basis agrees (one rule)."""
    due, sent = date(2027, 4, 1), date(2027, 2, 20)
    assert r.refusal_deadline(main_due_date=due, sent_on=sent) == date(2027, 3, 12)
    notices = [RenewalNotice(due_date=due, sent_on=sent)]
    assert chatel_end(today=date(2027, 3, 12), notices=notices) is not None
    assert chatel_end(today=date(2027, 3, 13), notices=notices) is None


def test_notice_in_time_states_the_usual_deadline_and_gives_no_chatel_basis():
    """L113-15-1: sent in time, the notice states the deadline and the Chatel basis does not open."""
    due, sent = date(2027, 4, 1), date(2027, 1, 20)
    assert r.refusal_deadline(main_due_date=due, sent_on=sent) == date(2027, 3, 1)
    assert chatel_end(today=date(2027, 2, 1), notices=[RenewalNotice(due_date=due, sent_on=sent)]) is None
    assert r.renewal_notice_from(due) == date(2027, 1, 15)
