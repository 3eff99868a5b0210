"""End dates and refunds by the Code des assurances (pure rules), with properties over every payment
frequency and every request day of a year.

Convention: an end date is the last day covered; cover ends at 24:00 on that day."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abri.contracts.rules import (
    CONTRACTUAL_DUE_DATE_NOTICE_MONTHS,
    FREQUENCY_MONTHS,
    LEGAL_DUE_DATE_NOTICE_MONTHS,
    PaidPeriod,
    RenewalNotice,
    add_months,
    covered_share,
    due_date_end,
    instalment_period,
    next_main_due_date,
    refund_to_the_day,
    termination_date,
)


def test_hamon_end_is_one_month_after_request_even_near_due_date():
    """L113-15-2: after one year, a termination takes effect one month after the insurer receives it, whatever
    the due date. A request on 10/02/2026, three weeks before the 01/03 due date, ends on 10/03/2026 at 24:00
    (effect 11/03/2026 at 0:00), not at the 2027 due date."""
    for reason in ("due_date", "other", "hamon"):
        outcome = termination_date(reason=reason, today=date(2026, 2, 10), start_date=date(2024, 3, 1),
                                   main_due_date=date(2026, 3, 1))
        assert (outcome.effective, outcome.basis) == (date(2026, 3, 10), "hamon"), reason
        assert {b.code: b.end for b in outcome.bases} == {"hamon": date(2026, 3, 10),
                                                          "due_date": date(2027, 2, 28)}


def test_due_date_termination_needs_two_months_notice_by_law():
    """L113-12: the insured terminates at the main due date with two months' notice at most required; Abri's
    conditions ask only one month, a contractual improvement that is never stricter than the law."""
    assert CONTRACTUAL_DUE_DATE_NOTICE_MONTHS < LEGAL_DUE_DATE_NOTICE_MONTHS == 2
    due = date(2026, 3, 1)
    assert due_date_end(today=date(2025, 12, 31), main_due_date=due, notice_months=LEGAL_DUE_DATE_NOTICE_MONTHS) \
        == date(2026, 2, 28)
    assert due_date_end(today=date(2026, 1, 2), main_due_date=due, notice_months=LEGAL_DUE_DATE_NOTICE_MONTHS) \
        == date(2027, 2, 28)
    # With the contractual month, the same request still ends at this year's due date.
    assert due_date_end(today=date(2026, 1, 2), main_due_date=due) == date(2026, 2, 28)
    assert due_date_end(today=date(2026, 2, 1), main_due_date=due) == date(2026, 2, 28)
    assert due_date_end(today=date(2026, 2, 2), main_due_date=due) == date(2027, 2, 28)
    # The page says both.
    rule = next(b.rule for b in termination_date(reason="due_date", today=date(2026, 1, 2),
                                                 start_date=date(2025, 9, 1), main_due_date=due).bases
                if b.code == "due_date")
    assert "préavis légal de deux mois" in rule and "un mois par vos conditions générales" in rule


def test_chatel_late_notice_gives_twenty_days():
    """L113-15-1: a renewal notice sent less than 15 days before the deadline to terminate (01/02/2027 for the
    01/03/2027 due date) leaves 20 days from its sending to refuse the renewal; the contract then ends at the
    due date, even in its first year (no Hamon yet)."""
    young = {"start_date": date(2026, 3, 1), "main_due_date": date(2027, 3, 1)}
    late = [RenewalNotice(due_date=date(2027, 3, 1), sent_on=date(2027, 1, 25))]
    within = termination_date(reason="due_date", today=date(2027, 2, 14), notices=late, **young)
    assert (within.effective, within.basis) == (date(2027, 2, 28), "chatel")
    after = termination_date(reason="due_date", today=date(2027, 2, 15), notices=late, **young)
    assert (after.effective, after.basis) == (date(2028, 2, 29), "due_date")
    on_time = [RenewalNotice(due_date=date(2027, 3, 1), sent_on=date(2027, 1, 17))]
    assert termination_date(reason="due_date", today=date(2027, 2, 10), notices=on_time, **young).basis == "due_date"


def test_chatel_absent_notice_allows_termination_any_time():
    """L113-15-1: a contract renewed without a renewal notice can be terminated at any time, effective the day
    after the request: cover ends tonight at 24:00, earlier than Hamon's month."""
    renewed_silently = [RenewalNotice(due_date=date(2026, 3, 1), sent_on=None)]
    outcome = termination_date(reason="other", today=date(2026, 4, 20), start_date=date(2025, 3, 1),
                               main_due_date=date(2027, 3, 1), notices=renewed_silently)
    assert (outcome.effective, outcome.basis) == (date(2026, 4, 20), "chatel")
    assert [b.code for b in outcome.bases] == ["chatel", "hamon", "due_date"]
    # No record of the renewal: nothing says the notice was missing.
    assert termination_date(reason="other", today=date(2026, 4, 20), start_date=date(2025, 3, 1),
                            main_due_date=date(2027, 3, 1)).basis == "hamon"


def test_sale_ends_on_the_day_of_the_sale_and_moving_one_month_after_the_request():
    """L121-10: the sale ends the cover on the day of the sale (24:00); L113-16: moving ends it one month after
    the request, or on the moving day when the customer asks for later. The default keeps the old home covered
    until that day rather than Hamon's earlier date."""
    today = date(2026, 11, 26)
    sale = termination_date(reason="sale", today=today, start_date=date(2024, 6, 1), main_due_date=date(2027, 6, 1),
                            requested_date=date(2027, 1, 10))
    assert (sale.effective, sale.basis) == (date(2027, 1, 10), "sale")
    moving = termination_date(reason="moving", today=today, start_date=date(2024, 6, 1),
                              main_due_date=date(2027, 6, 1), requested_date=date(2026, 12, 1))
    assert (moving.effective, moving.basis) == (date(2026, 12, 26), "moving")


def test_refund_runs_to_the_end_of_the_last_paid_period():
    """L113-15-2: the unused premium is refunded to the day. A Hamon end on 02/01/2027 leaves 3 and 4 January
    of the 5 December monthly instalment (covering to 4 January) unused: 31,00 € × 2/31 = 2,00 €."""
    paid = [PaidPeriod(*instalment_period(date(2026, 11, 5), "monthly"), Decimal("30.00")),
            PaidPeriod(*instalment_period(date(2026, 12, 5), "monthly"), Decimal("31.00"))]
    assert paid[1].end == date(2027, 1, 4)
    assert refund_to_the_day(end=date(2027, 1, 2), paid=paid) == Decimal("2.00")
    assert refund_to_the_day(end=date(2027, 1, 4), paid=paid) == Decimal("0.00")
    assert refund_to_the_day(end=date(2026, 12, 4), paid=paid) == Decimal("31.00")
    # The unpaid January instalment is due for its covered days only (5 January to the end date).
    january = PaidPeriod(*instalment_period(date(2027, 1, 5), "monthly"), Decimal("31.00"))
    assert covered_share(period=january, end=date(2027, 1, 14)) == Decimal("10.00")


# --- Properties: every frequency, every request day of a year -----------------------------------
FREQUENCIES = sorted(FREQUENCY_MONTHS)
request_days = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31))
due_dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31))  # rolled to the next one


def _paid_year(*, due: date, frequency: str, today: date, annual: Decimal) -> list[PaidPeriod]:
    """The insurance year running today, paid in instalments of the frequency up to today."""
    start = add_months(due, -12)
    count = 12 // FREQUENCY_MONTHS[frequency]
    share = (annual / count).quantize(Decimal("0.01"))
    periods = []
    for index in range(count):
        period_start, period_end = instalment_period(add_months(start, index * FREQUENCY_MONTHS[frequency]),
                                                     frequency)
        if period_start <= today:
            periods.append(PaidPeriod(period_start, period_end, share))
    return periods


@settings(max_examples=300, deadline=None)
@given(today=request_days, frequency=st.sampled_from(FREQUENCIES), due=due_dates,
       years=st.integers(min_value=0, max_value=4), reason=st.sampled_from(["due_date", "other", "hamon"]),
       annual=st.decimals(min_value=Decimal("50"), max_value=Decimal("3000"), places=2))
def test_every_request_day_gets_the_earliest_lawful_end_and_a_bounded_refund(today, frequency, due, years, reason,
                                                                           annual):
    """L113-12, L113-15-2: the end date is never before the legal minimum of its basis, the earliest basis is
    chosen, and the refund is never negative nor more than what was paid for the days after the end."""
    due = next_main_due_date(due, today)
    start = add_months(due, -12 * (years + 1))
    outcome = termination_date(reason=reason, today=today, start_date=start, main_due_date=due)
    if outcome.effective is None:
        assert reason == "hamon" and add_months(start, 12) > today
        return
    ends = {b.code: b.end for b in outcome.bases}
    assert outcome.effective == min(ends.values())
    assert outcome.effective >= today
    if "hamon" in ends:
        assert ends["hamon"] == add_months(today, 1) and add_months(start, 12) <= today
    anniversary = ends["due_date"] + timedelta(days=1)
    assert anniversary.month == due.month and add_months(anniversary, -CONTRACTUAL_DUE_DATE_NOTICE_MONTHS) >= today
    assert add_months(anniversary, -12 - CONTRACTUAL_DUE_DATE_NOTICE_MONTHS) < today  # not a year too late
    paid = _paid_year(due=due, frequency=frequency, today=today, annual=annual)
    refund = refund_to_the_day(end=outcome.effective, paid=paid)
    paid_after = sum((p.amount for p in paid if p.end > outcome.effective), Decimal("0"))
    assert Decimal("0") <= refund <= paid_after
    exact = sum((p.amount * max(0, (p.end - max(outcome.effective, p.start - timedelta(days=1))).days) / p.days
                 for p in paid), Decimal("0"))
    assert abs(refund - exact) <= Decimal("0.005") * len(paid)


@settings(max_examples=200, deadline=None)
@given(today=request_days, frequency=st.sampled_from(FREQUENCIES),
       offset=st.integers(min_value=-400, max_value=400))
def test_refund_and_the_billed_share_add_up_to_the_instalment(today, frequency, offset):
    """To the day: for any instalment and end date, what stays billed plus what is refunded is the instalment."""
    period = PaidPeriod(*instalment_period(today, frequency), Decimal("123.45"))
    end = today + timedelta(days=offset)
    total = covered_share(period=period, end=end) + refund_to_the_day(end=end, paid=[period])
    assert abs(total - period.amount) <= Decimal("0.01")


@pytest.mark.parametrize("frequency", FREQUENCIES)
def test_due_date_basis_is_never_a_year_late_in_the_month_before_the_due_date(frequency):
    """The issue's case for every frequency: « À l'échéance » in the month before the due date no longer jumps
    a year when Hamon applies."""
    for day in range(1, 29):
        today = date(2026, 2, day)
        outcome = termination_date(reason="due_date", today=today, start_date=date(2023, 3, 1),
                                   main_due_date=date(2026, 3, 1))
        assert outcome.effective <= add_months(today, 1)
