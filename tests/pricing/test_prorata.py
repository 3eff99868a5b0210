"""prorata(): amendments charged or refunded until the next main due date."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from abri.pricing import prorata


def test_increase_half_way_through_the_year_costs_half_the_difference():
    assert prorata(Decimal("200.00"), Decimal("300.00"), date(2026, 7, 2), date(2027, 1, 1), 365) == Decimal("50.14")


def test_decrease_is_refunded_as_a_negative_amount():
    assert prorata(Decimal("300.00"), Decimal("200.00"), date(2026, 7, 2), date(2027, 1, 1), 365) == Decimal("-50.14")


def test_change_on_the_due_date_costs_nothing_and_on_the_first_day_the_whole_difference():
    assert prorata(Decimal(100), Decimal(250), date(2027, 1, 1), date(2027, 1, 1), 365) == Decimal("0.00")
    assert prorata(Decimal(100), Decimal(250), date(2026, 1, 1), date(2027, 1, 1), 365) == Decimal("150.00")


def test_days_in_period_defaults_to_the_year_ending_on_the_due_date():
    assert prorata(Decimal(0), Decimal(366), date(2028, 1, 1), date(2028, 3, 1)) == Decimal("60.00")  # leap year
    assert prorata(Decimal(0), Decimal(365), date(2027, 1, 1), date(2027, 3, 1)) == Decimal("59.00")
    assert prorata(Decimal(0), Decimal(366), date(2028, 2, 1), date(2028, 2, 29)) == Decimal("28.00")


def test_half_cents_round_away_from_zero_both_ways():
    # 1 € × 1/8 = 0,125 €.
    assert prorata(Decimal(0), Decimal(1), date(2026, 1, 8), date(2026, 1, 9), 8) == Decimal("0.13")
    assert prorata(Decimal(1), Decimal(0), date(2026, 1, 8), date(2026, 1, 9), 8) == Decimal("-0.13")


def test_invalid_arguments():
    with pytest.raises(ValueError, match="after the next due date"):
        prorata(Decimal(1), Decimal(2), date(2027, 2, 1), date(2027, 1, 1), 365)
    with pytest.raises(ValueError, match="more than the period"):
        prorata(Decimal(1), Decimal(2), date(2025, 1, 1), date(2027, 1, 1), 365)
    with pytest.raises(ValueError, match="positive number of days"):
        prorata(Decimal(1), Decimal(2), date(2026, 1, 1), date(2027, 1, 1), 0)
    with pytest.raises(TypeError, match="Decimal"):
        prorata(1.5, Decimal(2), date(2026, 1, 1), date(2027, 1, 1), 365)
    with pytest.raises(TypeError, match="must be a date"):
        prorata(Decimal(1), Decimal(2), datetime(2026, 1, 1, 10, 0), date(2027, 1, 1), 365)
