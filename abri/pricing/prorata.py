"""Pro rata temporis: what an amendment (avenant) costs or refunds until the next main due date."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal

_CONTEXT = Context(prec=40)
_CENT = Decimal("0.01")


def _money(value, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or not Decimal(value).is_finite():
        raise TypeError(f"{name} must be a finite Decimal (or int) amount in euros, got {value!r}")
    return Decimal(value)


def _day(value, name: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{name} must be a date, got {value!r}")
    return value


def _one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def prorata(old_annual_total: Decimal, new_annual_total: Decimal, change_date: date, next_due_date: date,
            days_in_period: int | None = None) -> Decimal:
    """Amount due (positive) or refunded (negative) from change_date until next_due_date, to the cent.

    (new − old) × days remaining / days in the period. days_in_period defaults to the length of the year
    that ends on next_due_date (365 or 366). Halves of a cent are rounded away from zero, so a charge and
    the matching refund are the same amount.
    """
    old = _money(old_annual_total, "old_annual_total")
    new = _money(new_annual_total, "new_annual_total")
    change = _day(change_date, "change_date")
    due = _day(next_due_date, "next_due_date")
    if days_in_period is None:
        days_in_period = (due - _one_year_before(due)).days
    if isinstance(days_in_period, bool) or not isinstance(days_in_period, int) or days_in_period <= 0:
        raise ValueError(f"days_in_period must be a positive number of days, got {days_in_period!r}")
    remaining = (due - change).days
    if remaining < 0:
        raise ValueError(f"the change ({change.isoformat()}) is after the next due date ({due.isoformat()})")
    if remaining > days_in_period:
        raise ValueError(f"{remaining} days remain until {due.isoformat()}, more than the period "
                         f"of {days_in_period} days")
    exact = _CONTEXT.divide(_CONTEXT.multiply(new - old, Decimal(remaining)), Decimal(days_in_period))
    return exact.quantize(_CENT, rounding=ROUND_HALF_UP, context=_CONTEXT)
